"""The builder's question form: a field per questions-sheet column, and the question's options.

The form is made from ``QUESTION_COLUMNS`` (the spreadsheet layout, which has a column for every
key of the format), so a key added to the format shows up here with its help text: a yes/no
column as a checkbox, a condition as a question and its values, a column naming another
question as a list of the set's questions, the recommendations as the baseline's, anything else
as text written as in the spreadsheet. What the form posts becomes the cells of one row, read by
the spreadsheet's own reader (``question_from_cells``) and checked by the one validation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields as dataclass_fields
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from auditapp.admin.question_set_draft_forms import IDENTIFIER, TYPE_CHOICES, _weight
from auditapp.domain.question_set_builder import question_cells
from auditapp.domain.question_sets import TEXT_MAX_LENGTH, Question
from auditapp.domain.question_sets.spreadsheet_layout import QUESTION_COLUMNS, Column

# Friendlier labels for the columns there are now; a new column is labelled by its name.
LABELS = {
    "text": "Question",
    "guidance": "Guidance for the auditor",
    "show_if": "Show only when this earlier question",
    "required": "Required: left empty, the grade is provisional",
    "allow_na": "Offer 'not applicable'",
    "allow_partly": "Offer 'partly' (yes/no questions)",
    "graded": "Graded: the answer counts toward the case's grade",
    "critical": "Critical: not met makes the case inadequate",
    "weight": "Weight",
    "met_when": "Checklist: met when this many are ticked",
    "partly_when": "Checklist: partly met when this many are ticked",
    "whole_number": "Whole numbers only (number questions)",
    "recommendations": "Recommendations it evidences",
    "check_start": "Timeliness check: measured from",
    "check_end": "Timeliness check: measured to",
    "check_within": "Met within",
    "check_partly_within": "Partly met within",
    "check_within_by": "Time allowed depends on the answer to",
    "check_thresholds": "Time allowed for each answer",
}
OUTCOME_CHOICES = [
    SelectChoice("", "No outcome (checklist, or a choice that is not judged)"),
    SelectChoice("met", "Met"),
    SelectChoice("partly_met", "Partly met"),
    SelectChoice("not_met", "Not met"),
    SelectChoice("not_applicable", "Not applicable"),
]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
NEW_SECTION = "__new__"
BLANK_OPTION_ROWS = 3
# Defaults of the yes/no keys: a key at its default is left out of the data, as files do.
_DEFAULTS = {f.name: f.default for f in dataclass_fields(Question)}
# Columns the form handles itself, not as cells.
_OWN = ("type", "id")


def _is_reference(column: Column) -> bool:
    """A text column that names another question (``check.start``, ``within_by.question``)."""
    return column.kind == "text" and column.key[-1] in ("start", "end", "question")


def builder_columns() -> tuple[Column, ...]:
    """The columns the form has a field for."""
    return tuple(c for c in QUESTION_COLUMNS if c.name not in _OWN)


class OptionRowForm(Form):
    """One option: its stored value, its label and (choice questions) its outcome."""

    value = StringField("Value", widget=GovTextInput(), validators=[Optional(), Length(max=60)])
    label = StringField("Label", widget=GovTextInput(), validators=[Optional(), Length(max=500)])
    outcome = SelectField(
        "Outcome", widget=GovSelect(), choices=OUTCOME_CHOICES, validate_choice=False
    )


class QuestionFormBase(FlaskForm):
    """The fields every question form has; ``question_form_class`` adds one per column."""

    type = SelectField(
        "Answer type", widget=GovSelect(), choices=TYPE_CHOICES, validators=[DataRequired()]
    )
    submit = SubmitField("Save the question", widget=GovSubmitInput())
    options: Any
    columns: tuple[Column, ...] = ()

    def option_data(self) -> tuple[list[dict[str, str]], list[int]]:
        """The filled option rows as data, and the form row each came from."""
        options, rows = [], []
        for row, entry in enumerate(self.options):
            value = (entry.value.data or "").strip()
            label = (entry["label"].data or "").strip()
            if not value and not label:
                continue  # a blank row adds nothing; blanking a row removes its option
            option = {"value": value, "label": label}
            if entry.outcome.data:
                option["outcome"] = entry.outcome.data
            options.append(option)
            rows.append(row)
        return options, rows

    def cells(self) -> dict[str, object]:
        """What the form posts as the cells of a questions-sheet row."""
        cells: dict[str, object] = {"type": self.type.data}
        for column in self.columns:
            field = self[column.name]
            if column.kind == "boolean":
                # Neither chosen, or the default chosen: left out, as a file leaves it (a key
                # at its default may not even be allowed on this type: allow_partly).
                chosen = {"yes": True, "y": True, "no": False}.get(field.data or "")
                key = column.key[-1]
                if chosen is not None and (key == "graded" or chosen != _DEFAULTS.get(key)):
                    cells[column.name] = "yes" if chosen else "no"
            elif column.kind == "condition":
                equals = (self[f"{column.name}_equals"].data or "").strip()
                if field.data or equals:
                    cells[column.name] = f"{field.data or ''} = {equals}"
            elif column.kind == "list" and isinstance(field.data, list):
                cells[column.name] = ", ".join(field.data)
            else:
                cells[column.name] = (field.data or "").strip()
        return cells


class NewQuestionFields(QuestionFormBase):
    """Where a new question goes, and its id."""

    section = SelectField(
        "Section", widget=GovSelect(), validators=[DataRequired(message="Choose a section")]
    )
    new_section_id = StringField(
        "New section's id",
        widget=GovTextInput(),
        description="Only for a new section, for example initial-contact",
        validators=[Optional(), IDENTIFIER],
    )
    new_section_title = StringField(
        "New section's title",
        widget=GovTextInput(),
        description="Only for a new section",
        validators=[Optional(), Length(max=200)],
    )
    id = StringField(
        "Question id",
        widget=GovTextInput(),
        description="Unique in the set and kept across versions, for example DA21",
        validators=[DataRequired(message="Enter the question id"), IDENTIFIER],
    )
    submit = SubmitField("Add the question", widget=GovSubmitInput())

    def validate_new_section_id(self, field: StringField) -> None:
        """A new section needs its id."""
        if self.section.data == NEW_SECTION and not field.data:
            from wtforms import ValidationError

            raise ValidationError("Enter the new section's id")

    def validate_new_section_title(self, field: StringField) -> None:
        """A new section needs its title."""
        if self.section.data == NEW_SECTION and not (field.data or "").strip():
            from wtforms import ValidationError

            raise ValidationError("Enter the new section's title")


def _column_field(column: Column) -> Any:
    label = LABELS.get(column.name, column.name.replace("_", " ").capitalize())
    if column.kind == "boolean":
        return RadioField(
            label, widget=GovRadioInput(), choices=YES_NO, description=column.help,
            validate_choice=False,
        )  # fmt: skip
    if column.kind == "list" and column.name == "recommendations":
        return SelectMultipleField(
            label, widget=GovCheckboxesInput(), choices=[], description=column.help,
            validate_choice=False,
        )  # fmt: skip
    if column.kind == "condition" or _is_reference(column):
        return SelectField(
            label, widget=GovSelect(), choices=[], description=column.help, validate_choice=False
        )
    if column.name == "text":
        return TextAreaField(
            label,
            widget=GovTextArea(),
            validators=[DataRequired(message="Enter the question"), Length(max=TEXT_MAX_LENGTH)],
        )
    if column.name == "guidance":
        return TextAreaField(
            label, widget=GovTextArea(), validators=[Optional(), Length(max=TEXT_MAX_LENGTH)]
        )
    validators: list[Any] = [Optional(), Length(max=500)]
    if column.name == "weight":
        validators = [Optional(), _weight]  # blank: the default weight, 1
    return StringField(label, widget=GovTextInput(), description=column.help, validators=validators)


def question_form_class(*, new: bool, option_rows: int) -> type[QuestionFormBase]:
    """A form class with a field per column and ``option_rows`` option rows."""
    columns = builder_columns()
    attrs: dict[str, Any] = {"columns": columns}
    for column in columns:
        attrs[column.name] = _column_field(column)
        if column.kind == "condition":
            attrs[f"{column.name}_equals"] = StringField(
                "Has one of these answers",
                widget=GovTextInput(),
                description="Values separated by commas, for example yes or low, medium",
                validators=[Optional(), Length(max=500)],
            )
    attrs["options"] = FieldList(FormField(OptionRowForm), min_entries=option_rows)
    base = NewQuestionFields if new else QuestionFormBase
    return type("DraftQuestionBuilderForm", (base,), attrs)


def form_data(question: Question | None, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The form's starting values from a question's data (its parsed form fills the yes/no
    boxes a file leaves at their default)."""
    cells = question_cells(raw) if raw else {}
    data: dict[str, Any] = {"type": raw.get("type", "yes_no")}
    for column in builder_columns():
        cell = cells.get(column.name)
        key = column.key[-1]
        if column.kind == "boolean":
            # What the question has now: its key, or what leaving it out means.
            # A new question leaves "graded" to its type's default until one is chosen.
            default = None if question is None and key == "graded" else _DEFAULTS.get(key)
            held = cell == "yes" if cell is not None else getattr(question, key, default)
            data[column.name] = None if held is None else ("yes" if held else "no")
        elif column.kind == "condition":
            question_id, _, equals = str(cell or "").partition("=")
            data[column.name] = question_id.strip()
            data[f"{column.name}_equals"] = equals.strip()
        elif column.kind == "list" and column.name == "recommendations":
            data[column.name] = list(raw.get("recommendations", []))
        else:
            data[column.name] = "" if cell is None else str(cell)
    data["options"] = [
        {"value": o.get("value", ""), "label": o.get("label", ""), "outcome": o.get("outcome", "")}
        for o in raw.get("options", [])
    ]
    return data


def set_choices(
    form: QuestionFormBase,
    *,
    questions: Sequence[tuple[str, str]],
    recommendations: Sequence[tuple[str, str]],
) -> None:
    """Fill the lists: the set's questions (id, text) and the baseline's recommendations."""
    listed = [SelectChoice(qid, f"{qid}: {text[:80]}") for qid, text in questions]
    for column in form.columns:
        field = form[column.name]
        if column.kind == "condition":
            blank = "Always shown" if column.name == "show_if" else "None"
            field.choices = [SelectChoice("", blank), *listed]
        elif _is_reference(column):
            field.choices = [SelectChoice("", "None"), *listed]
        elif column.name == "recommendations":
            codes = {code for code, _ in recommendations}
            kept = [(c, c) for c in (field.data or []) if c not in codes]
            field.choices = [
                SelectChoice(code, f"{code}: {text[:120]}")
                for code, text in [*recommendations, *kept]
            ]


# The form's parts, in order, each a heading and its columns; a column not listed (a key added
# to the format later) goes under "More settings", so it is never left off the form.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("The question", ("text", "guidance")),
    ("Answers", ("allow_na", "allow_partly", "whole_number", "met_when", "partly_when")),
    ("How the answer counts", ("graded", "critical", "weight", "required")),
    ("When the question is shown", ("show_if",)),
    (
        "Timeliness check (timeliness questions only)",
        (
            "check_start",
            "check_end",
            "check_within",
            "check_partly_within",
            "check_within_by",
            "check_thresholds",
        ),
    ),
    ("Recommendations", ("recommendations",)),
)


def field_groups(form: QuestionFormBase) -> list[tuple[str, list[Column]]]:
    """The form's columns under their headings, every column once."""
    by_name = {column.name: column for column in form.columns}
    groups = [(title, [by_name[n] for n in names if n in by_name]) for title, names in GROUPS]
    listed = {name for _, names in GROUPS for name in names}
    more = [column for column in form.columns if column.name not in listed]
    return [*groups, *([("More settings", more)] if more else [])]
