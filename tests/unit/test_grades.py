"""Grades as people read them: one label and one tag helper, and the gradeTag macro."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from auditapp.domain.grades import Grade, grade_label, grade_tag

TEMPLATES = Path(__file__).resolve().parents[2] / "auditapp" / "templates"


@pytest.mark.parametrize(
    ("grade", "label", "classes"),
    [
        (Grade.GOOD, "Good", "govuk-tag--green"),
        ("good", "Good", "govuk-tag--green"),
        ("requires_improvement", "Requires improvement", "govuk-tag--yellow"),
        ("inadequate", "Inadequate", "govuk-tag--red"),
        (None, "Not graded", "govuk-tag--grey"),
        ("", "Not graded", "govuk-tag--grey"),
    ],
)
def test_each_grade_has_one_label_and_tag(grade: str | None, label: str, classes: str) -> None:
    assert grade_label(grade) == label
    assert grade_tag(grade) == {"text": label, "classes": classes}


def test_a_provisional_grade_says_so_on_its_tag() -> None:
    assert grade_tag("good", provisional=True) == {
        "text": "Good (provisional)",
        "classes": "govuk-tag--green",
    }


def test_the_words_for_no_grade_can_be_chosen() -> None:
    assert grade_label(None, ungraded="Not moderated yet") == "Not moderated yet"
    assert grade_tag(None, ungraded="Not graded yet")["text"] == "Not graded yet"


def test_an_unknown_grade_is_an_error_not_a_grey_tag() -> None:
    with pytest.raises(ValueError, match="outstanding"):
        grade_tag("outstanding")


def _render_macro(call: str) -> str:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATES),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=True,
    )
    env.globals["grade_tag"] = grade_tag
    template = env.from_string(
        '{% from "components/grade.html" import gradeTag %}' + "{{ " + call + " }}"
    )
    return " ".join(template.render().split())


@pytest.mark.parametrize(
    ("call", "html"),
    [
        (
            'gradeTag("requires_improvement")',
            '<strong class="govuk-tag govuk-tag--yellow"> Requires improvement </strong>',
        ),
        (
            'gradeTag("good", provisional=true)',
            '<strong class="govuk-tag govuk-tag--green"> Good (provisional) </strong>',
        ),
        (
            'gradeTag(none, ungraded="Not graded yet", attributes={"data-grade-tag": ""})',
            '<strong class="govuk-tag govuk-tag--grey" data-grade-tag=""> Not graded yet </strong>',
        ),
    ],
)
def test_grade_tag_macro_renders_the_helpers_tag(call: str, html: str) -> None:
    assert _render_macro(call) == html
