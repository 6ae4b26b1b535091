"""Partner records that carry one of the person's identifiers (PNC, CRO, NOMIS, Delius CRN), and the
merges and pairs made of them, for subject access and erasure (core.subjects). They are linked to the
person by identifier, not by a foreign key."""

from collections.abc import Iterator

from django.db.models import Q, QuerySet

from marsoc.core.subjects import HeldRecord, held, holds, not_about_a_person
from marsoc.nominals.models import Nominal

from .models import CandidatePair, Merge, Person, SourceRecord, SourceRecordVersion


def records_of(nominal: Nominal) -> QuerySet[SourceRecord]:
    match = Q(pk__in=[])
    for id_type, value in nominal.identifiers.values_list("id_type", "value"):
        match |= Q(**{id_type.lower(): value})
    return SourceRecord.objects.filter(match)


def _persons(records: QuerySet[SourceRecord]) -> set[int]:
    return set(records.exclude(person_id__isnull=True).values_list("person_id", flat=True))


def _erase(nominal: Nominal) -> int:
    """The partner records, their versions and pairs, the merges made of them, and the linked people
    left with no record (a person merged into one of those is set apart again)."""
    records = records_of(nominal)
    persons = _persons(records)
    ids = list(records.values_list("pk", flat=True))
    pairs = CandidatePair.objects.filter(Q(left_id__in=ids) | Q(right_id__in=ids))
    removed = Merge.objects.filter(pair__in=pairs).delete()[0]
    removed += pairs.delete()[0]
    removed += SourceRecordVersion.objects.filter(record_id__in=ids).delete()[0]
    removed += SourceRecord.objects.filter(pk__in=ids).delete()[0]
    empty = set(Person.objects.filter(pk__in=persons, records__isnull=True).values_list("pk", flat=True))
    Person.objects.filter(merged_into__in=empty).update(merged_into=None)
    removed += Merge.objects.filter(Q(survivor_id__in=empty) | Q(absorbed_id__in=empty)).delete()[0]
    removed += Person.objects.filter(pk__in=empty).delete()[0]
    return removed


# Partner records reach a person only by identifier, so restriction does not follow them (docs/rights.md).
not_about_a_person("source_record", "partner records, matched to a nominal by identifier only")
not_about_a_person("feed_import", "a partner's file")


@holds(
    "partner records matched by identifier",
    models=[SourceRecord, SourceRecordVersion, CandidatePair, Merge, Person],
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
