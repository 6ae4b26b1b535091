"""Case notes about a person, for subject access and erasure (core.subjects)."""

from collections.abc import Iterator
from datetime import datetime

from marsoc.core.subjects import HeldRecord, held, holds, person_paths, reviewed
from marsoc.nominals.models import Nominal

from .models import CaseNote

person_paths("case_note", "nominal")


@holds("case notes", models=[CaseNote])
def case_notes(nominal: Nominal) -> Iterator[HeldRecord]:
    for note in CaseNote.objects.filter(nominal=nominal).select_related("agency").order_by("id"):
        yield held(
            "Case notes",
            note,
            exclude=("nominal", "author"),
            recorded=note.occurred_at,
            agency=note.agency,
            owner_hub_id=nominal.owner_hub_id,
        )


def _erase_note(note: CaseNote) -> int:
    """The note with its addenda (each a note of its own)."""
    removed = CaseNote.objects.filter(addendum_to=note).delete()[0]
    return removed + CaseNote.objects.filter(pk=note.pk).delete()[0]


def _note_dates(note: CaseNote) -> list[datetime | None]:
    addenda = note.addenda.values_list("created_at", flat=True)
    return [note.occurred_at, note.created_at, note.updated_at, *addenda]


reviewed(
    key="case_note",
    label="Case note",
    records=lambda n: CaseNote.objects.filter(nominal=n, addendum_to__isnull=True).select_related("agency"),
    dates=_note_dates,
    describe=lambda c: f"{c.get_contact_type_display()} on {c.occurred_at:%d/%m/%Y} ({c.agency})",
    erase=_erase_note,
)
