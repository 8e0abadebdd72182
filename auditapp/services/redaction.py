"""A lead redacts free text: every version of it leaves the case, the history and the exports.

What can be redacted is a *target*: a note or text answer of one question in one audit round,
one free-text field of the case or its second audit (the lead's account of what was done about
an urgent concern, a moderation reason or agree comment, a resolution note), the reason a lead
gave for the answer that stands on one question of a reconciled second audit, or that answer
itself when the question takes text (the one the lead agreed, or the audit's copied). Redacting it

- overwrites the text where the case keeps it (answer, case, moderation decision, second
  audit, reconciliation decision) with "Redacted by NAME on DATE: REASON", so pages, the
  API and every later export (CSV, XLSX, PDF) show that instead;
- erases the body and salt of every version the audit log kept apart (``free_text``) and
  names the redaction there; the events, their digests and their chain links stay as written,
  so ``flask audit-log verify`` still passes;
- records a ``redact`` event, whose reason is itself kept apart.

Only a lead of the case's inspection may redact (admins are not members of inspections, as
everywhere in ``permissions.py``). The reason must not hold personal data either.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import and_, or_, select, update

from auditapp.domain.statuses import ModerationAction
from auditapp.extensions import db
from auditapp.models import (
    Answer,
    AnswerReconciliation,
    AuditEvent,
    Case,
    FreeText,
    ModerationDecision,
    Redaction,
    SecondAudit,
    User,
    utcnow,
)
from auditapp.permissions import NotAllowed, is_lead
from auditapp.services.audit.saving import touch_case
from auditapp.services.audit_log import is_free_text, record_event
from auditapp.services.free_texts import redaction_text
from auditapp.services.personal_data import PersonalDataInText, check_free_text

REASON_MAX_LENGTH = 500
_ROUND_ENTITIES = {1: "answer", 2: "second_audit_answer"}
_ROUND_WORDS = {1: "", 2: " (second audit)"}
# Free-text fields of a case, each with its label and the audit-log field of its versions.
CASE_FIELDS: dict[str, str] = {
    "current_risk_note": "What the auditor saw (urgent concern)",
    "reason": "Reason the current-risk flag was removed",
    "returned_comment": "Lead's comment when returning the case",
    "moderation_reason": "Lead's moderation reason or agree comment",
    "case_study_narrative": "Case study narrative",
    "proposed_reason": "Reason for the proposed grade",
    "current_risk_action": "What was done about the urgent concern",
}
SECOND_AUDIT_FIELDS: dict[str, str] = {
    "proposed_reason": "Reason for the proposed grade (second audit)",
    "resolution_note": "How the second audit's differences were resolved",
}


# A reconciliation decision's reason: "reconcile-DA04", logged as field "DA04.reason"; the
# text answer that stands: "agreed-DA04", logged as field "DA04.value" (kept apart only for a
# question that takes text, so only those are listed).
_RECONCILE = "reconcile"
_RECONCILE_FIELD = ".reason"
_AGREED = "agreed"
_AGREED_FIELD = ".value"


class RedactionError(ValueError):
    """A redaction that cannot be done as asked; ``message`` is for the lead."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


@dataclass(frozen=True)
class RedactableText:
    """One free text of a case a lead may redact: where it is and what it says now."""

    target: str  # "note-1-DA02", "answer-2-DA05", "case-current_risk_note", ...
    label: str
    text: str  # as it stands now ("" when only the history holds it)
    entity: str  # the audit log's entity and field of its versions
    field: str
    action: str | None  # the one action of its versions, or None for any
    # Events written before free text was kept apart that hold it inline: no redaction erases
    # them without breaking the hash chain (``_inline_counts``).
    inline_events: int = 0

    @property
    def inline_warning(self) -> str | None:
        """What the lead is told about the older entries a redaction cannot erase, if any."""
        return inline_warning(self.inline_events)


def redacted_message(label: str, inline_events: int) -> str:
    """The confirmation after a redaction, with what older entries still hold."""
    return " ".join(filter(None, [f"{label} redacted.", inline_warning(inline_events)]))


def inline_warning(count: int) -> str | None:
    """What a lead is told when ``count`` events of payload version 1 hold a text inline."""
    if not count:
        return None
    entries, hold = ("entry", "holds") if count == 1 else ("entries", "hold")
    return (
        f"{count} audit-log {entries} written before free text was kept apart from the log "
        f"also {hold} this text. They cannot be erased without breaking the log's hash chain: "
        "redacting removes the text from the pages, the history and every export, but those "
        "entries keep it in the database. Only the system's owner can remove it, by "
        "re-chaining the log."
    )


def _answer_target(kind: str, number: int, question: str) -> RedactableText:
    words = "Note on" if kind == "note" else "Answer to"
    return RedactableText(
        target=f"{kind}-{number}-{question}",
        label=f"{words} {question}{_ROUND_WORDS[number]}",
        text="",
        entity=_ROUND_ENTITIES[number],
        field=question,
        action="change_note" if kind == "note" else "change_answer",
    )


def _target(target: str) -> RedactableText | None:
    """The target named in a URL, or None when there is no such kind of text."""
    kind, _, rest = target.partition("-")
    if kind in ("note", "answer"):
        number, _, question = rest.partition("-")
        if number in ("1", "2") and question and len(question) <= 32:
            return _answer_target(kind, int(number), question)
        return None
    if kind == "case" and rest in CASE_FIELDS:
        return RedactableText(target, CASE_FIELDS[rest], "", "case", rest, None)
    if kind == "second" and rest in SECOND_AUDIT_FIELDS:
        return RedactableText(target, SECOND_AUDIT_FIELDS[rest], "", "second_audit", rest, None)
    if kind == _RECONCILE and rest and len(rest) <= 32:
        label = f"Why the answer to {rest} stands (second audit reconciled)"
        field = rest + _RECONCILE_FIELD
        return RedactableText(target, label, "", "second_audit", field, "reconcile_answer")
    if kind == _AGREED and rest and len(rest) <= 32:
        label = f"Answer that stands on {rest} (second audit reconciled)"
        field = rest + _AGREED_FIELD
        return RedactableText(target, label, "", "second_audit", field, "reconcile_answer")
    return None


def _current_texts(case: Case) -> dict[str, str]:
    """Each target's text where the case keeps it now."""
    found: dict[str, str] = {}
    answers = db.session.execute(
        select(Answer.audit_round, Answer.question_code, Answer.value, Answer.note).where(
            Answer.case_id == case.id
        )
    ).all()
    for number, question, _value, note in answers:
        if note:
            found[f"note-{number}-{question}"] = note
    for name in CASE_FIELDS:
        value = getattr(case, name, None)
        if isinstance(value, str) and value:
            found[f"case-{name}"] = value
    for action, reason in db.session.execute(
        select(ModerationDecision.action, ModerationDecision.reason).where(
            ModerationDecision.case_id == case.id, ModerationDecision.reason.is_not(None)
        )
    ):
        name = "returned_comment" if action == ModerationAction.RETURN else "moderation_reason"
        found.setdefault(f"case-{name}", reason or "")
    second = db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))
    if second is not None:
        for name in SECOND_AUDIT_FIELDS:
            value = getattr(second, name)
            if value:
                found[f"second-{name}"] = value
        for question, reason, value in db.session.execute(
            select(
                AnswerReconciliation.question_code,
                AnswerReconciliation.reason,
                AnswerReconciliation.value,
            ).where(AnswerReconciliation.second_audit_id == second.id)
        ):
            found[f"{_RECONCILE}-{question}"] = reason
            if value:  # listed only for a text question (``redactable_texts``)
                found[f"{_AGREED}-{question}"] = value
    return found


def _target_name(entity: str, field: str | None, action: str) -> str | None:
    """The target an audit event's free text belongs to, or None for none."""
    rounds = {name: number for number, name in _ROUND_ENTITIES.items()}
    if entity in rounds and action in ("change_note", "change_answer"):
        kind = "note" if action == "change_note" else "answer"
        return f"{kind}-{rounds[entity]}-{field}"
    if entity == "case" and field in CASE_FIELDS:
        return f"case-{field}"
    if entity == "second_audit" and field in SECOND_AUDIT_FIELDS:
        return f"second-{field}"
    if action == "reconcile_answer" and field and field.endswith(_RECONCILE_FIELD):
        return f"{_RECONCILE}-{field.removesuffix(_RECONCILE_FIELD)}"
    if action == "reconcile_answer" and field and field.endswith(_AGREED_FIELD):
        return f"{_AGREED}-{field.removesuffix(_AGREED_FIELD)}"
    return None


def _logged_targets(case: Case) -> list[str]:
    """Targets whose versions the audit log keeps apart and not yet all redacted."""
    rows = db.session.execute(
        select(AuditEvent.entity, AuditEvent.field, AuditEvent.action)
        .join(
            FreeText,
            or_(FreeText.key == AuditEvent.old_text_key, FreeText.key == AuditEvent.new_text_key),
        )
        .where(
            AuditEvent.case_id == case.id,
            AuditEvent.action != "redact",
            FreeText.body.is_not(None),
        )
        .distinct()
    ).all()
    names = (_target_name(entity, field, action) for entity, field, action in rows)
    return [name for name in names if name is not None]


def _inline_counts(case: Case) -> Counter[str]:
    """How many events of payload version 1 hold each target's text inline.

    Written before free text was kept apart (migration 0013), they were chained with the text
    itself: erasing it would break the hash chain, so a redaction cannot reach them (the
    history shows the redaction's words instead, and the lead is told).
    """
    rows = db.session.execute(
        select(AuditEvent.entity, AuditEvent.field, AuditEvent.action).where(
            AuditEvent.case_id == case.id,
            AuditEvent.action != "redact",
            AuditEvent.old_text_key.is_(None),
            AuditEvent.new_text_key.is_(None),
            or_(AuditEvent.old_value.is_not(None), AuditEvent.new_value.is_not(None)),
        )
    ).all()
    return Counter(
        name
        for entity, field, action in rows
        if is_free_text(action, field) and (name := _target_name(entity, field, action)) is not None
    )


def redactable_texts(case: Case) -> list[RedactableText]:
    """Every free text of the case, now or in its history, that can still be redacted."""
    current = _current_texts(case)
    logged = _logged_targets(case)
    inline = _inline_counts(case)
    names = dict.fromkeys([*current, *logged])
    found = []
    for name in names:
        target = _target(name)
        if target is None or current.get(name, "").startswith("Redacted by "):
            continue
        if name.startswith(f"{_AGREED}-") and name not in logged:
            continue  # the answer to a question that does not take text ("yes", "3")
        found.append(
            RedactableText(
                target.target,
                target.label,
                current.get(name, ""),
                target.entity,
                target.field,
                target.action,
                inline[name],
            )
        )
    return sorted(found, key=lambda text: (text.entity != "case", text.label))


def find_redactable(case: Case, target: str) -> RedactableText | None:
    """The case's redactable text named ``target``, or None."""
    return next((text for text in redactable_texts(case) if text.target == target), None)


def check_may_redact(case: Case, user: User) -> None:
    """NotAllowed unless the user is a lead of the case's inspection."""
    if not is_lead(user, case.inspection_id):
        raise NotAllowed("only a lead of the inspection redacts text")


def clean_reason(reason: str | None) -> str:
    cleaned = " ".join((reason or "").split())
    if not cleaned:
        raise RedactionError("Enter the reason for redacting the text")
    if len(cleaned) > REASON_MAX_LENGTH:
        raise RedactionError(f"Reason must be {REASON_MAX_LENGTH} characters or fewer")
    try:
        check_free_text(cleaned, "reason")
    except PersonalDataInText as refused:
        raise RedactionError(refused.message) from None
    return cleaned


def redact(case: Case, lead: User, target: str, reason: str | None) -> Redaction:
    """Redact every version of one free text of the case, with a reason (see module doc).

    NotAllowed for anyone but a lead of the inspection; RedactionError for a missing reason,
    a reason that seems to hold personal data, or a text that is not there to redact.
    """
    check_may_redact(case, lead)
    cleaned = clean_reason(reason)
    text = find_redactable(case, target)
    if text is None:
        raise RedactionError("There is no such text on this case to redact")
    redaction = Redaction(
        inspection_id=case.inspection_id,
        case_id=case.id,
        entity=text.entity,
        field=text.field,
        reason=cleaned,
        redacted_by_id=lead.id,
        redacted_by_name=lead.name,
        redacted_at=utcnow(),
    )
    db.session.add(redaction)
    db.session.flush()
    words = redaction_text(redaction)
    _overwrite_where_kept(case, text, words)
    _erase_logged_versions(case, text, redaction.id)
    record_event(
        "redact",
        text.entity,
        user=lead,
        entity_id=redaction.id,
        inspection_id=case.inspection_id,
        case_id=case.id,
        field=text.field,
        new=cleaned,
        free_text=True,
    )
    touch_case(case)
    db.session.flush()
    return redaction


def _overwrite_where_kept(case: Case, text: RedactableText, words: str) -> None:
    kind, _, rest = text.target.partition("-")
    if kind in ("note", "answer"):
        number = int(rest.partition("-")[0])
        column = Answer.note if kind == "note" else Answer.value
        db.session.execute(
            update(Answer)
            .where(
                Answer.case_id == case.id,
                Answer.audit_round == number,
                Answer.question_code == text.field,
                column.is_not(None),
            )
            .values({column.key: words}),
            execution_options={"synchronize_session": "fetch"},
        )
    elif kind == "case":
        if text.field in ("returned_comment", "moderation_reason"):
            returned = ModerationDecision.action == ModerationAction.RETURN
            db.session.execute(
                update(ModerationDecision)
                .where(
                    ModerationDecision.case_id == case.id,
                    ModerationDecision.reason.is_not(None),
                    returned if text.field == "returned_comment" else ~returned,
                )
                .values(reason=words),
                execution_options={"synchronize_session": "fetch"},
            )
        if getattr(case, text.field, None):
            setattr(case, text.field, words)
    else:
        second = db.session.scalar(select(SecondAudit).where(SecondAudit.case_id == case.id))
        if second is None:
            return
        if kind in (_RECONCILE, _AGREED):
            kept = "reason" if kind == _RECONCILE else "value"
            db.session.execute(
                update(AnswerReconciliation)
                .where(
                    AnswerReconciliation.second_audit_id == second.id,
                    AnswerReconciliation.question_code == rest,
                )
                .values({kept: words}),
                execution_options={"synchronize_session": "fetch"},
            )
        elif getattr(second, text.field):
            setattr(second, text.field, words)


def _erase_logged_versions(case: Case, text: RedactableText, redaction_id: int) -> None:
    """Erase the body and salt of every version the log kept apart; the events stay."""
    match = and_(
        AuditEvent.case_id == case.id,
        AuditEvent.entity == text.entity,
        AuditEvent.field == text.field,
        AuditEvent.action != "redact",
        *([AuditEvent.action == text.action] if text.action else []),
    )
    old_keys = select(AuditEvent.old_text_key).where(match, AuditEvent.old_text_key.is_not(None))
    new_keys = select(AuditEvent.new_text_key).where(match, AuditEvent.new_text_key.is_not(None))
    db.session.execute(
        update(FreeText)
        .where(
            or_(FreeText.key.in_(old_keys), FreeText.key.in_(new_keys)),
            FreeText.body.is_not(None),
        )
        .values(body=None, salt=None, redaction_id=redaction_id),
        execution_options={"synchronize_session": False},
    )
