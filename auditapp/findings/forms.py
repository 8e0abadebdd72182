"""Forms of the findings area: progress judgements, chapter overrides, the chapter rule."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, DecimalField, IntegerField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from auditapp.domain.recommendations import LEAD_JUDGEMENTS, ChapterGrade
from auditapp.validators import CheckedForm, NoPersonalData

NARRATIVE_MAX = 10_000


class RecommendationJudgementForm(CheckedForm):
    """The lead's judgement of progress on one recommendation, with a narrative."""

    judgement = RadioField(
        "Progress on this recommendation",
        widget=GovRadioInput(),
        choices=[(p.value, p.label) for p in LEAD_JUDGEMENTS],
        validators=[InputRequired(message="Choose a judgement")],
    )
    narrative = TextAreaField(
        "Narrative",
        widget=GovTextArea(),
        description="What the evidence shows, in the words the report will use.",
        validators=[
            Length(max=NARRATIVE_MAX, message="Narrative must be 10,000 characters or fewer"),
            NoPersonalData("narrative"),
        ],
    )
    baseline_rate = DecimalField(
        "Baseline met rate (%)",
        widget=GovTextInput(),
        description="Only when the earlier inspection was not audited in this app.",
        places=None,
        validators=[
            Optional(),
            NumberRange(min=0, max=100, message="Baseline rate must be from 0 to 100"),
        ],
    )
    baseline_cases = IntegerField(
        "Number of cases behind the baseline rate",
        widget=GovTextInput(),
        description="How many cases the earlier report's figure counted.",
        validators=[
            Optional(),
            NumberRange(
                min=1, max=1_000_000, message="Number of cases must be from 1 to 1,000,000"
            ),
        ],
    )
    baseline_source = TextAreaField(
        "Source of the baseline rate",
        widget=GovTextArea(),
        description="For example: the 2021 report, page 12, 'children seen in 3 of 10 cases'.",
        validators=[
            Length(max=2_000, message="Source must be 2,000 characters or fewer"),
            NoPersonalData("source"),
        ],
    )
    submit = SubmitField("Save judgement", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """A baseline rate needs its source and its number of cases."""
        ok: bool = super().validate(extra_validators)
        if self.baseline_rate.data is not None and self.baseline_cases.data is None:
            self.baseline_cases.errors = [
                *self.baseline_cases.errors,
                "Say how many cases the baseline rate came from",
            ]
            ok = False
        if self.baseline_rate.data is not None and not (self.baseline_source.data or "").strip():
            self.baseline_source.errors = [
                *self.baseline_source.errors,
                "Say where the baseline rate comes from",
            ]
            ok = False
        return ok


class ChapterJudgementForm(CheckedForm):
    """A lead's override of a chapter's suggested judgement, with a reason."""

    judgement = RadioField(
        "Judgement for this chapter",
        widget=GovRadioInput(),
        choices=[(g.value, g.label) for g in ChapterGrade] + [("", "Use the suggested judgement")],
        # Optional() stops validation for blank input, the choice check included: strip first,
        # so " " becomes "" (a listed choice) rather than reaching ChapterGrade(" ").
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[Optional()],
    )
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[
            Length(max=NARRATIVE_MAX, message="Reason must be 10,000 characters or fewer"),
            NoPersonalData("reason"),
        ],
    )
    submit = SubmitField("Save judgement", widget=GovSubmitInput())

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        """An override needs a reason."""
        ok: bool = super().validate(extra_validators)
        if self.judgement.data and not (self.reason.data or "").strip():
            self.reason.errors = [*self.reason.errors, "Give a reason for the judgement"]
            ok = False
        return ok


class ChapterRuleForm(FlaskForm):
    """Switch the chapter rule on or off and set its thresholds (percentages)."""

    enabled = BooleanField("Suggest chapter judgements from the sample", widget=GovCheckboxInput())
    outstanding = IntegerField(
        "Outstanding from (%)",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the outstanding threshold"),
            NumberRange(1, 100, message="Outstanding threshold must be from 1 to 100"),
        ],
    )
    good = IntegerField(
        "Good from (%)",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the good threshold"),
            NumberRange(1, 100, message="Good threshold must be from 1 to 100"),
        ],
    )
    requires_improvement = IntegerField(
        "Requires improvement from (%)",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the requires improvement threshold"),
            NumberRange(1, 100, message="Requires improvement threshold must be from 1 to 100"),
        ],
    )
    min_applicable = IntegerField(
        "Fewest applicable cases a key question needs (with fewer it is insufficient evidence)",
        widget=GovTextInput(),
        validators=[
            DataRequired(message="Enter the smallest number of applicable cases"),
            NumberRange(1, 1000, message="Smallest number must be from 1 to 1,000"),
        ],
    )
    submit = SubmitField("Save rule", widget=GovSubmitInput())
