"""Builders for test data; each commits so the web client sees it."""

from __future__ import annotations

from datetime import date

from auditapp.extensions import db
from auditapp.models import (
    Answer,
    Case,
    CaseStatus,
    GlobalRole,
    Inspection,
    InspectionKind,
    InspectionQuestionSet,
    InspectionRole,
    Membership,
    QuestionSet,
    Recommendation,
    User,
)

# Domestic abuse answers with no child involved (DA01 = no): every shown question met, so the
# case grades good. Shared by the tests that need a complete, good case.
GOOD_DOMESTIC_ABUSE_ANSWERS: dict[str, str] = {
    "DA01": "no",
    "DA02": "yes",
    "DA03": "emergency",
    "DA04": "yes",
    "DA10": "yes",
    "DA11": "standard",
    "DA13": "yes",
    "DA14": "yes",
    "DA15": "yes",
    "DA16": "yes",
    "DA17": "yes",
}

PASSWORD = "correct-horse-battery"
_hashes: dict[str, str] = {}  # scrypt is slow on purpose; hash each test password once


def make_user(email: str, *, admin: bool = False, password: str = PASSWORD, name: str = "") -> User:
    """A user with a known password."""
    user = User(
        email=email, name=name or email.split("@")[0], role=GlobalRole.ADMIN if admin else "user"
    )
    if password not in _hashes:
        user.set_password(password)
        _hashes[password] = user.password_hash
    user.password_hash = _hashes[password]
    db.session.add(user)
    db.session.commit()
    return user


def make_inspection(title: str, **fields: object) -> Inspection:
    """An inspection of a made-up force."""
    fields.setdefault("force", "Testshire Constabulary")
    fields.setdefault("kind", InspectionKind.POST_INSPECTION_REVIEW)
    fields.setdefault("start_date", date(2022, 9, 5))
    inspection = Inspection(title=title, **fields)
    db.session.add(inspection)
    db.session.commit()
    return inspection


def add_member(inspection: Inspection, user: User, role: InspectionRole) -> Membership:
    """Make the user a member of the inspection in the given role."""
    membership = Membership(inspection_id=inspection.id, user_id=user.id, role=role)
    db.session.add(membership)
    db.session.commit()
    return membership


def make_member(inspection: Inspection, email: str, role: InspectionRole) -> User:
    """A new user who is a member of the inspection."""
    user = make_user(email)
    add_member(inspection, user, role)
    return user


# Each library set as the file an import reads, written once per run (the sets never change).
_library_texts: dict[tuple[str, int], str] = {}


def question_set(slug: str = "domestic-abuse") -> QuestionSet:
    """The default library's set for a case type, imported once per test."""
    from auditapp.domain.question_sets import dump_question_set, load_library
    from auditapp.services.question_sets import find_question_set, import_question_set

    for data in load_library():
        if data.case_type == slug:
            existing = find_question_set(data.case_type, data.version)
            if existing is not None:
                return existing
            key = (data.case_type, data.version)
            if key not in _library_texts:
                _library_texts[key] = dump_question_set(data)
            row = import_question_set(_library_texts[key], filename=f"{slug}.yaml")
            db.session.commit()
            return row
    raise LookupError(slug)


def scope(inspection: Inspection, *slugs: str) -> Inspection:
    """Put these case types (default library slugs) in the inspection's scope, each with its
    library version; types already in scope keep theirs."""
    chosen = {c.case_type_id for c in inspection.question_set_choices}
    for slug in slugs:
        qs = question_set(slug)
        if qs.case_type_id not in chosen:
            db.session.add(
                InspectionQuestionSet(
                    inspection_id=inspection.id, case_type_id=qs.case_type_id, question_set_id=qs.id
                )
            )
            chosen.add(qs.case_type_id)
    db.session.commit()
    db.session.refresh(inspection)
    return inspection


def scope_every_case_type(inspection: Inspection) -> Inspection:
    """Put every case type imported so far in scope, each with its latest version: the
    `inspection` fixture's scope, so tests that import question sets first see their types."""
    from sqlalchemy import select

    chosen = {c.case_type_id for c in inspection.question_set_choices}
    latest: dict[int, int] = {}
    for row in db.session.scalars(select(QuestionSet).order_by(QuestionSet.version)):
        latest[row.case_type_id] = row.id
    for case_type_id, question_set_id in latest.items():
        if case_type_id not in chosen:
            db.session.add(
                InspectionQuestionSet(
                    inspection_id=inspection.id,
                    case_type_id=case_type_id,
                    question_set_id=question_set_id,
                )
            )
    db.session.commit()
    db.session.refresh(inspection)
    return inspection


def make_case(
    inspection: Inspection,
    reference: str,
    *,
    slug: str = "domestic-abuse",
    auditor: User | None = None,
    answers: dict[str, str] | None = None,
    status: CaseStatus = CaseStatus.DRAFT,
    question_set_row: QuestionSet | None = None,
    **fields: object,
) -> Case:
    """A sampled case of the given type, optionally assigned, answered and graded.

    ``question_set_row`` audits it with that stored set (put in scope) instead of the
    library's set for ``slug``.
    """
    from auditapp.services.grading import regrade_case

    if question_set_row is None:
        qs = question_set(slug)
        scope(inspection, slug)
    else:
        qs = question_set_row
        if qs.case_type_id not in {c.case_type_id for c in inspection.question_set_choices}:
            db.session.add(
                InspectionQuestionSet(
                    inspection_id=inspection.id,
                    case_type_id=qs.case_type_id,
                    question_set_id=qs.id,
                )
            )
    case = Case(
        inspection_id=inspection.id,
        case_type_id=qs.case_type_id,
        question_set_id=qs.id,
        reference=reference,
        in_sample=True,
        auditor_id=auditor.id if auditor else None,
        status=status,
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    for code, value in (answers or {}).items():
        db.session.add(
            Answer(
                case_id=case.id,
                question_code=code,
                value=value,
                answered_by_id=auditor.id if auditor else None,
            )
        )
    db.session.flush()
    regrade_case(case)
    db.session.commit()
    return case


def make_recommendation(
    inspection: Inspection,
    code: str,
    *,
    chapter: str = "Initial contact",
    timescale: str = "within six months",
    position: int = 0,
) -> Recommendation:
    """A recommendation made by the inspection."""
    rec = Recommendation(
        inspection_id=inspection.id,
        code=code,
        position=position,
        chapter=chapter,
        timescale=timescale,
        text=f"Recommendation {code} text.",
    )
    db.session.add(rec)
    db.session.commit()
    return rec
