"""Partner records that carry one of the person's identifiers (PNC, CRO, NOMIS, Delius CRN), and the
merges and pairs made of them, for subject access and erasure (core.subjects). They are linked to the
person by identifier, not by a foreign key."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Q, QuerySet

from marsoc.core.subjects import (
    HeldRecord,
    held,
    holds,
    not_about_a_person,
    person_match,
    reviewed,
)
from marsoc.nominals.models import Identifier, IdentifierTypes, Nominal

from .models import CandidatePair, Merge, Person, QuarantinedRow, SourceRecord, SourceRecordVersion
from .selectors import identifier_values, rows_carrying


def about(people: QuerySet[Any, Any]) -> Q:
    """The partner records carrying an identifier (PNC, CRO, NOMIS, CRN) of the nominals whose ids
    `people` yields."""
    match = Q(pk__in=[])
    for id_type in IdentifierTypes.values:
        values = Identifier.objects.filter(nominal_id__in=people, id_type=id_type).values("value")
        match |= Q(**{f"{id_type.lower()}__in": values})
    return match


def records_of(nominal: Nominal) -> QuerySet[SourceRecord]:
    return SourceRecord.objects.filter(about(_people(nominal)))


def _people(nominal: Nominal) -> QuerySet[Nominal, Any]:
    return Nominal.objects.filter(pk=nominal.pk).values("pk")


def quarantined_of(nominal: Nominal) -> QuerySet[QuarantinedRow]:
    """Rows of partner files held back by validation that carry one of the person's identifiers."""
    rows = QuarantinedRow.objects.all()
    return rows.filter(pk__in=rows_carrying(rows, identifier_values(_people(nominal))))


def _persons(records: QuerySet[SourceRecord]) -> set[int]:
    return set(records.exclude(person_id__isnull=True).values_list("person_id", flat=True))


def _erase(nominal: Nominal) -> int:
    """The quarantined rows of partner files that carry one of the person's identifiers, and the partner
    records that do (`_remove`)."""
    removed = quarantined_of(nominal).delete()[0]
    return removed + _remove(list(records_of(nominal).values_list("pk", flat=True)))


def _remove(ids: list[int]) -> int:
    """Partner records with their versions and pairs, the merges made of them, and the linked people
    left with no record (a person merged into one of those is set apart again)."""
    persons = _persons(SourceRecord.objects.filter(pk__in=ids))
    removed = 0
    pairs = CandidatePair.objects.filter(Q(left_id__in=ids) | Q(right_id__in=ids))
    removed += Merge.objects.filter(pair__in=pairs).delete()[0]
    removed += pairs.delete()[0]
    removed += SourceRecordVersion.objects.filter(record_id__in=ids).delete()[0]
    removed += SourceRecord.objects.filter(pk__in=ids).delete()[0]
    empty = set(Person.objects.filter(pk__in=persons, records__isnull=True).values_list("pk", flat=True))
    Person.objects.filter(merged_into__in=empty).update(merged_into=None)
    removed += Merge.objects.filter(Q(survivor_id__in=empty) | Q(absorbed_id__in=empty)).delete()[0]
    removed += Person.objects.filter(pk__in=empty).delete()[0]
    return removed


# Partner records reach a person by the identifiers they carry: restriction hides them (and so the pairs,
# linked people and merges made of them) as it hides rows reached by a foreign key. A feed import is a
# partner's file: its quarantined rows carrying a restricted person's identifier are left out of its page
# (selectors.quarantine_of).
person_match("source_record", about)
not_about_a_person("feed_import", "a partner's file (its quarantined rows are filtered one by one)")


@holds(
    "partner records matched by identifier",
    models=[SourceRecord, SourceRecordVersion, CandidatePair, Merge, Person, QuarantinedRow],
    erase=_erase,
    linked_by="identifiers",
)
def linkage_records(nominal: Nominal) -> Iterator[HeldRecord]:
    hub = nominal.owner_hub_id
    records = records_of(nominal).select_related("source_agency")
    for r in records.order_by("id"):
        yield held(
            "Partner records",
            r,
            reference=f"{r.source_agency} record {r.source_key}",
            exclude=("first_import", "last_import", "person", "owner_hub"),
            recorded=r.updated_at,
            agency=r.source_agency,
            owner_hub_id=hub,
        )
    persons = _persons(records_of(nominal))
    for m in Merge.objects.filter(Q(survivor_id__in=persons) | Q(absorbed_id__in=persons)).order_by("id"):
        yield held(
            "Partner records combined",
            m,
            exclude=("snapshot", "pair", "run", "merged_by", "undone_by"),
            recorded=m.merged_at,
        )
    for q in quarantined_of(nominal).select_related("feed_import__source_agency").order_by("id"):
        agency = q.feed_import.source_agency
        yield held(
            "Partner rows held back for correction",
            q,
            reference=f"{agency} file {q.feed_import.filename}, row {q.row_number}",
            exclude=("feed_import",),
            agency=agency,
            owner_hub_id=hub,
            classification=q.feed_import.classification,
        )


def _unattached(hub_id: int) -> QuerySet[SourceRecord]:
    """The hub's partner records carrying no identifier of any nominal: about nobody in the cohort."""
    everyone = Nominal.objects.values("pk")
    return (
        SourceRecord.objects.filter(owner_hub_id=hub_id).exclude(about(everyone)).order_by("updated_at", "id")
    )


reviewed(
    key="partner_record",
    label="Partner record about nobody in the cohort",
    records=lambda _n: SourceRecord.objects.none(),
    dates=lambda r: [r.updated_at],
    describe=lambda r: f"{r.source_agency} record {r.source_key}: {r.full_name}",
    group=lambda _r: "3",  # no offence known: all other offences
    erase=lambda r: _remove([r.pk]),
    unattached=_unattached,
)
