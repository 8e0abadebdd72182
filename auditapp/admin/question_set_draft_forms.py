"""Forms for question-set drafts: start one, replace it with a file, edit it, publish it."""

from __future__ import annotations

import math
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    ValidationError,
)
from wtforms.validators import DataRequired, Length, Regexp

# Words for each answer type, in the order the format lists them.
TYPE_CHOICES = [
    SelectChoice("yes_no", "Yes / no (partly and not applicable as set)"),
    SelectChoice("choice", "Choice of one option"),
    SelectChoice("checklist", "Checklist (tick any)"),
    SelectChoice("number", "Number"),
    SelectChoice("date", "Date"),
    SelectChoice("datetime", "Date and time"),
    SelectChoice("text", "Text"),
    SelectChoice("derived", "Timeliness check (worked out from two dates)"),
]
KIND_CHOICES = [
    SelectChoice("case", "Graded case"),
    SelectChoice("dip_sample", "Dip sample (figures per question, no grade)"),
]
SLUG = Regexp(
    r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
    message="Use lower-case letters, digits and single hyphens, starting with a letter",
)
IDENTIFIER = Regexp(
    r"^[A-Za-z][A-Za-z0-9_-]{0,31}$",
    message="Start with a letter; then letters, digits, hyphens or underscores (up to 32)",
)


def _file_field(description: str) -> FileField:
    return FileField(
        "Question-set file",
        widget=GovFileInput(),
        description=description,
        validators=[
            FileRequired(message="Choose a question-set file"),
            FileAllowed(
                ["yaml", "yml", "xlsx"], message="The file must be a .yaml, .yml or .xlsx file"
            ),
        ],
    )


class NewDraftForm(FlaskForm):
    """A blank draft: the case type and title; questions come later."""

    case_type = StringField(
        "Case type code",
        widget=GovTextInput(),
        description="For example, missing-child. An existing case type's code starts its next "
        "version; a new code starts a new case type.",
        validators=[DataRequired(message="Enter the case type code"), Length(max=60), SLUG],
    )
    case_type_name = StringField(
        "Case type name",
        widget=GovTextInput(),
        description="For example, Missing child episode. An existing case type keeps its name.",
        validators=[DataRequired(message="Enter the case type name"), Length(max=200)],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter a title"), Length(max=200)],
    )
    kind = RadioField(
        "Kind",
        widget=GovRadioInput(),
        choices=KIND_CHOICES,
        default="case",
        validators=[DataRequired(message="Choose the kind of set")],
    )
    submit = SubmitField("Start the draft", widget=GovSubmitInput())


class UploadDraftForm(FlaskForm):
    """A YAML or XLSX file to start a draft from, or to replace a draft with."""

    file = _file_field(
        "A YAML file in the documented format, or a spreadsheet (.xlsx) laid out as the "
        "'Download spreadsheet' link gives one. Its version number is not used: publishing "
        "gives the case type's next version."
    )
    submit = SubmitField("Upload", widget=GovSubmitInput())


def _weight(form: Any, field: StringField) -> None:
    try:
        value = float(field.data or "")
    except ValueError:
        raise ValidationError("Enter the weight as a number, for example 1 or 2.5") from None
    if not math.isfinite(value) or value <= 0:
        raise ValidationError("Enter a weight more than 0, for example 1 or 2.5")


class DraftSectionForm(FlaskForm):
    """A section's title."""

    title = StringField(
        "Section title",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the section title"), Length(max=200)],
    )
    submit = SubmitField("Save the title", widget=GovSubmitInput())


class DraftActionForm(FlaskForm):
    """Just the CSRF token: copying, publishing, discarding and removing need no other input."""
