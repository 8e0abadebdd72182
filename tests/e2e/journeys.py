"""Where the main pages are and the data the journeys need, prepared through the app itself.

Each page is named by its endpoint in one table; a renamed or missing endpoint fails the test
that needs it (it never skips).

The demo data is shared by every journey and left as `flask demo` loaded it, so any journey may
assert its exact figures, in any order. A journey that needs cases makes its own, in an inspection
that is not the demo's: the journeys' shared review (`journey_review_id`) for cases only looked
at or worked on one by one, or an inspection of its own (`new_inspection`) when it changes what
an inspection shows as a whole (its grade figures, scope, members or urgent concerns).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select

from auditapp.extensions import db

REVIEW_TITLE = "Post-inspection review 2022"
# Not containing the demo review's title: journeys find the demo review's row by its title.
JOURNEY_REVIEW_TITLE = "Browser journeys' own review"
ADMIN = "admin@demo.test"
AUDITOR = "auditor1@demo.test"
SECOND_AUDITOR = "auditor2@demo.test"
LEAD = "lead@demo.test"
CASE_TYPE = "domestic-abuse"

# The endpoint of each main page (names follow STYLE.md: verb first).
ENDPOINTS: dict[str, str] = {
    "my_cases": "audit.my_cases",
    "case_form": "audit.show_case",
    "case_history": "audit.show_case_history",
    "submit_case": "audit.submit_case",
    "moderation_queue": "moderation.show_queue",
    "moderate_case": "moderation.show_case",
    "dashboard": "findings.show_dashboard",
    "findings": "findings.show_questions",
    "recommendation_progress": "findings.show_recommendations",
    "exports": "exports.show_exports",
    "workbook": "exports.download_workbook",
    "pdf": "exports.download_report_pdf",
    "word_draft": "exports.download_report_docx",
}


def endpoint_of(app: Flask, page: str) -> str:
    """The endpoint of a main page; fails when the app has no such endpoint."""
    endpoint = ENDPOINTS[page]
    assert endpoint in app.view_functions, f"{page}: the app has no endpoint {endpoint!r}"
    return endpoint


def require_script(name: str) -> None:
    """Fail when a page script is missing (auditapp/assets/js/NAME.mjs)."""
    source = Path(__file__).resolve().parents[2] / "auditapp" / "assets" / "js" / f"{name}.mjs"
    assert source.exists(), f"no {source.name} in auditapp/assets/js"


def path_for(app: Flask, endpoint: str, **values: Any) -> str:
    """url_for outside a request."""
    with app.test_request_context():
        return url_for(endpoint, **values)


def review_id(app: Flask) -> int:
    """The demo post-inspection review's id."""
    from auditapp.models import Inspection

    with app.app_context():
        inspection_id = db.session.scalar(
            select(Inspection.id).where(Inspection.title == REVIEW_TITLE)
        )
        db.session.remove()
    assert inspection_id is not None, "the demo data has no post-inspection review"
    return int(inspection_id)


def review_path(app: Flask) -> str:
    return path_for(app, "inspections.show_inspection", inspection_id=review_id(app))


def inspection_path(app: Flask, inspection_id: int) -> str:
    return path_for(app, "inspections.show_inspection", inspection_id=inspection_id)


def new_inspection(run: Callable[..., Any], title: str | None = None) -> int:
    """A new inspection set up like the demo review; returns its id.

    Made by the demo admin through the app's services: the demo review's case types and
    question-set versions in scope, the demo lead leading it, both demo auditors auditing.
    """

    def _make() -> int:
        from auditapp.models import Inspection, InspectionRole
        from auditapp.services import inspection_members, inspections
        from auditapp.services.accounts import find_user_by_email

        demo = db.session.scalar(select(Inspection).where(Inspection.title == REVIEW_TITLE))
        admin = find_user_by_email(ADMIN)
        assert demo is not None and admin is not None
        like_demo = {name: getattr(demo, name) for name in ("force", "kind", "start_date")}
        inspection = inspections.create_inspection(
            title=title or f"Journey inspection {uuid.uuid4().hex[:8]}",
            **like_demo, end_date=demo.end_date, baseline_id=None, lead_email=LEAD, by=admin,
        )  # fmt: skip
        scope = {c.case_type_id: c.question_set_id for c in demo.question_set_choices}
        inspections.choose_question_sets(inspection, scope, by=admin)
        for email in (AUDITOR, SECOND_AUDITOR):
            inspection_members.add_member(inspection, email, InspectionRole.AUDITOR, by=admin)
        return inspection.id

    return int(run(_make))


def journey_review_id(run: Callable[..., Any]) -> int:
    """The journeys' shared review (made the first time it is asked for), where their cases go."""

    def _find() -> int | None:
        from auditapp.models import Inspection

        return db.session.scalar(
            select(Inspection.id).where(Inspection.title == JOURNEY_REVIEW_TITLE)
        )

    found = run(_find)
    return int(found) if found is not None else new_inspection(run, JOURNEY_REVIEW_TITLE)


def new_draft_case(
    run: Callable[..., Any],
    auditor_email: str = AUDITOR,
    case_type: str = CASE_TYPE,
    inspection_id: int | None = None,
) -> tuple[int, str]:
    """A new case (domestic abuse unless told), sampled and assigned, never in the demo data.

    Made the way a lead makes one, through the app's own services in the live app (case list
    import, adding to the sample by hand, assignment), in the given inspection or else the
    journeys' shared review, so each journey has a case of its own. Returns (case id, reference).
    """
    inspection_id = inspection_id or journey_review_id(run)

    def _make() -> tuple[int, str]:
        from auditapp.models import Case, Inspection
        from auditapp.services import case_import, sampling
        from auditapp.services.accounts import find_user_by_email

        inspection = db.session.get(Inspection, inspection_id)
        lead = find_user_by_email(LEAD)
        auditor = find_user_by_email(auditor_email)
        assert inspection is not None and lead is not None and auditor is not None
        taken = set(db.session.scalars(select(Case.reference)))
        reference = next(
            ref for ref in (f"E2E-{n:03d}" for n in itertools.count(1)) if ref not in taken
        )
        csv = f"case reference,case type,date\n{reference},{case_type},2022-08-01\n"
        case_import.import_case_list(inspection, csv.encode(), "e2e.csv", by=lead)
        case_id = db.session.scalar(
            select(Case.id).where(Case.inspection_id == inspection.id, Case.reference == reference)
        )
        assert case_id is not None
        sampling.add_to_sample(inspection, [case_id], by=lead)
        sampling.assign_cases(inspection, [case_id], auditor.id, by=lead)
        return case_id, reference

    return run(_make)


# Stored answer values: no children present (DA01 no), standard risk (DA11), all else done.
PLAIN_ANSWERS = {
    "DA01": "no", "DA02": "yes", "DA03": "emergency", "DA04": "yes", "DA10": "yes",
    "DA11": "standard", "DA13": "yes", "DA14": "yes", "DA15": "yes", "DA16": "yes", "DA17": "yes",
}  # fmt: skip


def new_submitted_case(
    run: Callable[..., Any], auditor_email: str = AUDITOR, inspection_id: int | None = None
) -> tuple[int, str]:
    """A new case answered and submitted by its auditor through the audit service."""
    case_id, reference = new_draft_case(run, auditor_email, inspection_id=inspection_id)

    def _submit() -> None:
        from auditapp.models import Case
        from auditapp.services.accounts import find_user_by_email
        from auditapp.services.audit import saving, submitting
        from auditapp.services.audit.round import FirstAudit

        case = db.session.get(Case, case_id)
        auditor = find_user_by_email(auditor_email)
        assert case is not None and auditor is not None
        audit = FirstAudit(case, auditor)
        for qid, value in PLAIN_ANSWERS.items():
            saving.save_answer(audit, qid, value=value, base_version=None)
        submitting.submit_case(audit)

    run(_submit)
    return case_id, reference


# --- getting to each main page -----------------------------------------------------------


def goto_ok(page: Any, path: str) -> Any:
    """Open a page and insist it answered 200 (an error page is not a page to check)."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == 200, f"{path} answered {response.status}"
    return response


def goto_my_cases(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    endpoint = endpoint_of(app, "my_cases")
    new_draft_case(run)
    goto_ok(page, path_for(app, endpoint))


def goto_case_form(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    endpoint = endpoint_of(app, "case_form")
    case_id, _ = new_draft_case(run)
    goto_ok(page, path_for(app, endpoint, case_id=case_id))


def goto_submit_case(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    endpoint = endpoint_of(app, "submit_case")
    case_id, _ = new_draft_case(run)
    goto_ok(page, path_for(app, endpoint, case_id=case_id))


def goto_moderate_case(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    endpoint = endpoint_of(app, "moderate_case")
    case_id, _ = new_submitted_case(run)
    goto_ok(page, path_for(app, endpoint, case_id=case_id))


def goto_case_history(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    """A submitted case's history, narrowed to answers (the filter's checkbox ticked)."""
    endpoint = endpoint_of(app, "case_history")
    case_id, _ = new_submitted_case(run)
    goto_ok(page, path_for(app, endpoint, case_id=case_id, kind="answers"))


def goto_submitted_case(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    endpoint = endpoint_of(app, "case_form")
    case_id, _ = new_submitted_case(run)
    goto_ok(page, path_for(app, endpoint, case_id=case_id))


def _goto_inspection_page(name: str) -> Callable[[Any, Flask, Callable[..., Any]], None]:
    def _goto(page: Any, app: Flask, run: Callable[..., Any]) -> None:
        endpoint = endpoint_of(app, name)
        goto_ok(page, path_for(app, endpoint, inspection_id=review_id(app)))

    _goto.__name__ = f"goto_{name}"
    return _goto


goto_moderation_queue = _goto_inspection_page("moderation_queue")
goto_dashboard = _goto_inspection_page("dashboard")
goto_findings = _goto_inspection_page("findings")
goto_recommendation_progress = _goto_inspection_page("recommendation_progress")
goto_exports = _goto_inspection_page("exports")


def goto_weak_answers(page: Any, app: Flask, run: Callable[..., Any]) -> None:
    """Every weak answer evidencing the review's first recommendation that has any."""
    goto_recommendation_progress(page, app, run)
    page.locator(".app-recommendation details summary").first.click()
    link = page.locator(".app-recommendation details a[href$='/weak-answers']").first
    if link.count():  # more than the progress page lists
        link.click()
        return
    with app.app_context():
        from auditapp.models import Inspection
        from auditapp.services import findings

        inspection = db.session.get(Inspection, review_id(app))
        rows = findings.recommendation_progress(inspection).rows
        first = next(r.recommendation_id for r in rows if r.weak_answers)
        db.session.remove()
    goto_ok(
        page,
        path_for(
            app,
            "findings.list_weak_answers",
            inspection_id=review_id(app),
            recommendation_id=first,
        ),
    )
