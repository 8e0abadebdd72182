"""Demo evidence log and action plan, taken from the reference post-inspection review (2022).

Figures and findings are the review's own ("47 cases that the constabulary hadn't progressed",
"a backlog of 300 cases", "two cases graded high priority ... 48 medium-priority and 56
low-priority cases"). The review names no owners, so the owners are roles chosen for the demo,
and it does not give the day the 2021 report was published: ``BASELINE_PUBLISHED`` stands in.
Everything goes through the services, so the personal-data checks and the audit log apply.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from auditapp.domain.action_plans import ActionStatus
from auditapp.domain.evidence import EvidenceKind, Figure
from auditapp.extensions import db
from auditapp.models import ActionPlanItem, EvidenceEntry, Inspection, Recommendation, User
from auditapp.services import action_plans, evidence_log

# A stand-in: the 2021 report's publication day is not in the reference review.
BASELINE_PUBLISHED = date(2021, 10, 19)
FIELDWORK_END = date(2022, 9, 9)

# (kind, date, source, description, figures as (value, unit), recommendation codes, chapters)
ENTRIES: tuple[
    tuple[
        EvidenceKind, date, str, str, tuple[tuple[str, str], ...], tuple[str, ...], tuple[str, ...]
    ],
    ...,
] = (
    (
        EvidenceKind.FORCE_DATA,
        FIELDWORK_END,
        "Online child sexual abuse and exploitation team case records",
        "Cases the constabulary hadn't progressed in the past year, so the identities of "
        "possible suspects remain unknown.",
        (("47", "cases not progressed in the past year"),),
        ("R6",),
        ("Investigation",),
    ),
    (
        EvidenceKind.FORCE_DATA,
        FIELDWORK_END,
        "KIRAT prioritisation of cases awaiting action",
        "Cases awaiting action by KIRAT priority at the time of our visit. The force has set "
        "itself six weeks for a medium-priority case; KIRAT recommends 14 days.",
        (
            ("2", "high-priority cases awaiting activity"),
            ("48", "medium-priority cases where the suspect hadn't yet been visited"),
            ("56", "low-priority cases where the suspect hadn't yet been visited"),
        ),
        ("R6",),
        ("Investigation",),
    ),
    (
        EvidenceKind.FORCE_DATA,
        FIELDWORK_END,
        "Uploads to the national child abuse image database",
        "The officer responsible for uploading images can't always do so because they are "
        "working on investigations.",
        (("300", "cases waiting to be uploaded"),),
        ("R6",),
        ("Investigation",),
    ),
    (
        EvidenceKind.OBSERVATION,
        date(2022, 9, 7),
        "Weekly meeting with children's social care services on cases involving child sexual "
        "abuse material",
        "The constabulary used the meeting to get information about households it was "
        "investigating, rather than to refer cases and agree joint plans.",
        (),
        ("R6",),
        ("Investigation",),
    ),
    (
        EvidenceKind.INTERVIEW,
        date(2022, 9, 6),
        "Team members of the online child sexual abuse and exploitation team",
        "Committed officers without enough time for some important tasks. We were told the "
        "constabulary plans to add three investigators.",
        (("3", "investigators planned"),),
        ("R6",),
        ("Investigation",),
    ),
    (
        EvidenceKind.DOCUMENT,
        date(2022, 9, 5),
        "Force review of the diary appointment system in the demand hub",
        "The demand hub inspector must authorise all appointments; call takers complete a "
        "THRIVE risk assessment; domestic abuse appointments are booked for three hours.",
        (),
        ("R2",),
        ("Initial contact",),
    ),
    (
        EvidenceKind.INTERVIEW,
        date(2022, 9, 8),
        "Custody officers",
        "Custody officers believed it was up to the inspector to complete juvenile detention "
        "certificates.",
        (),
        ("R9",),
        ("Police detention",),
    ),
)

# (recommendation code, action, owner, [(date, update, new status)]), updates in order.
ACTIONS: tuple[tuple[str, str, str, tuple[tuple[date, str, ActionStatus | None], ...]], ...] = (
    (
        "R2",
        "Review the diary appointment system in the demand hub for domestic abuse incidents.",
        "Head of the Demand Hub",
        (
            (date(2021, 11, 1), "Review started.", ActionStatus.IN_PROGRESS),
            (
                FIELDWORK_END,
                "Review done and new rules in place. All five sampled appointments followed "
                "the risk assessment process, but children present were not seen in four.",
                ActionStatus.DONE,
            ),
        ),
    ),
    (
        "R1",
        "Train all officers and staff in speaking to children and recording their views.",
        "Head of Learning and Development",
        (
            (
                FIELDWORK_END,
                "Improvement seen in recording the voice of the child.",
                ActionStatus.VERIFIED,
            ),
        ),
    ),
    (
        "R6",
        "Add three investigators to the online child sexual abuse and exploitation team.",
        "Head of Public Protection",
        (
            (
                FIELDWORK_END,
                "Planned, not yet in post; 300 cases still wait to be uploaded.",
                ActionStatus.IN_PROGRESS,
            ),
        ),
    ),
    (
        "R6",
        "Hold regular meetings with children's social care services about cases involving "
        "child sexual abuse material.",
        "Detective Chief Inspector, Public Protection",
        ((date(2022, 3, 1), "Weekly meetings started.", ActionStatus.IN_PROGRESS),),
    ),
    (
        "R9",
        "Make sure a juvenile detention certificate is completed whenever a child is detained.",
        "Custody Inspector",
        (),
    ),
)


def load_demo_evidence(baseline: Inspection, review: Inspection, users: dict[str, User]) -> None:
    """Add the demo entries and actions to the review once (a second load adds nothing)."""
    if baseline.published_on is None:
        baseline.published_on = BASELINE_PUBLISHED
    lead, auditor = users["lead@demo.test"], users["auditor1@demo.test"]
    recs = {
        rec.code: rec
        for rec in db.session.scalars(
            select(Recommendation).where(Recommendation.inspection_id == baseline.id)
        )
    }
    has_entries = db.session.scalar(
        select(func.count(EvidenceEntry.id)).where(EvidenceEntry.inspection_id == review.id)
    )
    if not has_entries:
        for kind, held_on, source, description, figures, codes, chapters in ENTRIES:
            evidence_log.add_entry(
                review,
                auditor,
                evidence_log.EntryInput(
                    kind=kind,
                    held_on=held_on,
                    source=source,
                    description=description,
                    figures=[Figure(Decimal(v), unit, held_on) for v, unit in figures],
                    recommendation_ids=[recs[code].id for code in codes if code in recs],
                    chapters=chapters,
                ),
            )
    has_actions = db.session.scalar(
        select(func.count(ActionPlanItem.id)).where(ActionPlanItem.inspection_id == review.id)
    )
    if has_actions or not recs:
        return
    for code, text, owner, updates in ACTIONS:
        item = action_plans.add_action(review, auditor, recs[code], text, owner)
        for given_on, update, status in updates:
            by = lead if status is ActionStatus.VERIFIED else auditor
            action_plans.add_update(item, review, by, given_on, update, status)
