"""What the nominals app holds about a person, for subject access and erasure (core.subjects)."""

from collections.abc import Iterator

from marsoc.core.subjects import HeldRecord, held, holds, person_paths

from .models import Alias, CustodyEvent, Identifier, MembershipChange, Nominal, Participation


def _agency_of(user: object) -> object:
    return getattr(user, "agency", None)


# How the façade finds the person in each resource's rows (restriction of a person, s.47).
person_paths("nominal", "pk")
person_paths("nominal_aggregate", "pk")


@holds("the person's record", models=[Nominal, Identifier, Alias])
def person_records(nominal: Nominal) -> Iterator[HeldRecord]:
    yield held(
        "Record",
        nominal,
        reference=nominal.reference,
        exclude=("created_by", "lead_officer"),
        recorded=nominal.created_at,
    )
    for i in nominal.identifiers.all():
        yield held("Identifiers", i, reference=i.get_id_type_display(), recorded=i.added_at)
    for a in nominal.aliases.all():
        yield held("Other names", a, recorded=a.added_at)


@holds("custody and cohort membership", models=[CustodyEvent, MembershipChange, Participation])
def custody_and_membership(nominal: Nominal) -> Iterator[HeldRecord]:
    hub = nominal.owner_hub_id
    for e in nominal.custody_events.select_related("establishment", "recorded_by__agency"):
        yield held(
            "Custody events",
            e,
            recorded=e.occurred_on,
            agency=_agency_of(e.recorded_by),
            owner_hub_id=hub,
        )
    for c in nominal.membership_changes.select_related("changed_by__agency"):
        yield held("Cohort membership", c, recorded=c.effective_date)
    for p in nominal.participations.select_related("agency"):
        yield held("Agencies taking part", p, recorded=p.added_at)
