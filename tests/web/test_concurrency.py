"""No lost updates: every save carries the version and the value its client last saw, so two
people editing the same answer never silently overwrite each other, while saves to different
answers go through. Runs on the SQLite file database and, with TEST_DATABASE_URL, PostgreSQL."""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, select, text

from auditapp.extensions import db
from auditapp.models import Answer, Case, User
from auditapp.services.audit import saving
from auditapp.services.audit.round import FIRST_ROUND
from tests import factories


@pytest.fixture
def case(inspection: Any, auditor: User) -> Case:
    return factories.make_case(inspection, "DA-0200", auditor=auditor, answers={"DA01": "yes"})


@pytest.fixture
def two_tabs(login_as: Any, auditor: User) -> tuple[Any, Any]:
    """The same auditor on two devices (or two auditors' sessions: the rules are the same)."""
    return login_as(auditor), login_as(auditor)


def _version(case: Case) -> int:
    db.session.expire_all()
    return db.session.get(Case, case.id).version


def _stored(case: Case, qid: str) -> str | None:
    db.session.expire_all()
    return db.session.scalar(
        select(Answer.value).where(
            Answer.case_id == case.id,
            Answer.question_code == qid,
            Answer.audit_round == FIRST_ROUND,
        )
    )


def _save(c: Any, case_id: int, qid: str, value: Any, version: int, seen: str | None) -> Any:
    return c.post(
        f"/audit/cases/{case_id}/answers/{qid}",
        json={"value": value, "base_version": version, "base_value": seen},
        headers={"X-CSRFToken": c.csrf_token},
    )


# --- one after the other ------------------------------------------------------------------------


def test_stale_save_of_the_same_answer_is_refused_with_both_values(
    case: Case, two_tabs: tuple[Any, Any], auditor: User
) -> None:
    first, second = two_tabs
    version = _version(case)
    assert _save(first, case.id, "DA02", "yes", version, None).status_code == 200
    response = _save(second, case.id, "DA02", "no", version, None)
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "conflict"
    assert body["yours"] == {"value": "no", "label": "No"}
    assert body["theirs"]["value"] == "yes"
    assert body["theirs"]["label"] == "Yes"
    assert body["theirs"]["by"] == auditor.name
    assert body["version"] == _version(case)
    assert _stored(case, "DA02") == "yes"  # not overwritten


def test_choosing_mine_resends_with_the_current_version_and_wins(
    case: Case, two_tabs: tuple[Any, Any]
) -> None:
    first, second = two_tabs
    version = _version(case)
    _save(first, case.id, "DA02", "yes", version, None)
    conflict = _save(second, case.id, "DA02", "no", version, None).get_json()
    response = _save(
        second, case.id, "DA02", "no", conflict["version"], conflict["theirs"]["value"]
    )
    assert response.status_code == 200
    assert _stored(case, "DA02") == "no"


def test_saves_to_different_answers_from_stale_pages_both_go_through(
    case: Case, two_tabs: tuple[Any, Any]
) -> None:
    first, second = two_tabs
    version = _version(case)
    assert _save(first, case.id, "DA02", "yes", version, None).status_code == 200
    assert _save(second, case.id, "DA03", "priority", version, None).status_code == 200
    assert (_stored(case, "DA02"), _stored(case, "DA03")) == ("yes", "priority")


def test_same_value_saved_twice_is_not_a_conflict(case: Case, two_tabs: tuple[Any, Any]) -> None:
    first, second = two_tabs
    version = _version(case)
    _save(first, case.id, "DA02", "yes", version, None)
    assert _save(second, case.id, "DA02", "yes", version, None).status_code == 200


def test_a_newer_version_cannot_hide_a_change_the_page_never_saw(
    case: Case, two_tabs: tuple[Any, Any]
) -> None:
    """A page that saved another answer learns the new version; its stale view of DA02 must
    still be caught, so the client sends the version at which it saw each answer."""
    first, second = two_tabs
    version = _version(case)
    _save(first, case.id, "DA02", "yes", version, None)
    _save(second, case.id, "DA03", "priority", version, None)
    response = _save(second, case.id, "DA02", "no", version, None)
    assert response.status_code == 409
    assert _stored(case, "DA02") == "yes"


def test_note_conflicts_are_caught_too(case: Case, two_tabs: tuple[Any, Any]) -> None:
    first, second = two_tabs
    version = _version(case)
    first.post(
        f"/audit/cases/{case.id}/answers/DA02",
        json={"note": "first note", "base_version": version},
        headers={"X-CSRFToken": first.csrf_token},
    )
    response = second.post(
        f"/audit/cases/{case.id}/answers/DA02",
        json={"note": "second note", "base_version": version, "base_note": None},
        headers={"X-CSRFToken": second.csrf_token},
    )
    assert response.status_code == 409
    assert response.get_json()["field"] == "note"
    assert response.get_json()["theirs"]["value"] == "first note"


def test_whole_form_from_a_stale_page_shows_the_conflict_and_keeps_the_rest(
    case: Case, two_tabs: tuple[Any, Any]
) -> None:
    first, second = two_tabs
    page = second.get(f"/audit/cases/{case.id}").get_data(True)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    hidden["base_version"] = re.search(r'name="base_version"[^>]*value="(\d+)"', page).group(1)
    _save(first, case.id, "DA02", "yes", _version(case), None)
    response = second.post_form(
        f"/audit/cases/{case.id}", {**hidden, "answer-DA02": "no", "answer-DA03": "other"}
    )
    page = response.get_data(True)
    assert response.status_code == 200
    assert "changed this answer to “Yes” while you were editing" in page
    assert _stored(case, "DA02") == "yes"
    assert _stored(case, "DA03") == "other"  # the unconflicted answer was saved
    # The page now carries their value as "seen": saving again keeps mine, knowingly.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    hidden["base_version"] = re.search(r'name="base_version"[^>]*value="(\d+)"', page).group(1)
    assert hidden["seen-DA02"] == "yes"
    second.post_form(f"/audit/cases/{case.id}", {**hidden, "answer-DA02": "no"})
    assert _stored(case, "DA02") == "no"


# --- at the same moment -------------------------------------------------------------------------


def _parallel(calls: list[Any]) -> list[Any]:
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture(params=["as_they_come", "both_read_before_either_writes"])
def interleaving(request: pytest.FixtureRequest) -> Iterator[str]:
    """Either let the two requests race freely, or hold each at its first write until both
    have read the case, so both pass their checks on the same version and the optimistic lock
    (UPDATE ... WHERE version = n) has to catch the second (StaleDataError, retry, 409).

    A save's first write is the UPDATE of the case row, so each request thread waits there once.
    """
    if request.param == "as_they_come":
        yield request.param
        return
    barrier = threading.Barrier(2)
    waited: set[int] = set()

    def before_execute(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        thread = threading.get_ident()
        if threading.current_thread() is threading.main_thread():
            return  # the test's own set-up, not one of the two requests
        if thread in waited or not statement.lstrip().upper().startswith('UPDATE "CASE"'):
            return
        waited.add(thread)
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=5)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before_execute)
    yield request.param
    event.remove(engine, "before_cursor_execute", before_execute)


@pytest.mark.parametrize("attempt", range(4))
def test_parallel_saves_of_the_same_answer_never_lose_an_update(
    case: Case,
    two_tabs: tuple[Any, Any],
    attempt: int,
    interleaving: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real_save = saving.save_answer

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])  # the question id
        return real_save(*args, **kwargs)

    monkeypatch.setattr(saving, "save_answer", counted)
    first, second = two_tabs
    version = _version(case)
    case_id = case.id
    responses = _parallel(
        [
            lambda: _save(first, case_id, "DA02", "yes", version, None),
            lambda: _save(second, case_id, "DA02", "no", version, None),
        ]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 409], [r.get_json() for r in responses]
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code == 409).get_json()
    won_value = winner.get_json()["answer"]["value"]
    assert _stored(case, "DA02") == won_value
    assert loser["error"] == "conflict"
    assert loser["theirs"]["value"] == won_value
    assert loser["yours"]["value"] != won_value
    if interleaving == "both_read_before_either_writes":
        # Both passed their checks on the same version: the optimistic lock caught the second
        # writer (StaleDataError), whose retry on the new version found the conflict.
        assert len(calls) == 3


@pytest.mark.parametrize("attempt", range(3))
@pytest.mark.usefixtures("interleaving")
def test_parallel_saves_of_different_answers_both_succeed(
    case: Case, two_tabs: tuple[Any, Any], attempt: int
) -> None:
    first, second = two_tabs
    version = _version(case)
    case_id = case.id
    responses = _parallel(
        [
            lambda: _save(first, case_id, "DA02", "partly", version, None),
            lambda: _save(second, case_id, "DA10", "yes", version, None),
        ]
    )
    assert [r.status_code for r in responses] == [200, 200], [r.get_json() for r in responses]
    assert (_stored(case, "DA02"), _stored(case, "DA10")) == ("partly", "yes")
    assert _version(case) > version


# --- a commit slipping in between reading and writing (StaleDataError) --------------------------


@pytest.fixture
def commit_in_between(case: Case) -> Iterator[Any]:
    """Arrange for another transaction to change the case just before a request writes it."""
    plan: dict[str, Any] = {"times": 0, "sql": [], "busy": False}

    def before_execute(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        if plan["busy"] or plan["times"] <= 0:
            return
        if not statement.lstrip().upper().startswith('UPDATE "CASE"'):
            return
        plan["times"] -= 1
        plan["busy"] = True  # the other transaction's own UPDATE must not trigger this again
        try:
            with db.engine.begin() as connection:
                for sql in plan["sql"]:
                    connection.execute(text(sql), {"case_id": case.id})
                connection.execute(
                    text('UPDATE "case" SET version = version + 1 WHERE id = :case_id'),
                    {"case_id": case.id},
                )
        finally:
            plan["busy"] = False

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before_execute)
    yield plan
    event.remove(engine, "before_cursor_execute", before_execute)


def test_concurrent_commit_to_another_answer_is_retried_and_saved(
    case: Case, login_as: Any, auditor: User, commit_in_between: dict[str, Any]
) -> None:
    c = login_as(auditor)
    version = _version(case)
    commit_in_between["times"] = 1
    commit_in_between["sql"] = [
        "UPDATE answer SET value = 'no' WHERE case_id = :case_id AND question_code = 'DA01'"
    ]
    response = _save(c, case.id, "DA02", "yes", version, None)
    assert response.status_code == 200
    assert (_stored(case, "DA01"), _stored(case, "DA02")) == ("no", "yes")


def test_concurrent_commit_to_the_same_answer_becomes_a_conflict(
    case: Case, login_as: Any, auditor: User, commit_in_between: dict[str, Any]
) -> None:
    db.session.add(Answer(case_id=case.id, question_code="DA10", value="yes"))
    db.session.commit()
    c = login_as(auditor)
    version = _version(case)
    commit_in_between["times"] = 1
    commit_in_between["sql"] = [
        "UPDATE answer SET value = 'no' WHERE case_id = :case_id AND question_code = 'DA10'"
    ]
    response = _save(c, case.id, "DA10", "partly", version, "yes")
    assert response.status_code == 409
    assert response.get_json()["theirs"]["value"] == "no"
    assert _stored(case, "DA10") == "no"


def test_case_changing_under_every_attempt_gives_409_not_a_lost_update(
    case: Case, login_as: Any, auditor: User, commit_in_between: dict[str, Any]
) -> None:
    c = login_as(auditor)
    version = _version(case)
    commit_in_between["times"] = 2
    response = _save(c, case.id, "DA02", "yes", version, None)
    assert response.status_code == 409
    assert response.get_json()["error"] == "busy"
    assert _stored(case, "DA02") is None
