"""A validated method: its groups, factors, tiers and confidence rule, canonical form and fingerprint."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from typing import Any, Final, Protocol, TypeVar

from .errors import MethodError
from .exact import _exact
from .formula import _compile_formula, _Node

SOURCE_CODES: Final = ("1", "2", "3")  # 3x5x2 source evaluation: reliable, untested, not reliable
ASSESSMENT_CODES: Final = ("A", "B", "C", "D", "E")  # known directly ... suspected false
SCORE_MAX: Final = 100


# -------------------------------------------------------------------------------------- the method


class ConfidenceBand(StrEnum):
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    description: str
    factors: tuple[str, ...]  # factor codes, in file order


@dataclass(frozen=True)
class Factor:
    code: str
    name: str
    group: str
    description: str
    scale: tuple[str, ...]  # scale[level] is the descriptor anchoring that level; levels run 0..max_level

    @property
    def max_level(self) -> int:
        return len(self.scale) - 1

    def descriptor(self, level: int) -> str:
        return self.scale[level]


@dataclass(frozen=True)
class Tier:
    """Scores from ``min`` (inclusive) to ``max`` (exclusive); the top tier (max 100) also includes 100."""

    code: str
    name: str
    min: float
    max: float
    description: str = ""

    def contains(self, value: float) -> bool:
        return self.min <= value < self.max or (self.max == SCORE_MAX and value == SCORE_MAX)


@dataclass(frozen=True)
class ConfidenceRule:
    """Weights (0..1) for each source evaluation and intelligence assessment code, and the band thresholds."""

    source_weights: tuple[tuple[str, float], ...]  # in SOURCE_CODES order
    assessment_weights: tuple[tuple[str, float], ...]  # in ASSESSMENT_CODES order
    high: float  # confidence >= high is High
    medium: float  # medium <= confidence < high is Medium; below is Low

    def source_weight(self, code: str) -> float:
        return dict(self.source_weights)[code]

    def assessment_weight(self, code: str) -> float:
        return dict(self.assessment_weights)[code]

    def band(self, confidence: float) -> ConfidenceBand:
        if confidence >= self.high:
            return ConfidenceBand.HIGH
        if confidence >= self.medium:
            return ConfidenceBand.MEDIUM
        return ConfidenceBand.LOW

    def _weight(self, grade: str | None) -> Fraction:
        """source weight x assessment weight; no grade counts as the lowest of each."""
        if grade is None:
            return min(_exact(w) for _, w in self.source_weights) * min(
                _exact(w) for _, w in self.assessment_weights
            )
        return _exact(self.source_weight(grade[0])) * _exact(self.assessment_weight(grade[1]))


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


_C = TypeVar("_C", bound=_Coded)


def by_code(items: Iterable[_C], code: str) -> _C:
    """The item (group, factor, tier, factor result...) with this code (KeyError when there is none)."""
    for item in items:
        if item.code == code:
            return item
    raise KeyError(code)


@dataclass(frozen=True)
class MethodSpec:
    """A validated method. Build it with :func:`load_method`; it never changes once built."""

    code: str
    name: str
    version: int
    description: str
    groups: tuple[Group, ...]
    factors: tuple[Factor, ...]
    formula: str  # normalised rendering of the formula (same meaning as the file's text)
    confidence: ConfidenceRule
    tiers: tuple[Tier, ...]  # highest first

    def factor(self, code: str) -> Factor:
        return by_code(self.factors, code)

    def group(self, code: str) -> Group:
        return by_code(self.groups, code)

    def tier(self, code: str) -> Tier:
        return by_code(self.tiers, code)

    def tier_for(self, value: float) -> Tier:
        for tier in self.tiers:
            if tier.contains(value):
                return tier
        raise ValueError(f"score {value} is outside 0..{SCORE_MAX}")

    def canonical(self) -> dict[str, Any]:
        """Everything that defines the method, as plain JSON-able data (numbers as floats)."""
        return {
            "code": self.code,
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "groups": [{"code": g.code, "name": g.name, "description": g.description} for g in self.groups],
            "factors": [
                {
                    "code": f.code,
                    "name": f.name,
                    "group": f.group,
                    "description": f.description,
                    "scale": list(f.scale),
                }
                for f in self.factors
            ],
            "formula": self.formula,
            "confidence": {
                "source": {c: float(w) for c, w in self.confidence.source_weights},
                "assessment": {c: float(w) for c, w in self.confidence.assessment_weights},
                "bands": {"high": float(self.confidence.high), "medium": float(self.confidence.medium)},
            },
            "tiers": [
                {
                    "code": t.code,
                    "name": t.name,
                    "description": t.description,
                    "min": float(t.min),
                    "max": float(t.max),
                }
                for t in self.tiers
            ],
        }

    def canonical_json(self) -> str:
        """Canonical JSON: sorted keys, no spaces, UTF-8 text. Layout and comments in the file don't matter."""
        return json.dumps(self.canonical(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @cached_property
    def fingerprint(self) -> str:
        """sha256 (hex) of :meth:`canonical_json`: same content, same fingerprint."""
        return hashlib.sha256(self.canonical_json().encode("utf-8")).hexdigest()

    @cached_property
    def _compiled(self) -> _Node:
        tree, problems = _compile_formula(self.formula, self._names())
        if tree is None:
            raise MethodError(problems)
        return tree

    def _names(self) -> frozenset[str]:
        return frozenset(g.code for g in self.groups) | frozenset(f.code for f in self.factors)


# -------------------------------------------------------------------------------------- the result
