"""The evidence log and the force's action plan, at the services that enforce their rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from auditapp.domain.action_plans import ActionStatus
from auditapp.domain.evidence import EvidenceKind, Figure
from auditapp.extensions import db
from auditapp.models import AuditEvent, Inspection, Recommendation, User
from auditapp.permissions import NotAllowed, NotVisible
from auditapp.services import action_plans, evidence_log
from auditapp.services.free_texts import logged_events
from tests import factories

PUBLISHED = date(2021, 10, 19)


@pytest.fixture
def recs(inspection: Inspection) -> dict[str, Recommendation]:
    """The review follows up a baseline published on 19 October 2021 with R1, R2 and R6."""
    baseline = factories.make_inspection("Inspection 2021", published_on=PUBLISHED)
    inspection.baseline_id = baseline.id
    db.session.commit()
    return {
        code: factories.make_recommendation(
            baseline, code, chapter=chapter, timescale=timescale, position=n
        )
        for n, (code, chapter, timescale) in enumerate(
            [
                ("R1", "Initial contact", "within six months"),
                ("R2", "Initial contact", "immediately"),
                ("R6", "Investigation", "by the end of the year"),
            ]
        )
    }


def _entry(recs: dict[str, Recommendation], **changes: object) -> evidence_log.EntryInput:
    fields: dict[str, object] = {
        "kind": EvidenceKind.FORCE_DATA,
        "held_on": date(2022, 9, 9),
        "source": "KIRAT prioritisation records",
        "description": "Cases awaiting action by priority.",
        "figures": [
            Figure(Decimal(2), "high-priority cases awaiting activity", date(2022, 9, 9)),
            Figure(Decimal(48), "medium-priority cases not yet visited", date(2022, 9, 9)),
        ],
        "recommendation_ids": [recs["R6"].id],
        "chapters": ["Investigation"],
    }
    return evidence_log.EntryInput(**{**fields, **changes})  # type: ignore[arg-type]


def _events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_an_auditor_adds_an_entry_and_the_report_reads_it_back(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    evidence_log.add_entry(inspection, auditor, _entry(recs))
    db.session.commit()

    (entry,) = evidence_log.entries_for_report(inspection)
    assert entry.kind_label == "Force data"
    assert entry.recommendation_codes == ("R6",)
    assert entry.figure_texts == (
        "2 high-priority cases awaiting activity (9 September 2022)",
        "48 medium-priority cases not yet visited (9 September 2022)",
    )
    (event,) = _events("evidence_added")
    assert event.inspection_id == inspection.id and event.user_id == auditor.id


def test_an_observer_may_not_add_evidence(
    inspection: Inspection, observer: User, recs: dict[str, Recommendation]
) -> None:
    with pytest.raises(NotAllowed):
        evidence_log.add_entry(inspection, observer, _entry(recs))


def test_a_non_member_may_not_add_evidence(
    inspection: Inspection, outsider: User, recs: dict[str, Recommendation]
) -> None:
    with pytest.raises(NotVisible):
        evidence_log.add_entry(inspection, outsider, _entry(recs))


@pytest.mark.parametrize(
    ("changes", "field", "looked_personal"),
    [
        (
            {"source": "Interview with victim Jane Smith"},
            "source",
            "a name ('Jane Smith')",
        ),
        ({"description": "Call 07700 900123 to check"}, "description", "a phone number"),
        (
            {"figures": [Figure(Decimal(3), "visits to 14 Mill Road", date(2022, 9, 9))]},
            "figures",
            "a street address",
        ),
    ],
)
def test_free_text_that_looks_personal_is_refused_naming_it(
    inspection: Inspection,
    auditor: User,
    recs: dict[str, Recommendation],
    changes: dict[str, object],
    field: str,
    looked_personal: str,
) -> None:
    with pytest.raises(evidence_log.EvidenceError) as refused:
        evidence_log.add_entry(inspection, auditor, _entry(recs, **changes))
    assert refused.value.field == field
    assert "Rephrase it without personal details" in str(refused.value)
    assert looked_personal in str(refused.value)


def test_an_entry_can_only_evidence_recommendations_the_inspection_follows(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    elsewhere = factories.make_recommendation(factories.make_inspection("Other"), "R1")
    with pytest.raises(evidence_log.EvidenceError, match="Choose recommendations"):
        evidence_log.add_entry(inspection, auditor, _entry(recs, recommendation_ids=[elsewhere.id]))


def test_changing_and_deleting_an_entry_is_in_the_audit_log(
    inspection: Inspection, lead: User, recs: dict[str, Recommendation]
) -> None:
    entry = evidence_log.add_entry(inspection, lead, _entry(recs))
    changed = evidence_log.update_entry(
        entry, inspection, lead, _entry(recs, source="KIRAT records, September 2022")
    )
    assert changed == ["source"]
    (event,) = _events("evidence_changed")
    # the source is free text: kept apart from the event row (so it can be redacted)
    assert event.new_text_key is not None
    assert "KIRAT" not in (event.new_value or "")
    (read,) = logged_events([event])
    assert (read.field, read.old_value, read.new_value) == (
        "source",
        "KIRAT prioritisation records",
        "KIRAT records, September 2022",
    )
    evidence_log.delete_entry(entry, inspection, lead)
    db.session.commit()
    assert evidence_log.entries_for_report(inspection) == []
    (deleted,) = _events("evidence_deleted")
    assert deleted.old_text_key is not None
    assert "KIRAT records, September 2022" in (logged_events([deleted])[0].old_value or "")


def test_entries_filter_by_kind_and_recommendation(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    evidence_log.add_entry(inspection, auditor, _entry(recs))
    evidence_log.add_entry(
        inspection,
        auditor,
        _entry(recs, kind=EvidenceKind.INTERVIEW, recommendation_ids=[recs["R1"].id], figures=[]),
    )
    db.session.commit()
    assert [e.kind for e in evidence_log.entries_for_report(inspection, kind="interview")] == [
        EvidenceKind.INTERVIEW
    ]
    by_rec = evidence_log.entries_for_report(inspection, recommendation_id=recs["R6"].id)
    assert [e.recommendation_codes for e in by_rec] == [("R6",)]


# --- the action plan -------------------------------------------------------------------------


def test_due_dates_come_from_each_timescale_and_the_publication_date(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    for code in ("R1", "R2", "R6"):
        action_plans.add_action(inspection, auditor, recs[code], f"Act on {code}", "Head of PP")
    db.session.commit()

    plan = action_plans.actions_for_report(inspection, today=date(2022, 9, 9))
    assert [(a.recommendation_code, a.due) for a in plan] == [
        ("R1", date(2022, 4, 19)),
        ("R2", PUBLISHED),
        ("R6", None),
    ]
    assert plan[2].due_reason.startswith("No due date: the timescale “by the end of the year”")
    assert [a.overdue for a in plan] == [True, True, False]


def test_no_publication_date_means_no_due_date_and_nothing_overdue(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    recs["R2"].inspection.published_on = None
    action_plans.add_action(inspection, auditor, recs["R2"], "Review the diary system", "Head")
    (action,) = action_plans.actions_for_report(inspection, today=date(2030, 1, 1))
    assert (action.due, action.overdue) == (None, False)
    assert "publication date is not recorded" in action.due_reason


def test_a_done_action_is_not_overdue(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    item = action_plans.add_action(inspection, auditor, recs["R2"], "Review", "Head of the hub")
    action_plans.add_update(item, inspection, auditor, date(2022, 1, 5), "Done.", "done")
    (action,) = action_plans.actions_for_report(inspection, today=date(2022, 9, 9))
    assert action.status is ActionStatus.DONE and not action.overdue


def test_an_auditor_may_not_record_verification_but_a_lead_may(
    inspection: Inspection, auditor: User, lead: User, recs: dict[str, Recommendation]
) -> None:
    item = action_plans.add_action(inspection, auditor, recs["R1"], "Train staff", "Head of L&D")
    with pytest.raises(NotAllowed):
        action_plans.add_update(item, inspection, auditor, date(2022, 9, 9), "Seen.", "verified")
    assert item.status == ActionStatus.NOT_STARTED
    action_plans.add_update(item, inspection, lead, date(2022, 9, 9), "Seen.", "verified")
    assert item.status == ActionStatus.VERIFIED
    # and an auditor may not move it back, change it or delete it
    with pytest.raises(NotAllowed):
        action_plans.add_update(item, inspection, auditor, date(2022, 9, 10), "No.", "done")
    with pytest.raises(NotAllowed):
        action_plans.update_action(item, inspection, auditor, "Train all staff", "Head of L&D")
    with pytest.raises(NotAllowed):
        action_plans.delete_action(item, inspection, auditor)


def test_status_changes_and_updates_are_in_the_audit_log(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    item = action_plans.add_action(inspection, auditor, recs["R2"], "Review", "Head of the hub")
    action_plans.add_update(item, inspection, auditor, date(2021, 11, 1), "Started.", "in_progress")
    action_plans.add_update(item, inspection, auditor, date(2021, 12, 1), "Going well.")
    db.session.commit()
    (status_event,) = _events("action_status_changed")
    assert (status_event.old_value, status_event.new_value) == ("not_started", "in_progress")
    assert len(_events("action_update_added")) == 2
    (action,) = action_plans.actions_for_report(inspection)
    assert [(u.given_on, u.status) for u in action.updates] == [
        (date(2021, 11, 1), ActionStatus.IN_PROGRESS),
        (date(2021, 12, 1), None),
    ]


@pytest.mark.parametrize("owner", ["Mrs Patel", "Head of PP (07700 900123)", "pp@force.example"])
def test_an_owner_that_looks_personal_is_refused(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation], owner: str
) -> None:
    with pytest.raises(action_plans.ActionPlanError, match="This owner seems to hold"):
        action_plans.add_action(inspection, auditor, recs["R1"], "Train staff", owner)


def test_an_owner_that_is_a_role_is_kept(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    item = action_plans.add_action(
        inspection, auditor, recs["R1"], "Train staff", "  Head of Public Protection "
    )
    assert item.owner == "Head of Public Protection"


def test_an_action_must_be_on_a_recommendation_the_inspection_follows(
    inspection: Inspection, auditor: User, recs: dict[str, Recommendation]
) -> None:
    elsewhere = factories.make_recommendation(factories.make_inspection("Other"), "R1")
    with pytest.raises(NotVisible):
        action_plans.add_action(inspection, auditor, elsewhere, "Act", "Head of PP")
