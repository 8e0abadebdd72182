"""The case form's status lines in plain English: what the score leaves out, and progress."""

from __future__ import annotations

import yaml

from auditapp.domain.grading import grade_case
from auditapp.domain.question_sets import load_question_set

QS = load_question_set(
    yaml.safe_dump(
        {
            "case_type": "test-type",
            "case_type_name": "Test",
            "version": 1,
            "title": "Test",
            "sections": [
                {
                    "id": "only",
                    "title": "Only",
                    "questions": [
                        {"id": "G1", "text": "Graded?", "type": "yes_no", "allow_na": True},
                        {"id": "G2", "text": "Graded too?", "type": "yes_no"},
                        {"id": "INFO", "text": "Noted?", "type": "yes_no", "graded": False},
                        {"id": "WHY", "text": "Why?", "type": "text"},
                        {
                            "id": "MORE",
                            "text": "Shown when G2 is no",
                            "type": "yes_no",
                            "show_if": {"question": "G2", "equals": "no"},
                        },
                        {"id": "LAST", "text": "Last?", "type": "yes_no", "required": False},
                    ],
                }
            ],
        },
        sort_keys=False,
    )
)


def test_what_the_score_leaves_out_is_said_in_plain_words() -> None:
    result = grade_case(QS, {"G1": "na", "G2": "yes", "INFO": "yes", "WHY": "Seen"})
    line = next(line for line in result.explanation if line.startswith("Not counted"))
    assert line == (
        "Not counted in the score: 1 not applicable, 1 not asked because of earlier answers, "
        "1 not answered yet, 2 asked for information only."
    )
    assert "ungraded" not in " ".join(result.explanation)


def test_information_only_answers_without_a_judgement_are_counted_too() -> None:
    result = grade_case(QS, {"G1": "yes", "G2": "yes", "WHY": "Seen", "LAST": "yes"})
    line = next(line for line in result.explanation if line.startswith("Not counted"))
    assert line.endswith("1 asked for information only.")
