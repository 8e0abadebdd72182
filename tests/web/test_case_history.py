"""The case history: autosaves grouped per question per minute, people named, a filter by kind."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditapp.extensions import db
from auditapp.models import AuditEvent, InspectionRole, SecondAudit, User
from auditapp.services.audit_log import event_values
from auditapp.services.sampling.assignment import assign_cases
from tests import factories
from tests.performance.test_query_counts import counting_statements

START = datetime(2024, 3, 5, 10, 0, 0, tzinfo=UTC)


@pytest.fixture
def case(inspection: Any, auditor: User) -> Any:
    return factories.make_case(inspection, "DA-0001", auditor=auditor)


def _event(case: Any, user: User | None, at: datetime, action: str, field: str, **kw: Any) -> None:
    """An audit event recorded at a chosen time (an answer's entity unless told)."""
    entity = kw.pop("entity", "answer" if action in ("change_answer", "change_note") else "case")
    values = event_values(
        action,
        entity,
        user=user,
        entity_id=field if entity == "answer" else case.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field=field,
        **kw,
    )
    db.session.add(AuditEvent(**values, occurred_at=at))


def _saves(case: Any, user: User, question: str, seconds: list[float], values: list[str]) -> None:
    """Autosaves of one answer at START + each number of seconds, cycling through values."""
    old: str | None = None
    for n, second in enumerate(seconds):
        new = values[n % len(values)]
        _event(case, user, START + timedelta(seconds=second), "change_answer", question, old=old,
               new=new)  # fmt: skip
        old = new
    db.session.commit()


def _history(client: Any, case: Any, query: str = "") -> str:
    response = client.get(f"/audit/cases/{case.id}/history{query}")
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def _titles(page: str) -> list[str]:
    return re.findall(r'<h2 class="moj-timeline__title">([^<]*)</h2>', page)


# --- autosaves grouped per question per minute ---------------------------------------------------


def test_31_autosaves_through_the_form_read_as_one_entry(
    login_as: Any, case: Any, auditor: User
) -> None:
    c = login_as(auditor)
    version = case.version
    for n in range(31):
        value = ("yes", "no", "partly")[n % 3]
        response = c.post(
            f"/audit/cases/{case.id}/answers/DA02",
            json={"value": value, "base_version": version},
            headers={"X-CSRFToken": c.csrf_token},
        )
        assert response.status_code == 200, response.get_data(True)
        version = response.get_json()["version"]
    assert db.session.query(AuditEvent).filter_by(action="change_answer").count() == 31

    page = _history(c, case)
    assert _titles(page).count("Answer to DA02 changed") == 1
    # The first old value to the last new value (the 31st save is "yes"), and how many saves.
    assert "Not answered → Yes (31 saves within a minute)" in page
    assert f"by {auditor.name}" in page
    # The case page's own history is grouped the same way.
    case_page = c.get(f"/audit/cases/{case.id}").get_data(True)
    assert case_page.count("Answer to DA02 changed") == 1
    assert "(31 saves within a minute)" in case_page


def test_31_autosaves_in_one_minute_are_one_entry(login_as: Any, case: Any, auditor: User) -> None:
    _saves(case, auditor, "DA02", [n * 1.9 for n in range(31)], ["yes", "no"])
    page = _history(login_as(auditor), case)
    assert _titles(page) == ["Answer to DA02 changed"]
    assert "Not answered → Yes (31 saves within a minute)" in page


def test_two_questions_are_two_entries(login_as: Any, case: Any, auditor: User) -> None:
    _saves(case, auditor, "DA02", [0, 1, 2], ["yes", "no", "partly"])
    _saves(case, auditor, "DA04", [3, 4], ["no", "yes"])
    page = _history(login_as(auditor), case)
    assert _titles(page) == ["Answer to DA04 changed", "Answer to DA02 changed"]
    assert "Not answered → Partly (3 saves within a minute)" in page
    assert "Not answered → Yes (2 saves within a minute)" in page


def test_a_gap_of_more_than_a_minute_starts_a_new_entry(
    login_as: Any, case: Any, auditor: User
) -> None:
    _saves(case, auditor, "DA02", [0, 30, 59, 125, 130], ["yes", "no", "partly"])
    page = _history(login_as(auditor), case)
    assert _titles(page) == ["Answer to DA02 changed"] * 2
    assert "Not answered → Partly (3 saves within a minute)" in page  # 0 s to 59 s
    assert "Partly → No (2 saves within a minute)" in page  # 125 s and 130 s, newest first
    assert page.index("Partly → No") < page.index("Not answered → Partly")


def test_one_person_saving_once_is_not_called_a_group(
    login_as: Any, case: Any, auditor: User
) -> None:
    _saves(case, auditor, "DA02", [0], ["yes"])
    page = _history(login_as(auditor), case)
    assert "Not answered → Yes" in page
    assert "saves within a minute" not in page


def test_two_people_saving_one_answer_are_not_grouped_together(
    login_as: Any, case: Any, auditor: User, lead: User
) -> None:
    _saves(case, auditor, "DA02", [0, 1], ["yes", "no"])
    _saves(case, lead, "DA02", [2, 3], ["partly", "yes"])
    page = _history(login_as(auditor), case)
    assert _titles(page) == ["Answer to DA02 changed"] * 2
    assert f"by {auditor.name}" in page and f"by {lead.name}" in page


def test_grouping_never_hides_another_event(login_as: Any, case: Any, auditor: User) -> None:
    _saves(case, auditor, "DA02", [0, 1, 2], ["yes", "no"])
    _event(case, auditor, START + timedelta(seconds=1), "regrade", "computed_grade", old=None,
           new="good")  # fmt: skip
    db.session.commit()
    page = _history(login_as(auditor), case)
    assert _titles(page) == ["Answer to DA02 changed", "Grade worked out"]


# --- people named, never ids ----------------------------------------------------------------------


def test_assignments_name_the_auditor_not_their_id(
    login_as: Any, inspection: Any, case: Any, auditor: User, second_auditor: User, lead: User
) -> None:
    unassigned = factories.make_case(inspection, "DA-0002")
    assign_cases(inspection, [unassigned.id], auditor.id, by=lead)
    db.session.commit()
    assign_cases(inspection, [unassigned.id], second_auditor.id, by=lead)
    db.session.commit()
    assign_cases(inspection, [unassigned.id], None, by=lead)
    db.session.commit()

    page = _history(login_as(lead), unassigned)
    assert _titles(page) == ["Auditor unassigned", "Auditor assigned", "Auditor assigned"]
    assert f"{auditor.name} → {second_auditor.name}" in page
    assert f">{auditor.name}</div>" in page.replace("\n", "").replace("  ", "")
    assert f"by {lead.name}" in page
    # No description is a bare id.
    descriptions = re.findall(r'moj-timeline__description">\s*([^<]*?)\s*</div>', page)
    assert descriptions and not [d for d in descriptions if d.strip().isdigit()]
    for user in (auditor, second_auditor):
        assert f">{user.id}<" not in page and f"→ {user.id}" not in page


def test_an_account_that_no_longer_exists_is_named_as_such(
    login_as: Any, case: Any, lead: User
) -> None:
    _event(case, lead, START, "assign", "auditor_id", old=None, new=987654)
    db.session.commit()
    page = _history(login_as(lead), case)
    assert "Auditor assigned" in page
    assert "a deleted account" in page
    assert "987654" not in page


def test_names_are_read_in_one_query_however_many_people_and_events(
    login_as: Any, inspection: Any, case: Any, auditor: User, lead: User
) -> None:
    c = login_as(lead)

    def statements() -> list[str]:
        db.session.expire_all()
        with counting_statements() as seen:
            _history(c, case)
        return list(seen)

    _saves(case, auditor, "DA02", [0], ["yes"])
    statements()  # warm the parsed question set
    few = statements()
    people = [
        factories.make_member(inspection, f"a{n}@example.test", InspectionRole.AUDITOR)
        for n in range(8)
    ]
    for n, person in enumerate(people):
        _event(case, lead, START + timedelta(minutes=n + 5), "assign", "auditor_id",
               old=people[n - 1].id if n else None, new=person.id)  # fmt: skip
        _saves(case, person, f"DA0{2 + n % 2}", [600 + 90 * n], ["yes"])
    _event(case, lead, START + timedelta(hours=1), "assign", "auditor_id", old=None, new=987654)
    db.session.commit()
    many = statements()
    assert "a7" in _history(c, case)
    assert len(many) == len(few), "\n".join(many)
    assert sum('FROM "user"' in s or "FROM user" in s for s in many) == sum(
        'FROM "user"' in s or "FROM user" in s for s in few
    )


# --- the filter by kind of event ------------------------------------------------------------------


@pytest.fixture
def mixed_history(case: Any, auditor: User, lead: User) -> Any:
    """One event of each kind, a minute apart."""
    at = [START + timedelta(minutes=n) for n in range(6)]
    _event(case, lead, at[0], "assign", "auditor_id", old=None, new=lead.id)
    _event(case, auditor, at[1], "change_answer", "DA02", old=None, new="yes")
    _event(case, auditor, at[2], "flag_current_risk", "current_risk", old=False, new=True)
    _event(case, auditor, at[3], "submit", "status", old="draft", new="submitted")
    _event(case, lead, at[4], "moderation_returned", "status", old="submitted", new="draft")
    _event(case, auditor, at[5], "case_study", "is_case_study", old=False, new=True)
    db.session.commit()
    return case


KIND_TITLES = {
    "assignment": "Auditor assigned",
    "answers": "Answer to DA02 changed",
    "concerns": "Child at current risk flagged",
    "submission": "Submitted",
    "moderation": "Returned to the auditor",
    "other": "Case study flag changed",
}


@pytest.mark.parametrize("kind", list(KIND_TITLES))
def test_the_filter_shows_one_kind_of_event(
    login_as: Any, mixed_history: Any, lead: User, kind: str
) -> None:
    page = _history(login_as(lead), mixed_history, f"?kind={kind}")
    assert _titles(page) == [KIND_TITLES[kind]]
    assert "Showing 1 of 6 entries." in page
    assert re.search(rf'name="kind" type="checkbox" value="{kind}" checked', page)


def test_the_filter_takes_several_kinds_and_none_means_all(
    login_as: Any, mixed_history: Any, lead: User
) -> None:
    c = login_as(lead)
    page = _history(c, mixed_history, "?kind=answers&kind=concerns")
    assert _titles(page) == ["Child at current risk flagged", "Answer to DA02 changed"]
    everything = _history(c, mixed_history)
    assert len(_titles(everything)) == 6
    assert "6 entries, newest first." in everything
    assert "checked" not in everything.split('id="history-filter"')[1].split("</form>")[0]


def test_the_filter_is_a_get_form_that_works_without_javascript(
    login_as: Any, mixed_history: Any, lead: User
) -> None:
    page = _history(login_as(lead), mixed_history)
    form = page.split('<form method="get"')[1].split("</form>")[0]
    assert f'action="/audit/cases/{mixed_history.id}/history"' in form
    assert form.count('type="checkbox"') == len(KIND_TITLES)
    assert "Assignment (1)" in form and "Answers and notes (1)" in form
    assert "<button" in form and "Show these" in form


def test_an_unknown_kind_says_what_to_choose_and_shows_everything(
    login_as: Any, mixed_history: Any, lead: User
) -> None:
    response = login_as(lead).get(f"/audit/cases/{mixed_history.id}/history?kind=secrets")
    page = response.get_data(True)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert "Choose kinds of event from the list" in page
    assert len(_titles(page)) == 6


def test_the_case_page_links_to_its_history(login_as: Any, case: Any, auditor: User) -> None:
    page = login_as(auditor).get(f"/audit/cases/{case.id}").get_data(True)
    assert f'href="/audit/cases/{case.id}/history"' in page


# --- who may read it ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("auditor", 200), ("lead", 200), ("observer", 200), ("other_auditor", 403), ("outsider", 404)],
)
def test_the_history_page_keeps_the_case_pages_checks(
    login_as: Any,
    client: Any,
    inspection: Any,
    case: Any,
    auditor: User,
    lead: User,
    observer: User,
    outsider: User,
    who: str,
    status: int,
) -> None:
    users = {"auditor": auditor, "lead": lead, "observer": observer, "outsider": outsider}
    if who == "other_auditor":
        users[who] = factories.make_member(inspection, "other@example.test", InspectionRole.AUDITOR)
    c = login_as(users[who])
    assert c.get(f"/audit/cases/{case.id}").status_code == status  # the case page agrees
    assert c.get(f"/audit/cases/{case.id}/history").status_code == status
    assert client.get(f"/audit/cases/{case.id}/history").status_code == 302  # signed out


def test_a_missing_case_is_404(login_as: Any, lead: User) -> None:
    assert login_as(lead).get("/audit/cases/999999/history").status_code == 404


def test_the_second_audits_history_is_its_auditors_alone(
    login_as: Any, case: Any, auditor: User, second_auditor: User, lead: User
) -> None:
    second = SecondAudit(case_id=case.id, auditor_id=second_auditor.id, requested_by_id=lead.id)
    db.session.add(second)
    db.session.flush()
    _event(case, lead, START, "request_second_audit", "auditor_id", entity="second_audit",
           old=None, new=second_auditor.id)  # fmt: skip
    _event(case, second_auditor, START + timedelta(seconds=5), "change_answer", "DA04",
           entity="second_audit_answer", old=None, new="no")  # fmt: skip
    _saves(case, auditor, "DA02", [0], ["yes"])  # the first audit's: never shown to them
    url = f"/audit/cases/{case.id}/second-audit/history"

    page = login_as(second_auditor).get(url).get_data(True)
    assert _titles(page) == ["Answer to DA04 changed", "Blind second audit requested"]
    descriptions = re.findall(r'moj-timeline__description">\s*([^<]*?)\s*</div>', page)
    assert second_auditor.name in descriptions  # who was asked, by name
    assert "DA02" not in page
    assert f'action="{url}"' in page
    assert login_as(auditor).get(url).status_code == 403
    assert login_as(lead).get(url).status_code == 403
    first = _history(login_as(auditor), case)
    assert "DA04" not in first and "Blind second audit requested" not in first
