"""Loading a method from TOML: parsed, validated (every problem named, nothing loaded) and built."""

from __future__ import annotations

import itertools
import math
import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from .errors import MethodError
from .exact import _fmt
from .formula import FUNCTIONS, _compile_formula, _render_formula
from .scoring import _environment
from .spec import ASSESSMENT_CODES, SCORE_MAX, SOURCE_CODES, ConfidenceRule, Factor, Group, MethodSpec, Tier

METHODS_DIR: Final = Path(__file__).resolve().parent.parent / "methods"
DEFAULT_METHOD_FILE: Final = METHODS_DIR / "marsoc-priority-v1.toml"

_CODE_RE: Final = re.compile(r"[a-z][a-z0-9_]*\Z")
_METHOD_CODE_RE: Final = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")


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
