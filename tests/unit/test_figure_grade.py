"""The grade the figures use: final once moderated, else proposed, else computed; and when it
is provisional."""

from __future__ import annotations

import pytest

from auditapp.domain.grades import (
    Grade,
    figure_grade,
    figure_grade_is_final,
    figure_grade_is_provisional,
)

GOOD, RI, INADEQUATE = Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE


@pytest.mark.parametrize(
    ("status", "computed", "proposed", "final", "grade", "final_used"),
    [
        ("moderated", GOOD, RI, INADEQUATE, INADEQUATE, True),
        ("moderated", GOOD, RI, None, RI, False),
        ("moderated", GOOD, None, None, GOOD, False),
        ("submitted", GOOD, RI, INADEQUATE, RI, False),  # a final grade counts once moderated
        ("submitted", GOOD, None, None, GOOD, False),
        ("draft", None, RI, None, RI, False),
        ("draft", None, None, INADEQUATE, None, False),
        ("submitted", None, None, None, None, False),
    ],
)
def test_figure_grade_is_final_when_moderated_else_proposed_else_computed(
    status: str,
    computed: Grade | None,
    proposed: Grade | None,
    final: Grade | None,
    grade: Grade | None,
    final_used: bool,
) -> None:
    assert figure_grade(status, computed, proposed, final) is grade
    assert figure_grade_is_final(status, final) is final_used


def test_figure_grade_reads_stored_strings() -> None:
    assert figure_grade("moderated", "good", None, "requires_improvement") is RI


@pytest.mark.parametrize(
    ("moderated", "unconfirmed", "provisional"),
    [
        (False, False, True),  # not yet moderated
        (False, True, True),
        (True, True, True),  # moderated, but on a threshold the lead has not confirmed
        (True, False, False),
    ],
)
def test_a_grade_is_provisional_until_moderated_and_its_thresholds_confirmed(
    moderated: bool, unconfirmed: bool, provisional: bool
) -> None:
    assert figure_grade_is_provisional(moderated, unconfirmed) is provisional
