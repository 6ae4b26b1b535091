"""Saved link charts through the API: list, get, create and change, with the pages' rules. Each viewer gets
only the items and links their access allows and a count of withheld items (never which); only the author
changes a chart (403 for those it is shared with, 404 for everyone else); a change is all or nothing; a
request that fits the document but that the records refuse answers 409, one that breaks the document 422;
every read and write leaves its audit record."""

import json

import pytest

from marsoc.core.actions import AuditAction
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network.models import ChartItem, ChartShare, LinkChart
from marsoc.network.services import charts

from ..conftest import make_user
from .helpers import network_world


@pytest.fixture
def world(people, token_for):
    owner, n = people
    net = network_world(n, owner)
    users = {
        "analyst": make_user(
            "capi.analyst", [Role.ANALYST], agency_code="mps", clearance="OFFICIAL-SENSITIVE"
        ),
        "national": make_user(
            "capi.national", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
        ),
        "york": make_user("capi.york", [Role.ANALYST], hub_code="yorkshire-humber", agency_code="yhrocu"),
        "board": make_user(
            "capi.board", [Role.BOARD_MEMBER], hub_code="national", agency_code="hmpps-marsoc"
        ),
    }
    tokens = {k: token_for(u) for k, u in users.items()}
    return n, net, users, tokens


def _call(client, method, path, token, body=None):
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    response = getattr(client, method)(f"/api{path}", **kwargs)
    return response.status_code, response.json()


def _chart(n, net, users):
    keys = [("nominal", n["own_hub"].pk), ("group", net["london_group"].pk),
            ("group", net["yorkshire_group"].pk), ("nominal", n["other_hub"].pk)]  # fmt: skip
    chart = charts.chart_create(actor=users["national"], name="Thames to Humber", classification="OFFICIAL",
                                keys=keys)  # fmt: skip
    charts.chart_share(actor=users["national"], chart=chart, username="capi.analyst")
    return chart


def test_a_viewer_gets_what_they_may_see_and_a_count_of_what_is_withheld(client, world):
    n, net, users, tokens = world
    chart = _chart(n, net, users)
    status, body = _call(client, "get", f"/network/charts/{chart.pk}", tokens["national"])
    assert (
        status == 200 and body["withheld"] is False and body["withheld_items"] == 0 and body["notice"] == ""
    )
    assert {x["reference"] for x in body["nodes"]} == {
        n["own_hub"].reference, net["london_group"].reference, net["yorkshire_group"].reference,
        n["other_hub"].reference,
    }  # fmt: skip
    assert body["shared_with"] == ["capi.analyst"] and body["yours"] is True and body["items"] == 4

    status, body = _call(client, "get", f"/network/charts/{chart.pk}", tokens["analyst"])
    assert status == 200 and body["withheld"] is True and body["withheld_items"] == 2
    assert "withheld" in body["notice"] and body["yours"] is False and body["shared_with"] == []
    assert {x["reference"] for x in body["nodes"]} == {n["own_hub"].reference, net["london_group"].reference}
    # Only the link the analyst may see among the items they may see; no node or figure of the rest.
    assert [(x["record"], x["id"]) for x in body["links"]] == [("membership", net["links"]["member_own"].pk)]
    assert n["other_hub"].reference not in json.dumps(body)
    assert all(x["degree"] == 1 for x in body["nodes"])

    listed = _call(client, "get", "/network/charts", tokens["analyst"])
    assert listed[0] == 200 and [c["id"] for c in listed[1]] == [chart.pk]
    # Not shared with Yorkshire's analyst, and the board works with no networks: both as if missing.
    assert _call(client, "get", f"/network/charts/{chart.pk}", tokens["york"])[0] == 404
    assert _call(client, "get", "/network/charts", tokens["york"]) == (200, [])
    assert _call(client, "get", "/network/charts", tokens["board"])[0] == 404
    assert _call(client, "get", "/network/charts/999999", tokens["national"])[0] == 404
    views = AuditEvent.objects.filter(action=AuditAction.CHART_VIEW, object_id=str(chart.pk))
    assert views.count() == 2 and {v.details["surface"] for v in views} == {"api"}
    assert AuditEvent.objects.filter(action=AuditAction.CHART_LIST).count() == 2


def test_creating_a_chart_checks_each_item_and_records_it(client, world):
    n, net, users, tokens = world
    body = {"name": "London", "classification": "OFFICIAL", "items": [n["own_hub"].reference,
            net["london_group"].reference]}  # fmt: skip
    status, made = _call(client, "post", "/network/charts", tokens["analyst"], body)
    assert status == 201
    chart = LinkChart.objects.get(pk=made["id"])
    assert chart.author == users["analyst"] and chart.items.count() == 2 and chart.layout == "cose"
    assert AuditEvent.objects.filter(action=AuditAction.CHART_CREATE, object_id=str(chart.pk)).exists()
    # A person the analyst may not see is refused exactly like one who does not exist: 409, nothing saved.
    for reference in (n["other_hub"].reference, "MH999999"):
        status, refused = _call(client, "post", "/network/charts", tokens["analyst"],
                                body | {"items": [reference]})  # fmt: skip
        assert status == 409 and refused["errors"] == [
            {"field": "chosen", "message": "A person or group you chose is not one you may see"}
        ]
    # Above the analyst's clearance: 409. Breaking the document (no item, blank name, unknown layout): 422.
    status, refused = _call(
        client, "post", "/network/charts", tokens["analyst"], body | {"classification": "SECRET"}
    )
    assert status == 409 and refused["errors"][0]["field"] == "classification"
    for broken in ({"items": []}, {"name": " "}, {"layout": "spiral"}, {"items": ["X1"]}):
        assert _call(client, "post", "/network/charts", tokens["analyst"], body | broken)[0] == 422
    assert LinkChart.objects.count() == 1


def test_only_the_author_changes_a_chart_and_a_change_is_all_or_nothing(client, world):
    n, net, users, tokens = world
    chart = _chart(n, net, users)
    path = f"/network/charts/{chart.pk}"
    change = {"name": "Thames", "layout": "grid", "remove": [n["other_hub"].reference],
              "add": [n["non_participating"].reference], "share_with": ["capi.york"]}  # fmt: skip
    # Shared with the analyst: may open it, may not change it. Yorkshire's analyst: as if missing.
    assert _call(client, "patch", path, tokens["analyst"], change)[0] == 403
    assert _call(client, "patch", path, tokens["york"], change)[0] == 404
    status, body = _call(client, "patch", path, tokens["national"], change)
    assert status == 200 and body["name"] == "Thames" and body["layout"] == "grid"
    assert sorted(body["shared_with"]) == ["capi.analyst", "capi.york"]
    assert n["non_participating"].reference in {x["reference"] for x in body["nodes"]}
    assert n["other_hub"].reference not in {x["reference"] for x in body["nodes"]}
    changes = AuditEvent.objects.filter(action=AuditAction.CHART_CHANGE, object_id=str(chart.pk)).count()
    assert changes == 4  # name, layout, added, removed (the share is its own disclosure)
    assert AuditEvent.objects.filter(action=AuditAction.CHART_SHARE, object_id=str(chart.pk)).count() == 2

    # The second addition is already on the chart: 409 naming it, and the rename before it is undone.
    status, refused = _call(client, "patch", path, tokens["national"], {
        "name": "Renamed", "add": [n["participating"].reference, n["own_hub"].reference]})  # fmt: skip
    assert status == 409 and refused["errors"] == [
        {"field": "add.1", "message": "That person or group is already on the chart"}
    ]
    chart.refresh_from_db()
    assert chart.name == "Thames" and not chart.items.filter(object_id=n["participating"].pk).exists()
    assert AuditEvent.objects.filter(action=AuditAction.CHART_CHANGE, object_id=str(chart.pk)).count() == 4
    for refusal, field in (({"remove": [n["participating"].reference]}, "remove.0"),
                           ({"share_with": ["nobody.here"]}, "share_with.0"),
                           ({"share_with": ["capi.national"]}, "share_with.0")):  # fmt: skip
        status, refused = _call(client, "patch", path, tokens["national"], refusal)
        assert status == 409 and refused["errors"][0]["field"] == field
    assert _call(client, "patch", path, tokens["national"], {"layout": "spiral"})[0] == 422
    assert ChartShare.objects.filter(chart=chart).count() == 2
    assert ChartItem.objects.filter(chart=chart).count() == 4
