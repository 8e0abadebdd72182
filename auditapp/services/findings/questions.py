"""Per-question findings: each question's outcome counts over the audited cases, and the cases
behind one question's figure.

Question figures count outcomes of the first audit round; "applicable" is met + partly met +
not met (not applicable, hidden and unanswered are left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditapp.domain.aggregation import NOT_ASSIGNED, outcome_summary
from auditapp.domain.aggregation.answers import AnswerFigures, yes_no_figures
from auditapp.domain.grades import Outcome
from auditapp.domain.grading import critical_words
from auditapp.domain.question_sets import Question, answer_words, checklist_ticks, option_words
from auditapp.domain.statistics import Share
from auditapp.services.findings import queries
from auditapp.services.findings.errors import FindingsError
from auditapp.services.findings.grades import CaseRef
from auditapp.services.question_sets import question_set_data_of

# Outcomes a reader can click through to; "applicable" lists all three applicable ones, and
# "answered" every case with an answer other than not applicable (optionally one value).
ANSWERED = (*queries.APPLICABLE, Outcome.RECORDED)
LISTABLE_OUTCOMES = (*queries.APPLICABLE, Outcome.NOT_APPLICABLE, "applicable", "answered")


@dataclass(frozen=True)
class QuestionFinding:
    """One question's outcome counts over the audited cases of its set."""

    question_set_id: int
    code: str
    position: int
    section: str
    text: str
    answer_type: str
    graded: bool
    critical: bool  # always critical
    # Its criticality as its tag reads: "Critical", "Critical when MC02 is High", or "".
    critical_words: str
    recommendation_codes: tuple[str, ...]
    met: int
    partly_met: int
    not_met: int
    not_applicable: int
    recorded: int
    applicable: int
    summary: str
    # Its answers in figures (frequencies, median and range, elapsed times, "yes in x of y",
    # cases answered); filled by ``findings.question_findings_with_answers``.
    answers: AnswerFigures | None = None

    @property
    def share(self) -> Share:
        """Return the share of applicable cases that fully meet the question."""
        return Share(self.met, self.applicable)

    @property
    def shows_outcomes(self) -> bool:
        """Return True when the question is judged met or not met: a graded question with
        outcomes. Its fully-met share carries an interval; no other figure does."""
        return self.graded and self.applicable > 0

    @property
    def judged(self) -> bool:
        """Return True when the question has met / not met outcomes (not just recorded)."""
        return self.applicable > 0 or self.answer_type in ("yes_no", "derived")


@dataclass(frozen=True)
class QuestionSetFindings:
    """The findings of one question set (a case type's version) used in the inspection."""

    question_set_id: int
    case_type: str
    case_type_name: str
    kind: str
    version: int
    title: str
    cases: int
    questions: tuple[QuestionFinding, ...]


def question_findings(inspection_id: int) -> list[QuestionSetFindings]:
    """Outcome counts for every question of every set used by audited cases (two queries)."""
    return question_findings_over([inspection_id])


def question_findings_over(inspection_ids: Sequence[int]) -> list[QuestionSetFindings]:
    """Per-question figures over the audited cases of these inspections together (two queries).

    The ids are an expanding parameter: one inspection and many share the statements.
    """
    questions_statement, counts_statement = queries.question_findings_statements()
    params = {"inspection_ids": list(inspection_ids)}
    found = queries.rows(questions_statement, params)
    if not found:
        return []
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for count in queries.rows(counts_statement, params):
        counts.setdefault((count.question_set_id, count.code), {})[count.outcome] = int(count.cases)

    sets: dict[int, Any] = {}  # the first row of each set, for the set's own columns
    by_set: dict[int, list[QuestionFinding]] = {}
    for row in found:
        set_id = row.question_set_id
        if set_id not in sets:
            sets[set_id] = row
            by_set[set_id] = []
        if row.code is None:  # a set without questions
            continue
        tally = counts.get((set_id, row.code), {})
        # Parsed once per process: conditional criticality lives only in the set's file.
        data = question_set_data_of(set_id)
        met, partly, not_met = (tally.get(outcome, 0) for outcome in queries.APPLICABLE)
        applicable = met + partly + not_met
        by_set[set_id].append(
            QuestionFinding(
                question_set_id=set_id,
                code=row.code,
                position=row.position,
                section=row.section,
                text=row.text,
                answer_type=row.answer_type,
                graded=row.graded,
                critical=row.critical,
                critical_words=critical_words(data, data.question(row.code)),
                recommendation_codes=tuple(row.recommendation_codes or ()),
                met=met,
                partly_met=partly,
                not_met=not_met,
                not_applicable=tally.get(Outcome.NOT_APPLICABLE, 0),
                recorded=tally.get(Outcome.RECORDED, 0),
                applicable=applicable,
                summary=_summary(row.answer_type, row.graded, met, partly, not_met, tally),
            )
        )
    return [
        QuestionSetFindings(
            question_set_id=set_id,
            case_type=first.case_type,
            case_type_name=first.case_type_name,
            kind=first.kind,
            version=first.version,
            title=first.title,
            cases=int(first.cases),
            questions=tuple(by_set[set_id]),
        )
        for set_id, first in sets.items()
    ]


def _summary(
    answer_type: str, graded: bool, met: int, partly: int, not_met: int, tally: dict[str, int]
) -> str:
    """The words of a question's outcome counts: an ungraded yes/no question (a screening
    question) reads "yes in 3 of 5 cases", never met or not met."""
    if answer_type == "yes_no" and not graded:
        return yes_no_figures(met, partly, not_met, tally.get(Outcome.NOT_APPLICABLE, 0)).text
    return outcome_summary(met, partly, met + partly + not_met)


def question_finding(inspection_id: int, question_set_id: int, code: str) -> QuestionFinding:
    """One question's figures (FindingsError when the set is not used or has no such code)."""
    for found in question_findings(inspection_id):
        if found.question_set_id == question_set_id:
            for question in found.questions:
                if question.code == code:
                    return question
    raise FindingsError(f"question {code} of set {question_set_id} is not in these findings")


def cases_with_outcome(
    inspection_id: int,
    question_set_id: int,
    code: str,
    outcome: str,
    withhold: frozenset[int] = frozenset(),
    value: str | None = None,
) -> list[CaseRef]:
    """The audited cases behind one question's figure (one query).

    ``outcome`` is met, partly_met, not_met, not_applicable, "applicable" (all three of met,
    partly met and not met) or "answered" (any answer but not applicable), whose detail is the
    answer in words; ``value`` keeps the cases that gave that answer (a checklist: ticked it).
    Each case carries the auditor's note on that answer.
    """
    if outcome not in LISTABLE_OUTCOMES:
        raise FindingsError(f"unknown outcome {outcome!r}")
    wanted = {"applicable": queries.APPLICABLE, "answered": ANSWERED}.get(outcome, (outcome,))
    found = queries.rows(
        queries.cases_with_outcome_statement(inspection_id, question_set_id, code, wanted)
    )
    question = None
    if outcome == "answered" or value is not None:
        try:
            question = question_set_data_of(question_set_id).question(code)
        except (LookupError, KeyError) as error:
            raise FindingsError(f"question {code} of set {question_set_id} is unknown") from error
    return [
        CaseRef(
            case_id=row.case_id,
            reference=row.reference,
            case_type=row.case_type,
            auditor=row.auditor or NOT_ASSIGNED,
            status=row.status,
            detail=answer_words(question, row.value)
            if question is not None and outcome == "answered"
            else Outcome(row.outcome).label,
            note=row.note or "",
        )
        for row in found
        if row.case_id not in withhold
        and (value is None or question is None or _gave(question, row.value, value))
    ]


def _gave(question: Question, stored: str | None, value: str) -> bool:
    """True when a stored answer is this value (a checklist: has it ticked; "[]": none)."""
    if question.type == "checklist" and value != "[]":
        return value in checklist_ticks(stored)
    return stored == value


def answer_value_words(question_set_id: int, code: str, value: str) -> str:
    """One answer value of a question in words ("Secure accommodation"; a checklist's "[]":
    "None of these"), for the heading of the cases that gave it."""
    question = question_set_data_of(question_set_id).question(code)
    if question.type == "checklist" and value != "[]":
        return option_words(question, value)
    return answer_words(question, value)
