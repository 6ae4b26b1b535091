"""A small network over the access table's four nominals (tests/test_access_matrix.py `world`)."""

from datetime import date

from marsoc.accounts.models import Agency, Establishment, Hub
from marsoc.network import services
from marsoc.network.services import Evidence, GroupInput


def hub_id(code: str) -> int:
    return Hub.objects.get(code=code).pk


def network_world(nominals, owner):
    """Groups, an associate and links, recorded by `owner` (a national-team manager) for the hubs that own
    the people: London's group and links, Yorkshire's group and links, and a rivalry between the groups."""
    london, yorkshire = hub_id("london"), hub_id("yorkshire-humber")
    mps, yhrocu = Agency.objects.get(code="mps").pk, Agency.objects.get(code="yhrocu").pk
    g_london = services.group_create(
        actor=owner,
        data=GroupInput(
            name="Thames Crew", lead_agency_id=mps, crime_types=["drugs_supply", "county_lines"],
            aliases=["TC"], owner_hub_id=london, formed_on=date(2018, 1, 1),
        ),
    )  # fmt: skip
    g_york = services.group_create(
        actor=owner,
        data=GroupInput(
            name="Humber Firm", lead_agency_id=yhrocu, crime_types=["firearms"], owner_hub_id=yorkshire,
            formed_on=date(2015, 6, 1),
        ),
    )  # fmt: skip
    associate = services.associate_create(
        actor=owner,
        data=services.AssociateInput(family_name="Visitor", given_names="Val", owner_hub_id=london),
    )
    ev_l = Evidence(source_kind="officer", owner_hub_id=london)
    ev_y = Evidence(source_kind="officer", owner_hub_id=yorkshire)
    links = {
        "member_own": services.membership_record(
            actor=owner, group=g_london, person=nominals["own_hub"], role="principal", evidence=ev_l
        ),
        "member_elsewhere": services.membership_record(
            actor=owner, group=g_london, person=nominals["non_participating"], role="significant", evidence=ev_l
        ),
        "member_other": services.membership_record(
            actor=owner, group=g_york, person=nominals["other_hub"], role="principal", evidence=ev_y
        ),
        "member_partnered": services.membership_record(
            actor=owner, group=g_york, person=nominals["participating"], role="peripheral", evidence=ev_y
        ),
        "own_elsewhere": services.association_record(
            actor=owner, a=nominals["own_hub"], b=nominals["non_participating"],
            association_type="criminal_associate", evidence=ev_l,
        ),
        "own_visitor": services.association_record(
            actor=owner, a=associate, b=nominals["own_hub"], association_type="prison_visitor", directed=True,
            evidence=Evidence(
                source_kind="custody", owner_hub_id=london,
                establishment_id=Establishment.objects.filter(hub_id=london).first().pk,
            ),
        ),
        "own_other": services.association_record(
            actor=owner, a=nominals["own_hub"], b=nominals["other_hub"], association_type="co_defendant",
            evidence=ev_l,
        ),
        "other_partnered": services.association_record(
            actor=owner, a=nominals["other_hub"], b=nominals["participating"], association_type="family",
            evidence=ev_y,
        ),
        "rivals": services.association_record(
            actor=owner, a=g_london, b=g_york, association_type="group_rivalry",
            evidence=Evidence(source_kind="officer", owner_hub_id=hub_id("national")),
        ),
    }  # fmt: skip
    return {"london_group": g_london, "yorkshire_group": g_york, "associate": associate, "links": links}
