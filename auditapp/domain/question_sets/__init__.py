"""Question sets: the file format, its validation, the model, answers and visibility.

A question-set file is parsed and checked against ``question_set.schema.json`` (``schema``),
checked for meaning (``checks``: ids, cross-references, thresholds) and built into the model
(``loading``, ``model``). Every problem found is reported with its place in the file, e.g.
``sections[2].questions[4].show_if: unknown question DA17``. ``answers`` checks, reads and words
answers; ``visibility`` applies ``show_if``; ``library`` loads the shipped files.

The names below are the package's public interface: import them from here.
"""

from auditapp.domain.question_sets.answers import (
    NONE_OF_THESE_WORDS,
    NOT_ANSWERED_WORDS,
    NOT_APPLICABLE_WORDS,
    YES_NO_WORDS,
    answer_words,
    checklist_ticks,
    condition_words,
    date_parts,
    join_date_parts,
    normalise_answer,
    option_words,
    parse_stored_date,
    split_stored_date,
)
from auditapp.domain.question_sets.durations import format_duration, parse_duration
from auditapp.domain.question_sets.errors import AnswerError, QuestionSetError, QuestionSetProblem
from auditapp.domain.question_sets.library import (
    DATA_DIR,
    LIBRARY_DIR,
    RECOMMENDATIONS_FILE,
    RecommendationData,
    RecommendationsFile,
    load_library,
    load_recommendations,
)
from auditapp.domain.question_sets.loading import (
    dump_question_set,
    load_question_set,
    question_set_from_data,
    question_set_to_dict,
)
from auditapp.domain.question_sets.model import (
    ANSWER_TYPES,
    NONE_TICKED,
    NOT_APPLICABLE,
    RECOMMENDATION_CODE,
    TEXT_MAX_LENGTH,
    YES_NO_VALUES,
    Condition,
    DerivedCheck,
    GradingRule,
    Option,
    Question,
    QuestionSet,
    QuestionType,
    Section,
    SetKind,
    ThresholdBy,
    grading_rule_problems,
)
from auditapp.domain.question_sets.schema import SCHEMA_FILE, schema_problems
from auditapp.domain.question_sets.visibility import (
    condition_met,
    visible_ids,
    visible_questions,
)
from auditapp.domain.recommendations import RecommendationKind

__all__ = [
    "ANSWER_TYPES",
    "DATA_DIR",
    "LIBRARY_DIR",
    "NONE_OF_THESE_WORDS",
    "NONE_TICKED",
    "NOT_ANSWERED_WORDS",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_WORDS",
    "RECOMMENDATIONS_FILE",
    "RECOMMENDATION_CODE",
    "SCHEMA_FILE",
    "TEXT_MAX_LENGTH",
    "YES_NO_VALUES",
    "YES_NO_WORDS",
    "AnswerError",
    "Condition",
    "DerivedCheck",
    "GradingRule",
    "Option",
    "Question",
    "QuestionSet",
    "QuestionSetError",
    "QuestionSetProblem",
    "QuestionType",
    "RecommendationData",
    "RecommendationKind",
    "RecommendationsFile",
    "Section",
    "SetKind",
    "ThresholdBy",
    "answer_words",
    "checklist_ticks",
    "condition_met",
    "condition_words",
    "date_parts",
    "dump_question_set",
    "format_duration",
    "grading_rule_problems",
    "join_date_parts",
    "load_library",
    "load_question_set",
    "load_recommendations",
    "normalise_answer",
    "option_words",
    "parse_duration",
    "parse_stored_date",
    "question_set_from_data",
    "question_set_to_dict",
    "schema_problems",
    "split_stored_date",
    "visible_ids",
    "visible_questions",
]
