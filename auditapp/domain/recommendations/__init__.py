"""Progress against an earlier inspection's recommendations, and chapter judgements; one module
per task (``scale``, ``rates``, ``figures``, ``chapters``), re-exported here.

Two documented, configurable rules (README, "Findings rules"):

**Progress on a recommendation** compares like with like:

- Each linked question has a rate over *cases* on each side (a case counts once per question):
  (met + 1/2 x partly met) / applicable cases. Partly met counts half, the weight the grading
  rule gives it, so a move from "not met" to "partly met" shows as half a step, never as none
  and never as a full one.
- The recommendation's rate is the **mean of its questions' rates**, each question weighted
  alike, so the question with the most cases cannot swamp the rest.
- The change is worked out over the questions **both** inspections asked, with applicable cases
  on both sides. A question the baseline did not ask (or where no baseline case applied) is
  shown beside the comparison as *new evidence*, never inside the change. When no question can
  be compared, the rate now is the mean over every linked question with applicable cases, and
  the baseline is the rate a lead entered from the earlier report, if any.
- A suggestion needs at least ``min_cases`` (default 5, set per inspection) distinct cases
  answering the compared questions on each side; below it the suggestion is *insufficient
  evidence to judge*.

**Suggested progress judgement**, in this order (``change`` = now - baseline, unrounded):

1. no linked question applies to a case in this review -> not assessed;
2. no baseline rate -> not assessed;
3. fewer than ``min_cases`` cases on either side -> insufficient evidence to judge;
4. now >= ``good_rate`` (80%) and change > -``some_change`` (a fall of exactly 5 points is a
   fall of 5 points) -> good progress;
5. change >= ``reasonable_change`` (+10 points) -> reasonable progress;
6. change >= ``some_change`` (+5 points) -> insufficient progress;
7. otherwise -> no meaningful progress.

Rates and changes are computed exactly (fractions, no float tolerance) and written only by
``format_rate`` and ``format_change``: rates rounded *down* to a tenth of a percent, changes
rounded *towards zero* to a tenth of a point. With thresholds on whole tenths, a figure shown
beside a threshold is always on the same side of it as the unrounded figure: 79.55% reads
79.5%, below 80%; a fall of 4.6 points reads -4.6 points, not -5.

The lead always records the judgement; the suggestion is a hint.

**Chapter judgement** (optional per inspection): a chapter takes its judgement from its lowest
key question, by the share of applicable cases that fully meet it: at least ``outstanding``
(80%) outstanding, at least ``good`` (65%) good, at least ``requires_improvement`` (50%)
requires improvement, else inadequate. Rates are compared exactly with the thresholds (whole
tenths of a percent) and written by ``format_rate``, so "below 80%" never sits beside "80%".
A key question with fewer than ``min_applicable`` applicable cases (default 5, set per
inspection) is *insufficient evidence* and left out; a chapter left with no key question at or
above the minimum gets no judgement: *not enough evidence*. The reason names the deciding
question, its figures, the band it fell in, and every key question left out.
"""

from __future__ import annotations

from auditapp.domain.recommendations.chapters import (
    DEFAULT_CHAPTER_MIN_APPLICABLE,
    INSUFFICIENT_EVIDENCE,
    NOT_ENOUGH_EVIDENCE,
    ChapterRule,
    ChapterSuggestion,
    KeyQuestionRate,
    KeyQuestionStatus,
    chapter_rule_problems,
    grade_for_rate,
    suggest_chapter,
)
from auditapp.domain.recommendations.figures import (
    CaseGroup,
    EnteredBaseline,
    LinkedQuestionCounts,
    ProgressFigures,
    QuestionCounts,
    QuestionProgress,
    QuestionUse,
    cases_answering,
    mean_rate,
    progress_figures,
)
from auditapp.domain.recommendations.rates import (
    DASH,
    DEFAULT_MIN_CASES,
    MINUS,
    PARTLY_MET_CREDIT,
    Number,
    ProgressSuggestion,
    ProgressThresholds,
    change_points,
    exact,
    format_change,
    format_rate,
    rate_change,
    rate_percent,
    suggest_progress,
)
from auditapp.domain.recommendations.scale import (
    LEAD_JUDGEMENTS,
    ChapterGrade,
    Progress,
    RecommendationKind,
)

__all__ = [
    "DASH",
    "DEFAULT_CHAPTER_MIN_APPLICABLE",
    "DEFAULT_MIN_CASES",
    "INSUFFICIENT_EVIDENCE",
    "LEAD_JUDGEMENTS",
    "MINUS",
    "NOT_ENOUGH_EVIDENCE",
    "PARTLY_MET_CREDIT",
    "CaseGroup",
    "ChapterGrade",
    "ChapterRule",
    "ChapterSuggestion",
    "EnteredBaseline",
    "KeyQuestionRate",
    "KeyQuestionStatus",
    "LinkedQuestionCounts",
    "Number",
    "Progress",
    "ProgressFigures",
    "ProgressSuggestion",
    "ProgressThresholds",
    "QuestionCounts",
    "QuestionProgress",
    "QuestionUse",
    "RecommendationKind",
    "cases_answering",
    "change_points",
    "chapter_rule_problems",
    "exact",
    "format_change",
    "format_rate",
    "grade_for_rate",
    "mean_rate",
    "progress_figures",
    "rate_change",
    "rate_percent",
    "suggest_chapter",
    "suggest_progress",
]
