"""Forms of the audit area. The case form's questions come from the question set, so the case
form itself only carries the CSRF token and the case version; answers are read by
``presenters.parse_posted``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from auditapp.domain.grades import Grade
from auditapp.domain.question_sets.answers import DATE_PARTS, TIME_PARTS, join_date_parts
from auditapp.domain.question_sets.errors import AnswerError
from auditapp.domain.question_sets.model import Question
from auditapp.services.audit.limits import NARRATIVE_MAX_LENGTH, NOTE_MAX_LENGTH
from auditapp.validators import CheckedForm, NoPersonalData

KEEP_COMPUTED = "computed"
PERSONAL_DATA_WARNING = (
    "Never write names, dates of birth, addresses or anything else that identifies a person: "
    "use the case reference only."
)
UK_TIME = ZoneInfo("Europe/London")
# The date input of "when it was done" is checked by the same rule as a date-and-time answer.
_WHEN_DONE = Question(id="done", section_id="", text="When was it done?", type="datetime")


class SaveAnswersForm(FlaskForm):
    """The whole case form (without JavaScript): the version the page was rendered at."""

    base_version = HiddenField()


class SubmitUngradedCaseForm(FlaskForm):
    """Submit a dip sample's round: it has no grade to keep or propose."""

    submit = SubmitField("Submit case", widget=GovSubmitInput())
    only_computed = True

    def set_choices(self, computed: str | None, allowed: Sequence[Grade] = tuple(Grade)) -> None:
        """Nothing to choose: a dip sample is not graded."""

    @property
    def proposed_grade(self) -> str | None:
        """Never a grade: a dip sample is not graded."""
        return None

    @property
    def reason_text(self) -> str | None:
        """No reason: nothing is proposed."""
        return None

    def add_reason_error(self, message: str) -> None:
        """Show a refusal of the submission (the service's message) at the top of the page."""
        self.submit.errors = [*self.submit.errors, message]


class SubmitCaseForm(CheckedForm):
    """Keep the worked-out grade or propose another with a reason, then submit."""

    grade_choice = RadioField(
        "Which grade do you give this case?",
        widget=GovRadioInput(),
        validators=[InputRequired(message="Choose the grade you give this case")],
    )
    reason = TextAreaField(
        "Why do you propose a different grade?",
        widget=GovTextArea(),
        description="Required when you propose a grade different from the one worked out. "
        + PERSONAL_DATA_WARNING,
        validators=[
            Optional(),
            Length(max=NARRATIVE_MAX_LENGTH, message="Reason must be 5,000 characters or fewer"),
            NoPersonalData("reason"),
        ],
    )
    submit = SubmitField("Submit case", widget=GovSubmitInput())

    def set_choices(self, computed: str | None, allowed: Sequence[Grade] = tuple(Grade)) -> None:
        """Offer the worked-out grade first, then every other grade the rule allows."""
        choices: list[SelectChoice] = []
        if computed:
            choices.append(
                SelectChoice(KEEP_COMPUTED, f"{Grade(computed).label} (the grade worked out)")
            )
        choices += [
            SelectChoice(g.value, f"Propose {g.label.lower()}")
            for g in allowed
            if g.value != computed
        ]
        self.grade_choice.choices = choices

    @property
    def only_computed(self) -> bool:
        """Nothing to propose: the worked-out grade is the only one the rule allows."""
        return [choice.value for choice in self.grade_choice.choices] == [KEEP_COMPUTED]

    @property
    def proposed_grade(self) -> str | None:
        """The grade proposed, or None to keep the worked-out one."""
        value = self.grade_choice.data
        return None if value in (None, "", KEEP_COMPUTED) else value

    @property
    def reason_text(self) -> str | None:
        """The reason typed for proposing a different grade."""
        return self.reason.data

    def add_reason_error(self, message: str) -> None:
        """Show a refusal of the proposal (the service's message) on the reason field."""
        self.reason.errors = [*self.reason.errors, message]


class CaseStudyForm(CheckedForm):
    """Flag a case as a case study, with a short narrative."""

    is_case_study = RadioField(
        "Is this case a case study for the report?",
        widget=GovRadioInput(),
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validators=[InputRequired(message="Select yes if this case is a case study")],
    )
    narrative = TextAreaField(
        "Case study narrative",
        widget=GovTextArea(),
        description="A short account of what the case shows, as a report would tell it. "
        + PERSONAL_DATA_WARNING,
        validators=[
            Optional(),
            Length(max=NARRATIVE_MAX_LENGTH, message="Narrative must be 5,000 characters or fewer"),
            NoPersonalData("narrative"),
        ],
    )
    submit = SubmitField("Save case study", widget=GovSubmitInput())


class CurrentRiskForm(CheckedForm):
    """Flag a child at current risk with what the auditor saw."""

    note = TextAreaField(
        "What did you see that shows a child is at current risk?",
        widget=GovTextArea(),
        description="Leads raise this with the force at once. Say what in the case file shows "
        "the risk and where. " + PERSONAL_DATA_WARNING,
        validators=[
            DataRequired(message="Describe what you saw that shows a child is at current risk"),
            Length(max=NOTE_MAX_LENGTH, message="Description must be 5,000 characters or fewer"),
            NoPersonalData("description"),
        ],
    )
    submit = SubmitField("Flag child at current risk", widget=GovSubmitInput())


class RemoveRiskForm(CheckedForm):
    """A lead removes a current-risk flag with a reason."""

    reason = TextAreaField(
        "Why is the flag being removed?",
        widget=GovTextArea(),
        description="The case is regraded without the flag. " + PERSONAL_DATA_WARNING,
        validators=[
            DataRequired(message="Give the reason for removing the flag"),
            Length(max=NOTE_MAX_LENGTH, message="Reason must be 5,000 characters or fewer"),
            NoPersonalData("reason"),
        ],
    )
    submit = SubmitField("Remove flag", widget=GovSubmitInput())


class AcknowledgeConcernForm(CheckedForm):
    """A lead acknowledges an urgent concern: what was done, and when (GOV.UK date input)."""

    action = TextAreaField(
        "What was done about it?",
        widget=GovTextArea(),
        description="For example, passed to the force's duty inspector. " + PERSONAL_DATA_WARNING,
        validators=[
            DataRequired(message="Say what was done about the concern"),
            Length(max=NOTE_MAX_LENGTH, message="What was done must be 5,000 characters or fewer"),
            NoPersonalData("account"),
        ],
    )
    day = StringField("Day")
    month = StringField("Month")
    year = StringField("Year")
    hour = StringField("Hour")
    minute = StringField("Minute")
    submit = SubmitField("Acknowledge the concern", widget=GovSubmitInput())

    def done_at(self) -> datetime:
        """The date and time typed (UK time) as a UTC datetime; AnswerError when not real."""
        parts = {name: getattr(self, name).data for name in (*DATE_PARTS, *TIME_PARTS)}
        stored = join_date_parts(_WHEN_DONE, parts)
        if stored is None:
            raise AnswerError("Enter the date and time it was done")
        local = datetime.strptime(stored, "%Y-%m-%dT%H:%M").replace(tzinfo=UK_TIME)
        return local.astimezone(UTC)


class ConcernActionForm(FlaskForm):
    """A button on the concerns page (CSRF token only)."""


class RedactTextForm(CheckedForm):
    """A lead redacts one free text of a case (every version of it), with a reason."""

    text = HiddenField()
    reason = TextAreaField(
        "Why are you redacting this text?",
        widget=GovTextArea(),
        description="Shown where the text was, with your name and the date, for example "
        "“personal details typed by mistake”. " + PERSONAL_DATA_WARNING,
        validators=[
            DataRequired(message="Enter the reason for redacting the text"),
            Length(max=500, message="Reason must be 500 characters or fewer"),
            NoPersonalData("reason"),
        ],
    )
    submit = SubmitField("Redact this text", widget=GovSubmitInput())
