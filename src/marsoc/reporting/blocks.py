"""What the dashboard's builders share (report.py, report_extra.py): the chart-and-table block, the
trend tables behind charts, their descriptions in words, and the labels of the categories."""

from dataclasses import dataclass
from datetime import date

from marsoc.accounts.models import AgencyType
from marsoc.intelligence.vocabulary import RequestStatus
from marsoc.plans.vocabulary import OutcomeStatus, Rating

from .charts import Chart
from .selectors import Row, Series, Table, Trend

RATINGS = {str(k): str(v) for k, v in Rating.choices}
CLAIMS = {
    OutcomeStatus.CLAIMED.value: "Awaiting validation",
    OutcomeStatus.VALIDATED.value: "Validated",
    OutcomeStatus.REJECTED.value: "Rejected",
}
AGENCY_TYPES = {str(k): str(v) for k, v in AgencyType.choices}
REQUESTS = {str(k): str(v) for k, v in RequestStatus.choices}


@dataclass(frozen=True)
class ChartBlock:
    chart: Chart
    table: Table


def trend_table(key: str, caption: str, trend: Trend, percent: bool = False, places: int = 0) -> Table:
    return Table(
        key,
        caption,
        [s.label for s in trend.series],
        [
            Row(f"{m:%B %Y}", False, [], extra=[fmt(s.values[i], percent, places) for s in trend.series])
            for i, m in enumerate(trend.months)
        ],
        row_header="Month",
    )


def fmt(v: float | None, percent: bool = False, places: int = 0) -> str:
    if v is None:
        return "withheld"
    return f"{v:.{places}f}%" if percent else f"{v:.{places}f}"


def describe(series: list[Series], months: list[date], percent: bool = False, places: int = 0) -> str:
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
            f"{s.label}: {fmt(first[1], percent, places)} in {first[0]:%B %Y}, "
            f"{fmt(last[1], percent, places)} in {last[0]:%B %Y}, "
            f"highest {fmt(peak[1], percent, places)} in {peak[0]:%B %Y}"
        )
    if not parts:
        return "No figures to show."
    return f"From {months[0]:%B %Y} to {months[-1]:%B %Y}. " + ". ".join(parts) + "."
