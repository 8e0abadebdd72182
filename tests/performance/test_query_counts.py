"""The main pages run a fixed number of SQL statements, however many cases an inspection has.

Each page is opened with 3 audited cases and again with 30; a page whose statement count grows
with the cases has an N+1 query (a lazy load or a query per row in a loop). Statements are
counted with a ``before_cursor_execute`` listener on the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from auditapp.domain.question_sets import load_library
from auditapp.extensions import db
from auditapp.models import CaseStatus, InspectionRole, Recommendation, User
from tests import factories

SLUG = "domestic-abuse"
FEW, MANY = 3, 30

# page -> (URL rule, who opens it: the inspection's lead, or the auditor of the case).
PAGES = {
    "dashboard": ("/findings/inspections/<int:inspection_id>", "lead"),
    "per-question findings": ("/findings/inspections/<int:inspection_id>/questions", "lead"),
    "recommendation progress": (
        "/findings/inspections/<int:inspection_id>/recommendations",
        "lead",
    ),
    "case form": ("/audit/cases/<int:case_id>", "auditor"),
    "case history": ("/audit/cases/<int:case_id>/history", "auditor"),
    "moderation queue": ("/moderation/inspections/<int:inspection_id>", "lead"),
    "inspection overview": ("/inspections/<int:inspection_id>", "lead"),
    "home page": ("/", "lead"),
}


@contextmanager
def counting_statements() -> Iterator[list[str]]:
    """Collect every SQL statement sent to the database inside the block."""
    statements: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def _answers(number: int) -> dict[str, str]:
    """Answers to every yes/no question of the set, varied by case so grades differ."""
    qs = next(data for data in load_library() if data.case_type == SLUG)
    values = ("yes", "no", "partly", "yes")
    return {
        question.id: values[(number + position) % len(values)]
        for position, question in enumerate(qs.questions)
        if question.type == "yes_no"
    }


def _add_cases(inspection: Any, auditor: User, start: int, stop: int) -> None:
    for number in range(start, stop):
        factories.make_case(
            inspection,
            f"QC-{number:03d}",
            slug=SLUG,
            auditor=auditor,
            answers=_answers(number),
            status=CaseStatus.SUBMITTED,
        )


def _route_exists(app: Flask, rule: str) -> bool:
    return any(r.rule == rule and "GET" in (r.methods or ()) for r in app.url_map.iter_rules())


@pytest.fixture
def recommendations(inspection: Any) -> None:
    """The inspection's own recommendations R1-R5, which the domestic-abuse set evidences."""
    db.session.add_all(
        Recommendation(
            inspection_id=inspection.id,
            code=f"R{n}",
            position=n,
            chapter="Chapter 1",
            timescale="within six months",
            text=f"Recommendation {n}.",
        )
        for n in range(1, 6)
    )
    db.session.commit()


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_the_same_number_of_statements_for_3_and_30_cases(
    page: str,
    app: Flask,
    inspection: Any,
    lead: User,
    auditor: User,
    recommendations: None,
    login_as: Callable[[User], Any],
) -> None:
    rule, who = PAGES[page]
    assert _route_exists(app, rule), f"{page}: no GET {rule} route (renamed? update PAGES)"
    own_case = factories.make_case(inspection, "QC-OWN", slug=SLUG, auditor=auditor)
    _add_cases(inspection, auditor, 0, FEW)
    client = login_as(lead if who == "lead" else auditor)
    url = rule.replace("<int:inspection_id>", str(inspection.id)).replace(
        "<int:case_id>", str(own_case.id)
    )

    def statements() -> list[str]:
        db.session.expire_all()
        with counting_statements() as seen:
            response = client.get(url)
        assert response.status_code == 200, f"GET {url} answered {response.status_code}"
        return list(seen)

    statements()  # warm per-process caches (parsed question sets) before counting
    few = statements()
    _add_cases(inspection, auditor, FEW, MANY)
    many = statements()

    assert few, f"no statement was counted on {page}: the listener is not on the app's engine"
    assert len(many) == len(few), (
        f"{page} ran {len(few)} statements with {FEW} cases but {len(many)} with {MANY}:\n"
        + "\n".join(sorted(set(many) - set(few)) or many[len(few) :])[:3000]
    )


@pytest.mark.parametrize("url", ["/findings/national", "/findings/national/questions"])
def test_national_view_runs_the_same_number_of_statements_for_more_inspections_and_cases(
    url: str,
    app: Flask,
    inspection: Any,
    lead: User,
    auditor: User,
    login_as: Callable[[User], Any],
) -> None:
    _add_cases(inspection, auditor, 0, FEW)
    client = login_as(lead)

    def statements() -> list[str]:
        db.session.expire_all()
        with counting_statements() as seen:
            response = client.get(url)
        assert response.status_code == 200, f"GET {url} answered {response.status_code}"
        return list(seen)

    statements()
    few = statements()
    _add_cases(inspection, auditor, FEW, MANY)
    for number in range(2):
        other = factories.make_inspection(f"Thematic {number}")
        factories.add_member(other, lead, InspectionRole.LEAD)
        _add_cases(other, auditor, 100 * (number + 1), 100 * (number + 1) + MANY)
    many = statements()

    assert few, "no statement was counted: the listener is not on the app's engine"
    assert len(many) == len(few), (
        f"GET {url} ran {len(few)} statements for 1 inspection with {FEW} cases but "
        f"{len(many)} for 3 with {MANY} each:\n" + "\n".join(many)[:3000]
    )


def test_home_page_runs_the_same_number_of_statements_for_1_and_20_urgent_concerns(
    inspection: Any, lead: User, auditor: User, login_as: Callable[[User], Any]
) -> None:
    from auditapp.models import Notification, NotificationKind

    def concerns(start: int, stop: int) -> None:
        for number in range(start, stop):
            case = factories.make_case(inspection, f"UC-{number:03d}", slug=SLUG, auditor=auditor)
            db.session.add(
                Notification(
                    recipient_id=lead.id,
                    kind=NotificationKind.URGENT_CONCERN,
                    case_id=case.id,
                    text=f"Case UC-{number:03d}: a child at current risk was flagged.",
                )
            )
        db.session.commit()

    client = login_as(lead)

    def statements() -> list[str]:
        db.session.expire_all()
        with counting_statements() as seen:
            page = client.get("/").get_data(as_text=True)
        assert "app-urgent-banner" in page
        return list(seen)

    concerns(0, 1)
    statements()
    few = statements()
    concerns(1, 20)
    many = statements()
    assert len(many) == len(few), "\n".join(many)
