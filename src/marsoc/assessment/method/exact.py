"""Exact decimal arithmetic (so the same inputs give the same score on every machine) and the way a
number is written in a message."""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction


def _tenths_to_float(tenths: int) -> float:
    return float(Fraction(tenths, 10))


def _round_half_up(value: Fraction, places: int) -> Fraction:
    scale = 10**places
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def _mean(values: Iterable[Fraction]) -> Fraction:
    items = list(values)
    return sum(items, Fraction(0)) / len(items)


def _exact(number: float) -> Fraction:
    """The decimal a float was written as (shortest repr), exactly: 0.3 -> 3/10."""
    return Fraction(repr(float(number)))


def _fmt(number: float) -> str:
    return format(number, "g")
