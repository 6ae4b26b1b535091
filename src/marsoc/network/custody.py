"""Stays in prison establishments from a person's custody events, and the overlaps between two people's
stays: the basis of the cell-mate links derived from custody (services.custody_links_derive). Pure."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from marsoc.nominals.vocabulary import CustodyEventType

STARTS = {CustodyEventType.RECEPTION, CustodyEventType.TRANSFER, CustodyEventType.RECALL}


@dataclass(frozen=True)
class Stay:
    establishment_id: int
    started_on: date
    ended_on: date | None  # None: still there


def stays(events: Iterable[tuple[str, date, int | None]]) -> list[Stay]:
    """(event type, date, establishment) in date order -> the stays they describe. A reception, transfer or
    recall with an establishment starts a stay (ending the one before); a release ends it."""
    found: list[Stay] = []
    current: tuple[int, date] | None = None
    for kind, on, establishment in events:
        if kind in STARTS and establishment is not None:
            if current is not None:
                found.append(Stay(current[0], current[1], on))
            current = (establishment, on)
        elif kind == CustodyEventType.RELEASE and current is not None:
            found.append(Stay(current[0], current[1], on))
            current = None
    if current is not None:
        found.append(Stay(current[0], current[1], None))
    return found


def overlap(a: Stay, b: Stay) -> tuple[date, date | None] | None:
    """The period two stays share in the same establishment (at least one day), or None."""
    if a.establishment_id != b.establishment_id:
        return None
    start = max(a.started_on, b.started_on)
    ends = [e for e in (a.ended_on, b.ended_on) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end <= start:
        return None
    return start, end
