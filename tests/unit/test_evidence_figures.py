"""Figures quoted as evidence: one a line, a number, what it counts, and optionally a date."""

from datetime import date
from decimal import Decimal

import pytest

from auditapp.domain.evidence import Figure, FigureError, figures_text, parse_figures

VISIT = date(2022, 9, 9)


def test_the_reviews_three_priorities_are_three_figures() -> None:
    text = (
        "2 high-priority cases awaiting activity\n"
        "48 medium-priority cases not yet visited\n\n"
        "56 low-priority cases not yet visited, 5 September 2022\n"
    )
    figures = parse_figures(text, VISIT)
    assert [(f.value, f.unit, f.as_of) for f in figures] == [
        (Decimal(2), "high-priority cases awaiting activity", VISIT),
        (Decimal(48), "medium-priority cases not yet visited", VISIT),
        (Decimal(56), "low-priority cases not yet visited", date(2022, 9, 5)),
    ]


@pytest.mark.parametrize(
    ("line", "value", "unit", "as_of"),
    [
        ("300 cases waiting to be uploaded", "300", "cases waiting to be uploaded", VISIT),
        ("1,250 images, 2022-08-31", "1250", "images", date(2022, 8, 31)),
        ("2.5 days on average, 1/9/2022", "2.5", "days on average", date(2022, 9, 1)),
        ("47 cases not progressed, June 2022", "47", "cases not progressed", date(2022, 6, 1)),
        # a comma not followed by a date stays in what the figure counts
        ("3 investigators, planned", "3", "investigators, planned", VISIT),
    ],
)
def test_each_line_reads_its_number_unit_and_date(
    line: str, value: str, unit: str, as_of: date
) -> None:
    (figure,) = parse_figures(line, VISIT)
    assert (figure.value, figure.unit, figure.as_of) == (Decimal(value), unit, as_of)


@pytest.mark.parametrize(
    "text",
    ["cases not progressed: 47", "2, 48 and 56 awaiting action", "48"],
)
def test_a_line_without_a_leading_number_and_unit_is_refused_naming_the_line(text: str) -> None:
    with pytest.raises(FigureError, match="line 2"):
        parse_figures("47 cases not progressed\n" + text, VISIT)


def test_at_most_ten_figures() -> None:
    with pytest.raises(FigureError, match="10 figures or fewer"):
        parse_figures("\n".join(f"{n} cases" for n in range(11)), VISIT)


def test_figures_are_written_back_as_they_are_read() -> None:
    figures = parse_figures("1,250 images, 31 August 2022\n2.5 days on average", VISIT)
    assert parse_figures(figures_text(figures), VISIT) == figures
    assert figures[0].text == "1,250 images (31 August 2022)"


def test_a_stored_figure_round_trips_exactly() -> None:
    figure = Figure(Decimal("0.1"), "of cases", VISIT)
    assert Figure.from_json(figure.to_json()) == figure
