"""Reads of the Board's newer figures: medians of durations, cross-tabulations and the data-quality
queues, scoped by the façade and suppressed for the viewer like every other figure (selectors.py).

- **Medians** come from the snapshot's histograms (timings.py). The count of people behind a median is
  suppressed as any count (primary, secondary, quarters withholding what a month withheld); a median is
  published only where its count is published and is at least 5.
- **Cross-tabulations** (a measure whose category is "a|b") are suppressed as one table: the hubs' rows
  by a, by b, the national cross-table a × b and all their totals are cells of one grid with every line
  that adds up (suppression.py), so no table can give away what another withheld.
- **Hubs beyond the ten**: a count that belongs to the national team (a partner feed imported for the
  national hub, its linkage pairs) is in the national figure only; its row is never shown, so it is an
  unknown part of the national line, as the rest of the country is to a hub manager."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from .periods import Period
from .selectors import NATIONAL, TOTAL, Viewer, _raw
from .suppression import SMALL_COUNT, Cell, Grid, cross_grid, hub_grid, published, withhold

PerHub = dict[tuple[str, str], int]  # (hub code, category) -> people
Build = Callable[[PerHub, set[Cell]], Grid]


def _rows(viewer: Viewer, raw: Iterable[tuple[date, str, str]]) -> list[str]:
    """Every hub counted: the ten, and any other (the national hub's own) as a hidden row."""
    extra = sorted({code for (_m, code, _c) in raw} - set(viewer.codes))
    return [*viewer.codes, *extra]


def _per_month(raw: dict[tuple[date, str, str], int], month: date, fold: Callable[[str], str]) -> PerHub:
    out: PerHub = defaultdict(int)
    for (m, code, category), n in raw.items():
        if m == month:
            out[(code, fold(category))] += n
    return dict(out)


def over_period(
    raw: dict[tuple[date, str, str], int],
    period: Period,
    build: Build,
    *,
    stock: bool,
    fold: Callable[[str], str] = lambda c: c,
) -> tuple[dict[Cell, int | None], Grid]:
    """Suppressed cells of a period: a stock as at its last month's end; a flow added up over its months,
    withholding in the quarter whatever any month withheld. `fold` maps a stored category to a column."""
    if stock or len(period.months) == 1:
        grid = build(_per_month(raw, period.months[-1], fold), set())
        return published(grid), grid
    forced: set[Cell] = set()
    summed: PerHub = defaultdict(int)
    for month in period.months:
        per_month = _per_month(raw, month, fold)
        forced |= withhold(build(per_month, set()))
        for key, n in per_month.items():
            summed[key] += n
    grid = build(dict(summed), forced)
    return published(grid), grid


def category_builder(
    viewer: Viewer, rows: list[str], columns: list[str], *, shown_rows: list[str] | None = None
) -> Build:
    """A hubs × columns table with each row's total and the national row."""
    shown = [h.code for h in viewer.shown] if shown_rows is None else shown_rows

    def build(per_hub: PerHub, forced: set[Cell]) -> Grid:
        values: dict[Cell, int] = {}
        for code in rows:
            for column in columns:
                values[(code, column)] = per_hub.get((code, column), 0)
            values[(code, TOTAL)] = sum(values[(code, c)] for c in columns)
        for column in [*columns, TOTAL]:
            values[(NATIONAL, column)] = sum(values[(code, column)] for code in rows)
        return hub_grid(
            values,
            rows=rows,
            columns=columns,
            national=NATIONAL,
            shown_rows=shown,
            exempt_rows=viewer.exact,
            total_column=TOTAL,
            forced=forced,
        )

    return build


def categories_of(
    viewer: Viewer, measure: str, period: Period, columns: list[str], *, stock: bool
) -> dict[Cell, int | None]:
    """A measure by category for the period, hubs and national (and any hidden national-only row)."""
    raw = _raw(viewer, measure, period.months)
    build = category_builder(viewer, _rows(viewer, raw), columns)
    return over_period(raw, period, build, stock=stock)[0]


# ---------------------------------------------------------------------------------------------- medians


def median_of(histogram: dict[int, int]) -> float | None:
    """The median of values given as value -> how many (the middle value, or the mean of the middle
    two)."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted(histogram.items())

    def nth(k: int) -> int:  # the k-th value (0-based) in order
        seen = 0
        for value, n in ordered:
            seen += n
            if k < seen:
                return value
        raise IndexError(k)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def whole(value: float | None) -> int | None:
    """A median in whole days, half a day rounded up."""
    return None if value is None else int(value + 0.5)


@dataclass(frozen=True)
class Medians:
    counts: dict[str, int | None]  # row code (shown hubs and NATIONAL) -> people behind, suppressed
    medians: dict[str, int | None]  # row code -> median whole days, None when withheld


def _days_of(category: str) -> tuple[str, int]:
    """A stored histogram category, "12" or "police:12", as (group, days)."""
    group, _, days = category.rpartition(":")
    return group, int(days)


def medians_of(viewer: Viewer, measure: str, period: Period, *, group: str = "") -> Medians:
    """People and their median days per shown hub and nationally (one agency type with `group`)."""
    raw = {key: n for key, n in _raw(viewer, measure, period.months).items() if _days_of(key[2])[0] == group}
    rows = _rows(viewer, raw)
    cells, _ = over_period(raw, period, _count_builder(viewer, rows), stock=False, fold=lambda c: "people")
    histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (_m, code, category), n in raw.items():
        days = _days_of(category)[1]
        histograms[code][days] += n
        histograms[NATIONAL][days] += n
    shown = [h.code for h in viewer.shown] + [NATIONAL]
    counts = {code: cells[(code, "people")] for code in shown}
    medians = {code: _median_if(counts[code], histograms[code]) for code in shown}
    return Medians(counts, medians)


def _median_if(people: int | None, histogram: dict[int, int]) -> int | None:
    """The median in whole days where the count behind it is published and at least 5."""
    return whole(median_of(histogram)) if people is not None and people >= SMALL_COUNT else None


def _count_builder(viewer: Viewer, rows: list[str], shown_rows: list[str] | None = None) -> Build:
    shown = [h.code for h in viewer.shown] if shown_rows is None else shown_rows

    def build(per_hub: PerHub, forced: set[Cell]) -> Grid:
        values = {(code, "people"): per_hub.get((code, "people"), 0) for code in rows}
        values[(NATIONAL, "people")] = sum(values.values())
        return hub_grid(
            values,
            rows=rows,
            columns=["people"],
            national=NATIONAL,
            shown_rows=shown,
            exempt_rows=viewer.exact,
            forced=forced,
        )

    return build


def agency_medians(
    viewer: Viewer, measure: str, period: Period, groups: list[str]
) -> dict[str, tuple[int | None, int | None]]:
    """Per agency type, nationally: (agreements counted, median days), suppressed. The counts are
    suppressed as one hubs × agency types table (only its national row is shown), so a hub manager
    cannot take their own hub's agreements from the national figure to find the rest of the country's."""
    raw = _raw(viewer, measure, period.months)
    rows = _rows(viewer, raw)
    build = category_builder(viewer, rows, groups, shown_rows=[])
    cells, _ = over_period(raw, period, build, stock=False, fold=lambda c: _days_of(c)[0])
    histograms: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (_m, _code, category), n in raw.items():
        kind, days = _days_of(category)
        histograms[kind][days] += n
    return {
        kind: (cells[(NATIONAL, kind)], _median_if(cells[(NATIONAL, kind)], histograms[kind]))
        for kind in groups
    }


# ---------------------------------------------------------------------------------------- cross tables


def cross_builder(
    viewer: Viewer,
    rows: list[str],
    a_codes: list[str],
    b_codes: list[str],
    *,
    hub_a: bool,
    hub_b: bool,
) -> Build:
    """The suppression grid of a cross-tabulation for this viewer (suppression.cross_grid)."""
    shown_hubs = [h.code for h in viewer.shown]

    def build(per_hub: PerHub, forced: set[Cell]) -> Grid:
        return cross_grid(
            per_hub,
            rows=rows,
            a_codes=a_codes,
            b_codes=b_codes,
            national=NATIONAL,
            total=TOTAL,
            shown_rows=shown_hubs,
            exempt_rows=viewer.exact,
            hub_a=hub_a,
            hub_b=hub_b,
            forced=forced,
        )

    return build


@dataclass(frozen=True)
class Cross:
    cells: dict[Cell, int | None]
    a_codes: list[str]
    b_codes: list[str]


def cross_of(
    viewer: Viewer,
    measure: str,
    period: Period,
    a_codes: list[str],
    b_codes: list[str],
    *,
    stock: bool,
    hub_a: bool = False,
    hub_b: bool = False,
) -> Cross:
    """A cross-tabulated measure for the period, suppressed as one grid. Categories outside `a_codes`
    and `b_codes` are left out (and so out of every total)."""
    raw = {
        key: n
        for key, n in _raw(viewer, measure, period.months).items()
        if _split(key[2]) is not None
        and _split(key[2])[0] in a_codes  # type: ignore[index]
        and _split(key[2])[1] in b_codes  # type: ignore[index]
    }
    build = cross_builder(viewer, _rows(viewer, raw), a_codes, b_codes, hub_a=hub_a, hub_b=hub_b)
    return Cross(over_period(raw, period, build, stock=stock)[0], a_codes, b_codes)


def _split(category: str) -> tuple[str, str] | None:
    a, sep, b = category.partition("|")
    return (a, b) if sep else None


def categories_found(viewer: Viewer, measure: str, months: list[date]) -> list[str]:
    """The categories found in a measure's figures for these months (within the viewer's clearance)."""
    return sorted({c for (_m, _h, c) in _raw(viewer, measure, months)})


def found_parts(viewer: Viewer, measure: str, months: list[date], side: int) -> list[str]:
    """The a (side 0) or b (side 1) categories found in a measure's figures for these months."""
    found = {_split(c) for (_m, _h, c) in _raw(viewer, measure, months)}
    return sorted({parts[side] for parts in found if parts is not None})
