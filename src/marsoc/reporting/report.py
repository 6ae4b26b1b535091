"""The Board dashboard assembled for one viewer and period: tables and charts, every figure suppressed."""

from dataclasses import dataclass
from datetime import date

from .charts import Chart, bar_chart, line_chart
from .periods import Period
from .selectors import (
    NATIONAL,
    Row,
    Series,
    Table,
    Viewer,
    flow_table,
    flow_trend,
    plan_shares,
    plan_trend,
    plans_table,
    share_value,
    size_table,
    snapshot_months,
)


@dataclass(frozen=True)
class ChartBlock:
    chart: Chart
    table: Table


@dataclass(frozen=True)
class Dashboard:
    period: Period
    tables: list[Table]
    charts: list[ChartBlock]
    months: list[date]


def _trend_table(
    key: str, caption: str, trend_months: list[date], series: list[tuple[str, list[str]]]
) -> Table:
    return Table(
        key,
        caption,
        [label for label, _ in series],
        [
            Row(f"{m:%B %Y}", False, [], extra=[values[i] for _, values in series])
            for i, m in enumerate(trend_months)
        ],
        row_header="Month",
    )


def _fmt(v: float | None, percent: bool = False) -> str:
    if v is None:
        return "withheld"
    return f"{v:.0f}%" if percent else f"{v:.0f}"


def dashboard(*, viewer: Viewer, period: Period) -> Dashboard:
    months = snapshot_months(until=period.months[-1])
    tables = [flow_table(viewer=viewer, period=period), size_table(viewer=viewer, period=period)]
    tables.append(plans_table(viewer=viewer, period=period))
    charts: list[ChartBlock] = []
    if months:
        where = "all hubs" if viewer.every_hub else "all hubs (national)"
        flows = flow_trend(viewer=viewer, months=months)
        charts.append(
            ChartBlock(
                line_chart(
                    key="flow-trend",
                    title=f"People referred, adopted and exited each month, {where}",
                    description=_describe(flows.series, months),
                    trend=flows,
                    y_label="People",
                ),
                _trend_table(
                    "flow-trend-table",
                    "People referred, adopted and exited each month (national)",
                    months,
                    [(s.label, [_fmt(v) for v in s.values]) for s in flows.series],
                ),
            )
        )
        shares = plan_trend(viewer=viewer, months=months)
        charts.append(
            ChartBlock(
                line_chart(
                    key="plan-trend",
                    title="Share of adopted people with a jointly agreed plan, month by month",
                    description=_describe(shares.series, months, percent=True),
                    trend=shares,
                    y_label="Per cent of adopted people",
                    percent=True,
                ),
                _trend_table(
                    "plan-trend-table",
                    "Share of adopted people with a jointly agreed plan at each month's end",
                    months,
                    [(s.label, [_fmt(v, percent=True) for v in s.values]) for s in shares.series],
                ),
            )
        )
    now = plan_shares(viewer, period.months[-1])
    labels = [h.name for h in viewer.shown] + ["All hubs (national)"]
    values = [share_value(*now[h.code]) for h in viewer.shown] + [share_value(*now[NATIONAL])]
    charts.append(
        ChartBlock(
            bar_chart(
                key="plan-by-hub",
                title=f"Share of adopted people with a jointly agreed plan on {period.end:%-d %B %Y}, by hub",
                description="; ".join(
                    f"{label}: {_fmt(v, percent=True)}" for label, v in zip(labels, values, strict=True)
                ),
                labels=labels,
                values=values,
                x_label="Per cent of adopted people",
            ),
            tables[-1],
        )
    )
    return Dashboard(period, tables, charts, months)


def _describe(series: list[Series], months: list[date], percent: bool = False) -> str:
    """What the lines do, in words: each series' first and last shown value and its highest month."""
    parts = []
    for s in series:
        known = [(m, v) for m, v in zip(months, s.values, strict=True) if v is not None]
        if not known:
            parts.append(f"{s.label}: every month withheld")
            continue
        first, last = known[0], known[-1]
        peak = max(known, key=lambda mv: mv[1])
        parts.append(
            f"{s.label}: {_fmt(first[1], percent)} in {first[0]:%B %Y}, {_fmt(last[1], percent)} in "
            f"{last[0]:%B %Y}, highest {_fmt(peak[1], percent)} in {peak[0]:%B %Y}"
        )
    return f"From {months[0]:%B %Y} to {months[-1]:%B %Y}. " + ". ".join(parts) + "."
