"""Every write to case notes: ask the façade, validate, write and audit in one transaction."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.text import control_character_problem
from marsoc.core.vocabulary import Classification
from marsoc.nominals.models import Nominal

from .models import CaseNote
from .vocabulary import ContactOutcome, ContactType

MAX_TEXT = 10_000


@dataclass(frozen=True)
class NoteInput:
    contact_type: str
    occurred_at: datetime | None
    outcome: str
    text: str
    classification: str


def _validate(actor: User, data: NoteInput, *, now: datetime) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.contact_type not in ContactType.values:
        errors["contact_type"] = "Select the type of contact"
    if data.outcome not in ContactOutcome.values:
        errors["outcome"] = "Select the outcome of the contact"
    if data.occurred_at is None:
        errors["occurred_at"] = "Enter the date of the contact"
    elif data.occurred_at > now:
        errors["occurred_at"] = "The date of the contact must be today or in the past"
    text = data.text.strip()
    if not text:
        errors["text"] = "Enter what happened"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"The note must be {MAX_TEXT:,} characters or fewer (it has {len(text):,})"
    elif problem := control_character_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " ")):
        errors["text"] = f"The note {problem}"
    if data.classification not in Classification.values:
        errors["classification"] = "Select a classification"
    elif not access.may(actor, "case_note.classify", data.classification):
        errors["classification"] = "You cannot mark a note above your own clearance"
    return errors


@transaction.atomic
def case_note_record(*, actor: User, nominal: Nominal, data: NoteInput) -> CaseNote:
    """A new contact on the person's record, owned by the author's agency."""
    access.require(actor, "case_note.record", nominal)
    now = timezone.now()
    errors = _validate(actor, data, now=now)
    if errors:
        raise ValidationFailed(errors)
    assert data.occurred_at is not None and actor.agency_id is not None
    note = CaseNote.objects.create(
        nominal=nominal,
        contact_type=data.contact_type,
        occurred_at=data.occurred_at,
        outcome=data.outcome,
        text=data.text.strip(),
        classification=data.classification,
        agency_id=actor.agency_id,
        author=actor,
        created_at=now,
    )
    audit_about(
        actor,
        AuditAction.CASE_NOTE_RECORD,
        note,
        nominal_id=nominal.pk,
        details={"contact_type": note.contact_type, "classification": note.classification},
    )
    return note


@transaction.atomic
def case_note_correct(*, actor: User, note: CaseNote, data: NoteInput) -> CaseNote:
    """The author corrects their own note within the edit window; the entry records what changed."""
    locked = CaseNote.objects.select_for_update().filter(pk=note.pk).first()
    if locked is None or not access.is_visible(actor, "case_note", locked):
        raise NotFoundOrForbidden("case note")
    now = timezone.now()
    decision = access.decide(actor, "case_note.edit", locked, now=now)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    errors = _validate(actor, data, now=now)
    if errors:
        raise ValidationFailed(errors)
    assert data.occurred_at is not None
    before = {
        "contact_type": locked.contact_type,
        "occurred_at": locked.occurred_at.isoformat(),
        "outcome": locked.outcome,
        "text": locked.text,
        "classification": locked.classification,
    }
    locked.contact_type = data.contact_type
    locked.occurred_at = data.occurred_at
    locked.outcome = data.outcome
    locked.text = data.text.strip()
    locked.classification = data.classification
    locked.updated_at = now
    locked.save()
    after = {
        "contact_type": locked.contact_type,
        "occurred_at": locked.occurred_at.isoformat(),
        "outcome": locked.outcome,
        "text": locked.text,
        "classification": locked.classification,
    }
    audit_about(
        actor,
        AuditAction.CASE_NOTE_CORRECT,
        locked,
        # The fields changed and their earlier values: the correction is an alteration (s.62), and the
        # record as first written must stay recoverable.
        details={"changed": {k: before[k] for k in before if before[k] != after[k]}},
    )
    return locked


@transaction.atomic
def case_note_addendum(*, actor: User, note: CaseNote, text: str) -> CaseNote:
    """Add to a note once it can no longer be corrected (or at any time): a new note pointing at it."""
    if not access.is_visible(actor, "case_note", note):
        raise NotFoundOrForbidden("case note")
    if not access.may(actor, "case_note.addendum", note):
        raise PermissionDenied("You cannot add to this note")
    now = timezone.now()
    data = NoteInput(
        contact_type=note.contact_type,
        occurred_at=now,
        outcome=note.outcome,
        text=text,
        classification=note.classification,
    )
    errors = _validate(actor, data, now=now)
    if errors:
        raise ValidationFailed({"text": errors["text"]} if "text" in errors else errors)
    assert actor.agency_id is not None
    addendum = CaseNote.objects.create(
        nominal_id=note.nominal_id,
        contact_type=note.contact_type,
        occurred_at=now,
        outcome=note.outcome,
        text=text.strip(),
        classification=note.classification,
        agency_id=actor.agency_id,
        author=actor,
        created_at=now,
        addendum_to=note,
    )
    audit_about(
        actor,
        AuditAction.CASE_NOTE_ADDENDUM,
        addendum,
        nominal_id=note.nominal_id,
        details={"addendum_to": note.pk},
    )
    return addendum
