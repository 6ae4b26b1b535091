"""Pure statistics for assessment reliability and equality monitoring.

Standard library only: these figures feed reports, so they must be reproducible anywhere without
numpy/scipy, and every function is a plain function of its arguments (no Django, no database).

- Krippendorff's alpha (interval and nominal) for inter-rater reliability, following Krippendorff (2011)
  "Computing Krippendorff's Alpha-Reliability" (coincidence-matrix formulation).
- Relative rate index with a Katz log-scale 95% confidence interval, for disproportionality monitoring.
- Small-number suppression and age banding for publishing counts without identifying people.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

__all__ = [
    "AGE_BANDS",
    "RateIndex",
    "age_band",
    "krippendorff_alpha_interval",
    "krippendorff_alpha_nominal",
    "median",
    "relative_rate_index",
    "suppress_small",
]

# ---------------------------------------------------------------------------------------------------------
# Krippendorff's alpha
# ---------------------------------------------------------------------------------------------------------

RaterData = Sequence[Sequence[float | None]]
Metric = Callable[[float, float], float]


def _interval_delta(c: float, k: float) -> float:
    # Interval level: disagreement grows with the squared distance between the two values.
    return (c - k) ** 2


def _nominal_delta(c: float, k: float) -> float:
    # Nominal level: values are labels, so any mismatch counts as one whole disagreement.
    return 0.0 if c == k else 1.0


def _pairable_units(data: RaterData) -> list[list[float]]:
    """Transpose raters × units into per-unit value lists, keeping only units with ≥ 2 values.

    Units coded by a single rater cannot be compared with anything, so Krippendorff drops them.
    """
    if not data:
        return []
    n_units = len(data[0])
    for index, row in enumerate(data):
        # A ragged matrix means the caller lost track of which column is which unit: refuse, don't guess.
        if len(row) != n_units:
            raise ValueError(f"data: rater {index} has {len(row)} units, expected {n_units}")
    units: list[list[float]] = []
    for u in range(n_units):
        values: list[float] = []
        for row in data:
            value = row[u]
            if value is None:
                continue
            # NaN would silently poison every sum (and NaN != NaN breaks the nominal metric).
            if not math.isfinite(value):
                raise ValueError(f"data: non-finite value {value!r} in unit {u}")
            values.append(float(value))
        if len(values) >= 2:
            units.append(values)
    return units


def _krippendorff_alpha(data: RaterData, delta: Metric) -> float | None:
    units = _pairable_units(data)

    # Coincidence matrix o[c, k]: every ordered pair of values (c, k) from different raters within a unit,
    # each weighted 1 / (m_u − 1) so that every pairable value contributes exactly 1 in total (n_c sums to
    # the number of pairable values). Keyed by the value pair because the value set is data-driven.
    coincidences: defaultdict[tuple[float, float], float] = defaultdict(float)
    for values in units:
        weight = 1.0 / (len(values) - 1)
        for i, c in enumerate(values):
            for j, k in enumerate(values):
                if i != j:
                    coincidences[(c, k)] += weight

    # Marginals n_c and the grand total n. Counted directly (not summed from floats) so n is exact.
    marginals: defaultdict[float, int] = defaultdict(int)
    for values in units:
        for c in values:
            marginals[c] += 1
    n = sum(marginals.values())
    if n < 2:
        return None  # nothing pairable: reliability is undefined, not zero

    # Observed disagreement D_o = (1/n) Σ_ck o_ck δ²_ck. fsum avoids compounding rounding error over many
    # cells, so reordering raters or units moves the result only in the last few bits (tests compare with approx).
    observed = math.fsum(o * delta(c, k) for (c, k), o in coincidences.items()) / n

    # Expected disagreement D_e = 1/(n(n−1)) Σ_ck n_c n_k δ²_ck: the disagreement of values paired by chance.
    levels = sorted(marginals)
    expected = math.fsum(
        marginals[c] * marginals[k] * delta(c, k) for c in levels for k in levels if c != k
    ) / (n * (n - 1))
    if expected == 0.0:
        return None  # no variation at all: agreement cannot be distinguished from chance

    return 1.0 - observed / expected


def krippendorff_alpha_interval(data: RaterData) -> float | None:
    """Krippendorff's alpha at the interval level of measurement.

    ``data`` is raters × units: one row per rater/coder, one column per unit; ``None`` marks a missing
    rating. Returns ``None`` when alpha is undefined (fewer than two pairable values, or no variation in
    the pairable data). 1.0 is perfect agreement, 0.0 agreement at chance level; it can be negative.
    """
    return _krippendorff_alpha(data, _interval_delta)


def krippendorff_alpha_nominal(data: RaterData) -> float | None:
    """Krippendorff's alpha at the nominal level (δ = 0 for equal values, else 1). Same API as the interval form."""
    return _krippendorff_alpha(data, _nominal_delta)


# ---------------------------------------------------------------------------------------------------------
# Relative rate index
# ---------------------------------------------------------------------------------------------------------

Z_95 = 1.959964  # two-sided 95% standard normal quantile


@dataclass(frozen=True, slots=True)
class RateIndex:
    """A relative rate index with its confidence interval (``lower`` ≤ ``rri`` ≤ ``upper``)."""

    rri: float
    lower: float
    upper: float

    def over_represented(self, threshold: float) -> bool:
        """True only when the whole confidence interval lies above ``threshold``.

        We test the LOWER bound rather than the point estimate on purpose: with small groups the point
        estimate swings widely, and flagging a group as over-represented is a claim we should only make
        when the data rule out a rate at or below the threshold (at the interval's confidence level).
        """
        return self.lower > threshold


def _check_part_of_total(part: int, part_name: str, total: int, total_name: str) -> None:
    if part < 0:
        raise ValueError(f"{part_name} must not be negative (got {part})")
    if total < 0:
        raise ValueError(f"{total_name} must not be negative (got {total})")
    if part > total:
        raise ValueError(f"{part_name} ({part}) must not exceed {total_name} ({total})")


def relative_rate_index(
    group_in_cohort: int,
    cohort_total: int,
    group_in_reference: int,
    reference_total: int,
    z: float = Z_95,
) -> RateIndex | None:
    """Relative rate index RRI = (a/n1) / (c/n2) with a Katz log-scale confidence interval.

    a = ``group_in_cohort``, n1 = ``cohort_total``, c = ``group_in_reference``, n2 = ``reference_total``.
    SE(ln RRI) = sqrt(1/a − 1/n1 + 1/c − 1/n2); bounds exp(ln RRI ± z·SE). The default ``z`` gives 95%.

    Returns ``None`` when the index is undefined (a zero group count or a zero total): a zero numerator
    has no log-scale interval, and a zero denominator has no rate. Raises ``ValueError`` (naming the
    argument) for negative counts, a part larger than its total, or a negative/non-finite ``z``.
    """
    _check_part_of_total(group_in_cohort, "group_in_cohort", cohort_total, "cohort_total")
    _check_part_of_total(group_in_reference, "group_in_reference", reference_total, "reference_total")
    if not (math.isfinite(z) and z >= 0):
        raise ValueError(f"z must be a finite non-negative number (got {z})")
    # Totals of zero imply zero parts after validation, but test them explicitly for clarity.
    if 0 in (group_in_cohort, cohort_total, group_in_reference, reference_total):
        return None

    a, n1, c, n2 = group_in_cohort, cohort_total, group_in_reference, reference_total
    # Cross-multiply in exact integers so there is a single rounding: equal rates give exactly 1.0.
    rri = (a * n2) / (n1 * c)
    # Variance of a log ratio of two independent binomial proportions (Katz et al. 1978). Each term
    # 1/x − 1/total is ≥ 0 because part ≤ total, so the sqrt is safe; max() guards rounding at part == total.
    se = math.sqrt(max(0.0, 1 / a - 1 / n1 + 1 / c - 1 / n2))
    half_width = z * se
    if half_width == 0.0:
        return RateIndex(rri=rri, lower=rri, upper=rri)  # no uncertainty: the interval is the estimate itself
    log_rri = math.log(rri)
    # exp(log(x)) can miss x by an ulp; clamp so lower ≤ rri ≤ upper always holds.
    lower = min(rri, math.exp(log_rri - half_width))
    upper = max(rri, math.exp(log_rri + half_width))
    return RateIndex(rri=rri, lower=lower, upper=upper)


# ---------------------------------------------------------------------------------------------------------
# Disclosure control and banding
# ---------------------------------------------------------------------------------------------------------


def suppress_small(count: int, threshold: int = 5) -> int | None:
    """Return ``None`` for 0 < count < threshold, else ``count``.

    Small non-zero counts can identify individuals, so they are withheld; a true zero reveals nothing about
    any person and is published as is.
    """
    if count < 0:
        raise ValueError(f"count must not be negative (got {count})")
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1 (got {threshold})")
    return None if 0 < count < threshold else count


AGE_BANDS: tuple[str, ...] = ("under 18", "18-24", "25-34", "35-44", "45-54", "55+")

# Lower age bound (inclusive) of each adult band, checked from the oldest down.
_BAND_FLOORS: tuple[tuple[int, str], ...] = (
    (55, "55+"),
    (45, "45-54"),
    (35, "35-44"),
    (25, "25-34"),
    (18, "18-24"),
)


def _age_in_years(dob: date, on: date) -> int:
    # Completed years. Tuple comparison makes a 29 February birthday fall on 1 March in common years,
    # the usual legal convention (e.g. in England and Wales).
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def age_band(dob: date, on: date) -> str:
    """The age band (one of ``AGE_BANDS``) of someone born on ``dob``, as at ``on``."""
    if on < dob:
        raise ValueError(f"on ({on}) is before dob ({dob})")
    age = _age_in_years(dob, on)
    for floor, label in _BAND_FLOORS:
        if age >= floor:
            return label
    return "under 18"


# ---------------------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """Median of ``values``, or ``None`` for an empty sequence (statistics.median raises instead)."""
    if not values:
        return None
    return float(statistics.median(values))
