"""A person's group memberships and associations, for subject access and erasure (core.subjects).
The other end of an association is another person: the response names it only by its kind, and the
reviewer decides (s.45(4)(e), the rights of others)."""

from collections.abc import Iterator

from django.db.models import Q

from marsoc.core.subjects import HeldRecord, held, holds, not_about_a_person, person_paths
from marsoc.intelligence.holdings import items_only_about
from marsoc.nominals.models import Nominal

from .models import Association, Membership

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
