"""Saved link charts: saved named and classified, changed only by their author, shared with colleagues who
each see only what their own access allows (told that something is withheld, never what), suggestions of
connected people not on the chart, and exports (i2 CSV, GraphML, SVG) recorded as disclosures."""

import pytest

from marsoc.core.errors import ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network import selectors
from marsoc.network.models import ChartItem, LinkChart
from marsoc.network.services import charts

from ..conftest import make_user, signed_in
from .helpers import network_world


@pytest.fixture
def world(people):
    owner, n = people
    net = network_world(n, owner)
    analyst = make_user("chart.analyst", [Role.ANALYST], agency_code="mps", clearance="OFFICIAL-SENSITIVE")
    national = make_user(
        "chart.national", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    york = make_user("chart.york", [Role.ANALYST], hub_code="yorkshire-humber", agency_code="yhrocu")
    return n, net, analyst, national, york


def _key(obj, kind="nominal"):
    return (kind, obj.pk)


def test_bad_charts_are_refused_and_nothing_saved(world):
    n, _net, analyst, _national, _york = world
    with pytest.raises(ValidationFailed) as exc:
        charts.chart_create(
            actor=analyst, name=" ", classification="TOP-SECRET-ISH", keys=[], layout="spiral"
        )
    assert exc.value.errors == {
        "name": ["Enter the chart's name"],
        "classification": ["Select a classification"],
        "layout": ["Select how the chart is laid out"],
        "chosen": ["Choose at least one person or group for the chart"],
    }
    # A person the analyst may not see is refused exactly like one that does not exist.
    for key in [_key(n["other_hub"]), ("nominal", 999_999)]:
        with pytest.raises(ValidationFailed) as exc:
            charts.chart_create(actor=analyst, name="Chart", classification="OFFICIAL", keys=[key])
        assert exc.value.errors == {"chosen": ["A person or group you chose is not one you may see"]}
    with pytest.raises(ValidationFailed) as exc:
        charts.chart_create(actor=analyst, name="Chart", classification="SECRET", keys=[_key(n["own_hub"])])
    assert exc.value.errors["classification"] == ["You cannot mark a record above your own clearance"]
    assert not LinkChart.objects.exists() and not ChartItem.objects.exists()


def test_each_viewer_sees_only_what_their_access_allows_and_is_told_something_is_withheld(world):
    n, net, analyst, national, york = world
    # The national analyst charts London's person, London's and Yorkshire's groups and a Yorkshire person.
    keys = [_key(n["own_hub"]), _key(net["london_group"], "group"), _key(net["yorkshire_group"], "group"),
            _key(n["other_hub"])]  # fmt: skip
    chart = charts.chart_create(actor=national, name="Thames to Humber", classification="OFFICIAL-SENSITIVE",
                                keys=keys)  # fmt: skip
    full = selectors.chart_view(actor=national, chart=chart)
    assert set(full.graph.nodes) == set(keys) and not full.withheld
    rivalry = net["links"]["rivals"].pk
    assert ("association", rivalry) in {(x.record, x.record_id) for x in full.graph.links}

    charts.chart_share(actor=national, chart=chart, username="chart.analyst")
    charts.chart_share(actor=national, chart=chart, username="chart.york")
    london_view = selectors.chart_view(actor=analyst, chart=chart)
    assert set(london_view.graph.nodes) == {keys[0], keys[1]} and london_view.withheld
    # Only links between the items the viewer may see, and only links the viewer may see.
    assert {(x.record, x.record_id) for x in london_view.graph.links} == {
        ("membership", net["links"]["member_own"].pk)
    }
    york_view = selectors.chart_view(actor=york, chart=chart)
    assert set(york_view.graph.nodes) == {keys[2], keys[3]} and york_view.withheld

    client = signed_in(analyst)
    page = client.get(f"/network/charts/{chart.pk}/").content.decode()
    assert 'id="chart-withheld"' in page and "Some items on this chart are withheld from you" in page
    assert "Humber Firm" not in page and n["other_hub"].reference not in page
    assert 'id="chart-add"' not in page  # only the author changes the chart
    event = AuditEvent.objects.filter(action="network.chart.view", actor=analyst).latest("id")
    assert event.details["withheld"] is True
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {n["own_hub"].pk}
    # Someone it was not shared with gets the page a missing chart gets.
    other = make_user("chart.other", [Role.HUB_OFFICER], hub_code="london", agency_code="mps")
    assert signed_in(other).get(f"/network/charts/{chart.pk}/").status_code == 404
    assert signed_in(other).get("/network/charts/999999/").status_code == 404
    # A viewer it was shared with cannot change it.
    got = client.post(
        f"/network/charts/{chart.pk}/change/", {"action": "layout", "layout": "grid"}, follow=True
    )
    assert "Only the chart&#x27;s author changes or shares it" in got.content.decode()
    chart.refresh_from_db()
    assert chart.layout == "cose"


def test_sharing_is_refused_with_a_reason(world):
    n, _net, analyst, national, _york = world
    chart = charts.chart_create(
        actor=analyst, name="Own", classification="OFFICIAL", keys=[_key(n["own_hub"])]
    )
    board = make_user("chart.board", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    for username in ["nobody.here", board.username]:
        with pytest.raises(ValidationFailed) as exc:
            charts.chart_share(actor=analyst, chart=chart, username=username)
        assert exc.value.errors == {"username": ["Enter the username of a colleague who works with networks"]}
    with pytest.raises(ValidationFailed) as exc:
        charts.chart_share(actor=analyst, chart=chart, username=analyst.username)
    assert "yours already" in exc.value.errors["username"][0]
    cautious = make_user("chart.cautious", [Role.HUB_OFFICER], clearance="OFFICIAL")
    secret = charts.chart_create(actor=national, name="S", classification="SECRET", keys=[_key(n["own_hub"])])
    with pytest.raises(ValidationFailed) as exc:
        charts.chart_share(actor=national, chart=secret, username=cautious.username)
    assert exc.value.errors["username"] == [
        f"{cautious.display_label} is not cleared to read a chart marked SECRET"
    ]
    charts.chart_share(actor=analyst, chart=chart, username=national.username)
    with pytest.raises(ValidationFailed) as exc:
        charts.chart_share(actor=analyst, chart=chart, username=national.username)
    assert "already shared" in exc.value.errors["username"][0]
    event = AuditEvent.objects.filter(action="network.chart.share").get()
    assert event.operation == "disclosure" and event.recipients == [national.display_label]


def test_the_author_adds_suggested_people_removes_and_lays_out(world):
    n, net, analyst, _national, _york = world
    client = signed_in(analyst)
    new = client.post(
        "/network/charts/new/",
        {"name": "Thames Crew", "classification": "OFFICIAL-SENSITIVE", "layout": "cose",
         "node": [f"group-{net['london_group'].pk}"]},
    )  # fmt: skip
    chart = LinkChart.objects.get()
    assert new.status_code == 302 and new["Location"] == f"/network/charts/{chart.pk}/"
    view = selectors.chart_view(actor=analyst, chart=chart)
    suggested = {s.node.key: s.links for s in selectors.chart_suggestions(actor=analyst, graph=view.graph)}
    # The group's members the analyst may see, and never the Yorkshire people.
    assert suggested == {_key(n["own_hub"]): 1, _key(n["non_participating"]): 1}
    page = client.get(f"/network/charts/{chart.pk}/").content.decode()
    assert 'id="chart-suggestions"' in page and n["own_hub"].reference in page
    url = f"/network/charts/{chart.pk}/change/"
    assert client.post(url, {"action": "add", "reference": n["own_hub"].reference}).status_code == 302
    assert client.post(url, {"action": "add", "reference": n["other_hub"].reference}).status_code == 302
    assert client.post(url, {"action": "add", "reference": "MH0000000x"}).status_code == 302
    assert client.post(url, {"action": "layout", "layout": "circle"}).status_code == 302
    assert (
        client.post(url, {"action": "remove", "item": f"group-{net['london_group'].pk}"}).status_code == 302
    )
    chart.refresh_from_db()
    assert chart.layout == "circle"
    assert selectors.chart_keys(chart=chart) == [_key(n["own_hub"])]
    changes = AuditEvent.objects.filter(action="network.chart.change").order_by("id")
    assert [list(e.details) for e in changes] == [["added"], ["layout"], ["removed"]]
    # The refusals were shown, each with its reason.
    page = client.get(f"/network/charts/{chart.pk}/").content.decode()
    assert "No person or group you may see has that reference" in page
    assert "Enter a reference, for example MH0000042 or OCG000007" in page


def test_exports_are_disclosures_of_what_the_viewer_sees(world):
    n, net, analyst, national, _york = world
    keys = [_key(n["own_hub"]), _key(net["london_group"], "group"), _key(n["other_hub"])]
    chart = charts.chart_create(actor=national, name="Mixed", classification="OFFICIAL", keys=keys)
    charts.chart_share(actor=national, chart=chart, username=analyst.username)
    client = signed_in(analyst)
    base = f"/network/charts/{chart.pk}/export"
    assert client.get(f"{base}.svg").status_code == 302  # no recipient: nothing exported
    assert not AuditEvent.objects.filter(action="network.export").exists()
    svg = client.get(f"{base}.svg?recipient=Tasking+cell")
    body = svg.content.decode()
    assert svg["Content-Type"].startswith("image/svg+xml") and body.startswith("<svg")
    assert '<title id="title">Mixed</title>' in body and n["own_hub"].reference in body
    assert n["other_hub"].reference not in body and "2 people and groups, 1 links" in body
    csv = client.get(f"{base}.csv?recipient=Tasking+cell").content.decode()
    assert csv.startswith("Entity 1 ID,") and n["other_hub"].reference not in csv
    assert client.get(f"{base}.pdf?recipient=Tasking+cell").status_code == 404
    event = AuditEvent.objects.filter(action="network.export").order_by("id").first()
    assert (event.operation, event.object_type, event.object_id) == (
        "disclosure",
        "link_chart",
        str(chart.pk),
    )
    assert event.recipients == ["Tasking cell"]
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {n["own_hub"].pk}


def test_person_network_as_a_picture(world):
    n, _net, analyst, _national, _york = world
    from ..conftest import with_purpose

    client = with_purpose(signed_in(analyst), n["own_hub"])
    got = client.get(f"/cohort/{n['own_hub'].pk}/network.svg?hops=2&recipient=Tasking+cell")
    body = got.content.decode()
    assert got.status_code == 200 and body.startswith("<svg") and n["non_participating"].reference in body
    assert n["other_hub"].reference not in body
    assert AuditEvent.objects.filter(action="network.export", details__format="svg").exists()
