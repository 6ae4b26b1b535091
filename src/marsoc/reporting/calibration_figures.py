"""Calibration agreement for the Board: how far assessors agreed on each closed calibration exercise.

Exercises are invented vignettes scored by staff, never a person of the cohort, and a closed exercise no
longer changes, so these figures are read from the exercises themselves rather than kept in a snapshot.
The people behind a figure are the assessors: with fewer than 5 the exercise's count and agreement are
withheld, as any small number on the Board's pages."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from marsoc.assessment.models import CalibrationExercise, CalibrationResponse, CalibrationStatus
from marsoc.assessment.stats import krippendorff_alpha_interval

from .measures import end_of_day, month_end, month_start
from .suppression import SMALL_COUNT


@dataclass(frozen=True)
class CalibrationRow:
    label: str
    closed: date
    assessors: int | None  # None: withheld
    alpha: float | None  # None: withheld or not defined

    @property
    def alpha_text(self) -> str:
        if self.assessors is None:
            return "withheld"
        return "not defined" if self.alpha is None else f"{self.alpha:.2f}"


def _agreement(exercise: CalibrationExercise) -> tuple[int, float | None]:
    """(assessors who submitted, Krippendorff's alpha on their scores), as the results page has it."""
    scores = CalibrationResponse.objects.filter(
        assignment__exercise=exercise, assignment__submitted_at__isnull=False, score__isnull=False
    ).values_list("assignment__assessor_id", "vignette_id", "score")
    values = {(a, v): float(s) for a, v, s in scores if s is not None}
    assessors = sorted({a for a, _ in values})
    vignettes = sorted({v for _, v in values})
    matrix: list[list[float | None]] = [[values.get((a, v)) for v in vignettes] for a in assessors]
    return len(assessors), krippendorff_alpha_interval(matrix) if values else None


def calibration_rows(*, until: date) -> list[CalibrationRow]:
    """Every exercise closed by `until`, oldest first."""
    closed: Iterable[CalibrationExercise] = CalibrationExercise.objects.filter(
        status=CalibrationStatus.CLOSED, closed_at__lte=end_of_day(until)
    ).order_by("closed_at", "id")
    rows = []
    for exercise in closed:
        assert exercise.closed_at is not None  # closed exercises record when
        n, alpha = _agreement(exercise)
        day = exercise.closed_at.date()
        shown = n >= SMALL_COUNT or n == 0
        rows.append(
            CalibrationRow(
                f"{exercise.name} ({day:%B %Y})", day, n if shown else None, alpha if shown else None
            )
        )
    return rows


def calibration_by_month(months: list[date]) -> dict[date, float | None]:
    """The agreement of the last exercise closed in each month (withheld ones left out)."""
    if not months:
        return {}
    out: dict[date, float | None] = {}
    for row in calibration_rows(until=month_end(months[-1])):
        month = month_start(row.closed)
        if month in months and row.alpha is not None:
            out[month] = row.alpha
    return out
