"""The question-set builder in the browser: each kind of edit, each refusal next to its field,
moves, the preview with answers tried, and two drafts published at the same moment."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from auditapp.domain.statuses import QuestionSetDraftStatus
from auditapp.extensions import db
from auditapp.models import Answer, Case, InspectionRole, QuestionSet, QuestionSetDraft, User
from auditapp.services import question_set_drafts
from tests import factories
from tests.web.pages import form_values, page_of

DRAFTS = "/admin/question-sets/drafts"


def _post_page_form(c: Any, path: str, selector: str = "#question-form", **changes: Any) -> Any:
    """Post the form as the page fills it, with some fields changed, as a browser does."""
    form = form_values(page_of(c.get(path)), selector)
    form.update(changes)
    return c.post_form(path, form)


def _questions(draft: QuestionSetDraft) -> dict[str, dict[str, Any]]:
    db.session.refresh(draft)
    return {q["id"]: q for s in draft.definition["sections"] for q in s["questions"]}


def _blank_draft(c: Any) -> QuestionSetDraft:
    response = c.post_form(
        f"{DRAFTS}/new",
        {
            "case_type": "stalking",
            "case_type_name": "Stalking",
            "title": "Stalking",
            "kind": "case",
        },
    )
    assert response.status_code == 302
    return db.session.scalars(select(QuestionSetDraft)).one()


def _add(c: Any, draft: QuestionSetDraft, **fields: Any) -> Any:
    return _post_page_form(c, f"{DRAFTS}/{draft.id}/add-question", **fields)


def _small_set(c: Any) -> QuestionSetDraft:
    """A blank draft built up: a yes/no, two dates, a choice and a timeliness check."""
    draft = _blank_draft(c)
    steps = [
        {"section": "__new__", "new_section_id": "risk", "new_section_title": "Risk",
         "id": "ST01", "text": "Was a risk assessment done?", "type": "yes_no"},
        {"section": "risk", "id": "ST02", "text": "When was it reported?", "type": "date",
         "graded": "no"},
        {"section": "risk", "id": "ST03", "text": "When was the victim seen?", "type": "date",
         "graded": "no"},
        {"section": "risk", "id": "ST04", "text": "Risk level?", "type": "choice",
         "graded": "no", "options-0-value": "low", "options-0-label": "Low",
         "options-1-value": "high", "options-1-label": "High"},
        {"section": "risk", "id": "ST05", "text": "Seen in time?", "type": "derived",
         "show_if": "ST01", "show_if_equals": "yes", "check_start": "ST02",
         "check_end": "ST03", "check_within": "5 days", "check_within_by": "ST04",
         "check_thresholds": "low = 5 days; high = 1 day"},
    ]  # fmt: skip
    for step in steps:
        response = _add(c, draft, **step)
        assert response.status_code == 302, page_of(response).texts(".govuk-error-message")
    return draft


def test_a_small_set_is_built_with_options_a_condition_and_a_timeliness_check(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    questions = _questions(draft)
    assert list(questions) == ["ST01", "ST02", "ST03", "ST04", "ST05"]
    assert questions["ST04"]["options"] == [
        {"value": "low", "label": "Low"}, {"value": "high", "label": "High"},
    ]  # fmt: skip
    assert questions["ST05"]["show_if"] == {"question": "ST01", "equals": ["yes"]}
    assert questions["ST05"]["check"] == {
        "start": "ST02", "end": "ST03", "within": "5 days",
        "within_by": {"question": "ST04", "thresholds": {"low": "5 days", "high": "1 day"}},
    }  # fmt: skip


def test_options_outcomes_na_partly_and_recommendations_are_edited(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    path = f"{DRAFTS}/{draft.id}/questions/ST04"
    response = _post_page_form(
        c, path, graded="yes", critical="yes", allow_na="yes", recommendations=["R1", "R3"],
        **{"options-0-outcome": "met", "options-1-outcome": "not_met",
           "options-2-value": "medium", "options-2-label": "Medium",
           "options-2-outcome": "partly_met"},
    )  # fmt: skip
    assert response.status_code == 302
    edited = _questions(draft)["ST04"]
    assert [(o["value"], o.get("outcome")) for o in edited["options"]] == [
        ("low", "met"), ("high", "not_met"), ("medium", "partly_met"),
    ]  # fmt: skip
    assert edited["critical"] is True and edited["allow_na"] is True
    assert edited["recommendations"] == ["R1", "R3"]
    yes_no = f"{DRAFTS}/{draft.id}/questions/ST01"
    assert _post_page_form(c, yes_no, allow_partly="no").status_code == 302
    assert _questions(draft)["ST01"]["allow_partly"] is False
    # Clearing an option's row removes it.
    cleared = _post_page_form(c, path, **{"options-2-value": "", "options-2-label": ""})
    assert cleared.status_code == 302
    assert [o["value"] for o in _questions(draft)["ST04"]["options"]] == ["low", "high"]


def test_recommendations_are_offered_from_the_baseline(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    page = page_of(c.get(f"{DRAFTS}/{draft.id}/questions/ST01"))
    offered = [box.get("value") for box in page.select("input[name=recommendations]")]
    assert "R1" in offered and "AFI1" in offered


def test_a_condition_that_points_forward_is_refused_next_to_its_field(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    before = dict(draft.definition)
    path = f"{DRAFTS}/{draft.id}/questions/ST01"
    response = _post_page_form(c, path, show_if="ST04", show_if_equals="high")
    assert response.status_code == 200
    page = page_of(response)
    assert page.text("title").startswith("Error:")
    assert "ST04 comes later" in page.text("#show_if-error")
    assert page.one(".govuk-error-summary a[href='#show_if']") is not None
    db.session.refresh(draft)
    assert draft.definition == before


def test_a_threshold_that_makes_no_sense_is_refused_next_to_its_field(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    before = dict(draft.definition)
    path = f"{DRAFTS}/{draft.id}/questions/ST05"
    shorter = _post_page_form(c, path, check_partly_within="2 days")
    assert shorter.status_code == 200
    assert "must be longer than every 'within' threshold" in page_of(shorter).text(
        "#check_partly_within-error"
    )
    not_an_answer = _post_page_form(c, path, check_thresholds="low = 5 days; urgent = 1 day")
    assert "urgent is not an answer to ST04" in page_of(not_an_answer).text(
        "#check_thresholds-error"
    )
    unreadable = _post_page_form(c, path, check_within="soon")
    assert unreadable.status_code == 200
    assert page_of(unreadable).select("#check_within-error")
    db.session.refresh(draft)
    assert draft.definition == before


def test_an_option_mistake_is_shown_on_its_row(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    response = _post_page_form(
        c, f"{DRAFTS}/{draft.id}/questions/ST04", **{"options-1-value": "low"}
    )
    assert response.status_code == 200
    assert "duplicate option value low" in page_of(response).text("#options-1-value-error")


def test_sections_questions_and_options_move_up_and_down(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    _add(c, draft, section="__new__", new_section_id="later", new_section_title="Later",
         id="ST06", text="Anything else?", type="yes_no")  # fmt: skip
    base = f"{DRAFTS}/{draft.id}"
    assert c.post_form(f"{base}/sections/later/move", {"direction": "up"}).status_code == 302
    db.session.refresh(draft)
    assert [s["id"] for s in draft.definition["sections"]] == ["later", "risk"]
    c.post_form(f"{base}/questions/ST02/move", {"direction": "down"})
    assert list(_questions(draft))[1:5] == ["ST01", "ST03", "ST02", "ST04"]
    c.post_form(f"{base}/questions/ST04/options/high/move", {"direction": "up"})
    assert [o["value"] for o in _questions(draft)["ST04"]["options"]] == ["high", "low"]


def test_a_move_that_would_break_a_condition_is_refused(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    base = f"{DRAFTS}/{draft.id}"
    order = list(_questions(draft))
    for _ in range(4):  # ST05 shows only after ST01: it cannot go before it
        c.post_form(f"{base}/questions/ST05/move", {"direction": "up"})
    page = page_of(c.get(f"{base}"))
    banners = " ".join(page.texts(".govuk-notification-banner"))
    assert "was not changed: ST01 comes later" in banners
    assert list(_questions(draft)).index("ST05") > order.index("ST01")
    first = next(iter(_questions(draft)))
    c.post_form(f"{base}/questions/{first}/move", {"direction": "up"})
    banners = " ".join(page_of(c.get(f"{base}")).texts(".govuk-notification-banner"))
    assert "cannot move further" in banners


def test_a_section_is_added_and_removed(login_as: Any, admin: User) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    page = page_of(c.get(f"{DRAFTS}/{draft.id}/add-question?section=__new__"))
    chosen = page.one("#section option[selected]")
    assert chosen.get("value") == "__new__"
    _add(c, draft, section="__new__", new_section_id="extra", new_section_title="Extra",
         id="ST09", text="More?", type="yes_no", show_if="ST01", show_if_equals="no")  # fmt: skip
    assert "ST09" in _questions(draft)
    # A section another section's question depends on cannot go.
    before = dict(draft.definition)
    c.post_form(f"{DRAFTS}/{draft.id}/sections/risk/remove")
    db.session.refresh(draft)
    assert draft.definition == before
    removed = c.post_form(f"{DRAFTS}/{draft.id}/sections/extra/remove")
    assert removed.status_code == 302
    assert "ST09" not in _questions(draft)


def test_the_preview_is_the_case_form_and_tried_answers_are_graded_not_saved(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    path = f"{DRAFTS}/{draft.id}/preview"
    page = page_of(c.get(path))
    # The auditor's form: the same question markup, the conditional question hidden.
    assert page.one("#question-ST05").get("data-show-if-question") == "ST01"
    assert "app-question--hidden" in page.one("#question-ST05").get("class")
    assert page.select("input[name=answer-ST01][value=partly]")
    answers = {
        "answer-ST01": "yes", "day-ST02": "1", "month-ST02": "3", "year-ST02": "2024",
        "day-ST03": "4", "month-ST03": "3", "year-ST03": "2024", "answer-ST04": "high",
    }  # fmt: skip
    tried = _post_page_form(c, path, "form[data-module=app-question-set-preview]", **answers)
    assert tried.status_code == 200
    result = page_of(tried)
    # ST01 met; ST05 not met (3 days where high risk allows 1): half the graded weight.
    assert "Requires improvement" in result.text("#tried-grade")
    explanation = result.text("#tried-explanation")
    assert "ST05" in explanation and "50%" in explanation
    assert "app-question--hidden" not in result.one("#question-ST05").get("class")
    assert db.session.scalar(select(func.count(Case.id))) == 0
    assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_a_refused_answer_in_the_preview_is_shown_at_its_question(
    login_as: Any, admin: User
) -> None:
    c = login_as(admin)
    draft = _small_set(c)
    path = f"{DRAFTS}/{draft.id}/preview"
    tried = _post_page_form(
        c, path, "form[data-module=app-question-set-preview]",
        **{"day-ST02": "31", "month-ST02": "2", "year-ST02": "2024"},
    )  # fmt: skip
    page = page_of(tried)
    assert page.text("title").startswith("Error:")
    assert page.select(".govuk-error-summary a[href='#answer-ST02']")


def test_two_drafts_published_at_the_same_moment_give_a_message_not_an_error(
    login_as: Any, admin: User, monkeypatch: Any
) -> None:
    c = login_as(admin)
    v1 = factories.question_set("police-protection")
    first = c.post_form(f"/admin/question-sets/{v1.id}/copy")
    second = c.post_form(f"/admin/question-sets/{v1.id}/copy")
    first_id = int(first.headers["Location"].rsplit("/", 1)[1])
    second_id = int(second.headers["Location"].rsplit("/", 1)[1])
    assert c.post_form(f"{DRAFTS}/{first_id}/publish").status_code == 302
    # The second request worked out its version number before the first one was stored.
    monkeypatch.setattr(question_set_drafts, "next_version", lambda slug: 2)
    response = c.post_form(f"{DRAFTS}/{second_id}/publish")
    assert response.status_code == 302
    page = page_of(c.get(response.headers["Location"]))
    banners = " ".join(page.texts(".govuk-notification-banner"))
    assert "published by someone else at the same moment" in banners
    db.session.expire_all()
    assert db.session.scalar(select(func.count(QuestionSet.id))) == 2
    assert db.session.get(QuestionSetDraft, second_id).status == QuestionSetDraftStatus.DRAFT


# Leads: their inspection's drafts ------------------------------------------------------------


def test_a_lead_builds_a_draft_for_their_inspection_and_an_admin_publishes_it(
    login_as: Any, admin: User, lead: User, inspection: Any
) -> None:
    v1 = factories.question_set("police-protection")
    factories.scope(inspection, "police-protection")
    c = login_as(lead)
    scope_page = page_of(c.get(f"/inspections/{inspection.id}/question-sets"))
    assert "Start a blank draft" in scope_page.text("main")
    copied = c.post_form(f"/admin/question-sets/{v1.id}/copy", {"inspection_id": inspection.id})
    assert copied.status_code == 302
    draft = db.session.scalars(select(QuestionSetDraft)).one()
    assert draft.inspection_id == inspection.id
    first = next(iter(_questions(draft)))
    path = f"{DRAFTS}/{draft.id}/questions/{first}"
    assert _post_page_form(c, path, text="Reworded by the lead?").status_code == 302
    assert _questions(draft)[first]["text"] == "Reworded by the lead?"
    assert c.get(f"{DRAFTS}/{draft.id}/preview").status_code == 200
    review = page_of(c.get(f"{DRAFTS}/{draft.id}/review"))
    assert "An administrator reviews these changes" in review.text("#publish-by-admin")
    assert c.post_form(f"{DRAFTS}/{draft.id}/publish").status_code == 403
    listed = page_of(c.get(f"/inspections/{inspection.id}/question-sets"))
    assert f"draft {draft.id}" in listed.text("#draft-list")
    published = login_as(admin).post_form(f"{DRAFTS}/{draft.id}/publish")
    assert published.status_code == 302
    assert db.session.scalar(select(func.count(QuestionSet.id))) == 2


def test_a_lead_starts_a_blank_draft_for_their_inspection_only(
    login_as: Any, lead: User, inspection: Any, other_inspection: Any
) -> None:
    c = login_as(lead)
    blank = {"case_type": "stalking", "case_type_name": "Stalking", "title": "S", "kind": "case"}
    assert c.post_form(f"{DRAFTS}/new", blank).status_code == 403
    assert (
        c.post_form(f"{DRAFTS}/new?inspection_id={other_inspection.id}", blank).status_code == 404
    )
    started = c.post_form(f"{DRAFTS}/new?inspection_id={inspection.id}", blank)
    assert started.status_code == 302
    draft = db.session.scalars(select(QuestionSetDraft)).one()
    assert draft.inspection_id == inspection.id


def test_others_cannot_work_on_an_inspections_draft(
    login_as: Any, lead: User, auditor: User, inspection: Any, other_inspection: Any
) -> None:
    v1 = factories.question_set("police-protection")
    login_as(lead).post_form(f"/admin/question-sets/{v1.id}/copy", {"inspection_id": inspection.id})
    draft = db.session.scalars(select(QuestionSetDraft)).one()
    other_lead = factories.make_member(other_inspection, "lead2@example.test", InspectionRole.LEAD)
    for user, status in ((auditor, 403), (other_lead, 404)):
        c = login_as(user)
        assert c.get(f"{DRAFTS}/{draft.id}").status_code == status
        assert c.get(f"{DRAFTS}/{draft.id}/preview").status_code == status
        moved = c.post_form(f"{DRAFTS}/{draft.id}/sections/x/move", {"direction": "up"})
        assert moved.status_code == status
