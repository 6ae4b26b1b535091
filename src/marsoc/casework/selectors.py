"""Reads of case notes, already scoped by the façade."""

from django.db.models import Prefetch, QuerySet

from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.nominals.models import Nominal

from .models import CaseNote


def case_notes_for(*, actor: Actor, nominal: Nominal) -> QuerySet[CaseNote]:
    """The person's notes the actor may see, newest contact first, each with its visible addenda."""
    visible = access.visible(actor, "case_note", CaseNote.objects.all())
    return (
        visible.filter(nominal=nominal, addendum_to__isnull=True)
        .select_related("agency", "author")
        .prefetch_related(
            Prefetch(
                "addenda",
                queryset=visible.select_related("agency", "author").order_by("created_at", "id"),
                to_attr="visible_addenda",
            )
        )
    )


def case_note_entries(*, actor: Actor, nominal: Nominal) -> QuerySet[CaseNote]:
    """Every note and addendum the actor may see on the person (for the chronology)."""
    return (
        access.visible(actor, "case_note", CaseNote.objects.filter(nominal=nominal))
        .select_related("agency", "author", "addendum_to")
        .order_by("-occurred_at", "-id")
    )


def access_case_note_by_id(*, actor: Actor, nominal: Nominal, note_id: int) -> CaseNote:
    return access.fetch(
        actor,
        "case_note",
        CaseNote.objects.filter(nominal=nominal).select_related("agency", "author"),
        note_id,
    )
