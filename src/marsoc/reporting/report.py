"""The Board dashboard assembled for one viewer and period: tables and charts, every figure suppressed.

Building one draws a dozen charts (a second or two), so a built dashboard is kept (services.py, by the
snapshots it was built from and what the viewer may be shown) and turned to and from plain data here."""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from marsoc.assessment.equality import ETHNICITY as ETHNIC_GROUPS
from marsoc.nominals.vocabulary import MembershipState

from . import activity as a
from .blocks import AGENCY_TYPES, CLAIMS, RATINGS, REQUESTS, ChartBlock, describe, fmt, trend_table
from .charts import Chart, bar_chart, hub_grid_chart, line_chart, stacked_bar_chart
from .measures import ACTIONS_OVERDUE, SIZE
from .periods import Period
from .selectors import (
    NATIONAL,
    STATES,
    Row,
    Series,
    Table,
    Trend,
    Viewer,
    category_table,
    category_trend,
    flow_table,
    flow_trend,
    hub_month_grid,
    plan_shares,
    plan_trend,
    plans_table,
    rri_trend,
    share_trend,
    share_value,
    size_table,
    snapshot_months,
    total_trend,
)

STAGES = {str(s): str(MembershipState(s).label) for s in STATES}
REVIEWS = {a.REVIEW_IN_DATE: "Review in date", a.REVIEW_OVERDUE: "Review overdue"}
PNC = {a.HAS_PNC: "With a PNC ID", a.NO_PNC: "Without a PNC ID"}


@dataclass(frozen=True)
class Dashboard:
    period: Period
    tables: list[Table]
    charts: list[ChartBlock]
    months: list[date]

    def to_data(self) -> dict[str, Any]:
        return {
            "period": [self.period.kind, self.period.start.isoformat()],
            "tables": [asdict(t) for t in self.tables],
            "charts": [{"chart": asdict(b.chart), "table": asdict(b.table)} for b in self.charts],
            "months": [m.isoformat() for m in self.months],
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> "Dashboard":
        kind, start = data["period"]
        return cls(
            Period(kind, date.fromisoformat(start)),
            [_table(t) for t in data["tables"]],
            [ChartBlock(Chart(**b["chart"]), _table(b["table"])) for b in data["charts"]],
            [date.fromisoformat(m) for m in data["months"]],
        )


def _table(data: dict[str, Any]) -> Table:
    return Table(**{**data, "rows": [Row(**r) for r in data["rows"]]})


def dashboard(*, viewer: Viewer, period: Period) -> Dashboard:
    from .group_figures import group_chart, group_tables
    from .report_extra import extra_charts, extra_tables

    months = snapshot_months(until=period.months[-1])
    tables = period_tables(viewer=viewer, period=period)
    charts = trend_charts(viewer=viewer, months=months) if months else []
    charts.insert(3 if len(charts) >= 3 else len(charts), _plan_by_hub(viewer, period, tables[2]))
    if months:  # beside the outcomes by rating and the claims
        charts.insert(min(6, len(charts)), group_chart(viewer=viewer, months=months))
    tables[5:5] = group_tables(viewer=viewer, period=period)  # after the outcomes and the claims
    more = extra_tables(viewer=viewer, period=period)
    charts += extra_charts(viewer=viewer, months=months, tables={t.key: t for t in more})
    return Dashboard(period, [*tables, *more], charts, months)


def period_tables(*, viewer: Viewer, period: Period) -> list[Table]:
    """Every table of the period, hubs and national, with the previous period beside."""
    day = f"{period.end:%-d %B %Y}"

    def table(key: str, caption: str, measure: str, categories: dict[str, str], stock: bool) -> Table:
        return category_table(
            viewer=viewer,
            key=key,
            caption=caption,
            measure=measure,
            categories=categories,
            period=period,
            stock=stock,
        )

    return [
        flow_table(viewer=viewer, period=period),
        size_table(viewer=viewer, period=period),
        plans_table(viewer=viewer, period=period),
        table(
            "outcomes",
            f"People with a validated disruption outcome in {period.label}, by its rating",
            a.OUTCOME_VALIDATED,
            RATINGS,
            False,
        ),
        table(
            "claims",
            f"People with a disruption outcome claimed in {period.label}, by where the claim stands",
            a.OUTCOME_CLAIM,
            CLAIMS,
            False,
        ),
        table(
            "overdue",
            f"People with an overdue action on {day}, by the acting agency's type",
            ACTIONS_OVERDUE,
            AGENCY_TYPES,
            True,
        ),
        table(
            "reviews",
            f"Assessed people on {day}, by whether their review is in date",
            a.REVIEW,
            REVIEWS,
            True,
        ),
        table(
            "summaries",
            f"People whose summary was disclosed in {period.label}, by the recipient agency's type",
            a.SHARED_SUMMARY,
            AGENCY_TYPES,
            False,
        ),
        table(
            "requests",
            f"People asked about after a deconfliction hit in {period.label}, by the request's outcome",
            a.ACCESS_REQUEST,
            REQUESTS,
            False,
        ),
        table(
            "identifiers",
            f"People in the cohort on {day}, with and without a PNC ID",
            a.IDENTIFIERS,
            PNC,
            True,
        ),
    ]


def trend_charts(*, viewer: Viewer, months: list[date]) -> list[ChartBlock]:
    """The charts of the last 24 monthly snapshots (national; a hub manager's hub beside it where the
    figure is a share)."""
    out: list[ChartBlock] = []

    def add(kind: str, key: str, title: str, trend: Trend, y_label: str, **options: Any) -> None:
        percent = bool(options.get("percent"))
        places = int(options.pop("places", 0))
        description = describe(trend.series, months, percent, places)
        if kind == "line":
            chart = line_chart(
                key=key, title=title, description=description, trend=trend, y_label=y_label, **options
            )
        else:
            chart = stacked_bar_chart(
                key=key, title=title, description=description, trend=trend, y_label=y_label
            )
        out.append(ChartBlock(chart, trend_table(f"{key}-table", title, trend, percent, places)))

    def share(key: str, title: str, measure: str, part: str, categories: dict[str, str], y: str) -> None:
        """The share one category is of the whole, national (and a hub manager's own hub)."""
        label = categories[part]
        trend = share_trend(
            viewer=viewer, measure=measure, part=part, categories=list(categories), months=months, label=label
        )
        add("line", key, title, trend, y, percent=True)

    add(
        "line",
        "flow-trend",
        "People referred, adopted and exited each month, all hubs",
        flow_trend(viewer=viewer, months=months),
        "People",
    )
    add(
        "bar",
        "stage-trend",
        "The cohort at each month's end by stage, all hubs",
        category_trend(viewer=viewer, measure=SIZE, categories=STAGES, months=months),
        "People",
    )
    add(
        "line",
        "plan-trend",
        "Share of adopted people with a jointly agreed plan, month by month",
        plan_trend(viewer=viewer, months=months),
        "Per cent of adopted people",
        percent=True,
    )
    add(
        "bar",
        "outcome-trend",
        "People with a validated disruption outcome each month, by rating, all hubs",
        category_trend(viewer=viewer, measure=a.OUTCOME_VALIDATED, categories=RATINGS, months=months),
        "People",
    )
    add(
        "bar",
        "claim-trend",
        "Disruption outcomes claimed each month: awaiting validation, validated and rejected, all hubs",
        category_trend(viewer=viewer, measure=a.OUTCOME_CLAIM, categories=CLAIMS, months=months),
        "People",
    )
    add(
        "bar",
        "overdue-trend",
        "People with an overdue action at each month's end, by the acting agency's type, all hubs",
        category_trend(viewer=viewer, measure=ACTIONS_OVERDUE, categories=_top(AGENCY_TYPES), months=months),
        "People",
    )
    share(
        "review-trend",
        "Share of assessed people whose review was in date at each month's end",
        a.REVIEW,
        a.REVIEW_IN_DATE,
        REVIEWS,
        "Per cent of assessed people",
    )
    add(
        "line",
        "sharing-trend",
        "People whose summary or intelligence was disclosed to a partner each month, all hubs",
        total_trend(
            viewer=viewer,
            measures={a.SHARED_SUMMARY: "Summary disclosed", a.SHARED_ITEM: "Named in an item disclosed"},
            categories=list(AGENCY_TYPES),
            months=months,
        ),
        "People",
    )
    add(
        "bar",
        "request-trend",
        "Access requests after a deconfliction hit each month, by outcome, all hubs",
        category_trend(viewer=viewer, measure=a.ACCESS_REQUEST, categories=REQUESTS, months=months),
        "People",
    )
    add(
        "line",
        "rri-trend",
        "Relative rate index of each ethnic group in the adopted cohort (1 is the population's rate)",
        rri_trend(viewer=viewer, months=months, groups=dict(ETHNIC_GROUPS.groups), measure=a.ETHNICITY),
        "Relative rate index",
        reference=1.0,
        places=2,
    )
    share(
        "pnc-trend",
        "Share of the cohort without a PNC ID at each month's end (data quality)",
        a.IDENTIFIERS,
        a.NO_PNC,
        PNC,
        "Per cent of the cohort",
    )
    hubs, grid = hub_month_grid(viewer=viewer, measure="referred", months=months)
    title = "People referred each month in each hub"
    out.append(
        ChartBlock(
            hub_grid_chart(
                key="hub-grid",
                title=title,
                description=_describe_grid(hubs, grid, months),
                hubs=hubs,
                months=months,
                values=grid,
            ),
            trend_table(
                "hub-grid-table",
                title,
                Trend(
                    months,
                    [
                        Series(h, [None if v is None else float(v) for v in row])
                        for h, row in zip(hubs, grid, strict=True)
                    ],
                ),
            ),
        )
    )
    return out


def _top(categories: dict[str, str]) -> dict[str, str]:
    """The agency types that act on plans (the rest are too few to draw as a colour of their own)."""
    keep = {"police", "probation", "prison", "nca", "hmrc", "home_office"}
    return {k: v for k, v in categories.items() if k in keep}


def _plan_by_hub(viewer: Viewer, period: Period, plans: Table) -> ChartBlock:
    now = plan_shares(viewer, period.months[-1])
    labels = [h.name for h in viewer.shown] + ["All hubs (national)"]
    values = [share_value(*now[h.code]) for h in viewer.shown] + [share_value(*now[NATIONAL])]
    return ChartBlock(
        bar_chart(
            key="plan-by-hub",
            title=f"Share of adopted people with a jointly agreed plan on {period.end:%-d %B %Y}, by hub",
            description="; ".join(
                f"{label}: {fmt(v, percent=True)}" for label, v in zip(labels, values, strict=True)
            ),
            labels=labels,
            values=values,
            x_label="Per cent of adopted people",
        ),
        plans,
    )


def _describe_grid(hubs: list[str], grid: list[list[int | None]], months: list[date]) -> str:
    totals = [(h, sum(v for v in row if v is not None)) for h, row in zip(hubs, grid, strict=True)]
    ranked = sorted(totals, key=lambda t: -t[1])
    shown = "; ".join(f"{h}: {n} shown" for h, n in ranked)
    return (
        f"One row a hub, one column a month, from {months[0]:%B %Y} to {months[-1]:%B %Y}; darker means "
        f"more people referred. Totals of the published months, most first: {shown}."
    )
