"""Custody state and lifecycle phase, derived from custody events.

Pure functions: no database. The service layer stores the derived custody facts on the nominal so
lists can filter on them; the phase itself depends on today's date, so it is computed at read time
(here for one record, and by `selectors.phase_expression` for querysets, which must agree with this).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Protocol

from .vocabulary import CustodyEventType, CustodyStatus, MembershipState, Phase, ReceptionStatus

RELEASE_WINDOW = timedelta(days=183)


class EventLike(Protocol):
    event_type: str
    occurred_on: date
    establishment_id: int | None
    reception_status: str
    expected_release_date: date | None
    licence_end_date: date | None


@dataclass
class Episode:
    """One continuous period in custody, from reception or recall to release (or still open)."""

    started_on: date
    kind: str  # "remand", "sentenced" or "recall"
    ended_on: date | None = None
    establishment_ids: list[int] = field(default_factory=list)


@dataclass
class CustodyState:
    status: str = CustodyStatus.NONE
    establishment_id: int | None = None
    expected_release_date: date | None = None
    licence_end_date: date | None = None
    ever_sentenced: bool = False
    episodes: list[Episode] = field(default_factory=list)
    last_event_on: date | None = None


class CustodySequenceError(ValueError):
    """An event that cannot follow the ones before it (e.g. a release of someone not in custody)."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


IN_CUSTODY = {CustodyStatus.REMAND, CustodyStatus.SENTENCED}


def apply_event(state: CustodyState, event: EventLike) -> CustodyState:
    """Return the state after `event`, or raise CustodySequenceError naming the offending field."""
    kind = CustodyEventType(event.event_type)
    if state.last_event_on is not None and event.occurred_on < state.last_event_on:
        raise CustodySequenceError(
            "occurred_on",
            f"The date must be on or after the previous custody event ({state.last_event_on:%d %B %Y})",
        )
    # A copy: the caller's state (and its list of episodes) is left as it was.
    new = replace(state, episodes=list(state.episodes), last_event_on=event.occurred_on)
    current = new.episodes[-1] if new.episodes and new.episodes[-1].ended_on is None else None

    if kind is CustodyEventType.RECEPTION:
        if state.status in IN_CUSTODY:
            raise CustodySequenceError(
                "event_type", "The person is already in custody: record a transfer instead"
            )
        if event.establishment_id is None:
            raise CustodySequenceError("establishment", "Select the establishment that received the person")
        status = ReceptionStatus(event.reception_status or ReceptionStatus.REMAND)
        new.status = CustodyStatus.SENTENCED if status is ReceptionStatus.SENTENCED else CustodyStatus.REMAND
        new.establishment_id = event.establishment_id
        new.licence_end_date = None
        if status is ReceptionStatus.SENTENCED:
            new.ever_sentenced = True
            new.expected_release_date = event.expected_release_date
            new.licence_end_date = event.licence_end_date
        else:
            new.expected_release_date = None
        new.episodes.append(
            Episode(event.occurred_on, status.value, establishment_ids=[event.establishment_id])
        )
    elif kind is CustodyEventType.TRANSFER:
        if state.status not in IN_CUSTODY or current is None:
            raise CustodySequenceError("event_type", "Only a person in custody can be transferred")
        if event.establishment_id is None:
            raise CustodySequenceError("establishment", "Select the establishment the person moved to")
        if event.establishment_id == state.establishment_id:
            raise CustodySequenceError("establishment", "The person is already held at that establishment")
        new.establishment_id = event.establishment_id
        current.establishment_ids = [*current.establishment_ids, event.establishment_id]
    elif kind is CustodyEventType.SENTENCE:
        if state.status not in IN_CUSTODY or current is None:
            raise CustodySequenceError("event_type", "Record a reception into custody before the sentence")
        if event.expected_release_date is None:
            raise CustodySequenceError("expected_release_date", "Enter the expected release date")
        if event.expected_release_date < event.occurred_on:
            raise CustodySequenceError(
                "expected_release_date", "The expected release date must be on or after the sentence date"
            )
        new.status = CustodyStatus.SENTENCED
        new.ever_sentenced = True
        new.expected_release_date = event.expected_release_date
        new.licence_end_date = event.licence_end_date
        if current.kind == "remand":
            current.kind = "sentenced"
    elif kind is CustodyEventType.RELEASE:
        if state.status not in IN_CUSTODY or current is None:
            raise CustodySequenceError("event_type", "Only a person in custody can be released")
        current.ended_on = event.occurred_on
        new.establishment_id = None
        new.expected_release_date = None
        licence_end = event.licence_end_date or state.licence_end_date
        if state.status == CustodyStatus.SENTENCED and licence_end and licence_end > event.occurred_on:
            new.status = CustodyStatus.RELEASED_ON_LICENCE
            new.licence_end_date = licence_end
        else:
            new.status = CustodyStatus.RELEASED
    elif kind is CustodyEventType.RECALL:
        if state.status != CustodyStatus.RELEASED_ON_LICENCE:
            raise CustodySequenceError("event_type", "Only a person released on licence can be recalled")
        if state.licence_end_date and event.occurred_on > state.licence_end_date:
            raise CustodySequenceError(
                "occurred_on", "The licence had ended before this date: a recall is not possible"
            )
        if event.establishment_id is None:
            raise CustodySequenceError("establishment", "Select the establishment the person was recalled to")
        new.status = CustodyStatus.SENTENCED
        new.establishment_id = event.establishment_id
        new.expected_release_date = event.expected_release_date or state.licence_end_date
        new.episodes.append(Episode(event.occurred_on, "recall", establishment_ids=[event.establishment_id]))
    return new


def derive_custody(events: Sequence[EventLike]) -> CustodyState:
    state = CustodyState()
    for event in events:
        state = apply_event(state, event)
    return state


def phase_of(
    *,
    membership_state: str,
    custody_status: str,
    expected_release_date: date | None,
    licence_end_date: date | None,
    ever_sentenced: bool,
    today: date,
) -> Phase:
    if membership_state == MembershipState.EXITED:
        return Phase.EXITED
    if custody_status == CustodyStatus.REMAND:
        return Phase.REMAND
    if custody_status == CustodyStatus.SENTENCED:
        if expected_release_date is not None and expected_release_date <= today + RELEASE_WINDOW:
            return Phase.RELEASE_6M
        return Phase.SENTENCED
    if custody_status == CustodyStatus.RELEASED_ON_LICENCE:
        if licence_end_date is not None and licence_end_date >= today:
            return Phase.ON_LICENCE
        return Phase.POST_SENTENCE
    if custody_status == CustodyStatus.RELEASED and ever_sentenced:
        return Phase.POST_SENTENCE
    return Phase.PRE_CUSTODY
