"""A person's group memberships and associations, for subject access and erasure (core.subjects).
The other end of an association is another person: the response names it only by its kind, and the
reviewer decides (s.45(4)(e), the rights of others)."""

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db.models import Q

from marsoc.core.subjects import (
    HeldRecord,
    held,
    holds,
    not_about_a_person,
    person_paths,
    reviewed,
)
from marsoc.intelligence.holdings import items_only_about
from marsoc.nominals.models import Nominal

from .models import Associate, Association, Membership

_ENDS = ("a_nominal", "a_associate", "a_group", "b_nominal", "b_associate", "b_group")


def _other_end(link: Association, nominal: Nominal) -> str:
    side = "b" if link.a_nominal_id == nominal.pk else "a"
    if getattr(link, f"{side}_group_id"):
        return str(getattr(link, f"{side}_group"))
    if getattr(link, f"{side}_associate_id"):
        return "an associate outside the cohort"
    return "another person in the cohort"


def _erase(nominal: Nominal) -> int:
    """Links evidenced only by intelligence about this person go with it (the item is erased too)."""
    items = items_only_about(nominal).values("pk")
    removed = Membership.objects.filter(intel_item__in=items).delete()[0]
    return removed + Association.objects.filter(intel_item__in=items).delete()[0]


person_paths("membership", "nominal")
person_paths("association", "a_nominal", "b_nominal")
not_about_a_person("ocg", "a group (its members are memberships)")
not_about_a_person("associate", "a person outside the cohort, not a nominal")
not_about_a_person(
    "link_chart", "a chart of several people; each item is shown only where the viewer may see that person"
)


@holds("networks", models=[Membership, Association], erase=_erase)
def network_records(nominal: Nominal) -> Iterator[HeldRecord]:
    hub = nominal.owner_hub_id
    for m in Membership.objects.filter(nominal=nominal).select_related("group", "originating_agency"):
        yield held(
            "Group memberships",
            m,
            exclude=("nominal", "recorded_by", "intel_item"),
            recorded=m.started_on,
            agency=m.originating_agency,
            owner_hub_id=hub,
        )
    links = Association.objects.filter(Q(a_nominal=nominal) | Q(b_nominal=nominal)).select_related(
        "a_group", "b_group", "originating_agency"
    )
    for link in links.order_by("id"):
        yield held(
            "Associations",
            link,
            exclude=(*_ENDS, "recorded_by", "intel_item"),
            recorded=link.started_on,
            agency=link.originating_agency,
            owner_hub_id=hub,
            extra=(("With", _other_end(link, nominal)),),
        )


def _links_of(nominal: Nominal) -> Any:
    return Association.objects.filter(Q(a_nominal=nominal) | Q(b_nominal=nominal)).order_by(
        "recorded_at", "id"
    )


def _associates_of(nominal: Nominal) -> Any:
    """The associates (people outside the cohort) at the other end of one of the person's links."""
    ids = set(Association.objects.filter(a_nominal=nominal).values_list("b_associate_id", flat=True))
    ids |= set(Association.objects.filter(b_nominal=nominal).values_list("a_associate_id", flat=True))
    return Associate.objects.filter(pk__in=ids - {None}).order_by("family_name", "id")


def _delete(row: Any) -> int:
    """The row and what cascades from it (an associate's links and memberships: the graph's edges)."""
    return int(type(row).objects.filter(pk=row.pk).delete()[0])


def _link_kind(key: str, label: str, records: Any, describe: Any) -> None:
    """Links of the network (a person's associations and memberships): reviewed from their latest date
    (recorded, or ended), each erased on its own as a graph edge."""
    reviewed(
        key=key,
        label=label,
        records=records,
        dates=lambda link: [link.recorded_at, link.ended_on],
        describe=describe,
        erase=_delete,
    )


_link_kind(
    "association",
    "Association",
    _links_of,
    lambda a: f"{a.get_association_type_display()} (recorded {a.recorded_at:%d/%m/%Y})",
)
_link_kind(
    "membership",
    "Group membership",
    lambda n: Membership.objects.filter(nominal=n).select_related("group").order_by("id"),
    lambda m: f"{m.get_role_display()} of {m.group}",
)


def _associate_retained(associate: Any, next_review: date) -> None:
    """The associate's own review date (the network app's retention queue) follows the decision."""
    type(associate).objects.filter(pk=associate.pk).update(review_due=next_review)


reviewed(
    key="associate",
    label="Associate outside the cohort",
    records=_associates_of,
    dates=lambda a: [a.recorded_at],
    describe=lambda a: f"{a.display_name} ({a.get_data_subject_category_display()})",
    due=lambda a: a.review_due,
    retained=_associate_retained,
    erase=_delete,
)
