"""Case grades and question outcomes, with the words and colours (tags) the pages show."""

from __future__ import annotations

from enum import StrEnum

from auditapp.domain.statuses import CaseStatus


class Grade(StrEnum):
    """A case grade on the inspectorate's three-point scale."""

    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Requires improvement"."""
        return _GRADE_LABELS[self]

    @property
    def tag_class(self) -> str:
        """Return the govuk-tag modifier class that colours this grade."""
        return _GRADE_TAG_CLASSES[self]

    @property
    def rank(self) -> int:
        """Return 2 for good, 1 for requires improvement, 0 for inadequate (higher is better)."""
        return _GRADE_RANKS[self]


_GRADE_LABELS = {
    Grade.GOOD: "Good",
    Grade.REQUIRES_IMPROVEMENT: "Requires improvement",
    Grade.INADEQUATE: "Inadequate",
}
_GRADE_TAG_CLASSES = {
    Grade.GOOD: "govuk-tag--green",
    Grade.REQUIRES_IMPROVEMENT: "govuk-tag--yellow",
    Grade.INADEQUATE: "govuk-tag--red",
}
_GRADE_RANKS = {Grade.GOOD: 2, Grade.REQUIRES_IMPROVEMENT: 1, Grade.INADEQUATE: 0}

NOT_GRADED = "Not graded"
# Why a dip sample's case has no grade, as the submit page and the refusals say it.
DIP_SAMPLE_NOT_GRADED = "A dip sample is not graded: its answers count in the figures per question"
# On the case form, while answers are still going in (the form's tag and its save's JSON).
NOT_GRADED_YET = "Not graded yet"
# In the figures: the column of cases counted but not graded yet (tables, charts, report).
UNGRADED_CASES_HEADING = "Not yet graded"
NOT_GRADED_TAG_CLASS = "govuk-tag--grey"


def grade_label(grade: Grade | str | None, *, ungraded: str = NOT_GRADED) -> str:
    """Return a stored grade's words ("Requires improvement"), or ``ungraded`` when none."""
    return Grade(grade).label if grade else ungraded


def grade_tag(
    grade: Grade | str | None, *, provisional: bool = False, ungraded: str = NOT_GRADED
) -> dict[str, str]:
    """Return govukTag parameters for a grade: its words and colour, grey when there is none.

    The one place a grade becomes a tag: templates call it (a Jinja global, or the ``gradeTag``
    macro in ``templates/components/grade.html``), and so can services that build tag data.
    """
    if not grade:
        return {"text": ungraded, "classes": NOT_GRADED_TAG_CLASS}
    value = Grade(grade)
    return {
        "text": value.label + (" (provisional)" if provisional else ""),
        "classes": value.tag_class,
    }


class Outcome(StrEnum):
    """What one question's answer amounts to for one case."""

    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    HIDDEN = "hidden"
    UNANSWERED = "unanswered"
    # An answer to a question that carries no judgement (free text, a plain number or date).
    RECORDED = "recorded"

    @property
    def label(self) -> str:
        """Return the words a user reads, e.g. "Partly met"."""
        return _OUTCOME_LABELS[self]

    @property
    def is_applicable(self) -> bool:
        """Return True for met, partly met and not met: the outcomes that count in a score."""
        return self in (Outcome.MET, Outcome.PARTLY_MET, Outcome.NOT_MET)


_OUTCOME_LABELS = {
    Outcome.MET: "Met",
    Outcome.PARTLY_MET: "Partly met",
    Outcome.NOT_MET: "Not met",
    Outcome.NOT_APPLICABLE: "Not applicable",
    Outcome.HIDDEN: "Not shown",
    Outcome.UNANSWERED: "Not answered",
    Outcome.RECORDED: "Recorded",
}


def figure_grade_is_final(status: str, final: str | None) -> bool:
    """Return True when the grade the figures use is final: a moderated case's final grade."""
    return status == CaseStatus.MODERATED and final is not None


def figure_grade_is_provisional(moderated: bool, unconfirmed: bool) -> bool:
    """Return True when a counted grade is provisional: not yet moderated, or resting on an
    unverified threshold the inspection has not confirmed (issue 16 point 5).

    ``moderated`` is ``figure_grade_is_final``; ``unconfirmed`` is whether the case's grade
    used such a threshold (``CaseGrade.unconfirmed``). A moderated grade on an unconfirmed
    threshold stays provisional: the lead has not yet checked the threshold it rests on.
    Every provisional figure, flag and case label counts with this one function.
    """
    return not moderated or unconfirmed


def figure_grade(
    status: str, computed: str | None, proposed: str | None, final: str | None
) -> Grade | None:
    """Return the grade the figures use for a case (None when it has none).

    The final grade once the case is moderated; before that, the auditor's proposed grade,
    else the computed one. Its SQL twin is ``services.findings.queries.figure_grade_sql``, and
    a test holds the two to the same answer for every status and grade.
    """
    if figure_grade_is_final(status, final):
        chosen = final
    else:
        chosen = proposed if proposed is not None else computed
    return None if chosen is None else Grade(chosen)
