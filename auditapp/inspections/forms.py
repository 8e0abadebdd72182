"""Forms for inspection set-up, case list import, sampling and assignment."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from auditapp.auth.forms import name_field
from auditapp.models import InspectionKind, InspectionRole


class GovDateField(DateField):
    """A day / month / year date whose posted parts always number three.

    govuk-frontend-wtf's GovDateInput redisplays what was posted by unpacking exactly three
    values; a request with the parts missing (or extra) must get a message, not a server error.
    """

    raw_data: list[str] | None  # set by wtforms.Field.process: the posted parts, if any

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        """Read the posted parts, then pad or trim them to day, month and year for redisplay."""
        super().process(formdata, data, extra_filters)
        if self.raw_data is not None:
            self.raw_data = [*self.raw_data, "", "", ""][:3]


KIND_CHOICES = [SelectChoice(kind.value, kind.label) for kind in InspectionKind]
ROLE_CHOICES = [SelectChoice(role.value, role.label) for role in InspectionRole]
ROLE_HINTS = {
    "lead": "Sets up the inspection, samples, assigns and moderates cases",
    "auditor": "Audits the cases assigned to them",
    "observer": "Sees the inspection's figures, changes nothing",
}


def choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _optional_int(value: str | int | None) -> int | None:
    # WTForms coerces the posted string, the object's data and each choice's value.
    if value is None or value in ("", "None"):
        return None
    return int(value)


class InspectionForm(FlaskForm):
    """An inspection's details (the lead's email only when creating)."""

    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="For example, Post-inspection review 2022",
        validators=[
            DataRequired(message="Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
        ],
    )
    force = StringField(
        "Force",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the force inspected"),
            Length(max=120, message="Force must be 120 characters or fewer"),
        ],
    )
    kind = RadioField(
        "Kind of inspection",
        widget=GovRadioInput(),
        choices=KIND_CHOICES,
        validators=[DataRequired(message="Select the kind of inspection")],
    )
    start_date = GovDateField(
        "Start date",
        widget=GovDateInput(),
        format="%d %m %Y",
        description="For example, 5 9 2022",
        validators=[Optional()],
    )
    end_date = GovDateField(
        "End date",
        widget=GovDateInput(),
        format="%d %m %Y",
        validators=[Optional()],
    )
    baseline_id = SelectField(
        "Baseline inspection",
        widget=GovSelect(),
        description="The earlier inspection whose recommendations this one follows up",
        coerce=_optional_int,
        validators=[Optional()],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class EditInspectionForm(InspectionForm):
    """An inspection's details and the settings its lead may change."""

    published_on = GovDateField(
        "Report published",
        widget=GovDateInput(),
        format="%d %m %Y",
        description=(
            "The day the inspection's report was published. The timescales of its "
            "recommendations run from it, so the force's actions get due dates."
        ),
        validators=[Optional()],
    )

    progress_min_cases = IntegerField(
        "Fewest cases for a progress suggestion",
        widget=GovTextInput(),
        description=(
            "A recommendation's suggested progress judgement needs at least this many cases "
            'at the baseline and now; below it the suggestion is "insufficient evidence to '
            'judge". The default is 5.'
        ),
        validators=[
            InputRequired(message="Enter the fewest cases for a progress suggestion"),
            NumberRange(
                min=1, max=1000, message="Fewest cases must be a whole number from 1 to 1,000"
            ),
        ],
    )


class CreateInspectionForm(InspectionForm):
    """A new inspection and the lead who runs it."""

    lead_email = EmailField(
        "Lead's email address",
        widget=GovTextInput(),
        description="The account must exist already. The lead can then add the team.",
        validators=[DataRequired(message="Enter the lead's email address")],
    )
    submit = SubmitField("Create inspection", widget=GovSubmitInput())


class AddMemberForm(FlaskForm):
    """An existing user, by email, and their role."""

    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter the email address of the person to add")],
    )
    role = RadioField(
        "Role in this inspection",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        default=InspectionRole.AUDITOR.value,
        validators=[DataRequired(message="Select a role")],
    )
    submit = SubmitField("Add member", widget=GovSubmitInput())


class InviteMemberForm(FlaskForm):
    """Someone without an account: their name, email and role (posted with prefix "invite")."""

    name = name_field("Full name", "As colleagues will see it on cases and in the history.")
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the email address of the person to invite"),
            Length(max=254, message="Email address must be 254 characters or fewer"),
        ],
    )
    role = RadioField(
        "Role in this inspection",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        default=InspectionRole.AUDITOR.value,
        validators=[DataRequired(message="Select a role")],
    )
    submit = SubmitField("Invite and add", widget=GovSubmitInput())


class MemberRoleForm(FlaskForm):
    """A new role for one member."""

    role = SelectField(
        "Role",
        widget=GovSelect(),
        choices=ROLE_CHOICES,
        validators=[DataRequired(message="Select a role")],
    )
    submit = SubmitField("Change role", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A button with a CSRF token (remove a member, and similar)."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class QuestionSetChoicesForm(FlaskForm):
    """CSRF only: the route reads the ticked "in_scope" case type ids and, for each, the
    version select named case_type_<id>."""

    submit = SubmitField("Save case types and question sets", widget=GovSubmitInput())


class UploadCaseListForm(FlaskForm):
    """The force's case list."""

    file = FileField(
        "Case list",
        widget=GovFileInput(),
        description="A CSV or XLSX file, up to {mb} MB, with a row of headings. You choose "
        "the columns and match the case types next.",
        validators=[
            FileRequired(message="Choose a CSV or XLSX file"),
            FileAllowed(["csv", "xlsx"], message="The file must be a CSV or XLSX file"),
        ],
    )
    submit = SubmitField("Upload and preview", widget=GovSubmitInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The size limit is the app's (config.py MAX_UPLOAD_MB).
        self.file.description = self.file.description.format(mb=current_app.config["MAX_UPLOAD_MB"])


class DrawSampleForm(FlaskForm):
    """Draw every case type at once: one size per type (fields size-<case type id>), one seed.

    The sizes are read by the route from the posted ``size-<id>`` fields, one per case type
    in the frames, so the form holds only what all types share.
    """

    stratify_by = SelectField(
        "Stratify by (optional)",
        widget=GovSelect(),
        description="Keep the sample's proportions in this column the same as the case list's, "
        "for every case type drawn",
        validators=[Optional()],
    )
    seed = IntegerField(
        "Seed",
        widget=GovTextInput(),
        description="Chosen at random; change it to repeat an earlier draw. The seed is "
        "recorded: the same seed and the same cases give the same sample.",
        validators=[
            Optional(),
            NumberRange(min=0, max=2_147_483_647, message="Enter a whole number, 0 or more"),
        ],
    )
    submit = SubmitField("Draw every case type", widget=GovSubmitInput())


class UndoDrawForm(FlaskForm):
    """Undo one draw (CSRF only)."""


class SizeHelpForm(FlaskForm):
    """GET form of the sample-size helper (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    margin = IntegerField(
        "Margin, in percentage points",
        widget=GovTextInput(),
        default=10,
        validators=[
            Optional(),
            NumberRange(min=1, max=50, message="Enter a margin between 1 and 50"),
        ],
    )
    check_size = IntegerField(
        "A sample size to check (optional)",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(min=1, message="Enter a size of 1 or more")],
    )


class CaseSelectionForm(FlaskForm):
    """Cases ticked in a table (checkbox per row, named case_ids) and what to do with them."""

    case_ids = SelectMultipleField(coerce=int, validate_choice=False)
    action = SelectField(choices=[SelectChoice("add"), SelectChoice("remove")])


class AssignForm(FlaskForm):
    """Sampled cases ticked in a table, and who gets them."""

    case_ids = SelectMultipleField(coerce=int, validate_choice=False)
    auditor_id = SelectField(
        "Auditor",
        widget=GovSelect(),
        coerce=_optional_int,
        validate_choice=False,  # the service refuses non-auditors with a message
        validators=[Optional()],
    )
    action = SelectField(
        choices=[
            SelectChoice("assign"),
            SelectChoice("assign_matching"),
            SelectChoice("balance"),
            SelectChoice("balance_matching"),
            SelectChoice("balance_all"),
        ]
    )
