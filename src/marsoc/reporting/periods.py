"""Reporting periods: calendar months and financial-year quarters (April to June is Q1), each with the
period before it, read from and written to the `at` parameter of a report's address (YYYY-MM, the
period's first month)."""

import re
from dataclasses import dataclass
from datetime import date

from .measures import add_months, month_end, month_start

MONTH, QUARTER = "month", "quarter"
KINDS = {MONTH: "Month", QUARTER: "Quarter"}
_AT = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodError(ValueError):
    """A period a user asked for that is not one (the message names the field and the reason)."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: date

    @property
    def length(self) -> int:
        return 3 if self.kind == QUARTER else 1

    @property
    def months(self) -> list[date]:
        return [add_months(self.start, n) for n in range(self.length)]

    @property
    def end(self) -> date:
        return month_end(self.months[-1])

    @property
    def previous(self) -> "Period":
        return Period(self.kind, add_months(self.start, -self.length))

    @property
    def following(self) -> "Period":
        return Period(self.kind, add_months(self.start, self.length))

    @property
    def at(self) -> str:
        return f"{self.start:%Y-%m}"

    @property
    def _quarter(self) -> str:
        """A quarter of the financial year (from April): "Q1 2026-27"."""
        year = self.start.year if self.start.month >= 4 else self.start.year - 1
        return f"Q{(self.start.month - 4) % 12 // 3 + 1} {year}-{(year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%B %Y}"
        return f"{self._quarter} ({self.start:%B} to {self.months[-1]:%B %Y})"

    @property
    def short_label(self) -> str:
        return f"{self.start:%b %Y}" if self.kind == MONTH else self._quarter


def latest_complete(kind: str, today: date) -> Period:
    """The last period that has ended before `today`."""
    month = add_months(month_start(today), -1)
    if kind == QUARTER:
        while (month.month - 4) % 3 != 2:  # the last month of a financial quarter: Jun, Sep, Dec, Mar
            month = add_months(month, -1)
        month = add_months(month, -2)
    return Period(kind, month)


def parse_period(kind: str | None, at: str | None, today: date) -> Period:
    """The period the parameters name; missing parameters give the latest complete period."""
    kind = kind or MONTH
    if kind not in KINDS:
        raise PeriodError("Period: choose a month or a quarter")
    if not at:
        return latest_complete(kind, today)
    found = _AT.match(at)
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise PeriodError("Starting month: give it as year and month, for example 2026-04")
    start = date(int(found.group(1)), int(found.group(2)), 1)
    if kind == QUARTER and (start.month - 4) % 3 != 0:
        raise PeriodError("Starting month: a quarter starts in April, July, October or January")
    period = Period(kind, start)
    if period.start > month_start(today):
        raise PeriodError("Starting month: that period has not started yet")
    return period
