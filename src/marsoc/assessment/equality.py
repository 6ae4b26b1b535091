"""Equality monitoring, the pure part: the groups we report on, how a record's codes map to them, the
reference-population file format, small-number suppression of whole tables and the report rows.

No database here (selectors count, this module turns counts into a report), so every rule can be tested
with hand-built numbers. The statistics themselves are in `stats.py`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from marsoc.nominals.vocabulary import Religion, Sex

from .stats import AGE_BANDS, RateIndex, relative_rate_index, suppress_small

DEFAULT_POPULATION_FILE = Path(__file__).parent / "data" / "reference_ew_census_2021.toml"
SMALL_COUNT = 5
NOT_RECORDED = "not_recorded"
SUPPRESSED_LABEL = "withheld"  # one mark for both reasons, so a reader cannot tell which cells are under 5
SHARE_TOLERANCE = Decimal("0.5")  # published shares are rounded to 0.1, so sums drift a little
DEFAULT_THRESHOLD = Decimal("1.25")


@dataclass(frozen=True)
class Characteristic:
    code: str
    label: str
    groups: tuple[tuple[str, str], ...]  # (code, label) in display order
    has_reference: bool = True


ETHNICITY = Characteristic(
    "ethnicity",
    "Ethnicity (self-defined, else officer-defined)",
    (
        ("asian", "Asian, Asian British or Asian Welsh"),
        ("black", "Black, Black British, Black Welsh, Caribbean or African"),
        ("mixed", "Mixed or multiple ethnic groups"),
        ("white", "White"),
        ("other", "Other ethnic group"),
    ),
)
SEX = Characteristic("sex", "Sex", (("female", "Female"), ("male", "Male")))
AGE = Characteristic("age_band", "Age band", tuple((band, band) for band in AGE_BANDS))
RELIGION = Characteristic(
    "religion",
    "Religion",
    (
        ("none", "No religion"),
        ("christian", "Christian"),
        ("buddhist", "Buddhist"),
        ("hindu", "Hindu"),
        ("jewish", "Jewish"),
        ("muslim", "Muslim"),
        ("sikh", "Sikh"),
        ("other", "Any other religion"),
        ("declined", "Prefers not to say (census: not answered)"),
    ),
)
# Where each person's ethnicity came from: the data-quality picture behind the ethnicity table.
ETHNICITY_BASIS = Characteristic(
    "ethnicity_basis",
    "Source of the ethnicity used",
    (("self", "Self-defined"), ("officer", "Officer-defined (self-defined not stated)")),
    has_reference=False,
)
CHARACTERISTICS: tuple[Characteristic, ...] = (ETHNICITY, SEX, AGE, RELIGION)
REPORTED: tuple[Characteristic, ...] = (*CHARACTERISTICS, ETHNICITY_BASIS)

# Officer-defined (IC) codes onto the 2021 census high-level groups. IC5 (Chinese, Japanese or South
# East Asian) is "Asian" and IC6 (Arab or North African) "Other", as in the 2021 classification.
_OFFICER_GROUP = {
    "IC1": "white",
    "IC2": "white",
    "IC3": "black",
    "IC4": "asian",
    "IC5": "asian",
    "IC6": "other",
}
_SELF_GROUP = {"W": "white", "M": "mixed", "A": "asian", "B": "black", "O": "other"}


def ethnicity_group(self_code: str, officer_code: str) -> tuple[str, str]:
    """(group, basis) for one record: self-defined wins; officer-defined only when self is not stated."""
    if self_code and self_code != "NS":
        return _SELF_GROUP.get(self_code[:1], NOT_RECORDED), "self"
    group = _OFFICER_GROUP.get(officer_code)
    if group is None:
        return NOT_RECORDED, NOT_RECORDED
    return group, "officer"


def sex_group(code: str) -> str:
    return {Sex.FEMALE: "female", Sex.MALE: "male"}.get(code, NOT_RECORDED)  # type: ignore[call-overload]


def religion_group(code: str) -> str:
    return NOT_RECORDED if code in ("", Religion.NOT_RECORDED) else code


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a common year: the birthday is reached on 28 February
        return day.replace(year=day.year - years, day=28)


def age_band_cutoffs(on: date) -> list[tuple[date, str]]:
    """(latest date of birth, band) from the oldest band down: born on or before the date → in the band.

    The same completed-years rule as `stats.age_band`, turned round so the database can band by date.
    """
    floors = [(55, "55+"), (45, "45-54"), (35, "35-44"), (25, "25-34"), (18, "18-24")]
    return [(_years_before(on, years), band) for years, band in floors]


# ---------------------------------------------------------------------------------------------------------
# Reference population files
# ---------------------------------------------------------------------------------------------------------


class PopulationFileError(ValueError):
    """A reference population file that cannot be loaded; the message names the problem."""


@dataclass(frozen=True)
class PopulationSpec:
    code: str
    name: str
    year: int
    scope: str  # "national" or a hub code
    population: int
    source: str
    source_url: str
    notes: str
    flag_threshold: Decimal
    shares: dict[str, dict[str, Decimal]]  # characteristic → group → percentage
    sources: dict[str, str]
    approximate: dict[str, bool]


def check_shares(characteristic: Characteristic, shares: Mapping[str, Decimal]) -> list[str]:
    """Problems with one characteristic's shares: every group present, 0-100 each, adding up to 100."""
    problems = []
    expected = [code for code, _ in characteristic.groups]
    missing = [g for g in expected if g not in shares]
    unknown = sorted(set(shares) - set(expected))
    if missing:
        problems.append(f"{characteristic.code}: missing share for {', '.join(missing)}")
    if unknown:
        problems.append(f"{characteristic.code}: unknown group {', '.join(unknown)}")
    for group, value in shares.items():
        if not (Decimal(0) <= value <= Decimal(100)):
            problems.append(f"{characteristic.code}.{group}: share {value} is not between 0 and 100")
    if not missing and not unknown:
        total = sum(shares.values(), Decimal(0))
        if abs(total - 100) > SHARE_TOLERANCE:
            problems.append(f"{characteristic.code}: shares add up to {total}, not 100 (±{SHARE_TOLERANCE})")
    return problems


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise PopulationFileError(f"{where}: must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise PopulationFileError(f"{where}: must be a number") from None
    if not number.is_finite():
        raise PopulationFileError(f"{where}: must be a finite number")
    return number


def parse_population(text: str, hub_codes: Iterable[str] = ()) -> PopulationSpec:
    """Read and check a reference population file; raise PopulationFileError naming the first problems."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PopulationFileError(f"not valid TOML: {exc}") from None
    problems: list[str] = []
    for key in ("code", "name", "year", "scope", "population", "source"):
        if key not in doc:
            problems.append(f"missing {key}")
    if problems:
        raise PopulationFileError("; ".join(problems))
    code = str(doc["code"]).strip()
    if not code or len(code) > 60 or not all(ch.isalnum() or ch in "-_" for ch in code):
        problems.append("code: use letters, digits, - and _ (at most 60)")
    year = doc["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2100:
        problems.append("year: must be a year between 1900 and 2100")
    population = doc["population"]
    if not isinstance(population, int) or isinstance(population, bool) or population < 1:
        problems.append("population: must be a whole number of people, at least 1")
    scope = str(doc["scope"]).strip()
    if scope != "national" and scope not in set(hub_codes):
        problems.append(f"scope: {scope!r} is neither 'national' nor a hub code")
    threshold = _decimal(doc.get("flag_threshold", str(DEFAULT_THRESHOLD)), "flag_threshold")
    if not Decimal(1) <= threshold <= Decimal(10):
        problems.append("flag_threshold: must be between 1 and 10")
    shares: dict[str, dict[str, Decimal]] = {}
    sources: dict[str, str] = {}
    approximate: dict[str, bool] = {}
    for characteristic in CHARACTERISTICS:
        section = doc.get(characteristic.code)
        if not isinstance(section, dict):
            problems.append(f"missing section [{characteristic.code}]")
            continue
        sources[characteristic.code] = str(section.get("source", doc["source"]))
        approximate[characteristic.code] = bool(section.get("approximate", False))
        values = {
            str(k): _decimal(v, f"{characteristic.code}.{k}")
            for k, v in section.items()
            if k not in ("source", "approximate")
        }
        problems.extend(check_shares(characteristic, values))
        shares[characteristic.code] = values
    if problems:
        raise PopulationFileError("; ".join(problems))
    return PopulationSpec(
        code=code,
        name=str(doc["name"]),
        year=int(year),
        scope=scope,
        population=int(population),
        source=str(doc["source"]),
        source_url=str(doc.get("source_url", "")),
        notes=str(doc.get("notes", "")),
        flag_threshold=threshold,
        shares=shares,
        sources=sources,
        approximate=approximate,
    )


# ---------------------------------------------------------------------------------------------------------
# Suppression across a whole table (hubs × groups, with national totals)
# ---------------------------------------------------------------------------------------------------------

Key = tuple[str, str]  # (scope, group); scope "national" or a hub id as text; group may be "total"
NATIONAL = "national"
TOTAL = "total"


def complete_counts(raw: Mapping[Key, int], scopes: list[str], groups: list[str]) -> dict[Key, int]:
    """`raw` (hub, group) counts plus every row total, the national figure per group and the grand total."""
    counts: dict[Key, int] = {}
    for scope in scopes:
        for g in groups:
            n = raw.get((scope, g), 0)
            counts[(scope, g)] = n
            counts[(NATIONAL, g)] = counts.get((NATIONAL, g), 0) + n
            counts[(scope, TOTAL)] = counts.get((scope, TOTAL), 0) + n
            counts[(NATIONAL, TOTAL)] = counts.get((NATIONAL, TOTAL), 0) + n
    return counts


def suppress_table(counts: Mapping[Key, int], scopes: list[str], groups: list[str]) -> set[Key]:
    """The cells to withhold from a hubs × groups table that also shows row and column totals.

    Primary: every count from 1 to 4 (a true zero reveals nothing and is shown). Secondary: any row (a
    scope across its groups, whose total is published) or column (a group across hubs, whose national
    figure is published) with exactly one withheld cell could be solved by subtraction, so the smallest
    other non-zero cell in that line is withheld too; repeated until no line has a single withheld cell.
    `scopes` are the hubs (the national row is added here); `groups` include "not recorded" but not the
    total.
    """

    def value(key: Key) -> int:
        return counts.get(key, 0)

    lines: list[list[Key]] = []
    for scope in [*scopes, NATIONAL]:
        lines.append([(scope, g) for g in groups])  # adds up to (scope, total)
    for g in [*groups, TOTAL]:
        lines.append([(s, g) for s in scopes])  # adds up to (national, g)
    everything = {k for line in lines for k in line} | {(s, TOTAL) for s in [*scopes, NATIONAL]}
    withheld = {k for k in everything if suppress_small(value(k), SMALL_COUNT) is None}  # primary
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [k for k in line if k in withheld]
            if len(hidden) != 1:
                continue
            candidates = sorted(
                (k for k in line if k not in withheld and value(k) > 0), key=lambda k: (value(k), k)
            )
            if candidates:
                withheld.add(candidates[0])
                changed = True
    return withheld


# ---------------------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------------------


def _bar(percent: float) -> int:
    return min(100, max(0, 2 * round(percent / 2)))


@dataclass(frozen=True)
class GroupRow:
    code: str
    label: str
    count: int | None  # None: withheld (fewer than 5, or withheld so another cannot be worked out)
    share: float | None  # percentage of those recorded
    reference_share: float | None
    rate: RateIndex | None
    flagged: bool

    @property
    def shown(self) -> str:
        return SUPPRESSED_LABEL if self.count is None else str(self.count)

    @property
    def bar(self) -> int | None:
        """The share as a bar width class (steps of 2%): the CSP allows no inline styles."""
        return None if self.share is None else _bar(self.share)

    @property
    def reference_bar(self) -> int | None:
        return None if self.reference_share is None else _bar(self.reference_share)


@dataclass(frozen=True)
class CharacteristicTable:
    code: str
    label: str
    rows: list[GroupRow]
    not_recorded: int | None
    total: int | None
    reference_source: str = ""
    approximate: bool = False

    @property
    def not_recorded_shown(self) -> str:
        return SUPPRESSED_LABEL if self.not_recorded is None else str(self.not_recorded)

    @property
    def flagged(self) -> list[GroupRow]:
        return [r for r in self.rows if r.flagged]


@dataclass(frozen=True)
class ScopeReport:
    key: str  # "national" or the hub id as text
    label: str
    total: int | None
    tables: list[CharacteristicTable] = field(default_factory=list)

    @property
    def total_shown(self) -> str:
        return SUPPRESSED_LABEL if self.total is None else str(self.total)

    @property
    def flags(self) -> list[tuple[CharacteristicTable, GroupRow]]:
        return [(t, r) for t in self.tables for r in t.flagged]


@dataclass(frozen=True)
class Reference:
    """What a cohort is compared with: shares of a population of `total` people (per characteristic)."""

    total: int
    shares: dict[str, dict[str, float]]  # characteristic → group → percentage
    sources: dict[str, str] = field(default_factory=dict)
    approximate: dict[str, bool] = field(default_factory=dict)

    def count(self, characteristic: str, group: str) -> int:
        # Reference counts from the published percentage of the published total.
        return round(self.total * self.shares.get(characteristic, {}).get(group, 0.0) / 100)


def build_scope_tables(
    *,
    counts: Mapping[str, Mapping[Key, int]],
    withheld: Mapping[str, set[Key]],
    scope: str,
    reference: Reference | None,
    threshold: float,
) -> list[CharacteristicTable]:
    """The tables for one scope from the suppressed counts of every characteristic."""
    tables = []
    for characteristic in REPORTED:
        cells = counts[characteristic.code]
        hidden = withheld[characteristic.code]
        total = sum(cells.get((scope, g), 0) for g, _ in characteristic.groups) + cells.get(
            (scope, NOT_RECORDED), 0
        )
        recorded = total - cells.get((scope, NOT_RECORDED), 0)
        rows = []
        for group, label in characteristic.groups:
            n = cells.get((scope, group), 0)
            show = (scope, group) not in hidden
            share = 100 * n / recorded if show and recorded else None
            ref_share = rate = None
            if reference is not None and characteristic.has_reference:
                ref_share = reference.shares.get(characteristic.code, {}).get(group)
                if show and ref_share is not None:
                    rate = relative_rate_index(
                        n, recorded, reference.count(characteristic.code, group), reference.total
                    )
            flagged = rate is not None and rate.over_represented(threshold)
            rows.append(GroupRow(group, label, n if show else None, share, ref_share, rate, flagged))
        nr = cells.get((scope, NOT_RECORDED), 0)
        tables.append(
            CharacteristicTable(
                code=characteristic.code,
                label=characteristic.label,
                rows=rows,
                not_recorded=None if (scope, NOT_RECORDED) in hidden else nr,
                total=None if (scope, TOTAL) in hidden else total,
                reference_source=(reference.sources.get(characteristic.code, "") if reference else ""),
                approximate=bool(reference and reference.approximate.get(characteristic.code)),
            )
        )
    return tables
