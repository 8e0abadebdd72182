"""Forms of the moderation area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from auditapp.domain.grades import Grade
from auditapp.form_fields import free_text_field
from auditapp.services.moderation import REASON_MAX_LENGTH, STATUS_FILTERS, QueueStatus
from auditapp.validators import CheckedForm, NoPersonalData

GRADE_CHOICES = [(grade.value, grade.label) for grade in Grade]
FOR_LEADS = "The auditor and other leads will read this."


def _moderation_text(label: str, what: str, **options: Any) -> TextAreaField:
    """A comment, reason or note of a moderation decision (checked for personal data)."""
    return free_text_field(label, what, REASON_MAX_LENGTH, **options)


class QueueFilterForm(FlaskForm):
    """The queue's filters, sent as GET parameters (nothing changes, so no CSRF token)."""

    class Meta:
        csrf = False

    case_type = SelectField("Case type", widget=GovSelect(), validators=[Optional()])
    auditor = SelectField("Auditor", widget=GovSelect(), validators=[Optional()])
    grade = SelectField(
        "Auditor's grade",
        widget=GovSelect(),
        choices=[("", "Any grade"), *GRADE_CHOICES],
        validators=[Optional()],
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=list(STATUS_FILTERS.items()),
        default=QueueStatus.SUBMITTED.value,
        validators=[Optional()],
    )
    submit = SubmitField("Apply filters", widget=GovSubmitInput())


class AgreeForm(CheckedForm):
    """Agree with the auditor's grade, with an optional comment."""

    comment = _moderation_text(
        "Comment (optional)", "comment", optional=True, description=FOR_LEADS
    )
    submit = SubmitField("Agree with the auditor's grade", widget=GovSubmitInput())


class ChangeGradeForm(CheckedForm):
    """A different final grade, and why (only the grades the rule allows are offered).

    Choosing the auditor's own grade is agreeing: the reason is then an optional comment.
    """

    auditor_grade: str | None = None  # set by the view: the grade being moderated

    grade = RadioField(
        "Moderated grade",
        widget=GovRadioInput(),
        choices=GRADE_CHOICES,
        validators=[InputRequired(message="Choose the moderated grade")],
    )
    # Not required here: validate_reason decides, so an empty reason must reach it.
    reason = _moderation_text("Reason for changing the grade", "reason", description=FOR_LEADS)
    submit = SubmitField("Change the grade", widget=GovSubmitInput())

    def offer(self, grades: Iterable[Grade], auditor_grade: str | None) -> None:
        """Offer only these grades; ``auditor_grade`` is the grade agreeing would keep."""
        self.grade.choices = [(grade.value, grade.label) for grade in grades]
        self.auditor_grade = auditor_grade

    def validate_reason(self, field: TextAreaField) -> None:
        """A reason is needed unless the grade chosen is the auditor's own (agreeing)."""
        if self.grade.data != self.auditor_grade and not (field.data or "").strip():
            raise ValidationError("Enter the reason for changing the grade")


class ReturnToAuditorForm(CheckedForm):
    """Send the case back to its auditor with a comment."""

    comment = _moderation_text(
        "Comment for the auditor",
        "comment",
        required="Enter a comment for the auditor",
        description="Say what to look at again. The case becomes editable for its auditor.",
    )
    submit = SubmitField("Return to the auditor", widget=GovSubmitInput())


class PolicyForm(FlaskForm):
    """The inspection's moderation policy."""

    all_inadequate = BooleanField("Moderate every inadequate case", widget=GovCheckboxInput())
    all_disagreements = BooleanField(
        "Moderate every case where the auditor's proposed grade differs from the computed grade",
        widget=GovCheckboxInput(),
    )
    min_percent_per_auditor = IntegerField(
        "Percentage of each auditor's submitted cases to moderate",
        widget=GovTextInput(),
        description="A whole number from 0 to 100. 0 switches this part off.",
        validators=[
            InputRequired(message="Enter a percentage from 0 to 100"),
            NumberRange(min=0, max=100, message="Enter a percentage from 0 to 100"),
        ],
    )
    submit = SubmitField("Save policy", widget=GovSubmitInput())


class SecondAuditRequestForm(FlaskForm):
    """Choose the auditor of a blind second audit."""

    auditor = SelectField(
        "Second auditor",
        widget=GovSelect(),
        description="They will audit the case without seeing the first audit.",
        validators=[DataRequired(message="Choose the second auditor")],
    )
    submit = SubmitField("Ask for a second audit", widget=GovSubmitInput())


class ReconcileAnswerForm(CheckedForm):
    """Which answer stands on one question the two audits answered differently, and why."""

    source = RadioField(
        "Which answer stands?",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose which answer stands")],
    )
    agreed_choice = SelectField(
        "The agreed answer",
        widget=GovSelect(),
        description="Only when you choose an answer agreed with both auditors.",
        validators=[Optional()],
    )
    agreed_text = StringField(
        "The agreed answer",
        widget=GovTextInput(),
        description="Only when you choose an answer agreed with both auditors.",
        validators=[Optional(), Length(max=REASON_MAX_LENGTH), NoPersonalData("answer")],
    )
    reason = _moderation_text(
        "Why this answer stands",
        "reason",
        required="Enter the reason this answer stands",
        description="The auditors and other leads will read this.",
    )
    submit = SubmitField("Save the decision", widget=GovSubmitInput())


class ResolveByAnswersForm(CheckedForm):
    """Resolve a second audit with the grade of the reconciled answers."""

    note = _moderation_text(
        "How the differences were resolved",
        "note",
        required="Enter a note on how the differences were resolved",
    )
    submit = SubmitField("Resolve with this grade", widget=GovSubmitInput())
