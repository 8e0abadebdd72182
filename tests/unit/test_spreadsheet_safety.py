"""Formula neutralisation: text a spreadsheet would run as a formula gets a leading quote."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from auditapp.domain.spreadsheet_safety import (
    is_dangerous,
    neutralise,
    neutralise_frame,
    neutralise_row,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("=", "'="),
    ],
)
def test_formula_like_text_gets_a_leading_quote(text: str, expected: str) -> None:
    assert is_dangerous(text)
    assert neutralise(text) == expected


@pytest.mark.parametrize(
    "text",
    ["Child seen and spoken to", "", "DA-001", "2 + 2", "a=b", "'already quoted", " =spaced"],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert not is_dangerous(text)
    assert neutralise(text) == text


@pytest.mark.parametrize("value", [-2, -0.5, 3, None, True, date(2022, 9, 5)])
def test_numbers_dates_and_empty_cells_are_not_text_and_stay_as_they_are(value: object) -> None:
    assert neutralise(value) is value


def test_neutralise_row_treats_each_cell() -> None:
    assert neutralise_row(["=1", 5, "ok", "@x"]) == ["'=1", 5, "ok", "'@x"]


def test_neutralise_frame_treats_every_text_cell_and_keeps_numbers_typed() -> None:
    frame = pd.DataFrame(
        {
            "reference": ["=HYPERLINK(1)", "DA-2", None],
            "score": [-2.0, 0.5, 1.0],
            "note": ["-2+3", "fine", "\tTAB"],
        }
    )

    safe = neutralise_frame(frame)

    assert safe["reference"].tolist()[:2] == ["'=HYPERLINK(1)", "DA-2"]
    assert pd.isna(safe["reference"].iloc[2])
    assert safe["note"].tolist() == ["'-2+3", "fine", "'\tTAB"]
    assert safe["score"].tolist() == [-2.0, 0.5, 1.0]
    assert frame["reference"].iloc[0] == "=HYPERLINK(1)"  # the input is not changed


def test_neutralise_frame_treats_column_names() -> None:
    safe = neutralise_frame(pd.DataFrame({"=bad": ["x"]}))

    assert list(safe.columns) == ["'=bad"]
