"""Turn the audit form's state into GOV.UK macro parameters, and posted forms back into answers.

Field names: ``answer-<id>`` (the answer), ``day-<id>``, ``month-<id>``, ``year-<id>`` (and
``hour-<id>``, ``minute-<id>``) for a date in the GOV.UK date-input pattern, ``na-<id>`` ("Not
applicable" beside a date or number), ``note-<id>``, and hidden ``seen-<id>`` /
``seen-note-<id>`` holding the stored value the page was rendered with, so a save can tell
whether someone else changed it meanwhile.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from markupsafe import Markup, escape
from werkzeug.datastructures import MultiDict

from auditapp.domain.grading import QuestionOutcome
from auditapp.domain.question_sets import (
    NONE_TICKED,
    NOT_APPLICABLE,
    Question,
    QuestionSet,
    Section,
    answer_words,
    checklist_ticks,
    date_parts,
    split_stored_date,
)
from auditapp.services.audit.errors import AnswerConflict
from auditapp.services.audit.loading import FormState
from auditapp.services.audit.saving import PostedAnswer
from auditapp.validators import PERSONAL_DATA_ATTRIBUTES

_DATE_KINDS = ("date", "datetime")
_HINTS = {
    "date": "For example, 5 9 2022",
    "datetime": "For example, 5 9 2022 at 14 30. Use the 24-hour clock.",
}
_PART_LABELS = {"day": "Day", "month": "Month", "year": "Year", "hour": "Hour", "minute": "Minute"}
NOTE_HINT = "Never write names, dates of birth or addresses."


def parse_posted(form: MultiDict[str, str], qs: QuestionSet) -> dict[str, PostedAnswer]:
    """The answers a whole-form POST carries, for each question that was on the page."""
    posted: dict[str, PostedAnswer] = {}
    for q in qs.questions:
        if q.type == "derived" or f"seen-{q.id}" not in form:
            continue
        value: str | list[str] | dict[str, str] | None
        if q.type == "checklist":
            value = form.getlist(f"answer-{q.id}")
        elif form.get(f"na-{q.id}") == NOT_APPLICABLE:
            value = NOT_APPLICABLE
        elif q.type in _DATE_KINDS and any(f"{part}-{q.id}" in form for part in date_parts(q)):
            value = {part: form.get(f"{part}-{q.id}", "") for part in date_parts(q)}
        else:
            value = form.get(f"answer-{q.id}")
        posted[q.id] = PostedAnswer(
            value=value,
            seen_value=form.get(f"seen-{q.id}") or None,
            note=form.get(f"note-{q.id}"),
            seen_note=form.get(f"seen-note-{q.id}") or None,
        )
    return posted


@dataclass
class QuestionView:
    """One question on the page: which macro draws it, with what parameters."""

    question: Question
    kind: str  # radios, checkboxes, input, textarea, derived
    params: dict[str, Any]
    note_params: dict[str, Any]
    na_params: dict[str, Any] | None
    seen_value: str
    seen_note: str
    hidden: bool
    wrapper: dict[str, str]
    guidance: str
    check: dict[str, Any] | None = None
    conflict: AnswerConflict | None = None

    @property
    def note_open(self) -> bool:
        """The note opens by itself when there is one (or one was typed)."""
        return bool(self.note_params.get("value"))


@dataclass
class SectionView:
    """A titled group of questions."""

    id: str
    title: str
    questions: list[QuestionView] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        """Every question of the section is hidden by earlier answers: so is its heading."""
        return all(question.hidden for question in self.questions)


def _raw_display(question: Question, raw: Any) -> tuple[str | list[str] | dict[str, str], bool]:
    """(value for the input, n/a ticked) from a stored value or a posted raw value."""
    if question.type == "checklist":
        if isinstance(raw, list):
            return raw, False
        if raw == "[]":
            return [NONE_TICKED], False
        if raw == NOT_APPLICABLE:
            return [NOT_APPLICABLE], False
        return checklist_ticks(raw), False
    if question.type in _DATE_KINDS:
        if raw == NOT_APPLICABLE:
            return split_stored_date(question, None), True
        if isinstance(raw, Mapping):  # the fields as posted, shown back as typed
            return {part: str(raw.get(part) or "") for part in date_parts(question)}, False
        return split_stored_date(question, raw if isinstance(raw, str) else None), False
    if raw == NOT_APPLICABLE and question.type == "number":
        return "", True
    return (raw or "") if isinstance(raw, str) else "", False


def _legend(question: Question) -> str:
    return f"{question.id}. {question.text}"


def _hint(question: Question) -> str:
    parts = []
    if question.type in _HINTS:
        parts.append(_HINTS[question.type])
    if question.critical:
        parts.append("Critical: if this is not met, the case is inadequate.")
    if question.type == "checklist":
        parts.append("Select all that apply.")
    return " ".join(parts)


class AnswersState(Protocol):
    """What the form's questions are drawn from: a case round's ``FormState``, or the
    question-set builder's preview (answers tried, never saved)."""

    @property
    def values(self) -> Mapping[str, str | None]: ...

    @property
    def notes(self) -> Mapping[str, str | None]: ...

    @property
    def visible(self) -> set[str]: ...

    @property
    def sections(self) -> tuple[Section, ...]: ...

    def outcome(self, question_id: str) -> QuestionOutcome: ...


def question_view(
    state: AnswersState,
    question: Question,
    *,
    raw: Any = None,
    raw_note: str | None = None,
    use_raw: bool = False,
    error: str | None = None,
    conflict: AnswerConflict | None = None,
    note_error: str | None = None,
) -> QuestionView:
    """Macro parameters for one question, showing ``raw`` (what was posted) when asked."""
    qid = question.id
    stored = state.values.get(qid)
    value, na_ticked = _raw_display(question, raw if use_raw else stored)
    note = raw_note if use_raw else (state.notes.get(qid) or "")
    if conflict is not None:
        error = (
            f"{conflict.theirs_by or 'Someone else'} changed this "
            f"{'answer' if conflict.field == 'value' else 'note'} to "
            f"“{conflict.theirs_label or 'nothing'}” while you were editing. Your "
            f"{'answer' if conflict.field == 'value' else 'note'} is shown below: save again "
            "to keep it, or change it to theirs."
        )
    error_message = {"text": error} if error else None
    hint_text = _hint(question)
    hint = {"text": hint_text, "id": f"answer-{qid}-hint"} if hint_text else None
    kind, params, na_params = _field(question, value, na_ticked, hint, error_message)
    condition = question.show_if
    wrapper = {"id": f"question-{qid}", "data-question": qid, "data-type": question.type}
    if condition is not None:
        wrapper["data-show-if-question"] = condition.question
        wrapper["data-show-if-equals"] = json.dumps(list(condition.equals))
    check = None
    if question.type == "derived":
        outcome = state.outcome(qid)
        check = {
            "id": f"check-{qid}",
            "label": outcome.outcome.label,
            "detail": outcome.detail,
            "tag": _outcome_tag(outcome.outcome.value),
        }
    return QuestionView(
        question=question,
        kind=kind,
        params=params,
        note_params={
            "name": f"note-{qid}",
            "id": f"note-{qid}",
            "label": {"text": f"Note on {qid} (optional)"},
            "hint": {"text": NOTE_HINT},
            "value": note or "",
            "rows": 2,
            "classes": "app-note",
            "attributes": dict(PERSONAL_DATA_ATTRIBUTES),
            **({"errorMessage": {"text": note_error}} if note_error else {}),
        },
        na_params=na_params,
        seen_value=stored or "",
        seen_note=state.notes.get(qid) or "",
        hidden=qid not in state.visible,
        wrapper=wrapper,
        guidance=question.guidance,
        check=check,
        conflict=conflict,
    )


def _outcome_tag(outcome: str) -> dict[str, str]:
    classes = {
        "met": "govuk-tag--green",
        "partly_met": "govuk-tag--yellow",
        "not_met": "govuk-tag--red",
    }.get(outcome, "govuk-tag--grey")
    return {"classes": classes}


def _field(
    question: Question,
    value: Any,
    na_ticked: bool,
    hint: dict[str, str] | None,
    error: dict[str, str] | None,
) -> tuple[str, dict[str, Any], dict[str, Any] | None]:
    qid = question.id
    name = f"answer-{qid}"
    legend = {"text": _legend(question), "classes": "govuk-fieldset__legend--s"}
    if question.type in ("yes_no", "choice"):
        if question.type == "yes_no":
            pairs = [("yes", "Yes")]
            if question.allow_partly:
                pairs.append(("partly", "Partly"))
            pairs.append(("no", "No"))
        else:
            pairs = [(o.value, o.label) for o in question.options]
        items: list[dict[str, Any]] = [
            {"value": v, "text": t, "checked": value == v} for v, t in pairs
        ]
        if question.allow_na:
            items.append(
                {"value": NOT_APPLICABLE, "text": "Not applicable", "checked": value == "na"}
            )
        return (
            "radios",
            {
                "name": name,
                "idPrefix": name,
                "fieldset": {"legend": legend},
                "hint": hint,
                "errorMessage": error,
                "items": items,
                "classes": "govuk-radios--small"
                + (" govuk-radios--inline" if question.type == "yes_no" else ""),
            },
            None,
        )
    if question.type == "checklist":
        ticked = value if isinstance(value, list) else []
        items = [
            {"value": o.value, "text": o.label, "checked": o.value in ticked}
            for o in question.options
        ]
        items.append({"divider": "or"})
        items.append(
            {
                "value": NONE_TICKED,
                "text": "None of these",
                "checked": NONE_TICKED in ticked,
                "behaviour": "exclusive",
            }
        )
        if question.allow_na:
            items.append(
                {
                    "value": NOT_APPLICABLE,
                    "text": "Not applicable",
                    "checked": NOT_APPLICABLE in ticked,
                    "behaviour": "exclusive",
                }
            )
        return (
            "checkboxes",
            {
                "name": name,
                "idPrefix": name,
                "fieldset": {"legend": legend},
                "hint": hint,
                "errorMessage": error,
                "items": items,
                "classes": "govuk-checkboxes--small",
            },
            None,
        )
    if question.type == "derived":
        return "derived", {"legend": _legend(question)}, None
    label = {"text": _legend(question), "classes": "govuk-label--s"}
    na_params = None
    if question.allow_na:
        na_params = {
            "name": f"na-{qid}",
            "idPrefix": f"na-{qid}",
            "classes": "govuk-checkboxes--small",
            "items": [{"value": NOT_APPLICABLE, "text": "Not applicable", "checked": na_ticked}],
        }
    if question.type in _DATE_KINDS:
        return "date", _date_input(question, value, legend, hint, error), na_params
    if question.type == "text":
        return (
            "textarea",
            {
                "name": name,
                "id": name,
                "label": label,
                "hint": hint,
                "errorMessage": error,
                "value": value or "",
                "rows": 3,
                "attributes": dict(PERSONAL_DATA_ATTRIBUTES),
            },
            na_params,
        )
    params: dict[str, Any] = {
        "name": name,
        "id": name,
        "type": "text",
        "label": label,
        "hint": hint,
        "errorMessage": error,
        "value": value or "",
        "spellcheck": False,
    }
    if question.type == "number":
        params["inputmode"] = "decimal" if not question.whole_number else "numeric"
        params["classes"] = "govuk-input--width-5"
    else:
        params["classes"] = "govuk-input--width-20"
    return "input", params, na_params


def _date_input(
    question: Question,
    fields: dict[str, str],
    legend: dict[str, str],
    hint: dict[str, str] | None,
    error: dict[str, str] | None,
) -> dict[str, Any]:
    """govukDateInput parameters: day, month and year, then hour and minute (24-hour clock).

    The day field's id is ``answer-<id>``, so the error summary's link lands on it.
    """
    qid = question.id
    items = []
    for part in date_parts(question):
        width = "govuk-input--width-4" if part == "year" else "govuk-input--width-2"
        items.append(
            {
                "name": f"{part}-{qid}",
                "id": f"answer-{qid}" if part == "day" else f"answer-{qid}-{part}",
                "label": _PART_LABELS[part],
                "value": fields.get(part, ""),
                "classes": width + (" govuk-input--error" if error else ""),
                "inputmode": "numeric",
                "attributes": {"data-date-part": part},
            }
        )
    return {
        "id": f"date-{qid}",
        "fieldset": {"legend": legend},
        "hint": hint,
        "errorMessage": error,
        "items": items,
        "classes": "app-date-input--with-time" if question.type == "datetime" else "",
    }


def section_views(
    state: AnswersState,
    *,
    posted: Mapping[str, PostedAnswer] | None = None,
    errors: Mapping[str, str] | None = None,
    conflicts: Mapping[str, AnswerConflict] | None = None,
    note_errors: Mapping[str, str] | None = None,
) -> list[SectionView]:
    """Every section and question of the form; posted values shown where they were refused."""
    errors = errors or {}
    conflicts = conflicts or {}
    note_errors = note_errors or {}
    views = []
    for section in state.sections:
        view = SectionView(section.id, section.title)
        for question in section.questions:
            refused = any(question.id in found for found in (errors, conflicts, note_errors))
            item = posted.get(question.id) if posted and refused else None
            raw: Any = item.value if item else None
            if item and question.type == "checklist" and isinstance(raw, (list, tuple)):
                raw = list(raw)
            view.questions.append(
                question_view(
                    state,
                    question,
                    raw=raw,
                    raw_note=item.note if item else None,
                    use_raw=item is not None,
                    error=errors.get(question.id),
                    conflict=conflicts.get(question.id),
                    note_error=note_errors.get(question.id),
                )
            )
        views.append(view)
    return views


def error_list(
    errors: Mapping[str, str],
    conflicts: Mapping[str, AnswerConflict],
    note_errors: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """govukErrorSummary items linking to each refused question (or note)."""
    items = [
        {"text": f"{qid}: {message}", "href": f"#answer-{qid}"} for qid, message in errors.items()
    ]
    items += [
        {"text": f"Note on {qid}: {message}", "href": f"#note-{qid}"}
        for qid, message in (note_errors or {}).items()
    ]
    items += [
        {
            "text": f"{qid}: someone else changed this while you were editing: check it",
            "href": f"#question-{qid}",
        }
        for qid in conflicts
    ]
    return items


def read_only_rows(
    state: FormState, section_id: str, change_url: str | None = None
) -> list[dict[str, Any]]:
    """govukSummaryList rows of one section's visible answers (with notes), each worded by
    ``answer_words``; with ``change_url`` (the case form), a "Change" link to each question."""
    section = next(s for s in state.sections if s.id == section_id)
    rows = []
    for q in section.questions:
        if q.id not in state.visible:
            continue
        if q.type == "derived":
            outcome = state.outcome(q.id)
            text = f"{outcome.outcome.label}: {outcome.detail}"
        else:
            text = answer_words(q, state.values.get(q.id))
        note = state.notes.get(q.id)
        html = escape(text)
        if note:
            html += Markup('<p class="govuk-body-s app-note-read">Note: {}</p>').format(note)
        row: dict[str, Any] = {"key": {"text": f"{q.id}. {q.text}"}, "value": {"html": html}}
        if change_url and q.type != "derived":  # a derived answer is worked out, not changed
            row["actions"] = {
                "items": [
                    {
                        "href": f"{change_url}#question-{q.id}",
                        "text": "Change",
                        "visuallyHiddenText": f"the answer to {q.id}",
                    }
                ]
            }
        rows.append(row)
    return rows
