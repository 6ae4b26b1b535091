"""Networks in Chromium: a London analyst opens a prisoner's network, finds the route from the prisoner to
a street group he is not a member of, and exports the network for i2 (a disclosure in the audit log);
the analyst keeps the routes as a link chart, adds a person, exports it as a picture and shares it with
the NCA partner, who, signing in next, sees only the part of the same person's network that its agreements
cover, and opens the chart of the route the analyst shared with it: only its part, with the notice that
items are withheld. axe runs on every network page on the way."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.models import AuditEvent
from marsoc.network import selectors
from marsoc.network.models import LinkChart, Membership
from marsoc.nominals.models import Nominal

from .conftest import allow_second_sign_in, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]
# Network pages at two links compute on the visible graph; on a loaded shared machine they can take longer
# than the fixtures' 10 s default to load.
SLOW_PAGE_MS = 30_000


def _prisoner_and_street_group() -> tuple[Nominal, tuple[str, int], int]:
    """A London prisoner whom both the analyst and the NCA may see, with a route (in the analyst's
    visible graph) to an active group he is not a member of; and the route's length in links."""
    analyst = User.objects.get(username="london.analyst")
    nca = User.objects.get(username="partner.nca")
    graph = selectors.network_graph(actor=analyst)
    inside = Nominal.objects.filter(owner_hub__code="london", custody_status__in=["remand", "sentenced"])
    for person in inside.order_by("pk"):
        key = ("nominal", person.pk)
        if key not in graph or not access.visible(nca, "nominal", Nominal.objects.filter(pk=person.pk)):
            continue
        own = set(Membership.objects.filter(nominal=person).values_list("group_id", flat=True))
        routes = sorted(
            (len(graph.shortest_path(key, g)) - 1, g)
            for g in graph.nodes
            if g[0] == "group" and g[1] not in own
        )
        routes = [r for r in routes if r[0] > 0]
        if routes:
            return person, routes[0][1], routes[0][0]
    raise AssertionError("the demo should hold a London prisoner with a route to another group")


def _give_purpose(page: Page) -> None:
    page.locator("input[name=purpose][value=case_management]").check()
    page.get_by_role("button", name="Continue").click()


def _table_ids(page: Page, selector: str) -> set[str]:
    return set(page.locator(f"{selector} tbody tr[id]").evaluate_all("rows => rows.map(r => r.id)"))


def test_analyst_finds_the_route_from_prison_to_a_street_group_and_the_nca_sees_less(
    page: Page, live_server, tmp_path
) -> None:
    person, group_key, length = _prisoner_and_street_group()
    found: dict[str, list[str]] = {}
    analyst = User.objects.get(username="london.analyst")
    nca = User.objects.get(username="partner.nca")

    sign_in(page, live_server, "london.analyst")
    page.get_by_role("link", name="Groups", exact=True).first.click()
    expect(page.locator("#groups")).to_be_visible()
    found["group list"] = serious_violations(run_axe(page))

    # The prisoner's network, two links out.
    page.goto(f"{live_server.url}/cohort/{person.pk}/")
    _give_purpose(page)
    page.get_by_role("link", name="Network", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/cohort/{person.pk}/network/"))
    page.locator("#hops").select_option("2")
    page.get_by_role("button", name="Show network").click()
    expect(page).to_have_url(re.compile(r"hops=2"), timeout=SLOW_PAGE_MS)
    expect(page.locator("#network-nodes")).to_be_visible()
    expect(page.locator("#network-drawing")).to_be_visible()  # the Cytoscape drawing, served locally
    expect(page.locator("#network-nodes")).to_contain_text("in custody")
    found["person network"] = serious_violations(run_axe(page))
    analyst_links = _table_ids(page, "#network-links")
    expected = selectors.ego_network(actor=analyst, centre=("nominal", person.pk), hops=2)
    assert analyst_links == {f"link-{x.record}-{x.record_id}" for x in expected.links}

    # The route to the street group.
    page.get_by_role("link", name="Find a path from this person").click()
    page.locator("#to").fill(f"OCG{group_key[1]:06d}")
    page.get_by_role("button", name="Find routes").click()
    expect(page.locator("#paths-heading")).to_contain_text("shortest route")
    expect(page.locator("#path-1 h3")).to_have_text(f"Route 1: {length} link{'s' if length != 1 else ''}")
    steps = page.locator("#path-1 li")
    expect(steps.first).to_contain_text(person.reference)
    expect(steps.last).to_contain_text(f"OCG{group_key[1]:06d}")
    found["path finder"] = serious_violations(run_axe(page))
    assert AuditEvent.objects.filter(action="network.path", actor=analyst).exists()

    # The routes kept as a link chart, with a London person the NCA may not see added to it.
    page.get_by_role("button", name=re.compile(r"Save as a link chart")).click()
    expect(page.locator("#name")).to_have_value(f"Routes from {person.reference} to OCG{group_key[1]:06d}")
    found["save a chart"] = serious_violations(run_axe(page))
    page.get_by_role("button", name="Save the chart").click()
    expect(page).to_have_url(re.compile(r"/network/charts/\d+/$"))
    chart = LinkChart.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]), author=analyst)
    hidden_from_nca = (
        Nominal.objects.filter(
            owner_hub__code="london", classification__in=["OFFICIAL", "OFFICIAL-SENSITIVE"]
        )
        .exclude(pk__in=access.visible(nca, "nominal", Nominal.objects.all()).values("pk"))
        .order_by("pk")
        .first()
    )
    page.locator("#reference").fill(hidden_from_nca.reference)
    page.get_by_role("button", name="Add to the chart").click()
    expect(page.locator("#network-nodes")).to_contain_text(hidden_from_nca.reference)
    expect(page.locator("#chart-suggestions")).to_be_visible()
    withheld = selectors.chart_view(actor=analyst, chart=chart).withheld  # a hidden link among the items
    expect(page.locator("#chart-withheld")).to_have_count(1 if withheld else 0)
    found["link chart"] = serious_violations(run_axe(page))
    page.locator("#recipient").fill("Regional tasking cell")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export as a picture (SVG)").click()
    picture = tmp_path / "chart.svg"
    info.value.save_as(picture)
    assert picture.read_text(encoding="utf-8").startswith("<svg") and person.reference in picture.read_text()
    page.locator("#username").fill("partner.nca")
    page.get_by_role("button", name="Share").click()
    expect(page.locator("#chart-shares")).to_contain_text(nca.display_label)

    # The group at the end of the route.
    page.goto(f"{live_server.url}/network/groups/{group_key[1]}/")
    expect(page.locator("#group-members")).to_be_visible()
    expect(page.locator("#group-timeline")).to_be_visible()
    found["group page"] = serious_violations(run_axe(page))
    page.goto(f"{live_server.url}/network/communities/")
    found["communities"] = serious_violations(run_axe(page))

    # Export the prisoner's network for i2: a disclosure to the named recipient.
    page.goto(f"{live_server.url}/cohort/{person.pk}/network/?hops=2", timeout=SLOW_PAGE_MS)
    page.locator("#recipient").fill("Regional tasking cell")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export for i2 (CSV)").click()
    target = tmp_path / "network.csv"
    info.value.save_as(target)
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "Entity 1 ID"
    assert {f"link-{r[4]}" for r in rows[1:]} == analyst_links
    export = AuditEvent.objects.filter(action="network.export", actor=analyst).latest("id")
    assert export.recipients == ["Regional tasking cell"]
    page.get_by_role("button", name="Sign out").click()

    # The NCA partner sees the same person's network only as far as its agreements cover.
    allow_second_sign_in("partner.nca")
    sign_in(page, live_server, "partner.nca")
    page.goto(f"{live_server.url}/cohort/{person.pk}/")
    _give_purpose(page)
    page.goto(f"{live_server.url}/cohort/{person.pk}/network/?hops=2", timeout=SLOW_PAGE_MS)
    expect(page.locator("#network-nodes")).to_be_visible()
    nca_links = _table_ids(page, "#network-links")
    expected_nca = selectors.ego_network(actor=nca, centre=("nominal", person.pk), hops=2)
    assert nca_links == {f"link-{x.record}-{x.record_id}" for x in expected_nca.links}
    assert len(nca_links) < len(analyst_links) and analyst_links - nca_links, "the NCA should see less"
    found["person network (NCA)"] = serious_violations(run_axe(page))
    # The shared chart: only what the NCA may see, and told that something is withheld (not what).
    page.goto(f"{live_server.url}/network/charts/")
    page.get_by_role("link", name=chart.name).click()
    expect(page.locator("#chart-withheld")).to_be_visible()
    nca_view = selectors.chart_view(actor=nca, chart=chart)
    assert nca_view.withheld
    assert _table_ids(page, "#network-nodes") == {f"node-{k}-{pk}" for k, pk in nca_view.graph.nodes}
    expect(page.locator("main")).not_to_contain_text(hidden_from_nca.reference)
    expect(page.locator("#chart-add")).to_have_count(0)
    found["link chart (NCA)"] = serious_violations(run_axe(page))

    problems = {name: lines for name, lines in found.items() if lines}
    assert not problems, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in problems.items())
