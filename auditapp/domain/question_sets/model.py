"""The question-set model: questions, sections, options, conditions, checks and grading rule."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import Any, Literal

from auditapp.domain.grades import Outcome

ANSWER_TYPES = (
    "yes_no",
    "choice",
    "checklist",
    "number",
    "date",
    "datetime",
    "text",
    "derived",
)
# Stored values with a fixed meaning: "na" is "not applicable" on any question that allows it;
# "none" is the exclusive "None of these" box a checklist form posts when nothing applies.
NOT_APPLICABLE = "na"
NONE_TICKED = "none"
YES_NO_VALUES = ("yes", "partly", "no")
RECOMMENDATION_CODE = re.compile(r"^(R|AFI)[1-9][0-9]?$")
TEXT_MAX_LENGTH = 10_000

QuestionType = Literal[
    "yes_no", "choice", "checklist", "number", "date", "datetime", "text", "derived"
]
SetKind = Literal["case", "dip_sample"]


@dataclass(frozen=True)
class GradingRule:
    """Thresholds of the default grading rule; stored as JSON with every grade."""

    good_threshold: float = 0.80
    requires_improvement_threshold: float = 0.50
    partly_weight: float = 0.5

    def __post_init__(self) -> None:
        problems = grading_rule_problems(self.to_dict())
        if problems:
            raise ValueError("; ".join(message for _, message in problems))

    def to_dict(self) -> dict[str, float]:
        """Return the rule as a JSON-able dict."""
        return {
            "good_threshold": self.good_threshold,
            "requires_improvement_threshold": self.requires_improvement_threshold,
            "partly_weight": self.partly_weight,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> GradingRule:
        """Build a rule from ``to_dict()`` output; missing keys take the defaults."""
        return cls(**{key: float(data[key]) for key in _RULE_KEYS if key in data})


_RULE_KEYS = ("good_threshold", "requires_improvement_threshold", "partly_weight")


def grading_rule_problems(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (key, message) for each way the thresholds are not sane (0 < RI < good <= 1)."""
    good = float(data.get("good_threshold", 0.80))
    ri = float(data.get("requires_improvement_threshold", 0.50))
    partly = float(data.get("partly_weight", 0.5))
    problems = []
    if not 0 < good <= 1:
        problems.append(("good_threshold", f"must be more than 0 and at most 1, not {good:g}"))
    if not 0 < ri < 1:
        problems.append(("requires_improvement_threshold", f"must be between 0 and 1, not {ri:g}"))
    elif ri >= good:
        problems.append(
            (
                "requires_improvement_threshold",
                f"must be below good_threshold ({good:g}), not {ri:g}",
            )
        )
    if not 0 <= partly <= 1:
        problems.append(("partly_weight", f"must be from 0 to 1, not {partly:g}"))
    return problems


@dataclass(frozen=True)
class Option:
    """One option of a choice or checklist question; ``outcome`` judges a choice answer."""

    value: str
    label: str
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Condition:
    """Show a question only when another question's answer is one of ``equals``.

    For a checklist it is enough that any one of ``equals`` is ticked.
    """

    question: str
    equals: tuple[str, ...]


@dataclass(frozen=True)
class ThresholdBy:
    """Per-answer thresholds of a derived check, e.g. KIRAT priority ``medium`` -> 14 days."""

    question: str
    thresholds: tuple[tuple[str, timedelta], ...]

    def get(self, value: str | None) -> timedelta | None:
        """Return the threshold for this answer value, or None when it has none of its own."""
        return dict(self.thresholds).get(value) if value is not None else None


@dataclass(frozen=True)
class UntilAudit:
    """When an action has not happened yet (``question`` answered one of ``equals``), measure
    a timeliness check to the date of the audit (the ``audit_date`` question) instead of to a
    date that never happened."""

    question: str
    equals: tuple[str, ...]
    audit_date: str


# The name ``unverified`` gives the check's own ``within`` threshold (the others are values of
# its ``within_by`` question).
WITHIN = "within"


@dataclass(frozen=True)
class DerivedCheck:
    """A timeliness test: the time from ``start`` to ``end`` (date or datetime questions)."""

    start: str
    end: str
    within: timedelta
    partly_within: timedelta | None = None
    within_by: ThresholdBy | None = None
    until_audit: UntilAudit | None = None
    # Thresholds whose source is unverified: "within", or values of the within_by question.
    # A grade that uses one is provisional until the lead confirms it for the inspection.
    unverified: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    """One question in a set; see the README for what each field means in the YAML."""

    id: str
    section_id: str
    text: str
    guidance: str = ""
    type: QuestionType = "yes_no"
    options: tuple[Option, ...] = ()
    graded: bool = True
    critical: bool = False
    weight: float = 1.0
    required: bool = True
    allow_na: bool = False
    show_if: Condition | None = None
    recommendations: tuple[str, ...] = ()
    checklist_met: int | None = None
    checklist_partly: int | None = None
    check: DerivedCheck | None = None
    allow_partly: bool = True
    whole_number: bool = True
    # Critical only when an earlier answer is one of these values (``critical`` is then False).
    critical_if: Condition | None = None

    @property
    def option_values(self) -> tuple[str, ...]:
        """Return the option values in the order the file lists them."""
        return tuple(option.value for option in self.options)

    def option(self, value: str) -> Option | None:
        """Return the option with this value, if any."""
        return next((option for option in self.options if option.value == value), None)

    def allowed_values(self) -> tuple[str, ...]:
        """Return every stored value a yes_no or choice answer may take."""
        if self.type == "yes_no":
            values = tuple(v for v in YES_NO_VALUES if v != "partly" or self.allow_partly)
        else:
            values = self.option_values
        return values + ((NOT_APPLICABLE,) if self.allow_na else ())


@dataclass(frozen=True)
class Section:
    """A titled group of questions."""

    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class QuestionSet:
    """A versioned set of questions for one case type, with its grading rule."""

    case_type: str
    case_type_name: str
    version: int
    title: str
    kind: SetKind
    description: str
    source: str
    grading: GradingRule
    sections: tuple[Section, ...]

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        """Return every question, in order."""
        return tuple(question for section in self.sections for question in section.questions)

    @cached_property
    def _by_id(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def question(self, question_id: str) -> Question:
        """Return the question with this id; KeyError if there is none."""
        return self._by_id[question_id]

    @property
    def recommendation_codes(self) -> set[str]:
        """Return the codes of every recommendation some question evidences."""
        return {code for question in self.questions for code in question.recommendations}
