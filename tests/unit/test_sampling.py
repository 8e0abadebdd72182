"""Sampling arithmetic: sizes against published tables, reproducible draws, allocation."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from auditapp.domain.sampling import (
    SampleRequest,
    SamplingError,
    allocate_proportional,
    balance_assignments,
    describe_draw,
    draw_sample,
    draw_stratified,
    format_margin,
    margin_of_error,
    new_seed,
    parse_request,
    sample_size,
)


# Published examples: Cochran's n0 = 1.96^2 x 0.25 / e^2 with the finite-population correction,
# as online sample-size calculators give them (Krejcie & Morgan's table agrees to within one case).
@pytest.mark.parametrize(
    ("population", "margin", "expected"),
    [
        (None, 0.05, 385),
        (None, 0.10, 97),
        (None, 0.03, 1068),
        (1000, 0.05, 278),
        (500, 0.05, 218),
        (100, 0.05, 80),
        (212, 0.10, 67),
        (10_000, 0.05, 370),
        (50, 0.10, 34),
        (10, 0.10, 10),
        (1, 0.10, 1),
        (0, 0.10, 0),
    ],
)
def test_sample_size_matches_published_tables(
    population: int | None, margin: float, expected: int
) -> None:
    assert sample_size(margin, population) == expected


@pytest.mark.parametrize(("population", "size"), [(212, 67), (1000, 278), (None, 385), (50, 34)])
def test_margin_of_the_needed_size_is_within_the_asked_margin(
    population: int | None, size: int
) -> None:
    wanted = 0.10 if population in (212, 50) else 0.05
    margin = margin_of_error(size, population)
    assert margin is not None
    assert margin <= wanted
    # one case fewer misses the margin: the size is the smallest that meets it
    smaller = margin_of_error(size - 1, population)
    assert smaller is not None and smaller > wanted


@pytest.mark.parametrize(
    ("size", "population", "expected"),
    [
        (0, 212, None),
        (212, 212, 0.0),
        (300, 212, 0.0),
        (100, None, 0.098),
        (5, 212, 0.4336),
        (24, 24, 0.0),
    ],
)
def test_margin_of_error_for_a_chosen_size(
    size: int, population: int | None, expected: float | None
) -> None:
    margin = margin_of_error(size, population)
    if expected is None:
        assert margin is None
    else:
        assert margin == pytest.approx(expected, abs=5e-4)


@pytest.mark.parametrize("margin", [0, -0.1, 1, 1.5])
def test_sample_size_refuses_impossible_margins(margin: float) -> None:
    with pytest.raises(SamplingError):
        sample_size(margin, 100)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5", SampleRequest(count=5)),
        (" 12 ", SampleRequest(count=12)),
        ("10%", SampleRequest(percent=10)),
        ("12.5 %", SampleRequest(percent=12.5)),
        ("100%", SampleRequest(percent=100)),
    ],
)
def test_parse_request_reads_counts_and_percentages(text: str, expected: SampleRequest) -> None:
    assert parse_request(text) == expected


@pytest.mark.parametrize("text", ["", "five", "0", "-3", "2.5", "0%", "101%", "10%%"])
def test_parse_request_refuses_nonsense(text: str) -> None:
    with pytest.raises(SamplingError):
        parse_request(text)


@pytest.mark.parametrize(
    ("request_", "frame", "expected"),
    [
        (SampleRequest(count=5), 212, 5),
        (SampleRequest(percent=10), 212, 21),
        (SampleRequest(percent=10), 215, 22),  # 21.5 rounds half up
        (SampleRequest(percent=1), 20, 1),  # never zero when a share was asked for
        (SampleRequest(percent=100), 7, 7),
        (SampleRequest(count=7), 7, 7),
    ],
)
def test_request_size_for_a_frame(request_: SampleRequest, frame: int, expected: int) -> None:
    assert request_.size_for(frame) == expected


def test_request_for_more_cases_than_the_frame_holds_is_refused() -> None:
    with pytest.raises(SamplingError, match="Cannot draw 8 cases from 7"):
        SampleRequest(count=8).size_for(7)


FRAME = [f"DA-{i:03d}" for i in range(1, 213)]


def test_same_seed_and_frame_give_the_same_sample() -> None:
    assert draw_sample(FRAME, 5, 4821) == draw_sample(FRAME, 5, 4821)


def test_frame_order_does_not_change_the_sample() -> None:
    shuffled = FRAME[:]
    random.Random(1).shuffle(shuffled)
    assert draw_sample(shuffled, 5, 4821) == draw_sample(FRAME, 5, 4821)


def test_different_seeds_give_different_samples() -> None:
    assert draw_sample(FRAME, 5, 4821) != draw_sample(FRAME, 5, 4822)


def test_draw_has_no_repeats_and_comes_from_the_frame() -> None:
    drawn = draw_sample(FRAME, 50, 7)
    assert len(set(drawn)) == 50
    assert set(drawn) <= set(FRAME)


def test_draw_larger_than_frame_is_refused() -> None:
    with pytest.raises(SamplingError):
        draw_sample(["A", "B"], 3, 1)


@pytest.mark.parametrize(
    ("sizes", "n", "expected"),
    [
        ({"north": 100, "south": 100}, 10, {"north": 5, "south": 5}),
        ({"north": 150, "south": 50}, 8, {"north": 6, "south": 2}),
        # quotas 3.33 / 3.33 / 3.33: the leftover case goes to the first name
        ({"a": 10, "b": 10, "c": 10}, 10, {"a": 4, "b": 3, "c": 3}),
        # quotas 4.6 / 3.4 / 2.0 -> 4 + 3 + 2 = 9, the remaining case to the largest remainder
        ({"x": 46, "y": 34, "z": 20}, 10, {"x": 5, "y": 3, "z": 2}),
        ({"only": 12}, 12, {"only": 12}),
        ({"big": 99, "tiny": 1}, 5, {"big": 5, "tiny": 0}),
        ({"a": 1, "b": 1}, 0, {"a": 0, "b": 0}),
    ],
)
def test_proportional_allocation_uses_largest_remainders(
    sizes: dict[str, int], n: int, expected: dict[str, int]
) -> None:
    allocation = allocate_proportional(sizes, n)
    assert allocation == expected
    assert sum(allocation.values()) == n
    assert all(allocation[k] <= sizes[k] for k in sizes)


def test_stratified_draw_keeps_the_frame_proportions() -> None:
    areas = ["north"] * 120 + ["south"] * 60 + ["east"] * 20
    frame = {f"C{i:03d}": area for i, area in enumerate(areas)}
    drawn = draw_stratified(frame, 20, 99)
    counts = Counter(frame[ref] for ref in drawn)
    assert counts == {"north": 12, "south": 6, "east": 2}


def test_stratified_draw_is_reproducible_and_treats_blanks_as_a_stratum() -> None:
    frame = {f"C{i}": ("" if i % 4 == 0 else "urban") for i in range(40)}
    first = draw_stratified(frame, 8, 5)
    assert first == draw_stratified(dict(reversed(list(frame.items()))), 8, 5)
    assert Counter(frame[ref] or "(blank)" for ref in first) == {"urban": 6, "(blank)": 2}


def test_balanced_assignment_fills_the_emptiest_auditor_first() -> None:
    assignment = balance_assignments(["c1", "c2", "c3", "c4", "c5"], {"ann": 2, "bob": 0, "cy": 1})
    assert assignment == {"c1": "bob", "c2": "bob", "c3": "cy", "c4": "ann", "c5": "bob"}
    totals = Counter(assignment.values())
    final = {a: {"ann": 2, "bob": 0, "cy": 1}[a] + totals[a] for a in ("ann", "bob", "cy")}
    assert max(final.values()) - min(final.values()) <= 1


def test_balanced_assignment_needs_an_auditor() -> None:
    with pytest.raises(SamplingError, match="no auditor"):
        balance_assignments(["c1"], {})


def test_new_seed_is_four_digits() -> None:
    rng = random.Random(3)
    assert all(1000 <= new_seed(rng) <= 9999 for _ in range(100))


def test_draw_is_described_with_size_frame_and_seed() -> None:
    assert describe_draw(5, 212, "Domestic abuse", 4821) == (
        "5 of 212 domestic abuse cases, seed 4821"
    )


@pytest.mark.parametrize(
    ("margin", "text"), [(None, "not sampled"), (0.0, "±0.0%"), (0.09876, "±9.9%")]
)
def test_margins_are_shown_as_percentage_points(margin: float | None, text: str) -> None:
    assert format_margin(margin) == text
