"""The Word draft's wording files: numbers in words, and templates refused with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditapp.domain.report_wording import (
    SLOTS,
    WordingError,
    load_wording,
    number_words,
    parse_wording,
)

LIBRARY = Path(__file__).resolve().parents[2] / "auditapp" / "data" / "report_wording"


def _complete(**overrides: str) -> str:
    """A wording file defining every slot with its library text, some replaced."""
    library = load_wording(LIBRARY)
    lines = []
    for key in SLOTS:
        text = overrides.get(key, library.get(key).text)
        lines.append(f"{key.replace('.', '_DOT_')}: {text!r}")
    # Nested keys are written flat here, then turned back into the YAML's nesting.
    nested: dict[str, list[str]] = {}
    for line in lines:
        key, text = line.split(": ", 1)
        group, name = key.split("_DOT_")
        nested.setdefault(group, []).append(f"  {name}: {text}")
    return "\n".join(f"{group}:\n" + "\n".join(items) for group, items in nested.items()) + "\n"


@pytest.mark.parametrize(
    ("value", "words"),
    [(1, "one"), (4, "four"), (9, "nine"), (10, "10"), (13, "13"), (0, "0"), (24, "24")],
)
def test_one_to_nine_are_written_in_words_and_other_numbers_as_numerals(
    value: int, words: str
) -> None:
    assert number_words(value) == words


def test_the_library_wording_loads_and_fills_every_slot() -> None:
    wording = load_wording(LIBRARY)

    assert set(SLOTS) <= set(wording.templates)
    sentence = wording.question("da-diary-appointment", "DY03", "some").render(
        {"met": 1, "not_met": 4, "partly_met": 0, "applicable": 5, "case_type": "x", "question": ""}
    )
    assert sentence == (
        "In four of the five domestic abuse cases with a diary appointment, children present "
        "at the incident were not seen or spoken to."
    )


def test_a_question_without_its_own_wording_takes_the_general_sentence() -> None:
    wording = load_wording(LIBRARY)

    template = wording.question("domestic-abuse", "DA06", "some")

    assert template.slot == "question.some"
    text = template.render(
        {
            "met": 3,
            "partly_met": 1,
            "not_met": 1,
            "applicable": 5,
            "case_type": "domestic abuse",
            "question": "Were the children seen?",
        }
    )
    assert text == (
        "Were the children seen? Met in three of the five cases where it applied (domestic abuse)."
    )


def test_words_with_a_capital_start_a_sentence() -> None:
    text = _complete(**{"method.sample": "{sampled:Words} case files of {case_types} types."})
    wording = parse_wording([("mine.yaml", text)])

    assert wording.get("method.sample").render({"sampled": 7, "case_types": 2}) == (
        "Seven case files of 2 types."
    )


def test_an_unknown_placeholder_is_refused_with_file_and_line() -> None:
    text = _complete(**{"method.audited": "{cases} {good} {requires_improvement} {inadequat}"})
    line = 1 + text.splitlines().index(next(x for x in text.splitlines() if "{inadequat}" in x))

    with pytest.raises(WordingError) as refused:
        parse_wording([("mine.yaml", text)])

    assert str(refused.value) == (
        f"mine.yaml, line {line}: method.audited: unknown placeholder {{inadequat}} "
        "(allowed: cases, good, inadequate, requires_improvement)\n"
        f"mine.yaml, line {line}: method.audited: missing placeholder {{inadequate}}"
    )


def test_a_findings_sentence_without_its_figure_is_refused() -> None:
    text = _complete(**{"question.some": "Children were not always seen."})

    with pytest.raises(WordingError) as refused:
        parse_wording([("mine.yaml", text)])

    problems = [p.split(": ", 1)[1] for p in refused.value.problems]
    assert problems == [
        "question.some: missing placeholder {applicable}",
        "question.some: missing placeholder {met} or {not_met} or {partly_met}",
    ]
    assert all(p.startswith("mine.yaml, line ") for p in refused.value.problems)


def test_a_question_of_its_own_is_checked_like_the_general_one() -> None:
    own = (
        "questions:\n"
        "  da-diary-appointment/DY03:\n"
        "    some: 'In {not_met:words} of the cases, children were {seen}.'\n"
    )

    with pytest.raises(WordingError) as refused:
        parse_wording([("base.yaml", _complete()), ("own.yaml", own)])

    assert [p.split(": ", 1)[0] for p in refused.value.problems] == ["own.yaml, line 3"] * 2
    assert "unknown placeholder {seen}" in refused.value.problems[0]
    assert "missing placeholder {applicable}" in refused.value.problems[1]


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("{cases:.2f} {good} {requires_improvement} {inadequate}", "{cases:words}"),
        ("{cases!r} {good} {requires_improvement} {inadequate}", "{cases:words}"),
        ("{cases} {good} {requires_improvement} {inadequate", "brace"),
        ("{} {good} {requires_improvement} {inadequate}", "needs a name"),
    ],
)
def test_formats_and_broken_braces_are_refused(template: str, says: str) -> None:
    with pytest.raises(WordingError, match=r"mine\.yaml, line \d+: method\.audited: ") as refused:
        parse_wording([("mine.yaml", _complete(**{"method.audited": template}))])

    assert says in str(refused.value)


def test_a_missing_template_an_unknown_one_and_a_duplicate_are_refused() -> None:
    text = _complete().replace("  no_draw:", "  no_drawing:")

    with pytest.raises(WordingError) as refused:
        parse_wording([("a.yaml", text), ("b.yaml", "progress:\n  judgement: '{judgement}'\n")])

    problems = refused.value.problems
    assert any("unknown template 'method.no_drawing'" in p for p in problems)
    assert "b.yaml, line 2: progress.judgement is already defined in a.yaml, line" in (
        "\n".join(problems)
    )
    assert "no template for method.no_draw in any wording file" in problems


def test_a_template_that_is_not_text_is_refused() -> None:
    text = _complete() + "questions:\n  child-detention/CD15:\n    some: [1, 2]\n"

    with pytest.raises(WordingError, match=r"line \d+: questions.child-detention/CD15.some: "):
        parse_wording([("mine.yaml", text)])


def test_a_file_that_is_not_yaml_is_refused_with_its_line_and_nothing_else() -> None:
    text = _complete().replace(
        "  no_draw:", "  no_draw: {sampled} cases were chosen\n  no_draw_old:"
    )

    with pytest.raises(WordingError) as refused:
        parse_wording([("mine.yaml", text)])

    (problem,) = refused.value.problems
    assert problem.startswith("mine.yaml, line ")
    assert "not valid YAML" in problem
