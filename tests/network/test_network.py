"""Networks: writes refused with a clear message and nothing saved; what partners see with and without an
agreement covering networks; the weakest-source rule; the audit of what was shown."""

from datetime import date

import pytest

from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network import selectors, services
from marsoc.network.models import Association, Membership, OrganisedCrimeGroup
from marsoc.network.services import Evidence, GroupInput
from marsoc.sharing.models import AgreementCategory

from ..conftest import (
    make_user,
    partnership_agreement,
    signed_in,
    with_purpose,
)
from .helpers import hub_id, network_world


def _keys(graph):
    return set(graph.nodes)


def test_bad_links_are_refused_with_reasons_and_nothing_saved(people):
    owner, n = people
    net = network_world(n, owner)
    before = (Association.objects.count(), Membership.objects.count())
    ev = Evidence(source_kind="officer", owner_hub_id=hub_id("london"))
    with pytest.raises(ValidationFailed) as exc:
        services.association_record(
            actor=owner, a=n["own_hub"], b=n["own_hub"], association_type="family", evidence=ev
        )
    assert exc.value.errors["b"] == ["A person or group cannot be linked to themself"]
    with pytest.raises(ValidationFailed) as exc:
        services.association_record(
            actor=owner, a=n["own_hub"], b=n["other_hub"], association_type="best_friends", evidence=ev
        )
    assert "type of association" in exc.value.errors["association_type"][0]
    backwards = Evidence(source_kind="officer", started_on=date(2024, 5, 1), ended_on=date(2024, 1, 1))
    with pytest.raises(ValidationFailed) as exc:
        services.association_record(
            actor=owner, a=n["own_hub"], b=n["other_hub"], association_type="family", evidence=backwards
        )
    assert exc.value.errors["ended_on"] == ["The end date must be on or after the start date"]
    early = Evidence(source_kind="officer", started_on=date(2017, 1, 1), owner_hub_id=hub_id("london"))
    with pytest.raises(ValidationFailed) as exc:
        services.membership_record(
            actor=owner, group=net["london_group"], person=n["other_hub"], role="principal", evidence=early
        )
    assert "before the group was first known active (01 January 2018)" in exc.value.errors["started_on"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.association_record(
            actor=owner, a=net["london_group"], b=n["own_hub"], association_type="group_alliance", evidence=ev
        )
    assert "links two groups" in exc.value.errors["association_type"][0]
    with pytest.raises(ValidationFailed) as exc:
        services.group_create(
            actor=owner, data=GroupInput(name=" ", lead_agency_id=None, crime_types=["arson"])
        )
    assert set(exc.value.errors) == {"name", "lead_agency", "crime_types"}
    assert (Association.objects.count(), Membership.objects.count()) == before
    assert OrganisedCrimeGroup.objects.count() == 2


def test_a_link_needs_both_ends_visible_to_the_recorder(people):
    _owner, n = people
    london = make_user(
        "net.london", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    with pytest.raises(NotFoundOrForbidden):
        services.association_record(
            actor=london, a=n["own_hub"], b=n["other_hub"], association_type="family",
            evidence=Evidence(source_kind="officer"),
        )  # fmt: skip
    assert Association.objects.count() == 0


def test_partner_sees_networks_only_under_an_agreement_covering_them(people):
    owner, n = people
    net = network_world(n, owner)
    partner = make_user(
        "net.partner", [Role.PARTNER_OFFICER], hub_code="london", agency_code="probation-london"
    )
    centre = ("nominal", n["participating"].pk)
    # The partnership agreement covers identity and custody data, not networks: the person, no links.
    assert _keys(selectors.ego_network(actor=partner, centre=centre, hops=3)) == {centre}
    assert not selectors.group_list(actor=partner).exists()
    AgreementCategory.objects.create(agreement=partnership_agreement("probation-london"), code="associates")
    graph = selectors.ego_network(actor=partner, centre=centre, hops=3)
    # The groups (the agreement is with the national team, so it covers every hub's), the membership and the
    # groups' rivalry now show; the other Yorkshire person (not shared) and every link to them stay hidden,
    # however many hops are asked for.
    groups = {("group", net["yorkshire_group"].pk), ("group", net["london_group"].pk)}
    assert _keys(graph) == {centre} | groups
    links = net["links"]
    assert {(x.record, x.record_id) for x in graph.links} == {
        ("membership", links["member_partnered"].pk),
        ("association", links["rivals"].pk),
    }
    assert graph.metrics().degree[("group", net["yorkshire_group"].pk)] == 2  # not 3: member_other is hidden
    assert set(selectors.group_list(actor=partner)) == {net["yorkshire_group"], net["london_group"]}


def test_a_link_from_intelligence_follows_the_item(people):
    from marsoc.intelligence.models import IntelItem, ItemSubject

    owner, n = people
    london = make_user(
        "net.officer", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    yorkshire_item = IntelItem.objects.create(
        owner_hub_id=hub_id("yorkshire-humber"), originating_agency=owner.agency, text="Seen together",
        intelligence_date=date(2025, 1, 1), classification="SECRET", source_evaluation="2",
        intelligence_assessment="B", handling_code="P", purpose="prevention_detection",
        data_category="criminal_intelligence",
    )  # fmt: skip
    ItemSubject.objects.create(item=yorkshire_item, nominal=n["own_hub"], data_subject_category="suspect")
    with pytest.raises(ValidationFailed) as exc:  # never easier to see than its item
        services.association_record(
            actor=owner, a=n["own_hub"], b=n["non_participating"], association_type="criminal_associate",
            evidence=Evidence(source_kind="intelligence", intel_item_id=yorkshire_item.pk, classification="OFFICIAL",
                              owner_hub_id=hub_id("london")),
        )  # fmt: skip
    assert "must be classified at least SECRET" in exc.value.errors["classification"][0]
    link = services.association_record(
        actor=owner, a=n["own_hub"], b=n["non_participating"], association_type="criminal_associate",
        evidence=Evidence(source_kind="intelligence", intel_item_id=yorkshire_item.pk, owner_hub_id=hub_id("london")),
    )  # fmt: skip
    assert link.classification == "SECRET"
    centre = ("nominal", n["own_hub"].pk)
    # London staff see both people and own the link, but not the Yorkshire item it rests on: hidden.
    assert selectors.ego_network(actor=london, centre=centre).links == []
    assert [x.record_id for x in selectors.ego_network(actor=owner, centre=centre).links] == [link.pk]


def test_pages_audit_what_they_showed(people):
    owner, n = people
    net = network_world(n, owner)
    london = make_user(
        "net.viewer", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    client = with_purpose(signed_in(london), n["own_hub"], purpose="Tasking meeting preparation")
    page = client.get(f"/cohort/{n['own_hub'].pk}/network/?hops=2")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Thames Crew" in body and "VISITOR, Val" in body and "OTHER" not in body
    event = AuditEvent.objects.filter(action="network.view").latest("id")
    assert event.actor_id == london.pk and event.justification == "Tasking meeting preparation"
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {
        n["own_hub"].pk,
        n["non_participating"].pk,
    }
    group_page = client.get(f"/network/groups/{net['london_group'].pk}/")
    assert group_page.status_code == 200 and "Drugs supply, County lines" in group_page.content.decode()
    group_event = AuditEvent.objects.filter(action="ocg.view").latest("id")
    assert set(group_event.subjects.values_list("nominal_id", flat=True)) == {
        n["own_hub"].pk,
        n["non_participating"].pk,
    }
    hidden = client.get(f"/network/groups/{net['yorkshire_group'].pk}/")
    missing = client.get("/network/groups/987654/")
    assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content


def test_the_profile_mini_network_lists_the_persons_own_links_only(people):
    """The profile says how many direct links the viewer may see: the link between two of the person's
    contacts (a group's other member) is the network page's, not a direct link."""
    owner, n = people
    network_world(n, owner)
    london = make_user(
        "net.profile", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    client = with_purpose(signed_in(london), n["own_hub"], purpose="Case management")
    body = client.get(f"/cohort/{n['own_hub'].pk}/").content.decode()
    mini = body[body.index('id="mini-network"') :]
    mini = mini[: mini.index("</div>")]
    # The Thames Crew membership, the criminal associate and the prison visitor; the co-defendant is in
    # another hub and the group's other member's membership does not touch this person.
    assert "3 direct links you may see" in mini
    assert mini.count("<li>") == 3


def test_network_searches_are_planned_once_per_connection_on_postgresql(people):
    """The scoped search SQL is prepared on the server (core/prepared.py) and asked again with other ids;
    the answers are the façade's either way (the property tests compare them with the whole graph)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite plans each query in microseconds")
    owner, n = people
    network_world(n, owner)
    centre = ("nominal", n["own_hub"].pk)
    first = selectors.ego_network(actor=owner, centre=centre, hops=2)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%visible WHERE%"]
        )
        prepared_count = cursor.fetchone()[0]
    again = selectors.ego_network(actor=owner, centre=centre, hops=2)
    assert prepared_count >= 2  # the association and membership searches
    assert _keys(first) == _keys(again) and len(first.links) == len(again.links) > 0


def test_status_history(people):
    owner, n = people
    net = network_world(n, owner)
    group = net["london_group"]
    services.group_status_change(
        actor=owner,
        group=group,
        to_status="dismantled",
        effective_date=date(2025, 3, 1),
        reason="Operation X",
    )
    group.refresh_from_db()
    assert group.dismantled_on == date(2025, 3, 1)
    assert [h.to_status for h in selectors.group_history(group=group)] == ["active", "dismantled"]
    with pytest.raises(ValidationFailed) as exc:
        services.membership_record(
            actor=owner, group=group, person=n["other_hub"], role="peripheral",
            evidence=Evidence(source_kind="officer", started_on=date(2025, 6, 1), owner_hub_id=hub_id("london")),
        )  # fmt: skip
    assert "after the group was dismantled (01 March 2025)" in exc.value.errors["started_on"][0]


def test_path_finder_routes_only_through_what_the_viewer_sees(people):
    owner, n = people
    net = network_world(n, owner)
    national = make_user(
        "net.national", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    london = make_user(
        "net.pathfinder", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    target = net["yorkshire_group"].reference
    page = signed_in(national).get(f"/network/paths/?from={n['own_hub'].reference}&to={target}&k=3")
    body = page.content.decode()
    assert page.status_code == 200 and 'id="path-1"' in body and "Route 1: 2 links" in body
    event = AuditEvent.objects.filter(action="network.path").latest("id")
    assert n["own_hub"].pk in set(event.subjects.values_list("nominal_id", flat=True))
    # London cannot see the Yorkshire group: the same answer as for a reference nobody holds.
    hidden = (
        signed_in(london).get(f"/network/paths/?from={n['own_hub'].reference}&to={target}").content.decode()
    )
    missing = (
        signed_in(london).get(f"/network/paths/?from={n['own_hub'].reference}&to=OCG999999").content.decode()
    )
    assert f"no person or group you may see has the reference {target}" in hidden
    assert "no person or group you may see has the reference OCG999999" in missing
    assert "holds an interest" not in hidden  # groups are not deconflicted by reference
    # A hidden person with network records held elsewhere: the deconfliction message, logged, no content.
    other = n["other_hub"].reference
    told = signed_in(london).get(f"/network/paths/?from={n['own_hub'].reference}&to={other}").content.decode()
    assert "Another agency holds an interest" in told and "Yorkshire" in told and "OTHER" not in told
    hit = AuditEvent.objects.filter(action="network.deconfliction.hit").latest("id")
    assert list(hit.subjects.values_list("nominal_id", flat=True)) == [n["other_hub"].pk]
    bad = signed_in(london).get("/network/paths/?from=hello&to=").content.decode()
    assert "is not a reference" in bad and "To: enter a reference" in bad


def test_api_refuses_bad_links_by_field_and_hides_what_it_must(people, token_for):
    from ..conftest import errors_by_field

    owner, n = people
    network_world(n, owner)
    london = make_user("net.api", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(london)}"}
    client = signed_in(london)
    own = n["own_hub"].reference
    before = Association.objects.count()
    self_link = client.post(
        "/api/network/associations", content_type="application/json", **auth,
        data={"a": own, "b": own, "association_type": "family", "source_kind": "officer"},
    )  # fmt: skip
    assert self_link.status_code == 409  # well formed; refused because a and b are the same record
    assert errors_by_field(self_link.json())["b"] == ["A person or group cannot be linked to themself"]
    hidden = client.post(
        "/api/network/associations", content_type="application/json", **auth,
        data={"a": own, "b": n["other_hub"].reference, "association_type": "family", "source_kind": "officer"},
    )  # fmt: skip
    missing = client.post(
        "/api/network/associations", content_type="application/json", **auth,
        data={"a": own, "b": "MH9999999", "association_type": "family", "source_kind": "officer"},
    )  # fmt: skip
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    assert Association.objects.count() == before
    ego = client.get(f"/api/network/ego?centre={own}&hops=2&purpose=Tasking", **auth).json()
    assert {node["reference"] for node in ego["nodes"]} >= {own, n["non_participating"].reference}
    assert n["other_hub"].reference not in {node["reference"] for node in ego["nodes"]}
    no_purpose = client.get(f"/api/network/ego?centre={own}", **auth)
    assert no_purpose.status_code == 422 and "purpose" in errors_by_field(no_purpose.json())


def test_exports_are_disclosures_of_the_visible_network_only(people):
    owner, n = people
    network_world(n, owner)
    london = make_user(
        "net.export", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"
    )
    client = with_purpose(signed_in(london), n["own_hub"], purpose="Analysis for the tasking meeting")
    base = f"/cohort/{n['own_hub'].pk}/network"
    assert client.get(f"{base}.csv").status_code == 302  # no recipient: back to the page, nothing exported
    assert not AuditEvent.objects.filter(action="network.export").exists()
    csv = client.get(f"{base}.csv?hops=2&recipient=NCA+analyst").content.decode()
    assert csv.startswith("Entity 1 ID,") and n["non_participating"].reference in csv
    assert n["other_hub"].reference not in csv and "Humber Firm" not in csv
    graphml = client.get(f"{base}.graphml?hops=2&recipient=NCA+analyst").content.decode()
    assert "<graphml" in graphml and n["other_hub"].reference not in graphml
    event = AuditEvent.objects.filter(action="network.export").latest("id")
    assert event.operation == "disclosure" and "NCA analyst" in event.recipients
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {
        n["own_hub"].pk,
        n["non_participating"].pk,
    }
    assert client.get(f"{base}.pdf?recipient=NCA+analyst").status_code == 404


def test_network_filters_by_period_source_grade_and_agency(people):
    from marsoc.accounts.models import Agency, Hub
    from marsoc.intelligence.models import IntelItem

    owner, n = people
    links = network_world(n, owner)["links"]
    Association.objects.filter(pk=links["own_elsewhere"].pk).update(
        started_on=date(2019, 1, 1), ended_on=date(2020, 1, 1)
    )
    item = IntelItem.objects.create(
        owner_hub=Hub.objects.get(code="london"), originating_agency=Agency.objects.get(code="mps"), text="x",
        intelligence_date=date(2025, 1, 1), classification="OFFICIAL-SENSITIVE", source_evaluation="3",
        intelligence_assessment="C", handling_code="P", purpose="prevention_detection",
        data_category="criminal_intelligence",
    )  # fmt: skip
    Association.objects.filter(pk=links["own_visitor"].pk).update(source_kind="intelligence", intel_item=item)
    london = make_user("net.filter", [Role.HUB_OFFICER], hub_code="london", agency_code="mps")
    client = with_purpose(signed_in(london), n["own_hub"])

    def shown(query: str) -> tuple[set[str], str]:
        page = client.get(f"/cohort/{n['own_hub'].pk}/network/?hops=1{query}").content.decode()
        kinds = {name: "membership" if name.startswith("member") else "association" for name in links}
        return {name for name, x in links.items() if f'id="link-{kinds[name]}-{x.pk}"' in page}, page

    # One link out, and the links among the people reached (the group's other member is also a direct link).
    everything = {"member_own", "member_elsewhere", "own_elsewhere", "own_visitor"}
    assert shown("")[0] == everything
    assert shown("&on_day=15&on_month=6&on_year=2019")[0] == everything
    # Once that link had ended, the other member is two links away: out of a one-link network.
    assert shown("&on_day=1&on_month=1&on_year=2021")[0] == {"member_own", "own_visitor"}
    assert shown("&grade=2")[0] == everything - {"own_visitor"}
    assert shown("&grade=1")[0] == everything - {"own_visitor"}
    mps, national = Agency.objects.get(code="mps").pk, owner.agency_id
    assert shown(f"&agency={mps}")[0] == set()
    assert shown(f"&agency={national}")[0] == everything
    # Bad filters are named and left out; the network is still shown.
    got, page = shown("&on_day=31&on_month=2&on_year=2021&grade=9&agency=abc")
    assert got == everything
    for message in ["Links in force on: enter a real date", "Links from intelligence: choose a grade",
                    "Recorded by: choose an agency from the list"]:  # fmt: skip
        assert message in page
    event = AuditEvent.objects.filter(action="network.view", actor=london).order_by("id")[3]
    assert event.details["query"]["grade"] == "2"
