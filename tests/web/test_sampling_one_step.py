"""Sampling in one step: every case type at once, undoing a draw, top-ups and the stratum table."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from auditapp.extensions import db
from auditapp.models import Answer, AuditEvent, Case, CaseStatus, Inspection, SampleDraw, User
from auditapp.services import sampling
from tests.web.test_sampling import case_type_id, list_cases, sampled_refs

DA, MC = "domestic-abuse", "missing-child"


def two_types(inspection: Inspection, da: int = 40, mc: int = 20, **attrs: Any) -> None:
    list_cases(inspection, da, slug=DA, prefix="DA", **attrs)
    list_cases(inspection, mc, slug=MC, prefix="MC")


def draw_all(client: Any, inspection: Inspection, sizes: dict[str, str], **extra: Any) -> Any:
    data = {f"size-{case_type_id(slug)}": size for slug, size in sizes.items()}
    data.update({"stratify_by": "", "seed": "4821"})
    data.update({k: str(v) for k, v in extra.items()})
    return client.post_form(f"/inspections/{inspection.id}/sampling", data)


def value_of(page: str, element_id: str) -> str:
    """The value attribute of the input with this id."""
    match = re.search(rf'id="{element_id}"[^>]*value="([^"]*)"', page)
    assert match, element_id
    return match.group(1)


def section(page: str, element_id: str, end: str) -> str:
    """The page from the element with this id to the next `end`."""
    start = page.index(f'id="{element_id}"')
    return page[start : page.index(end, start)]


def refs(inspection: Inspection, prefix: str) -> list[str]:
    return [r for r in sampled_refs(inspection) if r.startswith(prefix)]


def test_the_form_fills_in_suggested_sizes_their_margins_and_a_seed(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    two_types(inspection, da=212, mc=20)
    page = login_as(lead).get(f"/inspections/{inspection.id}/sampling").get_data(as_text=True)
    # N = 212 needs 67 at ±10% (published table, FPC); N = 20 needs 17: 1.96²/4/0.01 = 96.04,
    # 96.04 / (1 + 95.04 / 20) = 16.70, rounded up.
    assert value_of(page, f"size-{case_type_id(DA)}") == "67"
    assert value_of(page, f"size-{case_type_id(MC)}") == "17"
    assert "67 more give ±9.9%" in section(page, f"suggested-{case_type_id(DA)}", "</td>")
    assert 1000 <= int(value_of(page, "seed")) <= 9999


def test_every_type_is_drawn_at_once_with_one_seed_and_one_draw_number(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    two_types(inspection)
    c = login_as(lead)
    response = draw_all(c, inspection, {DA: "5", MC: "25%"}, seed=1234)
    assert response.status_code == 302
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Drew 5 of 40 domestic abuse" in page and "5 of 20 missing" in page
    assert (len(refs(inspection, "DA")), len(refs(inspection, "MC"))) == (5, 5)
    draws = list(db.session.scalars(select(SampleDraw).order_by(SampleDraw.id)))
    assert [(d.batch, d.seed, d.top_up) for d in draws] == [(1, 1234, False), (1, 1234, False)]


def test_a_blank_size_skips_its_type(login_as: Any, inspection: Inspection, lead: User) -> None:
    two_types(inspection)
    draw_all(login_as(lead), inspection, {DA: "3", MC: ""})
    assert (len(refs(inspection, "DA")), len(refs(inspection, "MC"))) == (3, 0)


@pytest.mark.parametrize("bad", ["25", "lots", "150%"])
def test_one_invalid_size_draws_nothing_at_all(
    login_as: Any, inspection: Inspection, lead: User, bad: str
) -> None:
    two_types(inspection)
    response = draw_all(login_as(lead), inspection, {DA: "5", MC: bad})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Sampling" in page
    summary = section(page, "draw-error", "</p>")
    assert "Missing" in summary  # names the case type whose size is wrong
    assert value_of(page, f"size-{case_type_id(MC)}") == bad  # what the lead typed is kept
    assert sampled_refs(inspection) == []
    assert db.session.scalar(select(SampleDraw)) is None


def test_no_size_at_all_is_refused(login_as: Any, inspection: Inspection, lead: User) -> None:
    two_types(inspection)
    response = draw_all(login_as(lead), inspection, {DA: "", MC: " "})
    assert response.status_code == 400
    assert "Enter how many cases to draw for at least one case type" in response.get_data(
        as_text=True
    )


def test_a_further_draw_is_labelled_a_top_up(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    two_types(inspection)
    c = login_as(lead)
    draw_all(c, inspection, {DA: "5"})
    response = draw_all(c, inspection, {DA: "3", MC: "2"}, seed=99)
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Drew (top-up)" in page
    draws = section(page, "draws", 'id="strata"')
    assert re.findall(r"<h3[^>]*>([^<]*)</h3>", draws) == ["Draw 1", "Draw 2 (top-up)"]
    assert "Top-up: 3 of 35 domestic abuse" in draws
    assert "2 of 20 missing" in draws and "Top-up: 2 of 20" not in draws  # its first draw
    rows = list(db.session.scalars(select(SampleDraw).order_by(SampleDraw.id)))
    assert [(r.batch, r.top_up) for r in rows] == [(1, False), (2, True), (2, False)]


def test_undo_takes_out_exactly_that_draws_cases(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    two_types(inspection)
    c = login_as(lead)
    draw_all(c, inspection, {DA: "5"}, seed=1)
    first = sampled_refs(inspection)
    draw_all(c, inspection, {DA: "4", MC: "3"}, seed=2)
    hand = db.session.scalar(
        select(Case).where(Case.reference == "MC-020", Case.in_sample.is_(False))
    ) or db.session.scalar(select(Case).where(Case.reference == "MC-019"))
    assert hand is not None and not hand.in_sample
    sampling.add_to_sample(inspection, [hand.id], by=lead)
    second = db.session.scalars(select(Case).where(Case.sample_draw_id.is_not(None))).all()
    assert len(second) == 12
    db.session.commit()
    response = c.post_form(f"/inspections/{inspection.id}/sampling/draws/2/undo")
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert "Undid draw 2: 7 cases left the sample." in page
    assert sampled_refs(inspection) == sorted([*first, hand.reference])
    assert [d.batch for d in db.session.scalars(select(SampleDraw))] == [1]
    undone = db.session.scalars(
        select(Case).where(Case.inspection_id == inspection.id, Case.in_sample.is_(False))
    ).all()
    assert {(c_.sample_draw_id, c_.question_set_id, c_.auditor_id) for c_ in undone} == {
        (None, None, None)
    }
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "undo")) is not None


@pytest.mark.parametrize("opened", ["answer", "submitted"])
def test_undoing_a_draw_after_a_case_was_opened_is_refused(
    login_as: Any, inspection: Inspection, lead: User, opened: str
) -> None:
    two_types(inspection)
    c = login_as(lead)
    draw_all(c, inspection, {DA: "5", MC: "2"})
    case = db.session.scalars(select(Case).where(Case.in_sample.is_(True))).first()
    assert case is not None
    if opened == "answer":
        db.session.add(Answer(case_id=case.id, question_code="q1", value="yes"))
    else:
        case.status = CaseStatus.SUBMITTED
    db.session.commit()
    page = c.get(f"/inspections/{inspection.id}/sampling").get_data(as_text=True)
    assert "Cannot be undone: 1 of its cases has been opened." in page
    assert "Undo draw 1" not in page
    response = c.post_form(f"/inspections/{inspection.id}/sampling/draws/1/undo")
    page = c.get(response.headers["Location"]).get_data(as_text=True)
    assert f"these cases have been opened: {case.reference}" in page
    assert len(sampled_refs(inspection)) == 7
    assert db.session.scalar(select(SampleDraw)) is not None


def test_the_service_refuses_to_undo_an_opened_draw(inspection: Inspection, lead: User) -> None:
    two_types(inspection)
    (draw,) = sampling.draw_all(inspection, {case_type_id(DA): "3"}, by=lead, seed=5)
    case = db.session.scalars(select(Case).where(Case.sample_draw_id == draw.id)).first()
    assert case is not None
    db.session.add(Answer(case_id=case.id, question_code="q1", value="yes"))
    db.session.flush()
    with pytest.raises(sampling.SamplingError, match="opened"):
        sampling.undo_draw(inspection, draw.batch, by=lead)
    with pytest.raises(sampling.SamplingError, match="not in this inspection"):
        sampling.undo_draw(inspection, 99, by=lead)


def test_stratum_table_shows_frame_sample_and_fraction(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    # Worked by hand: 20 of 100 Area cases, proportional: North 60 -> 12, South 30 -> 6,
    # East 10 -> 2; fractions 12/60 = 20.0%, 6/30 = 20.0%, 2/10 = 20.0%. Missing children:
    # 5 of 20 unstratified -> one stratum, 25.0%.
    list_cases(
        inspection, 100, slug=DA, prefix="DA", Area=["North"] * 60 + ["South"] * 30 + ["East"] * 10
    )
    list_cases(inspection, 20, slug=MC, prefix="MC")
    c = login_as(lead)
    draw_all(c, inspection, {DA: "20"}, seed=77, stratify_by="Area")
    draw_all(c, inspection, {MC: "5"}, seed=78)
    rows = [
        (r.stratum, r.column, r.frame, r.sample, r.fraction_text)
        for r in sampling.stratum_rows(inspection)
    ]
    assert rows == [
        ("East", "Area", 10, 2, "20.0%"),
        ("North", "Area", 60, 12, "20.0%"),
        ("South", "Area", 30, 6, "20.0%"),
        ("All cases", "", 20, 5, "25.0%"),
    ]
    page = c.get(f"/inspections/{inspection.id}/sampling").get_data(as_text=True)
    table = section(page, "strata", "</table>")
    cells = [
        [
            re.sub(r"\s+", " ", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody")[1], re.S)
    ]
    assert cells[1][1:] == ["Area: North", "60", "12", "20.0%"]
    assert cells[3][1:] == ["All cases", "20", "5", "25.0%"]


def test_only_leads_draw_and_undo(
    login_as: Any, inspection: Inspection, lead: User, auditor: User
) -> None:
    two_types(inspection)
    draw_all(login_as(lead), inspection, {DA: "5"})
    c = login_as(auditor)
    assert draw_all(c, inspection, {DA: "5"}).status_code == 403
    assert c.post_form(f"/inspections/{inspection.id}/sampling/draws/1/undo").status_code == 403
    assert len(sampled_refs(inspection)) == 5


def test_undo_without_the_csrf_token_changes_nothing(
    login_as: Any, inspection: Inspection, lead: User
) -> None:
    two_types(inspection)
    c = login_as(lead)
    draw_all(c, inspection, {DA: "5"})
    response = c.post(f"/inspections/{inspection.id}/sampling/draws/1/undo", data={})
    assert response.status_code in (302, 400)
    assert len(sampled_refs(inspection)) == 5
    response = c.post(
        f"/inspections/{inspection.id}/sampling", data={f"size-{case_type_id(DA)}": "3"}
    )
    assert response.status_code == 400
    assert len(sampled_refs(inspection)) == 5
