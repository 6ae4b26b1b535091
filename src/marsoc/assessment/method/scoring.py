"""Scoring factor levels against a method: the score, tier, confidence and the breakdown of what drove it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Final

from .errors import ScoringError
from .exact import _mean, _round_half_up, _tenths_to_float
from .spec import SCORE_MAX, ConfidenceBand, MethodSpec, Tier, by_code

_GRADE_RE: Final = re.compile(r"([123])([A-E])\Z")


@dataclass(frozen=True)
class FactorScore:
    code: str
    name: str
    group: str
    level: int
    max_level: int
    descriptor: str
    normalised: float  # level / max_level
    grade: str | None  # e.g. "1A"; None when no grade was given
    confidence: float  # source weight x assessment weight, 3 dp
    contribution: float  # score - score with this factor at 0, 1 dp


@dataclass(frozen=True)
class ScoreResult:
    method_code: str
    method_version: int
    method_fingerprint: str
    score: float  # 0..100, 1 dp
    tier: Tier
    confidence: float  # 0..1, 3 dp
    band: ConfidenceBand
    group_values: Mapping[str, float]  # group code -> mean normalised level (0..1), unrounded
    breakdown: tuple[FactorScore, ...]  # in method order

    def factor(self, code: str) -> FactorScore:
        return by_code(self.breakdown, code)

    def top_factors(self, n: int = 3) -> tuple[FactorScore, ...]:
        """The n factors that drove the score: largest contribution first, ties by factor code.

        Only factors whose contribution is above 0 are listed, so fewer than n may come back.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        ranked = sorted(
            (f for f in self.breakdown if f.contribution > 0), key=lambda f: (-f.contribution, f.code)
        )
        return tuple(ranked[:n])

    def as_dict(self) -> dict[str, Any]:
        """Plain data for storing or showing the result alongside the method fingerprint."""
        return {
            "method": {
                "code": self.method_code,
                "version": self.method_version,
                "fingerprint": self.method_fingerprint,
            },
            "score": self.score,
            "tier": {"code": self.tier.code, "name": self.tier.name},
            "confidence": self.confidence,
            "band": str(self.band),
            "group_values": dict(self.group_values),
            "breakdown": [
                {
                    "code": f.code,
                    "group": f.group,
                    "level": f.level,
                    "descriptor": f.descriptor,
                    "normalised": f.normalised,
                    "grade": f.grade,
                    "confidence": f.confidence,
                    "contribution": f.contribution,
                }
                for f in self.breakdown
            ],
        }


# ----------------------------------------------------------------------------------------- scoring


def score(
    spec: MethodSpec, levels: Mapping[str, int], grades: Mapping[str, str] | None = None
) -> ScoreResult:
    """Score one assessment: a level for every factor, and optionally a 3x5x2 grade ("1A") per factor.

    Raises :class:`ScoringError` naming each unknown factor, missing or out-of-scale level and bad grade.
    A factor with no grade counts with the lowest confidence the method allows (lowest source weight x
    lowest assessment weight).
    """
    problems: list[str] = []
    checked = _check_levels(spec, levels, problems)
    graded = _check_grades(spec, grades or {}, problems)
    if problems:
        raise ScoringError(problems)

    tenths = _score_tenths(spec, checked)
    value = _tenths_to_float(tenths)
    env = _environment(spec, checked)

    breakdown = []
    weights: dict[str, Fraction] = {}
    for factor in spec.factors:
        level = checked[factor.code]
        if level == 0:
            contribution = 0
        else:
            zeroed = dict(checked)
            zeroed[factor.code] = 0
            contribution = tenths - _score_tenths(spec, zeroed, zeroing=factor.code)
        weight = spec.confidence._weight(graded.get(factor.code))
        weights[factor.code] = weight
        breakdown.append(
            FactorScore(
                code=factor.code,
                name=factor.name,
                group=factor.group,
                level=level,
                max_level=factor.max_level,
                descriptor=factor.descriptor(level),
                normalised=float(env[factor.code]),
                grade=graded.get(factor.code),
                confidence=float(_round_half_up(weight, 3)),
                contribution=_tenths_to_float(contribution),
            )
        )

    counted = [f.code for f in spec.factors if checked[f.code] > 0] or [f.code for f in spec.factors]
    confidence = float(_round_half_up(_mean(weights[c] for c in counted), 3))
    return ScoreResult(
        method_code=spec.code,
        method_version=spec.version,
        method_fingerprint=spec.fingerprint,
        score=value,
        tier=spec.tier_for(value),
        confidence=confidence,
        band=spec.confidence.band(confidence),
        group_values=MappingProxyType({g.code: float(env[g.code]) for g in spec.groups}),
        breakdown=tuple(breakdown),
    )


def score_only(spec: MethodSpec, levels: Mapping[str, int]) -> tuple[float, Tier]:
    """Score and tier alone, for re-scoring a whole cohort: the same exact arithmetic as :func:`score`
    (so the same inputs give the same score), without the breakdown, which costs one extra formula
    evaluation per factor. Every factor needs a level on its scale (ScoringError otherwise)."""
    problems: list[str] = []
    checked = _check_levels(spec, levels, problems)
    if problems:
        raise ScoringError(problems)
    value = _tenths_to_float(_score_tenths(spec, checked))
    return value, spec.tier_for(value)


def _check_levels(spec: MethodSpec, levels: Mapping[str, int], problems: list[str]) -> dict[str, int]:
    known = {f.code for f in spec.factors}
    problems.extend(f"unknown factor '{code}'" for code in sorted(set(levels) - known, key=str))
    checked: dict[str, int] = {}
    for factor in spec.factors:
        if factor.code not in levels:
            problems.append(f"factor '{factor.code}': no level given")
            continue
        level = levels[factor.code]
        if isinstance(level, bool) or not isinstance(level, int):
            problems.append(f"factor '{factor.code}': level must be a whole number, not {level!r}")
        elif not 0 <= level <= factor.max_level:
            problems.append(
                f"factor '{factor.code}': level {level} is outside its scale 0..{factor.max_level}"
            )
        else:
            checked[factor.code] = level
    return checked


def _check_grades(spec: MethodSpec, grades: Mapping[str, str], problems: list[str]) -> dict[str, str]:
    known = {f.code for f in spec.factors}
    checked: dict[str, str] = {}
    for code in sorted(grades, key=str):
        grade = grades[code]
        if code not in known:
            problems.append(f"evidence grade given for unknown factor '{code}'")
            continue
        normal = grade.strip().upper() if isinstance(grade, str) else ""
        if not _GRADE_RE.match(normal):
            problems.append(
                f"factor '{code}': evidence grade {grade!r} is not valid "
                "(a source evaluation 1-3 then an intelligence assessment A-E, e.g. '1A')"
            )
            continue
        checked[code] = normal
    return checked


def _environment(spec: MethodSpec, levels: Mapping[str, int]) -> dict[str, Fraction]:
    env = {f.code: Fraction(levels[f.code], f.max_level) for f in spec.factors}
    for group in spec.groups:
        env[group.code] = _mean(env[c] for c in group.factors)
    return env


def _score_tenths(spec: MethodSpec, levels: Mapping[str, int], zeroing: str | None = None) -> int:
    """The score in tenths (0..1000): clamp the formula to 0..1, x100, round half up to 1 dp."""
    try:
        raw = spec._compiled.evaluate(_environment(spec, levels))
    except ZeroDivisionError:
        when = f" when factor '{zeroing}' is set to 0 (to find its contribution)" if zeroing else ""
        raise ScoringError([f"the method's formula divides by zero for these levels{when}"]) from None
    clamped = min(max(raw, Fraction(0)), Fraction(1))
    return int(_round_half_up(clamped * SCORE_MAX, 1) * 10)
