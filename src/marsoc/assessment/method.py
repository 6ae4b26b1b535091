"""The assessment method: one versioned, data-defined way to score and rank a nominal's harm.

A method is a TOML file (the default is ``methods/marsoc-priority-v1.toml``; the reasoning is in
``docs/method-v1.md``). It declares factor groups, factors with an anchored scale (a descriptor for every
level from 0), a formula in a small safe expression language, how 3x5x2 evidence grades set a confidence,
and tiers. This module parses and validates a method, fingerprints it, and scores factor levels against it.
It is pure Python: no Django, no database.

Rules that make a score reproducible and explainable:

* A factor's value in the formula is ``level / max level`` (0..1); a group's value is the mean of its
  factors' values. Group and factor codes are the names the formula may use.
* The formula is parsed with :mod:`ast` (never ``eval``) and allows only numbers, names, ``+ - * /``,
  parentheses, unary minus and ``max()``, ``min()``, ``mean()``. It must give a value from 0 to 1.
* All arithmetic is exact (:class:`fractions.Fraction`; a decimal number in the formula or the file means
  exactly that decimal), so the same inputs give the same score on every machine.
* Score = formula value clamped to 0..1, times 100, rounded to 1 decimal place, halves rounded up
  (77.25 -> 77.3). Confidence is rounded to 3 decimal places the same way; its band is read from the
  rounded value, so the number shown and the band always agree.
* A factor's contribution is ``score - score with that factor set to 0`` (both rounded); it works for any
  formula, but contributions need not add up to the score.
"""

from __future__ import annotations

import ast
import hashlib
import itertools
import json
import math
import os
import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Protocol, TypeVar

__all__ = [
    "ASSESSMENT_CODES",
    "DEFAULT_METHOD_FILE",
    "FUNCTIONS",
    "SOURCE_CODES",
    "ConfidenceBand",
    "ConfidenceRule",
    "Factor",
    "FactorScore",
    "Group",
    "MethodError",
    "MethodSpec",
    "ScoreResult",
    "ScoringError",
    "Tier",
    "load_default_method",
    "load_method",
    "load_method_file",
    "score",
]

METHODS_DIR: Final = Path(__file__).resolve().parent / "methods"
DEFAULT_METHOD_FILE: Final = METHODS_DIR / "marsoc-priority-v1.toml"

SOURCE_CODES: Final = ("1", "2", "3")  # 3x5x2 source evaluation: reliable, untested, not reliable
ASSESSMENT_CODES: Final = ("A", "B", "C", "D", "E")  # known directly ... suspected false
FUNCTIONS: Final = ("max", "min", "mean")
SCORE_MAX: Final = 100

_CODE_RE: Final = re.compile(r"[a-z][a-z0-9_]*\Z")
_METHOD_CODE_RE: Final = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")
_GRADE_RE: Final = re.compile(r"([123])([A-E])\Z")
_MAX_FORMULA_CHARS: Final = 2000


# --------------------------------------------------------------------------------------------- errors


class _ProblemsError(ValueError):
    """An error carrying every problem found, not just the first."""

    heading = "problems"

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__(f"{self.heading}:\n" + "\n".join(f"- {p}" for p in self.problems))


class MethodError(_ProblemsError):
    """The method file is not valid; ``problems`` lists everything wrong with it."""

    heading = "the assessment method is not valid"


class ScoringError(_ProblemsError):
    """The levels or grades given cannot be scored with this method; ``problems`` names each factor."""

    heading = "the factor levels cannot be scored"


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


def method_differences(old: MethodSpec, new: MethodSpec) -> list[str]:
    """What changed between two methods, in words a national analyst can check against the file."""
    found: list[str] = []
    old_factors = {f.code: f for f in old.factors}
    new_factors = {f.code: f for f in new.factors}
    added = sorted(set(new_factors) - set(old_factors))
    removed = sorted(set(old_factors) - set(new_factors))
    if added:
        found.append(
            "factors added: " + ", ".join(added) + " (people assessed without them count them at level 0)"
        )
    if removed:
        found.append("factors removed: " + ", ".join(removed))
    for code in sorted(set(old_factors) & set(new_factors)):
        before, after = old_factors[code], new_factors[code]
        if before.max_level != after.max_level:
            found.append(f"factor {code}: scale 0..{before.max_level} became 0..{after.max_level}")
        elif before.scale != after.scale:
            found.append(f"factor {code}: scale descriptors reworded")
        if before.group != after.group:
            found.append(f"factor {code}: moved from group {before.group} to {after.group}")
    if old.formula != new.formula:
        found.append(f"formula changed: {old.formula} became {new.formula}")
    old_tiers = {t.code: t for t in old.tiers}
    for tier in new.tiers:
        was = old_tiers.get(tier.code)
        if was is None:
            found.append(f"new tier {tier.code} ({tier.name}): {_fmt(tier.min)} to {_fmt(tier.max)}")
        elif (was.min, was.max) != (tier.min, tier.max):
            found.append(
                f"tier {tier.code}: {_fmt(was.min)}-{_fmt(was.max)} became {_fmt(tier.min)}-{_fmt(tier.max)}"
            )
    for code in sorted(set(old_tiers) - {t.code for t in new.tiers}):
        found.append(f"tier {code} removed")
    if old.confidence != new.confidence:
        found.append("confidence weights or bands changed (confidence only; never the score or tier)")
    return found


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


def _tenths_to_float(tenths: int) -> float:
    return float(Fraction(tenths, 10))


def _round_half_up(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def _mean(values: Iterable[Fraction]) -> Fraction:
    items = list(values)
    return sum(items, Fraction(0)) / len(items)


def _exact(number: float) -> Fraction:
    """The decimal a float was written as (shortest repr), exactly: 0.3 -> 3/10."""
    return Fraction(repr(float(number)))


# ------------------------------------------------------------------------------ formula language


class _Node:
    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class _Number(_Node):
    value: Fraction

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        return self.value


@dataclass(frozen=True)
class _Name(_Node):
    name: str

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        return env[self.name]


@dataclass(frozen=True)
class _Negate(_Node):
    operand: _Node

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        return -self.operand.evaluate(env)


@dataclass(frozen=True)
class _Binary(_Node):
    op: str
    left: _Node
    right: _Node

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        a, b = self.left.evaluate(env), self.right.evaluate(env)
        if self.op == "+":
            return a + b
        if self.op == "-":
            return a - b
        if self.op == "*":
            return a * b
        return a / b


@dataclass(frozen=True)
class _Call(_Node):
    function: str
    args: tuple[_Node, ...]

    def evaluate(self, env: Mapping[str, Fraction]) -> Fraction:
        values = [arg.evaluate(env) for arg in self.args]
        if self.function == "max":
            return max(values)
        if self.function == "min":
            return min(values)
        return _mean(values)


_BINARY_OPS: Final[dict[type[ast.AST], str]] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_SYNTAX_NAMES: Final[dict[type[ast.AST], str]] = {
    ast.Pow: "power (**)",
    ast.Mod: "remainder (%)",
    ast.FloorDiv: "floor division (//)",
    ast.MatMult: "matrix multiplication (@)",
    ast.BitAnd: "bitwise and (&)",
    ast.BitOr: "bitwise or (|)",
    ast.BitXor: "bitwise xor (^)",
    ast.LShift: "shift (<<)",
    ast.RShift: "shift (>>)",
    ast.UAdd: "unary plus",
    ast.Not: "'not'",
    ast.Invert: "bitwise not (~)",
    ast.Compare: "comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expression (if/else)",
    ast.Attribute: "attribute access (.)",
    ast.Subscript: "indexing ([])",
    ast.Lambda: "lambda",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Dict: "a dictionary",
    ast.Set: "a set",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.NamedExpr: "assignment (:=)",
    ast.JoinedStr: "an f-string",
    ast.Starred: "unpacking (*)",
    ast.keyword: "keyword arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class _FormulaCompiler:
    def __init__(self, source: str, names: frozenset[str]) -> None:
        self.source = source
        self.names = names
        self.problems: list[str] = []

    def reject(self, what: ast.AST, where: ast.AST) -> None:
        label = _SYNTAX_NAMES.get(type(what), type(what).__name__)
        segment = ast.get_source_segment(self.source, where) or self.source
        self.problems.append(f"formula: {label} is not allowed (in '{segment}')")

    def add(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)

    def compile(self, node: ast.AST) -> _Node | None:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                self.add(f"formula: function '{node.id}' must be called, e.g. {node.id}(harm, likelihood)")
                return None
            if node.id not in self.names:
                self.add(f"formula refers to unknown factor or group '{node.id}'")
                return None
            return _Name(node.id)
        if isinstance(node, ast.UnaryOp):
            operand = self.compile(node.operand)
            if not isinstance(node.op, ast.USub):
                self.reject(node.op, node)
                return None
            return _Negate(operand) if operand is not None else None
        if isinstance(node, ast.BinOp):
            left, right = self.compile(node.left), self.compile(node.right)
            op = _BINARY_OPS.get(type(node.op))
            if op is None:
                self.reject(node.op, node)
                return None
            return _Binary(op, left, right) if left is not None and right is not None else None
        if isinstance(node, ast.Call):
            return self.call(node)
        self.reject(node, node)
        return None

    def number(self, node: ast.Constant) -> _Node | None:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            segment = ast.get_source_segment(self.source, node) or repr(value)
            self.add(f"formula: only numbers and names are allowed, not {segment}")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.add(f"formula: number {ast.get_source_segment(self.source, node)} is too large")
            return None
        return _Number(Fraction(value) if isinstance(value, int) else _exact(value))

    def call(self, node: ast.Call) -> _Node | None:
        args = [self.compile(arg) for arg in node.args if not isinstance(arg, ast.Starred)]
        ok = True
        if not isinstance(node.func, ast.Name):
            self.reject(node.func, node.func)  # e.g. x.y(), (lambda: 1)()
            return None
        if node.func.id not in FUNCTIONS:
            self.add(f"formula: function '{node.func.id}' is not allowed (allowed: {', '.join(FUNCTIONS)})")
            return None
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.reject(arg, node)
                ok = False
        if node.keywords:
            self.reject(node.keywords[0], node)
            ok = False
        if not node.args:
            self.add(f"formula: '{ast.get_source_segment(self.source, node)}' needs at least one argument")
            ok = False
        if not ok or any(a is None for a in args):
            return None
        return _Call(node.func.id, tuple(a for a in args if a is not None))


def _compile_formula(text: str, names: frozenset[str]) -> tuple[_Node | None, list[str]]:
    source = " ".join(text.split())  # formulas may span lines in the file; whitespace has no meaning
    if not source:
        return None, ["formula is empty"]
    if len(source) > _MAX_FORMULA_CHARS:
        return None, [f"formula is longer than {_MAX_FORMULA_CHARS} characters"]
    try:
        parsed = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        return None, [f"formula is not a valid expression: {exc.msg}"]
    except (ValueError, RecursionError, MemoryError):
        return None, ["formula is not a valid expression"]
    compiler = _FormulaCompiler(source, names)
    tree = compiler.compile(parsed.body)
    if compiler.problems or tree is None:
        return None, compiler.problems or ["formula is not a valid expression"]
    return tree, []


def _render_formula(text: str) -> str:
    return ast.unparse(ast.parse(" ".join(text.split()), mode="eval"))


# ------------------------------------------------------------------------------------ loading


_TOP_KEYS: Final = (
    "code",
    "name",
    "version",
    "description",
    "formula",
    "groups",
    "factors",
    "confidence",
    "tiers",
)
_GROUP_KEYS: Final = ("code", "name", "description")
_FACTOR_KEYS: Final = ("code", "name", "group", "description", "scale")
_TIER_KEYS: Final = ("code", "name", "min", "max")
_CONFIDENCE_KEYS: Final = ("source", "assessment", "bands")
_BAND_KEYS: Final = ("high", "medium")


def load_method(text: str) -> MethodSpec:
    """Parse and validate a method from TOML text; raises :class:`MethodError` listing every problem."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MethodError([f"the method file is not valid TOML: {exc}"]) from None
    return _Loader().load(document)


def load_method_file(path: str | os.PathLike[str]) -> MethodSpec:
    """Load and validate a method file (UTF-8 TOML)."""
    return load_method(Path(path).read_text(encoding="utf-8"))


def load_default_method() -> MethodSpec:
    """The MARSOC priority method v1 shipped with the hub."""
    return load_method_file(DEFAULT_METHOD_FILE)


def _fmt(number: float) -> str:
    return format(number, "g")


class _Loader:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, message: str) -> None:
        self.problems.append(message)

    def optional(self, document: Mapping[str, Any], key: str, kind: type, message: str) -> Any:
        """An optional key's value: None when it is absent, or not of `kind` (then `message` is a problem)."""
        if key not in document:
            return None
        value = document[key]
        if not isinstance(value, kind):
            self.add(message)
            return None
        return value

    # -- generic checks

    def keys(
        self, table: Mapping[str, Any], where: str, required: Sequence[str], optional: Sequence[str] = ()
    ) -> None:
        for key in required:
            if key not in table:
                self.add(f"{where}: missing required key '{key}'")
        for key in table:
            if key not in required and key not in optional:
                self.add(f"{where}: unknown key '{key}'")

    def text(self, table: Mapping[str, Any], key: str, where: str) -> str | None:
        if key not in table:
            return None
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            self.add(f"{where}: '{key}' must be non-empty text")
            return None
        return value.strip()

    def number(self, table: Mapping[str, Any], key: str, where: str) -> float | None:
        if key not in table:
            return None
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            self.add(f"{where}: '{key}' must be a number")
            return None
        return float(value)

    def tables(self, document: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = document.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.add(f"method: '{key}' must be an array of tables ([[{key}]])")
            return []
        if not value:
            self.add(f"method: '{key}' must not be empty")
        return value

    def code(self, table: Mapping[str, Any], where: str, kind: str) -> str | None:
        code = self.text(table, "code", where)
        if code is None:
            return None
        if not _CODE_RE.match(code):
            self.add(
                f"{kind} '{code}': code must start with a lower-case letter and use only a-z, 0-9 and _ "
                "(the formula refers to it by name)"
            )
        elif code in FUNCTIONS:
            self.add(f"{kind} '{code}': code is reserved for the formula function {code}()")
        return code

    def heading(
        self, table: Mapping[str, Any], index: int, kind: str, keys: Sequence[str]
    ) -> tuple[str | None, str, str | None, str | None]:
        """A group's or factor's code, where it is (for messages), name and description."""
        code = self.code(table, f"{kind}s[{index}]", kind)
        where = f"{kind} '{code}'" if code else f"{kind}s[{index}]"
        self.keys(table, where, keys)
        return code, where, self.text(table, "name", where), self.text(table, "description", where)

    def first_use(self, code: str, seen: set[str], kind: str) -> bool:
        """True for a code not used before (now noted as used); a repeated code is a problem."""
        if code in seen:
            self.add(f"{kind} code '{code}' is used more than once")
            return False
        seen.add(code)
        return True

    # -- the document

    def load(self, document: Mapping[str, Any]) -> MethodSpec:
        self.keys(document, "method", _TOP_KEYS)
        code = self.text(document, "code", "method")
        if code is not None and not _METHOD_CODE_RE.match(code):
            self.add(f"method: code '{code}' must use only a-z, 0-9, '.', '_' and '-'")
        name = self.text(document, "name", "method")
        description = self.text(document, "description", "method")
        version = document.get("version")
        if "version" in document and (
            isinstance(version, bool) or not isinstance(version, int) or version < 1
        ):
            self.add("method: 'version' must be a whole number of 1 or more")

        groups = self.groups(document)
        factors = self.factors(document, groups)
        groups = tuple(
            Group(g.code, g.name, g.description, tuple(f.code for f in factors if f.group == g.code))
            for g in groups
        )
        raw_factors = document.get("factors")
        named = (
            {t.get("group") for t in raw_factors if isinstance(t, dict)}
            if isinstance(raw_factors, list)
            else set()
        )
        for group in groups:
            if group.code not in named:  # a factor that is invalid for another reason still counts here
                self.add(f"group '{group.code}' has no factors")
        formula = self.formula(document, groups, factors)
        confidence = self.confidence(document)
        tiers = self.tiers(document)

        if self.problems:
            raise MethodError(self.problems)
        assert code is not None and name is not None and description is not None and formula is not None
        assert isinstance(version, int) and confidence is not None and tiers is not None
        spec = MethodSpec(code, name, version, description, groups, factors, formula, confidence, tiers)
        self.check_range(spec)
        if self.problems:
            raise MethodError(self.problems)
        return spec

    def groups(self, document: Mapping[str, Any]) -> tuple[Group, ...]:
        groups: list[Group] = []
        seen: set[str] = set()
        for index, table in enumerate(self.tables(document, "groups")):
            code, _where, name, description = self.heading(table, index, "group", _GROUP_KEYS)
            if code is None or not self.first_use(code, seen, "group"):
                continue
            if name is not None and description is not None:
                groups.append(Group(code, name, description, ()))
        return tuple(groups)

    def factors(self, document: Mapping[str, Any], groups: Sequence[Group]) -> tuple[Factor, ...]:
        group_codes = {g.code for g in groups}
        declared_groups = {
            t.get("code")
            for t in document.get("groups", [])
            if isinstance(t, dict) and isinstance(t.get("code"), str)
        }
        factors: list[Factor] = []
        seen: set[str] = set()
        for index, table in enumerate(self.tables(document, "factors")):
            code, where, name, description = self.heading(table, index, "factor", _FACTOR_KEYS)
            group = self.text(table, "group", where)
            if group is not None and group not in declared_groups:
                self.add(f"{where}: group '{group}' is not a declared group")
            scale = self.scale(table.get("scale"), where) if "scale" in table else None
            if code is None or not self.first_use(code, seen, "factor"):
                continue
            if code in declared_groups:
                self.add(f"code '{code}' is used by both a group and a factor")
            if None not in (name, description, group, scale) and group in group_codes:
                assert (
                    name is not None and description is not None and group is not None and scale is not None
                )
                factors.append(Factor(code, name, group, description, scale))
        return tuple(factors)

    def scale(self, value: Any, where: str) -> tuple[str, ...] | None:
        if not isinstance(value, dict):
            self.add(f"{where}: 'scale' must be a table of level = descriptor, e.g. 0 = \"None known\"")
            return None
        if not value:
            self.add(f"{where}: scale has no levels")
            return None
        descriptors: dict[int, str] = {}
        levels: set[int] = set()
        ok = True
        for key, text in value.items():
            if not re.fullmatch(r"-?[0-9]+", key) or str(int(key)) != key:
                self.add(f"{where}: scale key '{key}' is not a level number (0, 1, 2, ...)")
                ok = False
                continue
            level = int(key)
            if level < 0:
                self.add(f"{where}: level {level} is below 0 (levels start at 0)")
                ok = False
                continue
            levels.add(level)
            if not isinstance(text, str) or not text.strip():
                self.add(f"{where}: level {level} has no descriptor")
                ok = False
                continue
            descriptors[level] = " ".join(text.split())
        top = max(levels, default=-1)
        for missing in range(top + 1):
            if missing not in levels:
                self.add(
                    f"{where}: level {missing} has no descriptor (levels must run from 0 upwards with no gaps)"
                )
                ok = False
        if top == 0:
            self.add(f"{where}: scale needs at least two levels (0 and 1)")
            ok = False
        if not ok or top < 1:
            return None
        return tuple(descriptors[level] for level in range(top + 1))

    def formula(
        self, document: Mapping[str, Any], groups: Sequence[Group], factors: Sequence[Factor]
    ) -> str | None:
        text = self.optional(document, "formula", str, "method: 'formula' must be text")
        if text is None:
            return None
        names = {g.code for g in groups} | {f.code for f in factors}
        # names declared but invalid elsewhere are still known here, so one mistake is reported once
        for key in ("groups", "factors"):
            for table in document.get(key, []) if isinstance(document.get(key), list) else []:
                if isinstance(table, dict) and isinstance(table.get("code"), str):
                    names.add(table["code"])
        tree, problems = _compile_formula(text, frozenset(names))
        self.problems.extend(problems)
        return _render_formula(text) if tree is not None else None

    def confidence(self, document: Mapping[str, Any]) -> ConfidenceRule | None:
        table = self.optional(
            document, "confidence", dict, "method: 'confidence' must be a table ([confidence])"
        )
        if table is None:
            return None
        self.keys(table, "confidence", _CONFIDENCE_KEYS)
        source = self.weights(table.get("source"), "confidence.source", SOURCE_CODES, "source evaluation")
        assessment = self.weights(
            table.get("assessment"), "confidence.assessment", ASSESSMENT_CODES, "intelligence assessment"
        )
        bands = table.get("bands")
        high = medium = None
        if "bands" in table:
            if not isinstance(bands, dict):
                self.add("confidence.bands must be a table with 'high' and 'medium'")
            else:
                self.keys(bands, "confidence.bands", _BAND_KEYS)
                high = self.unit(bands, "high", "confidence.bands")
                medium = self.unit(bands, "medium", "confidence.bands")
                if high is not None and medium is not None and not medium < high:
                    self.add(
                        f"confidence.bands: 'medium' ({_fmt(medium)}) must be below 'high' ({_fmt(high)})"
                    )
        if source is None or assessment is None or high is None or medium is None:
            return None
        return ConfidenceRule(source, assessment, high, medium)

    def unit(self, table: Mapping[str, Any], key: str, where: str) -> float | None:
        value = self.number(table, key, where)
        if value is not None and not 0 <= value <= 1:
            self.add(f"{where}: '{key}' is {_fmt(value)}, outside 0..1")
            return None
        return value

    def weights(
        self, value: Any, where: str, codes: Sequence[str], what: str
    ) -> tuple[tuple[str, float], ...] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            self.add(f"{where} must be a table of code = weight")
            return None
        ok = True
        for key in value:
            if key not in codes:
                self.add(f"{where}: '{key}' is not one of the {what} codes ({', '.join(codes)})")
                ok = False
        weights: list[tuple[str, float]] = []
        for code in codes:
            if code not in value:
                self.add(f"{where}: missing weight for '{code}'")
                ok = False
                continue
            weight = self.unit(value, code, where)
            if weight is None:
                ok = False
                continue
            weights.append((code, weight))
        if not ok:
            return None
        for (a, wa), (b, wb) in itertools.pairwise(weights):
            if wb > wa:
                self.add(f"{where}: weight for '{b}' ({_fmt(wb)}) is above the weight for '{a}' ({_fmt(wa)})")
                ok = False
        return tuple(weights) if ok else None

    def tiers(self, document: Mapping[str, Any]) -> tuple[Tier, ...] | None:
        tiers: list[Tier] = []
        seen: set[str] = set()
        ok = "tiers" in document
        for index, table in enumerate(self.tables(document, "tiers")):
            code = table.get("code")
            where = f"tier '{code}'" if isinstance(code, str) and code.strip() else f"tiers[{index}]"
            self.keys(table, where, _TIER_KEYS, ("description",))
            code = self.text(table, "code", where)
            name = self.text(table, "name", where)
            description = table.get("description", "")
            if not isinstance(description, str):
                self.add(f"{where}: 'description' must be text")
                description = ""
            low = self.number(table, "min", where)
            high = self.number(table, "max", where)
            for key, bound in (("min", low), ("max", high)):
                if bound is not None and not 0 <= bound <= SCORE_MAX:
                    self.add(f"{where}: {key} {_fmt(bound)} is outside 0..{SCORE_MAX}")
                    ok = False
            if low is not None and high is not None and not low < high:
                self.add(f"{where}: min {_fmt(low)} must be below max {_fmt(high)}")
                ok = False
            if code is not None and code in seen:
                self.add(f"tier code '{code}' is used more than once")
                ok = False
            if code is None or name is None or low is None or high is None:
                ok = False
                continue
            seen.add(code)
            tiers.append(Tier(code, name, low, high, " ".join(description.split())))
        if not ok or not tiers:
            return None
        ordered = sorted(tiers, key=lambda t: (t.min, t.max))
        if ordered[0].min > 0:
            self.add(f"tiers leave a gap from 0 to {_fmt(ordered[0].min)}")
        if max(t.max for t in ordered) < SCORE_MAX:
            self.add(f"tiers leave a gap from {_fmt(max(t.max for t in ordered))} to {SCORE_MAX}")
        for lower, upper in itertools.pairwise(ordered):
            if upper.min > lower.max:
                self.add(
                    f"tiers leave a gap from {_fmt(lower.max)} to {_fmt(upper.min)} "
                    f"(between tier '{lower.code}' and tier '{upper.code}')"
                )
            elif upper.min < lower.max:
                self.add(
                    f"tiers '{lower.code}' and '{upper.code}' overlap from {_fmt(upper.min)} "
                    f"to {_fmt(min(lower.max, upper.max))}"
                )
        return tuple(reversed(ordered))

    def check_range(self, spec: MethodSpec) -> None:
        """The formula must give 0..1 with every factor at 0 and every factor at its top level."""
        for label, pick in (("at 0", lambda f: 0), ("at its highest level", lambda f: f.max_level)):
            levels = {f.code: pick(f) for f in spec.factors}
            try:
                value = spec._compiled.evaluate(_environment(spec, levels))
            except ZeroDivisionError:
                self.add(f"formula divides by zero when every factor is {label}")
                continue
            if not 0 <= value <= 1:
                self.add(
                    f"formula gives {_fmt(float(value))} when every factor is {label}; "
                    "it must give a value from 0 to 1 (the score is that value x 100)"
                )
