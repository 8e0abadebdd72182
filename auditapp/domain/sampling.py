"""Sampling arithmetic: reproducible draws, stratified allocation, sample sizes, assignment.

Plain Python so an inspector can check every number with a calculator: no Flask, no database.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from auditapp.domain.percentages import percent_text

K = TypeVar("K", bound=Hashable)
A = TypeVar("A", bound=Hashable)

Z_95 = 1.96  # two-sided 95% confidence, as published sample-size tables use
BLANK_STRATUM = "(blank)"
SEED_RANGE = (1000, 9999)  # four digits: easy to read out and type back in


class SamplingError(ValueError):
    """A sample request that cannot be met, worded for the lead who made it."""


@dataclass(frozen=True)
class SampleRequest:
    """How many cases to draw: a count ("5") or a percentage of the frame ("10%")."""

    count: int | None = None
    percent: float | None = None

    def __str__(self) -> str:
        if self.percent is not None:
            return f"{self.percent:g}%"
        return str(self.count)

    def size_for(self, frame_size: int) -> int:
        """The number of cases this request draws from a frame of the given size."""
        if self.percent is not None:
            wanted = math.floor(frame_size * self.percent / 100 + 0.5)  # round half up
            if self.percent > 0 and frame_size > 0:
                wanted = max(wanted, 1)
            return min(wanted, frame_size)
        assert self.count is not None
        if self.count > frame_size:
            raise SamplingError(
                f"Cannot draw {self.count} cases from {frame_size}: "
                f"enter {frame_size} or fewer, or a percentage"
            )
        return self.count


_REQUEST_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


def parse_request(text: str) -> SampleRequest:
    """Read "5" as five cases and "10%" as a tenth of the frame; SamplingError otherwise."""
    match = _REQUEST_RE.match(text or "")
    if not match:
        raise SamplingError("Enter a number of cases, like 5, or a percentage, like 10%")
    number, percent = match.groups()
    if percent:
        value = float(number)
        if not 0 < value <= 100:
            raise SamplingError("Enter a percentage between 0 and 100")
        return SampleRequest(percent=value)
    if "." in number:
        raise SamplingError("Enter a whole number of cases, or a percentage like 10%")
    count = int(number)
    if count < 1:
        raise SamplingError("Enter a number of cases of 1 or more")
    return SampleRequest(count=count)


def new_seed(rng: random.Random | None = None) -> int:
    """A fresh seed for a draw whose lead gave none (recorded, so the draw can be repeated)."""
    return (rng or random.SystemRandom()).randint(*SEED_RANGE)


def draw_sample(frame: Sequence[str], size: int, seed: int) -> list[str]:
    """Draw `size` references without replacement; the same seed and frame give the same draw.

    The frame is sorted first, so the order the case list happened to be stored in does not
    change the sample: only the set of references and the seed matter.
    """
    population = sorted(set(frame))
    if size > len(population):
        raise SamplingError(f"Cannot draw {size} cases from {len(population)}")
    return sorted(random.Random(seed).sample(population, size))  # noqa: S311 - reproducible on purpose


def allocate_proportional(stratum_sizes: Mapping[str, int], size: int) -> dict[str, int]:
    """Split a sample across strata in proportion to their sizes (largest-remainder rounding).

    Each stratum gets the whole part of size * N_h / N; the cases left over go to the strata
    with the largest fractional parts (ties: the larger stratum, then the name). No stratum is
    given more cases than it holds.
    """
    total = sum(stratum_sizes.values())
    if size > total:
        raise SamplingError(f"Cannot draw {size} cases from {total}")
    if total == 0:
        return {name: 0 for name in stratum_sizes}
    quotas = {name: size * n / total for name, n in stratum_sizes.items()}
    allocation = {name: math.floor(q) for name, q in quotas.items()}
    left = size - sum(allocation.values())
    order = sorted(
        stratum_sizes,
        key=lambda name: (-(quotas[name] - allocation[name]), -stratum_sizes[name], name),
    )
    for name in order[:left]:
        allocation[name] += 1
    return allocation


def draw_stratified(frame: Mapping[str, str | None], size: int, seed: int) -> list[str]:
    """Draw from each stratum its proportional share; frame maps reference -> stratum value.

    Blank stratum values form their own stratum. Reproducible: strata are drawn in name order
    from one generator seeded with `seed`.
    """
    strata: dict[str, list[str]] = {}
    for reference, value in frame.items():
        key = str(value).strip() if value is not None and str(value).strip() else BLANK_STRATUM
        strata.setdefault(key, []).append(reference)
    allocation = allocate_proportional({k: len(v) for k, v in strata.items()}, size)
    rng = random.Random(seed)  # noqa: S311 - reproducible on purpose, not a secret
    drawn: list[str] = []
    for name in sorted(strata):
        drawn.extend(rng.sample(sorted(strata[name]), allocation[name]))
    return sorted(drawn)


def sample_size(
    margin: float, population: int | None = None, *, p: float = 0.5, z: float = Z_95
) -> int:
    """Cases needed to estimate a rate within +/- margin (0.1 = 10 points) at 95% confidence.

    n0 = z^2 p (1 - p) / e^2, then the finite-population correction n = n0 / (1 + (n0 - 1) / N),
    rounded up. `population` None means an unlimited frame.
    """
    if not 0 < margin < 1:
        raise SamplingError("The margin must be between 0% and 100%")
    if not 0 < p < 1:
        raise SamplingError("The expected rate must be between 0 and 1")
    n0 = z * z * p * (1 - p) / (margin * margin)
    if population is None:
        return math.ceil(n0 - 1e-9)
    if population <= 0:
        return 0
    n = n0 / (1 + (n0 - 1) / population)
    return min(population, math.ceil(n - 1e-9))


def margin_of_error(
    size: int, population: int | None = None, *, p: float = 0.5, z: float = Z_95
) -> float | None:
    """The +/- margin (0.1 = 10 points) a sample of `size` gives at 95% confidence, with the FPC.

    The inverse of `sample_size`: e = z sqrt(p (1 - p) / n * (N - n) / (N - 1)). None when
    nothing is sampled; 0 when the whole frame is.
    """
    if size <= 0:
        return None
    if population is not None:
        if size >= population:
            return 0.0
        fpc = (population - size) / (population - 1)
    else:
        fpc = 1.0
    return z * math.sqrt(p * (1 - p) / size * fpc)


def balance_assignments(items: Sequence[K], loads: Mapping[A, int]) -> dict[K, A]:
    """Give each item to the auditor with the fewest cases so far (ties: the order given).

    `loads` maps each auditor to the cases they already hold, in the order to break ties by.
    """
    if not loads:
        raise SamplingError("There is no auditor to assign cases to")
    current = dict(loads)
    rank = {auditor: i for i, auditor in enumerate(loads)}
    assignment: dict[K, A] = {}
    for item in items:
        chosen = min(current, key=lambda auditor: (current[auditor], rank[auditor]))
        assignment[item] = chosen
        current[chosen] += 1
    return assignment


T = TypeVar("T", bound=Hashable)


def balance_by_case_type(
    items: Sequence[tuple[K, T]], held: Mapping[A, Mapping[T, int]]
) -> dict[K, A]:
    """Spread each case type evenly: items are (case, case type); held maps each auditor to
    the cases of each type they already hold, in the order to break ties by.

    Each case goes to the auditor holding fewest of its type; ties go to whoever holds fewest
    cases in all, then to the order given. So 6 cases of type A and 3 of B across two empty
    auditors give each 3 A and one or two B, never 6 A to one and 3 B to the other.
    """
    if not held:
        raise SamplingError("There is no auditor to assign cases to")
    of_type = {auditor: dict(types) for auditor, types in held.items()}
    totals = {auditor: sum(types.values()) for auditor, types in held.items()}
    rank = {auditor: i for i, auditor in enumerate(held)}
    assignment: dict[K, A] = {}
    for item, case_type in items:
        chosen = min(
            of_type,
            key=lambda a: (of_type[a].get(case_type, 0), totals[a], rank[a]),
        )
        assignment[item] = chosen
        of_type[chosen][case_type] = of_type[chosen].get(case_type, 0) + 1
        totals[chosen] += 1
    return assignment


def describe_draw(drawn: int, frame_size: int, case_type_name: str, seed: int) -> str:
    """The line shown for a draw, e.g. "5 of 212 domestic abuse cases, seed 4821"."""
    name = case_type_name[:1].lower() + case_type_name[1:] if case_type_name else "listed"
    return f"{drawn} of {frame_size} {name} cases, seed {seed}"


def format_margin(margin: float | None) -> str:
    """A margin as the pages show it, e.g. "±9.9%" ("not sampled" when None)."""
    if margin is None:
        return "not sampled"
    return "±" + percent_text(margin, 1, fixed=True)
