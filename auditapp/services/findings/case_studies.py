"""Case studies: the cases flagged as case studies, with their narratives, grouped by chapter."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from auditapp.models import Inspection
from auditapp.services.findings.chapters import chapter_map
from auditapp.services.findings.grades import cases_frame
from auditapp.services.findings.questions import question_findings


@dataclass(frozen=True)
class CaseStudy:
    """A case flagged as a case study, with its narrative."""

    case_id: int
    reference: str
    case_type: str
    status: str
    grade: str | None
    provisional: bool
    narrative: str


@dataclass(frozen=True)
class CaseStudyChapter:
    """The case studies of one chapter."""

    chapter: str
    studies: tuple[CaseStudy, ...]


def case_studies(
    inspection: Inspection, withhold: frozenset[int] = frozenset()
) -> list[CaseStudyChapter]:
    """Flagged case studies grouped by chapter, in report order.

    A case study's chapter is the chapter most of its question set's questions are linked to
    (through the baseline's recommendations; ties go to the earlier chapter); without a
    baseline, its case type.
    """
    cases = cases_frame(inspection.id)
    flagged = cases[cases["is_case_study"] & ~cases["case_id"].isin(list(withhold))]
    if flagged.empty:
        return []
    sets = question_findings(inspection.id)
    chapters = chapter_map(inspection, sets)
    order = list(chapters)
    chapter_of_set: dict[int, str] = {}
    for found in sets:
        tally = {
            chapter: sum(1 for q in questions if q.question_set_id == found.question_set_id)
            for chapter, questions in chapters.items()
        }
        best = max(tally.items(), key=lambda item: (item[1], -order.index(item[0])), default=None)
        chapter_of_set[found.question_set_id] = (
            best[0] if best and best[1] else found.case_type_name
        )
    grouped: dict[str, list[CaseStudy]] = {}
    for row in flagged.itertuples():
        set_id = int(row.question_set_id) if pd.notna(row.question_set_id) else -1
        chapter = chapter_of_set.get(set_id, str(row.case_type))
        grouped.setdefault(chapter, []).append(
            CaseStudy(
                case_id=int(row.case_id),
                reference=str(row.reference),
                case_type=str(row.case_type),
                status=str(row.status),
                grade=row.grade if isinstance(row.grade, str) else None,
                provisional=bool(row.provisional),
                narrative=str(row.case_study_narrative or ""),
            )
        )
    ranked = sorted(grouped, key=lambda c: (order.index(c) if c in order else len(order), c))
    return [CaseStudyChapter(chapter, tuple(grouped[chapter])) for chapter in ranked]
