"""Every kind of answer in figures, beside the per-question outcome counts: frequency tables,
medians and ranges, elapsed-time distributions, "yes in x of y" and cases answered.

Counted in SQL where there is one row per answer (values per question, one grouped
statement); a timeliness check's elapsed times are read case by case (two statements, only
when a set has a check), since a median needs every time. The page, the API, the workbook,
the CSV and the report all read ``question_findings_with_answers``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from auditapp.domain.aggregation.answers import (
    AnswerFigures,
    FigureKind,
    answered_figures,
    elapsed_figures,
    figure_kind,
    frequency_figures,
    number_figures,
    yes_no_figures,
)
from auditapp.domain.grading import check_elapsed
from auditapp.domain.question_sets import Question
from auditapp.domain.question_sets import QuestionSet as QuestionSetData
from auditapp.services.findings import answer_queries, queries
from auditapp.services.findings.questions import QuestionSetFindings, question_findings_over
from auditapp.services.question_sets import question_set_data_of


def question_findings_with_answers(inspection_id: int) -> list[QuestionSetFindings]:
    """Every question's figures, each with its answers in figures (``QuestionFinding.answers``)."""
    return with_answers(question_findings_over([inspection_id]), [inspection_id])


def with_answers(
    sets: list[QuestionSetFindings], inspection_ids: Sequence[int]
) -> list[QuestionSetFindings]:
    """These sets' questions, each given its answers in figures."""
    figures = answer_figures(sets, inspection_ids)
    return [
        replace(
            found,
            questions=tuple(
                replace(q, answers=figures.get((found.question_set_id, q.code)))
                for q in found.questions
            ),
        )
        for found in sets
    ]


def answer_figures(
    sets: Sequence[QuestionSetFindings], inspection_ids: Sequence[int]
) -> dict[tuple[int, str], AnswerFigures]:
    """Each question's answers in figures, by (set id, code); graded yes/no questions have none
    (their figures are the outcome counts)."""
    parsed = {found.question_set_id: question_set_data_of(found.question_set_id) for found in sets}
    result: dict[tuple[int, str], AnswerFigures] = {}
    values: dict[tuple[int, str], dict[str, int]] = {}
    needs_values = any(
        figure_kind(q) in (FigureKind.FREQUENCIES, FigureKind.NUMBER, FigureKind.ANSWERED)
        for data in parsed.values()
        for q in data.questions
    )
    if needs_values:
        params = {"inspection_ids": list(inspection_ids)}
        for row in queries.rows(answer_queries.answer_values_statement(), params):
            tally = values.setdefault((row.question_set_id, row.code), {})
            tally[row.value] = tally.get(row.value, 0) + int(row.cases)
    elapsed = _elapsed_times(parsed, inspection_ids)
    for found in sets:
        data = parsed[found.question_set_id]
        for finding in found.questions:
            question = data.question(finding.code)
            key = (found.question_set_id, finding.code)
            kind = figure_kind(question)
            counts = values.get(key, {})
            if kind is FigureKind.YES_NO:
                result[key] = yes_no_figures(
                    finding.met, finding.partly_met, finding.not_met, finding.not_applicable
                )
            elif kind is FigureKind.FREQUENCIES:
                result[key] = frequency_figures(question, counts)
            elif kind is FigureKind.NUMBER:
                result[key] = number_figures(question, counts)
            elif kind is FigureKind.ANSWERED:
                not_applicable = counts.get("na", 0)
                answered = sum(counts.values()) - not_applicable
                result[key] = answered_figures(answered, not_applicable)
            elif kind is FigureKind.ELAPSED:
                check = question.check
                result[key] = elapsed_figures(
                    elapsed.get(key, []),
                    met=finding.met,
                    partly_met=finding.partly_met,
                    applicable=finding.applicable,
                    not_applicable=finding.not_applicable,
                    target=check.within if check and check.within_by is None else None,
                )
    return result


def _elapsed_times(
    parsed: dict[int, QuestionSetData], inspection_ids: Sequence[int]
) -> dict[tuple[int, str], list[timedelta]]:
    """Each judged timeliness check's elapsed time per case, by (set id, check code)."""
    checks = {
        (set_id, q.id): q
        for set_id, data in parsed.items()
        for q in data.questions
        if q.type == "derived" and q.check is not None
    }
    if not checks:
        return {}
    codes = sorted({code for _, code in checks})
    read: set[str] = set()
    for q in checks.values():
        read.update(_codes_read(q))
    judged: dict[tuple[int, int], list[str]] = {}
    for row in queries.rows(answer_queries.judged_checks_statement(inspection_ids, codes)):
        judged.setdefault((row.case_id, row.question_set_id), []).append(row.code)
    answers: dict[int, dict[str, str | None]] = {}
    for row in queries.rows(answer_queries.check_answers_statement(inspection_ids, sorted(read))):
        answers.setdefault(row.case_id, {})[row.code] = row.value
    result: dict[tuple[int, str], list[timedelta]] = {}
    for (case_id, set_id), judged_codes in judged.items():
        for code in judged_codes:
            check = checks.get((set_id, code))
            if check is None:
                continue
            time = check_elapsed(parsed[set_id], check, answers.get(case_id, {}))
            if time is not None:
                result.setdefault((set_id, code), []).append(time)
    return result


def _codes_read(q: Question) -> set[str]:
    """The questions a timeliness check reads."""
    check = q.check
    if check is None:
        return set()
    codes = {check.start, check.end}
    if check.within_by is not None:
        codes.add(check.within_by.question)
    return codes
