"""Question-set files: aliases bounded; control and bidirectional characters refused."""

from __future__ import annotations

import time

import pytest

from auditapp.domain.question_sets import QuestionSetError, load_question_set
from auditapp.domain.question_sets.schema import MESSAGE_MAX, QUOTE_MAX, parse_yaml


def billion_laughs() -> str:
    """The 'billion laughs' file: ten levels of nine nested aliases, about 5.6 KB."""
    lines = ['lol0: &lol0 ["' + "lol" * 1600 + '"]']
    for level in range(1, 10):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    lines.append("case_type: [" + ", ".join(["*lol9"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_the_billion_laughs_file_is_refused_quickly_with_a_short_message() -> None:
    text = billion_laughs()
    assert 4_000 < len(text.encode()) < 8_000
    started = time.perf_counter()

    with pytest.raises(QuestionSetError) as caught:
        load_question_set(text, filename="laughs.yaml")

    assert time.perf_counter() - started < 1
    message = str(caught.value)
    assert len(message) < 400
    assert "laughs.yaml: line 5, column 7: not valid YAML: the aliases (*name) here expand" in (
        message
    )


def test_a_few_aliases_are_fine() -> None:
    text = "voice: &voice [a, b]\nagain: *voice\n"

    assert parse_yaml(text, "set.yaml") == {"voice": ["a", "b"], "again": ["a", "b"]}


def test_an_alias_inside_its_own_value_is_refused_naming_the_line() -> None:
    with pytest.raises(QuestionSetError) as caught:
        parse_yaml("a: &x\n  - 1\n  - *x\n", "set.yaml")

    assert "line 1, column 4: not valid YAML: an alias (*name) refers to a value holding it" in str(
        caught.value
    )


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(QuestionSetError) as caught:
        parse_yaml("[" * 50_000, "set.yaml")

    assert "not valid YAML" in str(caught.value)


@pytest.mark.parametrize(
    "character",
    ["\x00", "\x01", "\x1b", "\x7f", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069"],
)
def test_control_and_bidirectional_characters_are_refused_naming_line_and_column(
    character: str,
) -> None:
    text = f"case_type: domestic-abuse\ntitle: Abuse{character}case\n"

    with pytest.raises(QuestionSetError) as caught:
        parse_yaml(text, "set.yaml")

    assert f"line 2, column 13: control or bidirectional character U+{ord(character):04X}" in str(
        caught.value
    )


def test_tabs_and_line_breaks_are_layout_not_refused() -> None:
    assert parse_yaml("a: 'x\ty'\r\nb: 2\n", "set.yaml") == {"a": "x\ty", "b": 2}


def test_no_validation_message_repeats_a_huge_value() -> None:
    text = "case_type: [" + ", ".join(['"' + "x" * 5000 + '"'] * 50) + "]\n"

    with pytest.raises(QuestionSetError) as caught:
        load_question_set(text, filename="big.yaml")

    for problem in caught.value.errors:
        assert len(problem.message) <= MESSAGE_MAX
    assert len(str(caught.value)) < 20 * (MESSAGE_MAX + 100)
    assert QUOTE_MAX < MESSAGE_MAX
