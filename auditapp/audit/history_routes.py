"""Routes of a case's history: the round's changes in words, narrowed by kind of event."""

from __future__ import annotations

from flask import render_template, request

from auditapp.audit import bp
from auditapp.audit.resolve import first_audit, second_audit
from auditapp.services.audit import timeline
from auditapp.services.audit.round import AuditRound

UNKNOWN_KIND = "Choose kinds of event from the list"


def _history_page(audit: AuditRound) -> tuple[str, int]:
    """The history with the kinds chosen in the query string (?kind=answers&kind=concerns).

    Works without JavaScript: the filter is a GET form. An unknown kind changes nothing: the
    whole history is shown, with a message saying what to choose.
    """
    asked = [value.strip()[:32] for value in request.args.getlist("kind")[:20]]
    chosen = [key for key in timeline.KIND_KEYS if key in asked]
    error = UNKNOWN_KIND if any(value not in timeline.KIND_KEYS for value in asked) else None
    if error:
        chosen = []
    everything = timeline.case_timeline(audit)
    shown = [entry for entry in everything if entry.kind in chosen] if chosen else everything
    counts = timeline.kind_counts(everything)
    total = _entries_words(len(everything))
    count_text = f"Showing {len(shown)} of {total}." if chosen else f"{total}, newest first."
    return (
        render_template(
            "audit/show_case_history.html",
            case=audit.case,
            round=audit,
            entries=shown,
            total=len(everything),
            count_text=count_text,
            kind_items=[
                {
                    "value": kind.key,
                    "text": f"{kind.label} ({counts[kind.key]})",
                    "checked": kind.key in chosen,
                }
                for kind in timeline.EVENT_KINDS
            ],
            chosen=chosen,
            error=error,
        ),
        200,
    )


def _entries_words(number: int) -> str:
    return f"{number} {'entry' if number == 1 else 'entries'}"


@bp.get("/cases/<int:case_id>/history")
def show_case_history(case_id: int) -> tuple[str, int]:
    """The case's history (its first audit): whoever may open the case may read it."""
    return _history_page(first_audit(case_id))


@bp.get("/cases/<int:case_id>/second-audit/history")
def show_second_audit_history(case_id: int) -> tuple[str, int]:
    """The blind second audit's own history, for its auditor: never the first audit's."""
    return _history_page(second_audit(case_id))
