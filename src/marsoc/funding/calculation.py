"""Pure arithmetic of a grant: its quarters, the eligible cost of a post in a quarter, and the year tables.

No database here, so every rule is tested directly: a quarter's cost is a quarter of the post's annual
salary and overheads for the grant year the quarter falls in, pro rata to the days somebody held the
post (a vacancy costs nothing; a holder who starts or leaves mid-quarter costs their days). All sums are
Decimal over integer pence and rounded half up once, per line.
"""

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .money import round_pence


def add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    number: int
    starts_on: date
    ends_on: date

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def _periods(starts_on: date, ends_on: date, months: int) -> list[Period]:
    """Consecutive periods of `months` from the start, numbered from 1; the last ends with the grant."""
    found: list[Period] = []
    start = starts_on
    while start <= ends_on:
        end = min(add_months(start, months) - timedelta(days=1), ends_on)
        found.append(Period(len(found) + 1, start, end))
        start = end + timedelta(days=1)
    return found


def quarters(starts_on: date, ends_on: date) -> list[Period]:
    """The grant's quarters, three months each from its start; the last ends with the grant."""
    return _periods(starts_on, ends_on, 3)


def grant_years(starts_on: date, ends_on: date) -> list[Period]:
    """The grant's 12-month years from its start (the last may be shorter)."""
    return _periods(starts_on, ends_on, 12)


def days_held(period: Period, holdings: Iterable[tuple[date, date | None]]) -> int:
    """Days of `period` on which the post had a holder (holdings never overlap: the service refuses it)."""
    total = 0
    for start, end in holdings:
        first = max(start, period.starts_on)
        last = min(end or period.ends_on, period.ends_on)
        if last >= first:
            total += (last - first).days + 1
    return total


@dataclass(frozen=True)
class LineCost:
    days_held: int
    days_in_quarter: int
    eligible_pence: int


def quarter_cost(
    annual_pence: int, quarter: Period, holdings: Iterable[tuple[date, date | None]]
) -> LineCost:
    """A post's eligible cost for one quarter: a quarter of its annual cost, times the share of the
    quarter's days it was held."""
    held = days_held(quarter, holdings)
    share = Decimal(annual_pence) * held / (4 * quarter.days)
    return LineCost(held, quarter.days, round_pence(share))


@dataclass(frozen=True)
class YearTable:
    """The award paper's table for one year, rebuilt from the posts: component totals, the printed
    grand and quarterly totals, and the difference between the printed total and its parts."""

    label: str
    salary_pence: int
    overhead_pence: int
    stated_total_pence: int
    stated_quarterly_pence: int

    @property
    def components_pence(self) -> int:
        return self.salary_pence + self.overhead_pence

    @property
    def rounding_pence(self) -> int:
        """How much the parts exceed (positive) or fall short of the printed grand total."""
        return self.components_pence - self.stated_total_pence

    @property
    def quarterly_matches(self) -> bool:
        """Is the printed quarterly payment the printed grand total over four, to the nearest pound?"""
        return round_pence(Decimal(self.stated_total_pence) / 400) * 100 == self.stated_quarterly_pence


def year_table(
    label: str, costs: Sequence[tuple[int, int]], stated_total_pence: int, stated_quarterly_pence: int
) -> YearTable:
    return YearTable(
        label=label,
        salary_pence=sum(s for s, _ in costs),
        overhead_pence=sum(o for _, o in costs),
        stated_total_pence=stated_total_pence,
        stated_quarterly_pence=stated_quarterly_pence,
    )
