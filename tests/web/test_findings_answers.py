"""Every kind of answer on the question findings page, in the API and in the exports."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from auditapp.extensions import db
from auditapp.models import CaseStatus, Inspection, User
from auditapp.services.demo_report import GOOD_ANSWERS
from tests import factories

GOOD_CD = {k: v for k, v in GOOD_ANSWERS["child-detention"].items() if isinstance(v, str)}


def _text(response: Any) -> str:
    page = response.get_data(as_text=True)
    main = page[page.find("<main") : page.find("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)).replace(" :", ":")


@pytest.fixture
def detained(inspection: Inspection, auditor: User) -> Inspection:
    """Four detention cases charged and refused bail (CD11 yes) and one not (CD11 no).

    CD13 (accommodation asked for): secure in CD-1, CD-2, CD-3; alternative in CD-4; hidden
    in CD-5. CD16 (hours in custody): 4, 9, 9, 20 and 30.
    """
    accommodation = ["secure", "secure", "secure", "alternative"]
    hours = ["4", "9", "9", "20", "30"]
    for n in range(5):
        answers = {**GOOD_CD, "CD16": hours[n]}
        if n < 4:
            answers.update(CD11="yes", CD12="no", CD13=accommodation[n], CD14="transferred")
        factories.make_case(
            inspection,
            f"CD-{n + 1}",
            slug="child-detention",
            auditor=auditor,
            answers=answers,
            status=CaseStatus.SUBMITTED,
        )
    db.session.commit()
    return inspection


def test_questions_page_shows_choices_numbers_and_screening_questions(
    login_as: Callable[[User], Any], detained: Inspection, observer: User
) -> None:
    text = _text(login_as(observer).get(f"/findings/inspections/{detained.id}/questions"))
    assert "Secure accommodation in 3 of 4 cases" in text
    assert "Alternative (non-secure) accommodation in 1 of 4 cases" in text
    assert "median 9, range 4 to 30, over 5 cases" in text
    assert "Yes in 4 of 5 cases" in text  # CD11, a screening question
    screening = text[text.find("CD11:") : text.find("CD12:")]
    assert "met" not in screening.lower().replace("not met", "")
    assert "CI" not in screening
    assert "answered in 5 cases" in text  # CD04, a date and time


def test_each_answer_figure_links_to_the_cases_behind_it(
    login_as: Callable[[User], Any], detained: Inspection, observer: User
) -> None:
    client = login_as(observer)
    page = client.get(f"/findings/inspections/{detained.id}/questions").get_data(as_text=True)
    link = re.search(r'href="([^"]*/CD13/answered\?value=secure)"', page)
    assert link, "no link to the cases asking for secure accommodation"
    listed = client.get(link.group(1).replace("&amp;", "&"))
    assert listed.status_code == 200
    text = _text(listed)
    assert "CD13: cases answered: Secure accommodation" in text
    assert all(f"CD-{n}" in text for n in (1, 2, 3))
    assert "CD-4" not in text and "CD-5" not in text


def test_api_and_csv_carry_the_same_answer_figures(
    login_as: Callable[[User], Any], detained: Inspection, lead: User
) -> None:
    client = login_as(lead)
    data = client.get(f"/api/inspections/{detained.id}/findings").get_json()
    questions = {q["code"]: q for q in data["question_sets"][0]["questions"]}
    secure = {v["value"]: v["cases"] for v in questions["CD13"]["answers"]["values"]}
    assert secure["secure"] == 3
    assert questions["CD16"]["answers"]["median_value"] == 9
    assert questions["CD11"]["met_share"] is None
    assert questions["CD11"]["answers"]["text"] == "yes in 4 of 5 cases"
    assert questions["CD01"]["met_share"]["total"] == 5
    rows = client.get(f"/exports/{detained.id}/csv/findings.csv").get_data(as_text=True)
    by_code = {row["Question"]: row for row in csv.DictReader(io.StringIO(rows.lstrip("\ufeff")))}
    assert by_code["CD13"]["Answers"] == questions["CD13"]["answers"]["text"]
    assert by_code["CD16"]["Median"] == "9"
    assert by_code["CD11"]["95% confidence interval"] == ""


def test_report_lists_the_answers_recorded(
    login_as: Callable[[User], Any], detained: Inspection, lead: User
) -> None:
    text = _text(login_as(lead).get(f"/exports/{detained.id}/report"))
    assert "Answers recorded" in text
    assert "Secure accommodation in 3 of 4 cases" in text
