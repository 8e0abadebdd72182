"""Demo cases reproducing the Cambridgeshire 2022 post-inspection review's figures.

Deterministic and safe to load twice. The 2021 inspection gets its recommendations and a small
audited baseline sample; the 2022 review gets 24 audited and moderated cases whose final grades
are 6 good, 5 requires improvement and 13 inadequate, the report's dip samples (diary
appointments: children seen in 1 of 5; telephone appointments: 21 of 23 appropriate) and its
case studies, in our own words. Every reference is invented; nothing identifies anyone.

Answers are written per case as changes to a "everything done well" answer sheet for the case
type, so each case reads as a plausible file rather than noise; the grades follow from the
answers through the real grading engine.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from auditapp.domain.question_sets import load_recommendations
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    CaseType,
    Inspection,
    InspectionQuestionSet,
    QuestionSet,
    Recommendation,
    User,
    utcnow,
)
from auditapp.services.audit_log import record_event
from auditapp.services.grading import regrade_case
from auditapp.services.moderation import agree_grade

# An answer is a stored value, or (value, auditor's note).
AnswerSpec = str | tuple[str, str]

VOICE_ALL = json.dumps(["vulnerability", "observation", "intelligence", "curiosity", "environment"])
VOICE_SOME = json.dumps(["observation", "environment"])
VOICE_NONE = "[]"

GOOD_ANSWERS: dict[str, dict[str, AnswerSpec]] = {
    "domestic-abuse": {
        "DA01": "yes", "DA02": "yes", "DA03": "emergency", "DA04": "yes", "DA05": "yes",
        "DA06": "yes", "DA07": VOICE_ALL, "DA08": "yes", "DA09": "yes", "DA10": "yes",
        "DA11": "medium", "DA13": "yes", "DA14": "yes", "DA15": "yes", "DA16": "yes",
        "DA17": "yes",
    },
    "missing-child": {
        "MC01": "2022-08-01T18:00", "MC02": "medium", "MC03": "yes", "MC04": "yes", "MC05": "yes",
        "MC06": "2022-08-01T19:00", "MC08": "yes", "MC09": "yes", "MC10": "no", "MC14": "yes",
        "MC15": VOICE_ALL, "MC16": "yes", "MC17": "yes",
    },
    "online-csae": {
        "OC01": "nca_ceop", "OC02": "2022-05-02", "OC03": "yes", "OC04": "yes", "OC05": "yes",
        "OC06": "yes", "OC07": "medium", "OC08": "yes", "OC09": "2022-05-12", "OC12": "yes",
        "OC13": "yes", "OC14": "yes", "OC15": "yes", "OC16": "yes",
    },
    "police-protection": {
        "PP01": "yes", "PP02": "yes", "PP03": "2022-07-10T21:30", "PP04": "yes", "PP05": "yes",
        "PP06": "yes", "PP07": VOICE_ALL, "PP08": "yes", "PP09": "foster_carer", "PP10": "no",
        "PP12": "yes", "PP13": "yes", "PP14": "2022-07-12T15:00", "PP15": "court_order",
        "PP16": "yes",
    },
    "sex-offender-management": {
        "SO01": "yes", "SO02": "2022-06-01", "SO03": "yes", "SO04": "medium", "SO05": "yes",
        "SO06": "2022-08-15", "SO07": "yes", "SO08": "yes", "SO09": "yes", "SO10": "category_1",
        "SO11": "yes", "SO12": "yes", "SO13": "no", "SO15": "active", "SO17": "yes",
    },
    "child-detention": {
        "CD01": "yes", "CD02": "yes", "CD03": "yes", "CD04": "2022-08-20T10:15", "CD05": "yes",
        "CD06": "yes", "CD07": VOICE_ALL, "CD08": "yes", "CD09": "yes", "CD10": "yes",
        "CD11": "no", "CD16": "9", "CD17": "yes",
    },
    "da-diary-appointment": {"DY01": "yes", "DY02": "yes", "DY03": "yes"},
    "da-telephone-appointment": {"TA01": "yes", "TA02": "na"},
}  # fmt: skip

# Reference, case type, changes to the good answers, and the case-study narrative if any.
CaseSpec = tuple[str, str, dict[str, AnswerSpec], str | None]

_NOT_SEEN = ("no", "The children were at school at the time of the diary appointment.")
_DETAINED: dict[str, AnswerSpec] = {
    "CD11": "yes",
    "CD12": ("no", "Accommodation was first discussed at charge."),
}

REVIEW_CASES: list[CaseSpec] = [
    # Domestic abuse: 1 good, 1 requires improvement, 3 inadequate.
    ("DA-2022-0417", "domestic-abuse", {
        "DA13": ("partly", "DASH shared with partners but added to the records system late."),
    }, None),
    ("DA-2022-0452", "domestic-abuse", {
        "DA03": "diary",
        "DA06": ("partly", "Older child spoken to; the toddler was asleep, no follow-up."),
        "DA10": ("partly", "DASH completed but answers are one word with no detail."),
        "DA13": ("no", "DASH not on the records system a week later."),
    }, None),
    ("DA-2022-0488", "domestic-abuse", {
        "DA03": "diary",
        "DA06": ("no", "Two children present at the incident were not seen or spoken to."),
        "DA07": VOICE_NONE,
        "DA09": ("no", "No Operation Encompass notice found for either school."),
    }, None),
    ("DA-2022-0503", "domestic-abuse", {
        "DA03": "telephone",
        "DA04": ("no", "Caller said her ex-partner used drugs in front of the children; "
                 "handled by telephone only."),
        "DA06": ("no", "The children were never seen."),
        "DA07": VOICE_NONE,
    }, None),
    ("DA-2022-0531", "domestic-abuse", {
        "DA08": ("no", "No referral to children's social care despite a third incident."),
        "DA13": ("no", "Officer's notes not on the force system."),
        "DA07": VOICE_SOME,
    }, None),
    # Missing children: 1 good, 1 requires improvement, 3 inadequate.
    ("MC-2022-0219", "missing-child", {
        "MC01": "2022-08-14T16:20", "MC02": "high", "MC06": "2022-08-14T17:45",
    }, (
        "A father reported his 15-year-old son missing. The call handler noted the boy's "
        "special educational needs and, from police records, a possible link to a local drug "
        "dealer, and graded the report high risk. A local supervisor was told at once, set "
        "lines of enquiry and had officers searching within an hour and a half."
    )),
    ("MC-2022-0264", "missing-child", {
        "MC01": "2022-07-22T23:00", "MC02": "high", "MC06": "2022-07-23T08:00",
        "MC04": ("no", "No supervisor co-ordinating and no sign the duty inspector knew."),
        "MC05": ("no", "No investigation plan until the 8am review."),
        "MC08": ("no", "Exploitation suspected by the care provider but not referred."),
        "MC10": "yes", "MC11": "7",
        "MC12": ("no", "Trigger plan exists but officers did not use it."),
        "MC13": ("no", "No strategy discussion despite repeat episodes."),
        "MC16": ("no", "No return home interview shared with police."),
        "MC17": ("no", "No supervision recorded overnight."),
    }, (
        "A care provider reported a 17-year-old boy missing when he did not come home at night; "
        "he was thought to be carrying drugs for others. Call handlers rightly judged him at "
        "high risk, but no local supervisor took charge and the duty inspector was not told. "
        "When the provider rang back in the early hours after speaking to him, nothing more was "
        "done until the 8am review, nine hours after the first call."
    )),
    ("MC-2022-0301", "missing-child", {
        "MC04": ("no", "Supervisor not informed for four hours."),
        "MC05": ("partly", "Lines of enquiry listed, no plan on COMPACT."),
        "MC10": "yes", "MC11": "3", "MC12": "yes",
        "MC13": ("no", "No strategy discussion."),
        "MC16": ("no", "Return home interview not completed by the local authority."),
    }, None),
    ("MC-2022-0338", "missing-child", {
        "MC02": "low",
        "MC03": ("no", "Graded low although the child is in care and at risk of exploitation."),
        "MC06": "2022-08-03T02:10",
        "MC04": ("no", "No supervisor review of the risk grade."),
    }, None),
    ("MC-2022-0376", "missing-child", {
        "MC04": ("no", "No record that a supervisor was told."),
        "MC08": ("no", "Signs of criminal exploitation not considered."),
        "MC10": "yes", "MC11": "5",
        "MC12": ("partly", "Trigger plan used late in the enquiry."),
        "MC13": ("no", "No strategy discussion."),
        "MC16": ("no", "No return home interview information shared."),
    }, None),
    # Online child sexual abuse and exploitation: 3 inadequate.
    ("OC-2022-0112", "online-csae", {
        "OC02": "2022-03-14", "OC09": "2022-09-12",
        "OC04": ("no", "No health or education checks on the children in the home."),
        "OC12": ("no", "Mentioned at the weekly meeting; no formal referral."),
        "OC16": ("no", "No supervisory review for six months."),
    }, (
        "In March 2022 the force learned that a man had at least 17 videos of the most serious "
        "category of child sexual abuse. He lived with his two daughters, aged 8 and 11. The "
        "case was graded medium priority and mentioned at the weekly meeting with children's "
        "social care, but no referral was made. Almost six months later nothing had been done "
        "to safeguard the children, search the home or arrest the man."
    )),
    ("OC-2022-0147", "online-csae", {
        "OC02": "2022-06-06", "OC09": "2022-07-18",
        "OC08": ("no", "Priority lowered because the household was not known."),
        "OC04": ("no", "Basic checks only."),
    }, None),
    ("OC-2022-0185", "online-csae", {
        "OC07": "low", "OC02": "2022-05-20", "OC09": "2022-06-30",
        "OC05": ("no", "Children visiting the address not identified."),
        "OC12": ("no", "Referral made only when the warrant was executed."),
        "OC03": ("partly", "Suspect identified after a long delay."),
    }, None),
    # Police protection: 2 good, 1 requires improvement.
    ("PP-2022-0093", "police-protection", {
        "PP03": "2022-06-18T19:40", "PP14": "2022-06-20T11:00",
    }, (
        "A mother reported that her four-year-old daughter's father had threatened to kill "
        "them both. Officers arrived quickly and arrested him; finding the mother unable to "
        "care for the girl, they used police protection. They talked with the child, recorded "
        "her worries and her home conditions well, and the designated officer agreed the "
        "decision, spoke to children's social care, held a strategy discussion and placed her "
        "with foster carers within three hours under a well-recorded joint safety plan."
    )),
    ("PP-2022-0121", "police-protection", {
        "PP02": ("partly", "Brief note on why no emergency protection order was sought."),
    }, None),
    ("PP-2022-0158", "police-protection", {
        "PP02": ("no", "No explanation why an emergency protection order was not sought."),
        "PP13": ("partly", "Handover recorded; no later review."),
        "PP14": "", "PP15": "not_recorded",
        "PP16": ("no", "Neither the time nor the reason the power ended is recorded."),
    }, None),
    # Registered sex offenders: 2 good, 1 requires improvement.
    ("SO-2022-0044", "sex-offender-management", {}, None),
    ("SO-2022-0068", "sex-offender-management", {
        "SO11": "na", "SO07": ("partly", "One visit late against policy."),
    }, None),
    ("SO-2022-0079", "sex-offender-management", {
        "SO09": ("partly", "Partner's children checked; workplace contact not checked."),
    }, None),
    # Children in police detention: 1 requires improvement, 4 inadequate.
    ("CD-2022-0311", "child-detention", {
        **_DETAINED, "CD13": "secure", "CD14": "kept_lawful_reason", "CD15": "yes",
        "CD02": ("partly", "Reason to keep detaining after charge is thin."),
        "CD06": ("partly", "Care plan form sent back by the arresting officer empty."),
        "CD08": ("partly", "Review held by telephone without the appropriate adult."),
        "CD17": ("no", "No inspector oversight recorded overnight."),
    }, None),
    ("CD-2022-0327", "child-detention", {
        **_DETAINED, "CD13": "secure",
        "CD14": ("kept_no_lawful_reason", "Secure accommodation asked for; test not met."),
        "CD15": ("no", "No detention certificate."),
    }, None),
    ("CD-2022-0349", "child-detention", {
        **_DETAINED, "CD13": "secure",
        "CD14": ("kept_no_lawful_reason", "Kept overnight after charge."),
        "CD15": ("no", "No detention certificate for the court."),
        "CD09": ("no", "Criminal exploitation concern not referred to social care."),
        "CD08": ("partly", "Reviews by telephone."),
    }, None),
    ("CD-2022-0362", "child-detention", {
        **_DETAINED, "CD13": "alternative", "CD14": "kept_lawful_reason",
        "CD15": ("no", "Custody officers thought the inspector would complete it."),
    }, None),
    ("CD-2022-0390", "child-detention", {
        **_DETAINED, "CD13": "not_asked",
        "CD14": ("kept_no_lawful_reason", "No accommodation asked for."),
        "CD15": ("no", "No detention certificate."),
        "CD06": ("no", "No vulnerability information added by the arresting officer."),
    }, None),
]  # fmt: skip

DIARY_DIP_SAMPLE: list[CaseSpec] = [
    (f"DY-2022-{n:04d}", "da-diary-appointment", {} if n == 1 else {"DY03": _NOT_SEEN}, None)
    for n in range(1, 6)
]
TELEPHONE_DIP_SAMPLE: list[CaseSpec] = [
    (f"TA-2022-{n:04d}", "da-telephone-appointment", {}, None) for n in range(1, 22)
] + [
    ("TA-2022-0022", "da-telephone-appointment", {
        "TA01": ("no", "Caller feared the children would see more abuse by her ex-partner."),
        "TA02": ("no", "No visit to the children."),
    }, None),
    ("TA-2022-0023", "da-telephone-appointment", {
        "TA01": ("no", "Caller said the ex-partner took drugs in front of the children."),
        "TA02": ("no", "No visit to the children."),
    }, None),
]  # fmt: skip

# The 2021 inspection's own audited sample: weaker where the review saw progress (children's
# voice, diary appointments, police protection records, sex offender information).
BASELINE_CASES: list[CaseSpec] = [
    ("DA-2021-0108", "domestic-abuse", {
        "DA03": "diary", "DA02": ("no", "THRIVE does not mention the children."),
        "DA04": ("no", "Diary appointment with no authorisation."), "DA06": "no",
        "DA07": VOICE_NONE, "DA13": "no", "DA05": "no", "DA09": "no", "DA16": "no",
    }, None),
    ("DA-2021-0133", "domestic-abuse", {
        "DA06": ("partly", "Children seen, not spoken to."), "DA07": VOICE_SOME,
        "DA10": "partly", "DA15": "no", "DA13": "no", "DA05": "partly", "DA09": "no",
    }, None),
    ("MC-2021-0071", "missing-child", {
        "MC04": "no", "MC05": "no", "MC10": "yes", "MC11": "4", "MC12": "no", "MC13": "no",
        "MC14": "no", "MC16": "no",
    }, None),
    ("MC-2021-0095", "missing-child", {
        "MC04": "no", "MC08": "no", "MC06": "2022-08-01T22:00",
    }, None),
    ("OC-2021-0042", "online-csae", {
        "OC06": "no", "OC03": "no", "OC04": "no", "OC12": "no", "OC16": "no",
    }, None),
    ("OC-2021-0057", "online-csae", {
        "OC04": "no", "OC08": "no", "OC09": "2022-07-20",
    }, None),
    ("PP-2021-0019", "police-protection", {
        "PP01": "partly", "PP06": "no", "PP13": "no", "PP16": "no", "PP14": "",
        "PP15": "not_recorded",
    }, None),
    ("PP-2021-0026", "police-protection", {
        "PP02": "no", "PP12": "no", "PP16": "no", "PP06": "partly",
    }, None),
    ("SO-2021-0011", "sex-offender-management", {"SO12": "no", "SO05": "partly"}, None),
    ("SO-2021-0014", "sex-offender-management", {"SO12": "no", "SO09": "partly"}, None),
    ("CD-2021-0031", "child-detention", {
        **_DETAINED, "CD13": "secure", "CD14": "kept_no_lawful_reason", "CD15": "no",
        "CD06": "no", "CD09": "no", "CD17": "no",
    }, None),
    ("CD-2021-0048", "child-detention", {
        **_DETAINED, "CD13": "secure", "CD14": "kept_lawful_reason", "CD15": "no",
        "CD08": "partly", "CD06": "partly",
    }, None),
]  # fmt: skip


# The version of each library set the demo's cases were audited against: the answers above
# are version 1's questions, and a version once used keeps grading its cases.
DEMO_VERSION = 1


def _question_sets() -> dict[str, QuestionSet]:
    """The stored set of each case type that the demo audits with (version 1), by slug."""
    rows = db.session.execute(
        select(CaseType.slug, QuestionSet)
        .join(QuestionSet)
        .where(QuestionSet.version == DEMO_VERSION)
    ).all()
    return {slug: row for slug, row in rows}


def _load_recommendations(baseline: Inspection) -> None:
    existing = set(
        db.session.scalars(
            select(Recommendation.code).where(Recommendation.inspection_id == baseline.id)
        )
    )
    for position, rec in enumerate(load_recommendations().recommendations, start=1):
        if rec.code in existing:
            continue
        db.session.add(
            Recommendation(
                inspection_id=baseline.id,
                code=rec.code,
                position=position,
                kind=rec.kind,
                chapter=rec.chapter,
                timescale=rec.timescale,
                text=rec.text,
                sub_points=list(rec.sub_points),
                source=rec.source,
            )
        )


def _choose_sets(inspection: Inspection, sets: dict[str, QuestionSet]) -> None:
    chosen = set(
        db.session.scalars(
            select(InspectionQuestionSet.case_type_id).where(
                InspectionQuestionSet.inspection_id == inspection.id
            )
        )
    )
    for row in sets.values():
        if row.case_type_id not in chosen:
            db.session.add(
                InspectionQuestionSet(
                    inspection_id=inspection.id,
                    case_type_id=row.case_type_id,
                    question_set_id=row.id,
                )
            )


def _add_cases(
    inspection: Inspection,
    specs: list[CaseSpec],
    sets: dict[str, QuestionSet],
    auditors: list[User],
    lead: User | None,
) -> int:
    """Add the cases not there yet, answered, graded, submitted and (graded ones) moderated."""
    existing = set(
        db.session.scalars(select(Case.reference).where(Case.inspection_id == inspection.id))
    )
    added = 0
    for index, (reference, slug, changes, narrative) in enumerate(specs):
        if reference in existing:
            continue
        qs = sets[slug]
        auditor = auditors[index % len(auditors)]
        case = Case(
            inspection_id=inspection.id,
            case_type_id=qs.case_type_id,
            question_set_id=qs.id,
            reference=reference,
            in_sample=True,
            auditor_id=auditor.id,
            status=CaseStatus.DRAFT,
            is_case_study=narrative is not None,
            case_study_narrative=narrative,
        )
        db.session.add(case)
        db.session.flush()
        answers = {**GOOD_ANSWERS[slug], **changes}
        for code, spec in answers.items():
            value, note = (spec, None) if isinstance(spec, str) else spec
            if value == "":
                continue
            db.session.add(
                Answer(
                    case_id=case.id,
                    question_code=code,
                    value=value,
                    note=note,
                    answered_by_id=auditor.id,
                )
            )
        db.session.flush()
        regrade_case(case)
        case.status = CaseStatus.SUBMITTED
        case.submitted_at = utcnow()
        record_event(
            "demo_case",
            "case",
            user=auditor,
            entity_id=case.id,
            inspection_id=inspection.id,
            case_id=case.id,
            field="status",
            new=CaseStatus.SUBMITTED,
        )
        db.session.flush()
        if lead is not None and qs.case_type.kind == "case":
            agree_grade(case, lead)
        added += 1
    db.session.flush()
    return added


def load_demo_report(
    baseline: Inspection, review: Inspection, users: dict[str, User]
) -> dict[str, Any]:
    """Load the report's recommendations, baseline sample, review cases and dip samples."""
    sets = _question_sets()
    auditors = [users["auditor1@demo.test"], users["auditor2@demo.test"]]
    lead = users["lead@demo.test"]
    _load_recommendations(baseline)
    for inspection in (baseline, review):
        _choose_sets(inspection, sets)
    db.session.flush()
    added = _add_cases(baseline, BASELINE_CASES, sets, auditors, lead)
    added += _add_cases(review, REVIEW_CASES, sets, auditors, lead)
    added += _add_cases(review, DIARY_DIP_SAMPLE + TELEPHONE_DIP_SAMPLE, sets, auditors, None)
    total = db.session.scalar(
        select(func.count(Case.id)).where(Case.inspection_id.in_([baseline.id, review.id]))
    )
    return {"cases_added": added, "cases": total}
