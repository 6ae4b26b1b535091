"""The Board dashboard's newer tables and charts: durations (medians), the cohort by tier and lifecycle
phase, releases due, actions, claims by tactic and crime type, deconfliction hits, method versions,
calibration, key identifiers and the data-quality queues. Built from figures.py (suppressed) into the
same Table and ChartBlock shapes as report.py, so the page, the pack, the exports and the API carry them
without knowing them."""

from datetime import date
from typing import Any

from marsoc.assessment.models import Assessment, ScoringMethod
from marsoc.network.vocabulary import CrimeType
from marsoc.nominals.vocabulary import Phase
from marsoc.plans.models import Tactic
from marsoc.plans.vocabulary import ActionStatus

from . import breakdowns as b
from . import timings as t
from .blocks import AGENCY_TYPES, CLAIMS, ChartBlock, describe, trend_table
from .calibration_figures import calibration_rows
from .charts import category_stacked_chart, line_chart, stacked_bar_chart
from .figures import (
    agency_medians,
    categories_found,
    categories_of,
    cross_of,
    found_parts,
    medians_of,
)
from .measures import PLAN_AGREED, PLAN_NOT_AGREED
from .periods import Period
from .selectors import NATIONAL, TOTAL, Row, Series, Table, Trend, Viewer
from .suppression import a_cell, b_cell

NATIONAL_LABEL = "All hubs (national)"
PHASES = {str(p.value): str(p.label) for p in Phase if p != Phase.EXITED}
ACTION_STATES = {str(k): str(v) for k, v in ActionStatus.choices}
CRIMES = {**{str(k): str(v) for k, v in CrimeType.choices}, b.NO_GROUP: "No organised crime group"}
RELEASES = {PLAN_AGREED: "With a jointly agreed plan", PLAN_NOT_AGREED: "Without one"}
KEY_IDS = {
    b.KEY_BOTH: "PNC ID and CRO number",
    b.KEY_NO_CRO: "No CRO number",
    b.KEY_NO_PNC: "No PNC ID",
    b.KEY_NEITHER: "Neither",
}
WAITING = {"week": "Under a week", "month": "One to four weeks", "longer": "Four weeks or more"}


def _labels() -> dict[str, dict[str, str]]:
    return {"agency": AGENCY_TYPES, "claims": CLAIMS}


def tier_labels(viewer: Viewer, months: list[date]) -> dict[str, str]:
    found = found_parts(viewer, b.TIER_PHASE, months, 0)
    names = dict(Assessment.objects.values_list("tier_code", "tier_name").distinct().order_by())
    codes = sorted(c for c in found if c != b.NOT_ASSESSED)
    labels = {c: _tier_label(c, names.get(c, "")) for c in codes}
    return {**labels, b.NOT_ASSESSED: "Not yet assessed"}


def _tier_label(code: str, name: str) -> str:
    """ "Tier 1 (highest harm)" as the method names it, or "Tier 1: Name" where the name does not say."""
    if name.lower().startswith("tier"):
        return name
    return f"Tier {code}: {name}" if name else f"Tier {code}"


def _hub_rows(viewer: Viewer, cells: dict[Any, int | None], columns: list[str]) -> list[Row]:
    rows = [Row(h.name, False, [cells[(h.code, c)] for c in columns]) for h in viewer.shown]
    rows.append(Row(NATIONAL_LABEL, True, [cells[(NATIONAL, c)] for c in columns]))
    return rows


def _category_table(
    viewer: Viewer, key: str, caption: str, measure: str, labels: dict[str, str], period: Period, stock: bool
) -> Table:
    cells = categories_of(viewer, measure, period, list(labels), stock=stock)
    columns = [*labels, TOTAL]
    return Table(key, caption, [*labels.values(), "Total"], _hub_rows(viewer, cells, columns))


def timing_table(viewer: Viewer, period: Period) -> Table:
    columns, by_period = [], []
    for measure, people, days in (
        (t.DECISION_DAYS, "Referrals decided", "Median days from referral to decision"),
        (t.AGREEMENT_DAYS, "Plans first agreed", "Median days from a plan's start to its agreement"),
    ):
        for p in (period, period.previous):
            by_period.append(medians_of(viewer, measure, p))
            columns += [f"{people}, {p.short_label}", f"{days}, {p.short_label}"]
    codes = [h.code for h in viewer.shown] + [NATIONAL]
    names = [h.name for h in viewer.shown] + [NATIONAL_LABEL]
    rows = [
        Row(name, code == NATIONAL, [v for m in by_period for v in (m.counts[code], m.medians[code])])
        for code, name in zip(codes, names, strict=True)
    ]
    return Table(
        "timings",
        f"Referrals decided and plans first agreed in {period.label}, with the median days they took "
        "(a median is withheld when fewer than 5 people are behind it)",
        columns,
        rows,
    )


def agency_table(viewer: Viewer, period: Period) -> Table:
    """Acting agency types, slowest to agree first (nationally)."""
    agency = _labels()["agency"]
    now = agency_medians(viewer, t.AGENCY_DAYS, period, list(agency))
    before = agency_medians(viewer, t.AGENCY_DAYS, period.previous, list(agency))
    order = sorted(agency, key=lambda k: (now[k][1] is None, -(now[k][1] or 0), agency[k]))
    rows = [Row(agency[k], False, [now[k][0], now[k][1], before[k][0], before[k][1]]) for k in order]
    return Table(
        "agency-agreement",
        f"Agreements given by acting agencies in {period.label}, slowest to agree first (all hubs)",
        [
            f"Agreements, {period.short_label}",
            f"Median days from request to agreement, {period.short_label}",
            f"Agreements, {period.previous.short_label}",
            f"Median days, {period.previous.short_label}",
        ],
        rows,
        row_header="Acting agency type",
    )


def _cross_table(
    key: str,
    caption: str,
    cross: Any,
    a_labels: dict[str, str],
    b_labels: dict[str, str],
    row_header: str,
    all_label: str,
) -> Table:
    """The national cross-table: one row an a, one column a b, with the totals."""
    cells = cross.cells
    rows = [
        Row(
            label, False, [*(cells[(NATIONAL, f"{a}|{bb}")] for bb in b_labels), cells[(NATIONAL, a_cell(a))]]
        )
        for a, label in a_labels.items()
    ]
    rows.append(
        Row(all_label, True, [*(cells[(NATIONAL, b_cell(bb))] for bb in b_labels), cells[(NATIONAL, TOTAL)]])
    )
    return Table(key, caption, [*b_labels.values(), "Total"], rows, row_header=row_header)


def _margin_table(
    viewer: Viewer, key: str, caption: str, cross: Any, labels: dict[str, str], side: str
) -> Table:
    cell = a_cell if side == "a" else b_cell
    columns = [*(cell(c) for c in labels), TOTAL]
    return Table(key, caption, [*labels.values(), "Total"], _hub_rows(viewer, cross.cells, columns))


def extra_tables(*, viewer: Viewer, period: Period) -> list[Table]:
    labels = _labels()
    day = f"{period.end:%-d %B %Y}"
    tiers = tier_labels(viewer, [period.months[-1]])
    size = cross_of(
        viewer, b.TIER_PHASE, period, list(tiers), list(PHASES), stock=True, hub_a=True, hub_b=True
    )
    actions = cross_of(
        viewer, b.ACTION_STATE, period, list(labels["agency"]), list(ACTION_STATES), stock=True, hub_b=True
    )
    tactics = {
        code: name
        for code, name in Tactic.objects.filter(
            code__in=found_parts(viewer, b.CLAIM_TACTIC, period.months, 0)
        )
        .order_by("name")
        .values_list("code", "name")
    }
    claims = labels["claims"]
    by_tactic = cross_of(viewer, b.CLAIM_TACTIC, period, list(tactics), list(claims), stock=False)
    by_agency = cross_of(viewer, b.CLAIM_AGENCY, period, list(labels["agency"]), list(claims), stock=False)
    by_crime = cross_of(viewer, b.CLAIM_CRIME, period, list(CRIMES), list(claims), stock=False)
    methods = method_labels(viewer, period)
    return [
        timing_table(viewer, period),
        agency_table(viewer, period),
        _margin_table(viewer, "tiers", f"The cohort on {day}, by tier", size, tiers, "a"),
        _margin_table(viewer, "phases", f"The cohort on {day}, by lifecycle phase", size, PHASES, "b"),
        _cross_table(
            "tier-phase",
            f"The cohort on {day}, by tier and lifecycle phase (all hubs)",
            size,
            tiers,
            PHASES,
            "Tier",
            "Every tier",
        ),
        _category_table(
            viewer,
            "releases",
            f"Adopted people due for release within 6 months of {day}, with and without a jointly agreed plan",
            b.RELEASE_PLAN,
            RELEASES,
            period,
            True,
        ),
        _margin_table(
            viewer,
            "actions-state",
            f"People with an action on {day}, by its state",
            actions,
            ACTION_STATES,
            "b",
        ),
        _cross_table(
            "actions-agency",
            f"People with an action on {day}, by the acting agency's type and the action's state (all hubs)",
            actions,
            labels["agency"],
            ACTION_STATES,
            "Acting agency type",
            "Every agency type",
        ),
        _cross_table(
            "claims-tactic",
            f"People with a disruption outcome claimed in {period.label}, by tactic and where the claim "
            "stands (all hubs)",
            by_tactic,
            tactics,
            claims,
            "Tactic",
            "Every tactic",
        ),
        _cross_table(
            "claims-agency",
            f"People with a disruption outcome claimed in {period.label}, by the claiming agency's type and "
            "where the claim stands (all hubs)",
            by_agency,
            labels["agency"],
            claims,
            "Claiming agency type",
            "Every agency type",
        ),
        _cross_table(
            "claims-crime",
            f"People with a disruption outcome claimed in {period.label}, by the group's crime type and "
            "where the claim stands (all hubs; a person in several crime types counts in each)",
            by_crime,
            CRIMES,
            claims,
            "Crime type",
            "Every crime type",
        ),
        _category_table(
            viewer,
            "deconfliction",
            f"People in a deconfliction hit in {period.label} (someone was told another hub holds an "
            "interest), by the searcher's agency type",
            b.DECONFLICTION,
            labels["agency"],
            period,
            False,
        ),
        _category_table(
            viewer,
            "methods",
            f"Assessed people on {day}, by the scoring method version of their latest assessment",
            b.METHOD_VERSION,
            methods,
            period,
            True,
        ),
        calibration_table(period),
        _category_table(
            viewer,
            "key-identifiers",
            f"People in the cohort on {day}, by the key identifiers held (data quality)",
            b.KEY_IDENTIFIERS,
            KEY_IDS,
            period,
            True,
        ),
        _category_table(
            viewer,
            "linkage-backlog",
            f"Pairs of partner records waiting for review on {day}, by how long they have waited (data "
            "quality; a pair counts in the hub of its first record, the national team's in the national "
            "figure only)",
            b.LINKAGE_BACKLOG,
            WAITING,
            period,
            True,
        ),
        _category_table(
            viewer,
            "quarantined",
            f"Partner feed rows quarantined in {period.label}, by the sending agency's type (data quality; "
            "in the hub the feed was imported for, the national team's in the national figure only)",
            b.QUARANTINED,
            labels["agency"],
            period,
            False,
        ),
    ]


def method_labels(viewer: Viewer, period: Period) -> dict[str, str]:
    """The method versions in force by the period's end (and any that assessed someone), the one in
    force then said so."""
    end = period.end
    found = {int(c) for c in categories_found(viewer, b.METHOD_VERSION, [period.months[-1]])}
    methods = ScoringMethod.objects.filter(pk__in=found).order_by("code", "version")
    current = ScoringMethod.objects.filter(activated_at__date__lte=end).order_by("-activated_at").first()
    return {
        str(m.pk): f"{m.name} (version {m.version}){', in force' if current and m.pk == current.pk else ''}"
        for m in methods
    }


def calibration_table(period: Period) -> Table:
    rows = calibration_rows(until=period.end)
    return Table(
        "calibration",
        f"Calibration exercises closed by {period.end:%-d %B %Y}: assessors and their agreement "
        "(Krippendorff's alpha on scores, 1 is full agreement; withheld under 5 assessors)",
        ["Assessors", "Agreement on scores"],
        [Row(r.label, False, [r.assessors], extra=[r.alpha_text]) for r in rows],
        row_header="Exercise (month closed)",
    )


# --------------------------------------------------------------------------------------------- charts


def extra_charts(*, viewer: Viewer, months: list[date], tables: dict[str, Table]) -> list[Any]:
    out: list[ChartBlock] = []

    def add(kind: str, key: str, title: str, trend: Trend, y_label: str, places: int = 0) -> None:
        description = describe(trend.series, months, False, places)
        if kind == "line":
            chart = line_chart(key=key, title=title, description=description, trend=trend, y_label=y_label)
        else:
            chart = stacked_bar_chart(
                key=key, title=title, description=description, trend=trend, y_label=y_label
            )
        out.append(ChartBlock(chart, trend_table(f"{key}-table", title, trend, False, places)))

    if months:
        add(
            "line",
            "timing-trend",
            "Median days from referral to decision, and from a plan's start to its agreement, each month",
            timing_trend(viewer, months),
            "Median days",
        )
        add(
            "bar",
            "release-trend",
            "Adopted people due for release within 6 months at each month's end, with and without a "
            "jointly agreed plan, all hubs",
            stock_trend(viewer, b.RELEASE_PLAN, RELEASES, months),
            "People",
        )
        add(
            "bar",
            "backlog-trend",
            "Pairs of partner records waiting for review at each month's end, by how long, all hubs",
            stock_trend(viewer, b.LINKAGE_BACKLOG, WAITING, months),
            "Pairs of records",
        )
        add(
            "line",
            "calibration-trend",
            "Agreement of the calibration exercises closed each month (Krippendorff's alpha on scores)",
            calibration_trend(months),
            "Krippendorff's alpha",
            places=2,
        )
    out.insert(0, tier_phase_chart(tables["tier-phase"]))
    return out


def tier_phase_chart(table: Table) -> Any:
    phases = list(PHASES.values())
    tiers = [r for r in table.rows if not r.national]
    series = [
        (row.label, [None if v is None else float(v) for v in row.cells[: len(phases)]]) for row in tiers
    ]
    described = []
    for i, phase in enumerate(phases):
        parts = [f"{row.label} {'withheld' if row.cells[i] is None else row.cells[i]}" for row in tiers]
        described.append(f"{phase}: {', '.join(parts)}")
    title = table.caption.replace("The cohort", "The cohort in each lifecycle phase").replace(
        ", by tier and lifecycle phase", ", by tier"
    )
    chart = category_stacked_chart(
        key="tier-phase-chart",
        title=title,
        description=". ".join(described) + "." if described else "No figures to show.",
        labels=phases,
        series=series,
        x_label="People",
    )
    return ChartBlock(chart, table)


def timing_trend(viewer: Viewer, months: list[date]) -> Trend:
    series = []
    for measure, label in (
        (t.DECISION_DAYS, "Referral to decision"),
        (t.AGREEMENT_DAYS, "Plan's start to agreement"),
    ):
        values = [medians_of(viewer, measure, Period("month", m)).medians[NATIONAL] for m in months]
        series.append(Series(f"{label}, all hubs", [None if v is None else float(v) for v in values]))
        if not viewer.every_hub:
            for h in viewer.shown:
                own = [medians_of(viewer, measure, Period("month", m)).medians[h.code] for m in months]
                series.append(Series(f"{label}, {h.name}", [None if v is None else float(v) for v in own]))
    return Trend(months, series)


def stock_trend(viewer: Viewer, measure: str, labels: dict[str, str], months: list[date]) -> Trend:
    shown = [categories_of(viewer, measure, Period("month", m), list(labels), stock=True) for m in months]
    return Trend(
        months,
        [
            Series(label, [None if (v := s.get((NATIONAL, code))) is None else float(v) for s in shown])
            for code, label in labels.items()
        ],
    )


def calibration_trend(months: list[date]) -> Trend:
    from .calibration_figures import calibration_by_month

    by_month = calibration_by_month(months)
    return Trend(months, [Series("Agreement on scores", [by_month.get(m) for m in months])])
