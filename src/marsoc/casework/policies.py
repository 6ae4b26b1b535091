"""Rules for case notes, registered with the access façade.

A note follows its person (whoever may see the person, within clearance), with one narrowing: a partner
officer sees only the notes their own agency wrote, because the other agencies' contacts are not covered
by the agreement that lets the partner see the person. Hub staff of the owner hub and the national team
see every note within their clearance. Those who speak for an agency (hub managers and officers,
partner officers) write notes; the author alone corrects a note, and only within the edit window.
"""

from datetime import datetime

from django.db.models import Q

from marsoc.core import access
from marsoc.core.access import Facts
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import can_view_nominal

from .models import CaseNote
from .vocabulary import EDIT_WINDOW


@access.resource("case_note")
def case_note_reach(f: Facts) -> Q:
    """The person's notes for those who see the person; a partner, only its own agency's."""
    reach = Q(nominal__in=Nominal.objects.filter(access.scope_of(f, "nominal")))
    if f.hub_staff or f.sees_every_hub:
        return reach
    return reach & Q(agency_id=f.agency_id) if f.agency_id is not None else access.NOTHING


@access.rule("case_note.record")
def can_record_case_note(f: Facts, nominal: Nominal) -> bool:
    """Managers, officers and partner officers who may see the person (not analysts or the Board)."""
    return f.agency_voice and f.agency_id is not None and can_view_nominal(f, nominal)


@access.rule("case_note.edit")
def can_edit_case_note(f: Facts, note: CaseNote, *, now: datetime) -> access.Decision:
    if note.author_id != f.actor_id:
        return access.Decision(False, "Only the author can correct a case note")
    if now - note.created_at > EDIT_WINDOW:
        minutes = int(EDIT_WINDOW.total_seconds() // 60)
        return access.Decision(
            False, f"Notes can be corrected for {minutes} minutes: add an addendum instead"
        )
    return access.Decision(True)


@access.rule("case_note.addendum")
def can_add_addendum(f: Facts, note: CaseNote) -> bool:
    """Anyone who may write notes on the person and sees this note (addenda are not themselves added to)."""
    return note.addendum_to_id is None and can_record_case_note(f, note.nominal)


@access.rule("case_note.classify")
def can_classify(f: Facts, classification: str) -> bool:
    """A note may not be marked above the author's own clearance (they could not read it back)."""
    return f.cleared_for(classification)
