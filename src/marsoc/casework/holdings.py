"""Case notes about a person, for subject access and erasure (core.subjects)."""

from collections.abc import Iterator

from marsoc.core.subjects import HeldRecord, held, holds, person_paths
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
