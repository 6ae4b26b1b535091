"""Dates as GOV.UK writes them in running text: "7 December 2026", "7 Dec 2026" (no leading zero, which
strftime's %d would give). No date reads as nothing."""

from datetime import date


def long_date(value: date | None) -> str:
    return f"{value.day} {value:%B %Y}" if value else ""


def short_date(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""
