"""Forms of the case-list import steps after the upload: columns, labels, check and import.

Their choices come from the uploaded file (its headings, its case-type labels), so they are
set when the form is built; a value outside them is refused by WTForms' choice check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSelect, GovSubmitInput
from wtforms import SelectChoice, SelectField, SelectMultipleField, SubmitField
from wtforms.validators import InputRequired

from auditapp.models import CaseType
from auditapp.services.case_list_mapping import FileLabel

NOT_MAPPED = ""


class MapColumnsForm(FlaskForm):
    """Which column is the reference, the case type and the date; which others to keep."""

    reference = SelectField(
        "Case reference",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the column that holds the case reference")],
    )
    case_type = SelectField(
        "Case type",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the column that holds the case type")],
    )
    date = SelectField(
        "Date",
        widget=GovSelect(),
        validators=[InputRequired(message="Choose the column that holds the date")],
    )
    kept = SelectMultipleField(
        "Other columns to keep",
        widget=GovCheckboxesInput(),
        description="Kept columns can be used to stratify the sample. Tick a column only if "
        "it holds no personal data: no names, dates of birth, addresses, phone numbers or "
        "other personal details. Columns not ticked are not imported.",
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())

    def __init__(self, headers: Sequence[str], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [SelectChoice("", "Choose a column"), *(SelectChoice(h, h) for h in headers)]
        for field in (self.reference, self.case_type, self.date):
            field.choices = choices
        self.kept.choices = [
            SelectChoice(h, f"Keep “{h}”: it holds no personal data") for h in headers
        ]

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        """Also: three different columns, and none of them among the kept ones."""
        valid = super().validate(extra_validators)
        roles = [self.reference.data, self.case_type.data, self.date.data]
        if valid and len(set(roles)) < 3:
            self.date.errors = [
                "The case reference, case type and date must be three different columns"
            ]
            valid = False
        if valid and set(self.kept.data or []) & set(roles):
            self.kept.errors = [
                "Do not tick the case reference, case type or date column: they are always kept"
            ]
            valid = False
        return valid


class ConfirmImportForm(FlaskForm):
    """Check your answers: import the checked list."""

    submit = SubmitField("Import the case list", widget=GovSubmitInput())


class _LabelsForm(FlaskForm):
    submit = SubmitField("Continue", widget=GovSubmitInput())


def labels_form(
    labels: Sequence[FileLabel],
    case_types: Sequence[CaseType],
    chosen: Mapping[str, int],
    **kwargs: Any,
) -> Any:
    """A form with one select per label of the file ("label_0", ...), the chosen type preset.

    Fields are numbered, not named after the labels: a label is the force's free text.
    """

    class MapLabelsForm(_LabelsForm):
        pass

    choices = [
        SelectChoice(NOT_MAPPED, "Not mapped"),
        *(SelectChoice(str(ct.id), ct.name) for ct in case_types),
    ]
    for number, label in enumerate(labels):
        rows = f"{label.rows:,} row{'s' if label.rows != 1 else ''}"
        field = SelectField(
            f"“{label.text}” ({rows})",
            choices=choices,
            default=str(chosen[label.key]) if label.key in chosen else NOT_MAPPED,
            widget=GovSelect(),
        )
        setattr(MapLabelsForm, f"label_{number}", field)
    return MapLabelsForm(**kwargs)


def chosen_labels(form: Any, labels: Sequence[FileLabel]) -> dict[str, int]:
    """The mapped labels from a submitted labels form: label key -> case type id."""
    chosen: dict[str, int] = {}
    for number, label in enumerate(labels):
        value = getattr(form, f"label_{number}").data
        if value and value != NOT_MAPPED:
            chosen[label.key] = int(value)
    return chosen
