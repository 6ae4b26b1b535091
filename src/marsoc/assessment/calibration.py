"""Calibration results: how far assessors agree on the same anonymised vignettes. Pure Python.

Input is every submitted rating (one assessor's levels for one vignette, and the score the method gives
those levels); output is what the results page, the CSV and the API show:

* Krippendorff's alpha (interval level) per factor, on the factor levels, assessors x vignettes.
* Overall alpha: the same statistic on the computed scores (0-100) per vignette. The score is what the
  hub acts on, so agreement on it is the headline; it weights each factor as the method does.
* Each hub's offset from the national median: per vignette, the median score of the hub's assessors
  minus the median score of all assessors; summarised by the mean (and range) over the vignettes.
* Where assessors disagree most: vignettes ranked by the standard deviation (n - 1) of their scores,
  with the factors whose normalised levels (level / max level) are most spread out.

No Django and no database, like ``stats.py`` and ``method.py``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .method import MethodSpec
from .method.spec import by_code
from .stats import krippendorff_alpha_interval, median

__all__ = [
    "CalibrationResults",
    "Disagreement",
    "DisagreementDriver",
    "FactorAgreement",
    "HubOffset",
    "Rating",
    "calibration_results",
]

DRIVERS_SHOWN = 3


@dataclass(frozen=True)
class Rating:
    """One assessor's submitted levels for one vignette, with the score the method computes from them."""

    assessor_id: int
    hub: str
    vignette_id: int
    levels: Mapping[str, int]
    score: float


@dataclass(frozen=True)
class FactorAgreement:
    code: str
    name: str
    alpha: float | None  # None: undefined (no variation, or fewer than two pairable values)


@dataclass(frozen=True)
class HubOffset:
    hub: str
    assessors: int
    mean_offset: float | None  # mean over vignettes of (hub median - national median)
    min_offset: float | None
    max_offset: float | None
    by_vignette: Mapping[int, float]


@dataclass(frozen=True)
class DisagreementDriver:
    code: str
    name: str
    spread: float  # standard deviation of level / max level across the assessors
    levels: tuple[int, ...]  # the levels given, lowest first


@dataclass(frozen=True)
class Disagreement:
    vignette_id: int
    ratings: int
    median: float | None
    spread: float | None  # standard deviation (n - 1) of the scores; None with fewer than 2 ratings
    lowest: float | None
    highest: float | None
    drivers: tuple[DisagreementDriver, ...]


@dataclass(frozen=True)
class CalibrationResults:
    assessors: int
    vignettes: int
    overall_alpha: float | None
    factors: tuple[FactorAgreement, ...]  # in method order
    national_median: Mapping[int, float]  # vignette id -> median score
    hub_offsets: tuple[HubOffset, ...]  # largest absolute mean offset first
    disagreements: tuple[Disagreement, ...]  # largest spread first

    def factor(self, code: str) -> FactorAgreement:
        return by_code(self.factors, code)

    def hub(self, name: str) -> HubOffset:
        for item in self.hub_offsets:
            if item.hub == name:
                return item
        raise KeyError(name)


def _matrix(
    assessors: Sequence[int], vignettes: Sequence[int], values: Mapping[tuple[int, int], float]
) -> list[list[float | None]]:
    """Raters x units, as `krippendorff_alpha_interval` expects; None where an assessor gave nothing."""
    return [[values.get((a, v)) for v in vignettes] for a in assessors]


def _stdev(values: Sequence[float]) -> float | None:
    return statistics.stdev(values) if len(values) >= 2 else None


def calibration_results(
    spec: MethodSpec, vignette_ids: Sequence[int], ratings: Sequence[Rating]
) -> CalibrationResults:
    """Agreement, hub offsets and disagreements for the given submitted ratings (any order)."""
    assessors = sorted({r.assessor_id for r in ratings})
    vignettes = list(vignette_ids)
    by_vignette: dict[int, list[Rating]] = defaultdict(list)
    for rating in ratings:
        by_vignette[rating.vignette_id].append(rating)

    scores = {(r.assessor_id, r.vignette_id): r.score for r in ratings}
    overall = krippendorff_alpha_interval(_matrix(assessors, vignettes, scores)) if ratings else None
    factors = []
    for factor in spec.factors:
        levels = {
            (r.assessor_id, r.vignette_id): float(r.levels[factor.code])
            for r in ratings
            if factor.code in r.levels
        }
        alpha = krippendorff_alpha_interval(_matrix(assessors, vignettes, levels)) if levels else None
        factors.append(FactorAgreement(factor.code, factor.name, alpha))

    national: dict[int, float] = {}
    for v in vignettes:
        m = median([r.score for r in by_vignette.get(v, [])])
        if m is not None:
            national[v] = m

    hubs: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    hub_assessors: dict[str, set[int]] = defaultdict(set)
    for rating in ratings:
        hubs[rating.hub][rating.vignette_id].append(rating.score)
        hub_assessors[rating.hub].add(rating.assessor_id)
    offsets = []
    for hub, per_vignette in hubs.items():
        by_v = {
            v: hub_median - national[v]
            for v in vignettes
            if v in per_vignette and (hub_median := median(per_vignette[v])) is not None
        }
        values = list(by_v.values())
        offsets.append(
            HubOffset(
                hub=hub,
                assessors=len(hub_assessors[hub]),
                mean_offset=statistics.fmean(values) if values else None,
                min_offset=min(values) if values else None,
                max_offset=max(values) if values else None,
                by_vignette=by_v,
            )
        )
    offsets.sort(key=lambda h: (-abs(h.mean_offset or 0.0), h.hub))

    disagreements = []
    for v in vignettes:
        rated = by_vignette.get(v, [])
        values = [r.score for r in rated]
        drivers = []
        for factor in spec.factors:
            given = [r.levels[factor.code] for r in rated if factor.code in r.levels]
            spread = _stdev([level / factor.max_level for level in given]) if factor.max_level else None
            if spread:
                drivers.append(DisagreementDriver(factor.code, factor.name, spread, tuple(sorted(given))))
        drivers.sort(key=lambda d: (-d.spread, d.code))
        disagreements.append(
            Disagreement(
                vignette_id=v,
                ratings=len(values),
                median=median(values),
                spread=_stdev(values),
                lowest=min(values) if values else None,
                highest=max(values) if values else None,
                drivers=tuple(drivers[:DRIVERS_SHOWN]),
            )
        )
    disagreements.sort(
        key=lambda d: (-(d.spread or 0.0), -((d.highest or 0.0) - (d.lowest or 0.0)), d.vignette_id)
    )

    return CalibrationResults(
        assessors=len(assessors),
        vignettes=len(vignettes),
        overall_alpha=overall,
        factors=tuple(factors),
        national_median=national,
        hub_offsets=tuple(offsets),
        disagreements=tuple(disagreements),
    )
