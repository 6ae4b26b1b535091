"""Board reporting endpoints: every measure's table for a period (hubs the caller is shown and national,
the previous period beside), and the monthly trends behind the charts. Aggregates only; a withheld
figure is null. The same façade rule, suppression and audit as the pages."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.api_fields import NO_CONTROL
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed, refused_in_context

from . import services
from .periods import PeriodError, parse_period
from .selectors import report_viewer

router = Router(tags=["reporting"])


class BoardPeriodParams(Schema):
    period: Literal["month", "quarter"] = Field(
        "month", description="month or quarter (financial year: April to June is Q1)"
    )
    # The pattern says the shape; a quarter's first month and a period not yet begun are refused in
    # context (409), as the document's other context rules are.
    at: str = Field(
        "",
        max_length=7,
        pattern=r"^(20[0-9]{2}-(0[1-9]|1[0-2]))?$",
        json_schema_extra=NO_CONTROL,
        description="The period's first month as YYYY-MM (2000-2099); empty: the latest complete one",
    )


class BoardRowOut(Schema):
    label: str
    national: bool
    values: list[int | None] = Field(description="Counts of people; null when withheld")
    shares: list[str] = Field(description='Shares as shown on the page ("withheld" when not published)')


class BoardTableOut(Schema):
    key: str
    caption: str
    row_header: str
    columns: list[str]
    rows: list[BoardRowOut]


class BoardSeriesOut(Schema):
    label: str
    values: list[float | None]


class BoardTrendOut(Schema):
    key: str
    title: str
    description: str
    months: list[date]
    series: list[BoardSeriesOut]


class BoardReportOut(Schema):
    period: str
    label: str
    start: date
    end: date
    tables: list[BoardTableOut]
    trends: list[BoardTrendOut]


@router.get("/reporting/board", response=BoardReportOut, summary="Delivery Board figures (aggregates)")
def board_report_api(request: HttpRequest, params: Query[BoardPeriodParams]) -> dict[str, Any]:
    """Every measure of the Board dashboard for the period: cohort flow and stages, plans, disruption
    outcomes and claims, validated outcomes against organised crime groups (by what they did to the group,
    per hub, and by the group's threat band and crime type; per named group for the national team only),
    overdue actions, reviews, sharing, access requests and identifiers; the median
    days from referral to decision and to a plan's agreement, the agencies slowest to agree, the cohort
    by tier and lifecycle phase, releases due with and without a plan, actions by agency and state,
    claims by tactic, agency and crime type, deconfliction hits, method versions, calibration agreement, key
    identifiers, the linkage review backlog and quarantined feed rows; per hub the caller is shown and
    nationally; and each chart's monthly series. A withheld count or median is null."""
    actor: User = request.auth  # type: ignore[attr-defined]
    if not access.may(actor, "reporting.view"):
        raise NotFoundOrForbidden("report")
    try:
        period = parse_period(params.period, params.at, timezone.localdate())
    except PeriodError as exc:
        field = "period" if str(exc).startswith("Period") else "at"
        raise ValidationFailed({field: refused_in_context(str(exc))}) from exc
    viewer = report_viewer(actor=actor)
    board = services.dashboard_for(viewer=viewer, period=period)
    services.report_view_record(
        actor=actor,
        report="board-api",
        parameters={"period": period.kind, "at": period.at, "hubs": [h.code for h in viewer.shown]},
        surface="api",
    )
    return {
        "period": period.kind,
        "label": period.label,
        "start": period.start,
        "end": period.end,
        "tables": [
            {
                "key": t.key,
                "caption": t.caption,
                "row_header": t.row_header,
                "columns": t.columns,
                "rows": [
                    {"label": r.label, "national": r.national, "values": r.cells, "shares": r.extra}
                    for r in t.rows
                ],
            }
            for t in board.tables
        ],
        "trends": [
            {
                "key": b.chart.key,
                "title": b.chart.title,
                "description": b.chart.description,
                "months": board.months,
                "series": [
                    {"label": column, "values": [_number(r.extra[i]) for r in b.table.rows]}
                    for i, column in enumerate(b.table.columns)
                ],
            }
            for b in board.charts
            if b.table.row_header == "Month"
        ],
    }


def _number(text: str) -> float | None:
    """A trend table's cell back to its number (the table holds what the page shows)."""
    if text == "withheld":
        return None
    return float(text.rstrip("%"))
