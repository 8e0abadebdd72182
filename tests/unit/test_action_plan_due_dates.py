"""The due date of an action: the recommendation's timescale from the report's publication day."""

from datetime import date

import pytest

from auditapp.domain.action_plans import ActionStatus, add_months, due_date, is_overdue

PUBLISHED = date(2021, 11, 30)


@pytest.mark.parametrize(
    ("timescale", "due"),
    [
        ("immediately", date(2021, 11, 30)),
        ("Immediately", date(2021, 11, 30)),
        ("within three months", date(2022, 2, 28)),  # 30 February does not exist
        ("within six months", date(2022, 5, 30)),
        ("Within 6 months", date(2022, 5, 30)),
        ("within twelve months", date(2022, 11, 30)),
        ("within a year", date(2022, 11, 30)),
        ("within 28 days", date(2021, 12, 28)),
        ("within two weeks", date(2021, 12, 14)),
    ],
)
def test_known_timescales_run_from_publication(timescale: str, due: date) -> None:
    assert due_date(timescale, PUBLISHED).due == due


def test_immediately_is_due_on_publication_and_says_so() -> None:
    result = due_date("immediately", date(2021, 10, 5))
    assert result.due == date(2021, 10, 5)
    assert result.reason == "Immediately: due on publication, 5 October 2021"


def test_within_six_months_names_the_publication_day() -> None:
    assert due_date("within six months", date(2021, 10, 5)).reason == (
        "Within six months of publication (5 October 2021)"
    )


@pytest.mark.parametrize("timescale", ["by the next inspection", "soon", "within many months", ""])
def test_an_unknown_timescale_gives_no_due_date_and_the_reason(timescale: str) -> None:
    result = due_date(timescale, PUBLISHED)
    assert result.due is None
    assert result.reason.startswith("No due date: the timescale")
    assert "is not one the rule knows" in result.reason


def test_no_publication_date_gives_no_due_date() -> None:
    result = due_date("within six months", None)
    assert result.due is None
    assert result.reason == "No due date: the report's publication date is not recorded"


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2021, 8, 31), 6, date(2022, 2, 28)),
        (date(2023, 8, 31), 6, date(2024, 2, 29)),
        (date(2021, 12, 15), 1, date(2022, 1, 15)),
        (date(2021, 1, 31), 1, date(2021, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_month_end(
    start: date, months: int, end: date
) -> None:
    assert add_months(start, months) == end


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        (ActionStatus.NOT_STARTED, date(2022, 5, 31), True),
        (ActionStatus.IN_PROGRESS, date(2022, 5, 31), True),
        (ActionStatus.IN_PROGRESS, date(2022, 5, 30), False),  # due today is not overdue
        (ActionStatus.DONE, date(2023, 1, 1), False),
        (ActionStatus.VERIFIED, date(2023, 1, 1), False),
    ],
)
def test_only_open_actions_past_their_due_date_are_overdue(
    status: ActionStatus, today: date, overdue: bool
) -> None:
    assert is_overdue(date(2022, 5, 30), status, today) is overdue


def test_an_action_without_a_due_date_is_never_overdue() -> None:
    assert is_overdue(None, ActionStatus.NOT_STARTED, date(2030, 1, 1)) is False
