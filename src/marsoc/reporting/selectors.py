"""Reads of the Board's figures: from the snapshots, scoped by the façade (clearance and who may see which
hub), then suppressed (suppression.py) for the viewer, before anything reaches a page."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from marsoc.accounts.models import Hub, User
from marsoc.assessment.selectors import default_population
from marsoc.core import access
from marsoc.nominals.vocabulary import MembershipState

from .measures import FLOW_MEASURES, PLAN, PLAN_AGREED, PLAN_NOT_AGREED, SIZE, add_months
from .models import Figure, Snapshot
from .periods import Period
from .suppression import Cell, Grid, hub_grid, published, withhold

NATIONAL = "national"
TOTAL = "total"
FLOW_LABELS = {"referred": "Referred", "adopted": "Adopted", "exited": "Exited"}
PLAN_LABELS = {PLAN_AGREED: "With a jointly agreed plan", PLAN_NOT_AGREED: "Without one", TOTAL: "Adopted"}


@dataclass(frozen=True)
class Viewer:
    """Who is reading, as the tables need it: the hubs they are shown, and those shown exactly."""

    actor: User
    hubs: list[Hub]  # every regional hub (the national figure adds them all)
    shown: list[Hub]
    exact: set[str]

    @property
    def every_hub(self) -> bool:
        return len(self.shown) == len(self.hubs)

    @property
    def codes(self) -> list[str]:
        return [h.code for h in self.hubs]


def report_viewer(*, actor: User) -> Viewer:
    hubs = list(Hub.objects.filter(is_national=False).order_by("name"))
    return Viewer(
        actor=actor,
        hubs=hubs,
        shown=[h for h in hubs if access.may(actor, "reporting.see_hub", h.pk)],
        exact={h.code for h in hubs if access.may(actor, "reporting.exact_hub", h.pk)},
    )


def _raw(viewer: Viewer, measure: str, months: Iterable[date]) -> dict[tuple[date, str, str], int]:
    """Raw counts by (month, hub code, category), over the records the viewer's clearance covers."""
    figures = access.visible(
        viewer.actor,
        "report_figure",
        Figure.objects.filter(measure=measure, snapshot__month__in=list(months)),
    )
    out: dict[tuple[date, str, str], int] = {}
    rows = figures.values("snapshot__month", "hub__code", "category").annotate(n=Sum("value")).order_by()
    for row in rows:
        out[(row["snapshot__month"], row["hub__code"], row["category"])] = row["n"]
    return out


def _grid_values(viewer: Viewer, per_hub: dict[tuple[str, str], int], columns: list[str]) -> dict[Cell, int]:
    values: dict[Cell, int] = {}
    for code in viewer.codes:
        for column in columns:
            values[(code, column)] = per_hub.get((code, column), 0)
    for column in columns:
        values[(NATIONAL, column)] = sum(values[(code, column)] for code in viewer.codes)
    return values


def _grid(
    viewer: Viewer,
    per_hub: dict[tuple[str, str], int],
    columns: list[str],
    *,
    total: str | None = None,
    forced: Iterable[Cell] = (),
) -> Grid:
    if total:
        for code in viewer.codes:
            per_hub[(code, total)] = sum(per_hub.get((code, c), 0) for c in columns)
    values = _grid_values(viewer, per_hub, [*columns, *([total] if total else [])])
    return hub_grid(
        values,
        rows=viewer.codes,
        columns=columns,
        national=NATIONAL,
        shown_rows=[h.code for h in viewer.shown],
        exempt_rows=viewer.exact,
        total_column=total,
        forced=forced,
    )


@dataclass
class Row:
    label: str
    national: bool
    cells: list[int | None]
    extra: list[str] = field(default_factory=list)


@dataclass
class Table:
    key: str
    caption: str
    columns: list[str]
    rows: list[Row]
    notes: list[str] = field(default_factory=list)
    row_header: str = "Hub"
    board_pack: bool = True  # False: shown to its viewer, never printed in the Board pack


def _rows(viewer: Viewer, keys: list[tuple[dict[Cell, int | None], str]]) -> list[Row]:
    rows = [Row(h.name, False, [shown[(h.code, col)] for shown, col in keys]) for h in viewer.shown]
    rows.append(Row("All hubs (national)", True, [shown[(NATIONAL, col)] for shown, col in keys]))
    return rows


def _flow(viewer: Viewer, measure: str, period: Period) -> dict[Cell, int | None]:
    """One flow measure over a period, suppressed. A quarter withholds what any of its months withheld, so
    the quarter less two shown months can never give a withheld month away."""
    raw = _raw(viewer, measure, period.months)
    forced: set[Cell] = set()
    if len(period.months) > 1:
        for month in period.months:
            forced |= withhold(_grid(viewer, _sum_categories(raw, month, measure), [measure]))
    per_hub: dict[tuple[str, str], int] = defaultdict(int)
    for (_month, code, _category), n in raw.items():
        per_hub[(code, measure)] += n
    return published(_grid(viewer, dict(per_hub), [measure], forced=forced))


def _sum_categories(
    raw: dict[tuple[date, str, str], int], month: date, measure: str
) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = defaultdict(int)
    for (m, code, _category), n in raw.items():
        if m == month:
            out[(code, measure)] += n
    return dict(out)


def flow_table(*, viewer: Viewer, period: Period) -> Table:
    keys: list[tuple[dict[Cell, int | None], str]] = []
    columns = []
    for measure in FLOW_MEASURES:
        for p in (period, period.previous):
            keys.append((_flow(viewer, measure, p), measure))
            columns.append(f"{FLOW_LABELS[measure]}, {p.short_label}")
    return Table(
        "flow",
        f"People referred, adopted and exited in {period.label}, with {period.previous.short_label} beside",
        columns,
        _rows(viewer, keys),
    )


def _stock(viewer: Viewer, measure: str, month: date, columns: list[str]) -> dict[Cell, int | None]:
    raw = _raw(viewer, measure, [month])
    per_hub = {(code, category): n for (_m, code, category), n in raw.items()}
    return published(_grid(viewer, per_hub, columns, total=TOTAL))


STATES = [MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT, MembershipState.ADOPTED]


def size_table(*, viewer: Viewer, period: Period) -> Table:
    month = period.months[-1]
    columns = [str(s) for s in STATES]
    shown = _stock(viewer, SIZE, month, columns)
    keys = [(shown, c) for c in [*columns, TOTAL]]
    labels = [str(MembershipState(s).label) for s in STATES] + ["In the cohort"]
    return Table("size", f"The cohort on {period.end:%-d %B %Y}, by stage", labels, _rows(viewer, keys))


def plan_shares(viewer: Viewer, month: date) -> dict[str, tuple[int | None, int | None]]:
    """(agreed, adopted) per hub code and NATIONAL at a month's end, suppressed."""
    shown = _stock(viewer, PLAN, month, [PLAN_AGREED, PLAN_NOT_AGREED])
    codes = [h.code for h in viewer.shown] + [NATIONAL]
    return {code: (shown[(code, PLAN_AGREED)], shown[(code, TOTAL)]) for code in codes}


def share_text(agreed: int | None, adopted: int | None) -> str:
    if agreed is None or adopted is None:
        return "withheld"
    if adopted == 0:
        return "no one adopted"
    return f"{round(100 * agreed / adopted)}%"


def share_value(agreed: int | None, adopted: int | None) -> float | None:
    if agreed is None or adopted is None or adopted == 0:
        return None
    return 100 * agreed / adopted


def plans_table(*, viewer: Viewer, period: Period) -> Table:
    month = period.months[-1]
    shown = _stock(viewer, PLAN, month, [PLAN_AGREED, PLAN_NOT_AGREED])
    keys = [(shown, c) for c in (PLAN_AGREED, PLAN_NOT_AGREED, TOTAL)]
    rows = _rows(viewer, keys)
    now = plan_shares(viewer, month)
    before = plan_shares(viewer, period.previous.months[-1])
    for row, code in zip(rows, [h.code for h in viewer.shown] + [NATIONAL], strict=True):
        row.extra = [share_text(*now[code]), share_text(*before[code])]
    return Table(
        "plans",
        f"Adopted people with a jointly agreed plan on {period.end:%-d %B %Y}",
        [
            PLAN_LABELS[PLAN_AGREED],
            PLAN_LABELS[PLAN_NOT_AGREED],
            PLAN_LABELS[TOTAL],
            f"Share agreed, {period.short_label}",
            f"Share agreed, {period.previous.short_label}",
        ],
        rows,
    )


@dataclass(frozen=True)
class Series:
    label: str
    values: list[float | None]


@dataclass(frozen=True)
class Trend:
    months: list[date]
    series: list[Series]


def snapshot_months(*, until: date, count: int = 24) -> list[date]:
    """The months with a snapshot among the `count` months up to `until`."""
    first = add_months(until.replace(day=1), -(count - 1))
    return list(
        Snapshot.objects.filter(month__gte=first, month__lte=until)
        .order_by("month")
        .values_list("month", flat=True)
    )


def flow_trend(*, viewer: Viewer, months: list[date], row: str = NATIONAL) -> Trend:
    """Referred, adopted and exited each month (national, or one hub the viewer is shown)."""
    series = []
    for measure in FLOW_MEASURES:
        values = [_flow(viewer, measure, Period("month", m)).get((row, measure)) for m in months]
        series.append(Series(FLOW_LABELS[measure], [None if v is None else float(v) for v in values]))
    return Trend(months, series)


def plan_trend(*, viewer: Viewer, months: list[date]) -> Trend:
    """The share of adopted people with an agreed plan at each month's end: national, and the viewer's
    hub when they are shown only theirs."""
    rows = [(NATIONAL, "All hubs (national)")]
    if not viewer.every_hub:
        rows += [(h.code, h.name) for h in viewer.shown]
    shares = [plan_shares(viewer, m) for m in months]
    return Trend(months, [Series(label, [share_value(*s[code]) for s in shares]) for code, label in rows])


# ------------------------------------------------------------------------- measures with categories


def category_month(
    viewer: Viewer, measure: str, month: date, categories: list[str]
) -> dict[Cell, int | None]:
    """One month of a measure by category, with each row's total (TOTAL), suppressed."""
    return _stock(viewer, measure, month, categories)


def category_period(
    viewer: Viewer, measure: str, period: Period, categories: list[str], *, stock: bool
) -> dict[Cell, int | None]:
    """A measure by category over a period: a stock as at its last month's end; a flow added up over
    its months, withholding in the quarter whatever any month withheld."""
    if stock or len(period.months) == 1:
        return category_month(viewer, measure, period.months[-1], categories)
    raw = _raw(viewer, measure, period.months)
    forced: set[Cell] = set()
    for month in period.months:
        per_month = {(code, cat): n for (m, code, cat), n in raw.items() if m == month}
        forced |= withhold(_grid(viewer, per_month, categories, total=TOTAL))
    summed: dict[tuple[str, str], int] = defaultdict(int)
    for (_m, code, cat), n in raw.items():
        summed[(code, cat)] += n
    return published(_grid(viewer, dict(summed), categories, total=TOTAL, forced=forced))


def category_table(
    *,
    viewer: Viewer,
    key: str,
    caption: str,
    measure: str,
    categories: dict[str, str],
    period: Period,
    stock: bool,
) -> Table:
    """Hubs (those the viewer is shown) and national by category for the period, with the total of the
    period before beside."""
    codes = list(categories)
    now = category_period(viewer, measure, period, codes, stock=stock)
    before = category_period(viewer, measure, period.previous, codes, stock=stock)
    keys = [(now, c) for c in [*codes, TOTAL]] + [(before, TOTAL)]
    columns = [*categories.values(), f"Total, {period.short_label}", f"Total, {period.previous.short_label}"]
    return Table(key, caption, columns, _rows(viewer, keys))


def category_trend(
    *, viewer: Viewer, measure: str, categories: dict[str, str], months: list[date], row: str = NATIONAL
) -> Trend:
    """Each category month by month (national, or a hub the viewer is shown), suppressed."""
    codes = list(categories)
    shown = [category_month(viewer, measure, m, codes) for m in months]
    return Trend(
        months,
        [Series(label, [_as_float(s.get((row, code))) for s in shown]) for code, label in categories.items()],
    )


def share_trend(
    *, viewer: Viewer, measure: str, part: str, categories: list[str], months: list[date], label: str
) -> Trend:
    """The share (per cent) one category is of the row's total each month: national, and the viewer's
    own hub when they are shown only theirs. Only where both counts are published."""
    rows = [(NATIONAL, f"{label}, all hubs (national)")]
    if not viewer.every_hub:
        rows += [(h.code, f"{label}, {h.name}") for h in viewer.shown]
    shown = [category_month(viewer, measure, m, categories) for m in months]
    return Trend(
        months,
        [
            Series(name, [share_value(s.get((code, part)), s.get((code, TOTAL))) for s in shown])
            for code, name in rows
        ],
    )


def hub_month_grid(
    *, viewer: Viewer, measure: str, months: list[date]
) -> tuple[list[str], list[list[int | None]]]:
    """Hub names (those shown) and, for each, the measure's monthly figure, suppressed; the Board's
    picture of the 10 hubs side by side."""
    by_month = [_flow(viewer, measure, Period("month", m)) for m in months]
    names = [h.name for h in viewer.shown]
    values = [[shown.get((h.code, measure)) for shown in by_month] for h in viewer.shown]
    return names, values


def _as_float(value: int | None) -> float | None:
    return None if value is None else float(value)


def total_trend(
    *, viewer: Viewer, measures: dict[str, str], categories: list[str], months: list[date]
) -> Trend:
    """Each measure's national total (over `categories`) month by month, suppressed."""
    series = []
    for measure, label in measures.items():
        shown = [category_month(viewer, measure, m, categories) for m in months]
        series.append(Series(label, [_as_float(s.get((NATIONAL, TOTAL))) for s in shown]))
    return Trend(months, series)


def rri_trend(*, viewer: Viewer, months: list[date], groups: dict[str, str], measure: str) -> Trend:
    """The relative rate index of each ethnic group in the adopted cohort, month by month, against the
    default reference population (the equality report's): the group's share of those with a recorded
    ethnicity over its share of the population. Computed from published counts only."""
    population = default_population()
    if population is None:
        return Trend(months, [])
    shares = {s.group: float(s.share) for s in population.shares.all() if s.characteristic == "ethnicity"}
    # Those with no recorded ethnicity are left out of the table, so its total is the recorded cohort.
    shown = [category_month(viewer, measure, m, list(groups)) for m in months]
    series = []
    for code, label in groups.items():
        if not shares.get(code):
            continue
        values: list[float | None] = []
        for s in shown:
            a, recorded = s.get((NATIONAL, code)), s.get((NATIONAL, TOTAL))
            values.append(None if a is None or not recorded else (a / recorded) / (shares[code] / 100))
        series.append(Series(label, values))
    return Trend(months, series)
