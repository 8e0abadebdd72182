"""Forms of the evidence area: evidence-log entries, actions, updates, confirmations."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
)
from wtforms import (
    Field,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, ValidationError

from auditapp.domain.action_plans import ActionStatus
from auditapp.domain.evidence import EvidenceKind, Figure, FigureError, parse_figures
from auditapp.form_fields import free_text_field
from auditapp.inspections.forms import GovDateField
from auditapp.services.action_plans import OWNER_MAX, TEXT_MAX
from auditapp.services.evidence_log import DESCRIPTION_MAX, SOURCE_MAX
from auditapp.validators import CheckedForm, NoPersonalData


def _date_field(label: str, hint: str) -> GovDateField:
    return GovDateField(
        label,
        widget=GovDateInput(),
        format="%d %m %Y",
        description=hint,
        validators=[InputRequired(message=f"Enter the {label.lower()} as a real date")],
    )


class EvidenceEntryForm(CheckedForm):
    """One entry of the evidence log."""

    kind = RadioField(
        "Kind of evidence",
        widget=GovRadioInput(),
        choices=[SelectChoice(kind.value, kind.label) for kind in EvidenceKind],
        validators=[InputRequired(message="Select the kind of evidence")],
    )
    held_on = _date_field("Date", "When it was examined, held or quoted. For example, 7 9 2022")
    source = free_text_field(
        "Source",
        "source",
        SOURCE_MAX,
        required="Enter the source",
        name="Source",
        description="A document's title, or who took part by role, for example “demand hub "
        "supervisors”. No names.",
        one_line=True,
    )
    description = free_text_field(
        "Short description",
        "description",
        DESCRIPTION_MAX,
        required="Enter a short description",
        name="Description",
        description="What it shows, in the words the report may use. No personal data.",
    )
    figures = TextAreaField(
        "Figures (optional)",
        widget=GovTextArea(),
        description="One a line: the number, what it counts, then a comma and the date if it "
        "is not the entry's date. For example, “48 medium-priority cases not yet visited, "
        "9 September 2022”.",
        validators=[NoPersonalData("figure")],
    )
    recommendations = SelectMultipleField(
        "Recommendations it evidences", widget=GovCheckboxesInput(), coerce=int, choices=[]
    )
    chapters = SelectMultipleField("Chapters it evidences", widget=GovCheckboxesInput(), choices=[])
    submit = SubmitField("Save entry", widget=GovSubmitInput())

    parsed_figures: list[Figure]

    def validate_figures(self, field: Field) -> None:
        """Read the figures, naming the line that cannot be read."""
        self.parsed_figures = []
        if self.held_on.data is None:
            return
        try:
            self.parsed_figures = parse_figures(field.data or "", self.held_on.data)
        except FigureError as error:
            raise ValidationError(str(error)) from None


class ActionForm(CheckedForm):
    """An action of the force's plan on one recommendation."""

    recommendation = SelectField(
        "Recommendation", widget=GovSelect(), coerce=int, choices=[], validate_choice=True
    )
    description = free_text_field(
        "Action",
        "action",
        TEXT_MAX,
        required="Enter the action",
        name="Action",
        description="What the force will do.",
    )
    owner = free_text_field(
        "Owner",
        "owner",
        OWNER_MAX,
        required="Enter the owner's role",
        name="Owner",
        description="A role, not a person's name. For example, “Head of Public Protection”.",
        one_line=True,
    )
    submit = SubmitField("Save action", widget=GovSubmitInput())


def status_choices(lead: bool) -> list[SelectChoice]:
    """The statuses a user may set: only a lead records the inspectorate's verification."""
    statuses = [s for s in ActionStatus if lead or s is not ActionStatus.VERIFIED]
    return [SelectChoice("", "No change"), *(SelectChoice(s.value, s.label) for s in statuses)]


class ActionUpdateForm(CheckedForm):
    """A dated update on an action, optionally with a new status."""

    given_on = _date_field("Date of the update", "For example, 9 9 2022")
    text = free_text_field("Update", "update", TEXT_MAX, required="Enter the update", name="Update")
    # Any status passes the form; the service refuses "verified" from anyone but a lead (403).
    status = RadioField(
        "Status", widget=GovRadioInput(), choices=status_choices(True), validate_choice=False
    )
    submit = SubmitField("Add update", widget=GovSubmitInput())

    def validate_status(self, field: Field) -> None:
        """No change, or one of the statuses."""
        if field.data and field.data not in {s.value for s in ActionStatus}:
            raise ValidationError("Select the action's status")

    def __init__(self, *args: Any, lead: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = status_choices(lead)
        if self.status.data is None:
            self.status.data = ""


class ConfirmDeleteForm(FlaskForm):
    """Confirm a deletion."""

    submit = SubmitField("Yes, delete it", widget=GovSubmitInput())
