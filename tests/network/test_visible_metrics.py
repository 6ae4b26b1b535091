"""The metrics leak nothing: for random graphs and random actors, every figure the service computes equals
the figure on a graph built only from the links that actor may see, decided link by link by the separate
per-record rules (nominal.view for each end, intel_item.view for the source) and the owner side written
out here by hand. Runs on SQLite and on PostgreSQL (DATABASE_URL)."""

from datetime import date

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marsoc.accounts.models import Agency, Hub
from marsoc.core import access
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import IntelItem
from marsoc.network import selectors
from marsoc.network.graph import Graph, Link
from marsoc.network.models import Association
from marsoc.sharing.models import AgreementCategory

from ..conftest import add_participation, make_nominal, make_user, partnership_agreement

HUBS = ["london", "yorkshire-humber"]
SOURCES = ["officer", "custody", "intel_london", "intel_yorkshire"]


@pytest.fixture
def base(db):
    owner = make_user("prop.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    people = [make_nominal(owner, hub_code=HUBS[i % 2], family=f"Prop{i}") for i in range(6)]
    add_participation(people[1], "probation-london", owner)  # a Yorkshire person the partner may see
    items = {
        hub: IntelItem.objects.create(
            owner_hub=Hub.objects.get(code=hub), originating_agency=Agency.objects.get(code="mps" if hub == "london" else "yhrocu"),
            text="x", intelligence_date=date(2025, 1, 1), classification="OFFICIAL-SENSITIVE",
            source_evaluation="2", intelligence_assessment="B", handling_code="P",
            purpose="prevention_detection", data_category="criminal_intelligence",
        )
        for hub in HUBS
    }  # fmt: skip
    AgreementCategory.objects.create(agreement=partnership_agreement("probation-london"), code="associates")
    actors = [
        make_user("prop.london", [Role.HUB_OFFICER], hub_code="london", agency_code="hmpps-prisons-london"),
        make_user("prop.york", [Role.ANALYST], hub_code="yorkshire-humber", agency_code="yhrocu"),
        make_user("prop.national", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"),
        make_user("prop.partner", [Role.PARTNER_OFFICER], hub_code="london", agency_code="probation-london"),
    ]
    return owner, people, items, actors


def _owner_side_by_hand(f, row) -> bool:
    """docs/access-model.md's words for a network record, written out (not the policy's Q)."""
    if f.sees_every_hub:
        return True
    if f.hub_staff and f.hub_id == row.owner_hub_id:
        return True
    if f.agency_id == row.originating_agency_id:
        return True
    # The partner's agreement (national team + probation, in force) covers associates, custody, both
    # purposes used here, up to SECRET.
    return f.partner


def _visible_by_hand(actor, row) -> bool:
    f = access.facts(actor)
    ends = [row.a_nominal, row.b_nominal]
    if not all(access.may(actor, "nominal.view", n) for n in ends):
        return False
    if row.intel_item is not None and not access.may(actor, "intel_item.view", row.intel_item):
        return False
    return _owner_side_by_hand(f, row) and f.cleared_for(row.classification)


edges = st.lists(
    st.tuples(
        st.integers(0, 5), st.integers(0, 5), st.sampled_from(HUBS), st.sampled_from(SOURCES),
        st.sampled_from(["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"]),
    ),
    min_size=1, max_size=14,
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edges=edges, actor_index=st.integers(0, 3))
def test_metrics_equal_those_of_the_visible_subgraph(base, edges, actor_index):
    owner, people, items, actors = base
    actor = actors[actor_index]
    hubs = {code: Hub.objects.get(code=code) for code in HUBS}
    with transaction.atomic():
        rows = []
        for i, j, hub, source, classification in edges:
            if i == j:
                continue
            rows.append(
                Association.objects.create(
                    a_nominal=people[i], b_nominal=people[j], association_type="criminal_associate",
                    owner_hub=hubs[hub], originating_agency=owner.agency, classification=classification,
                    source_kind="intelligence" if source.startswith("intel") else source,
                    intel_item=items["london" if source == "intel_london" else "yorkshire-humber"]
                    if source.startswith("intel") else None,
                    recorded_at=timezone.now(),
                )
            )  # fmt: skip
        expected = Graph(
            Link(
                "association",
                r.pk,
                ("nominal", r.a_nominal_id),
                ("nominal", r.b_nominal_id),
                r.association_type,
            )
            for r in rows
            if _visible_by_hand(actor, r)
        )
        got = selectors.network_graph(actor=actor)
        assert {x.record_id for x in got.links} == {x.record_id for x in expected.links}
        mine, theirs = got.metrics(), expected.metrics()
        assert mine.degree == theirs.degree
        assert mine.components == theirs.components
        assert mine.betweenness == pytest.approx(theirs.betweenness)
        assert mine.pagerank == pytest.approx(theirs.pagerank)
        # The estimate used on large graphs (a few sampled sources) also rests only on visible links.
        mine_est, theirs_est = got.metrics(betweenness_sources=2), expected.metrics(betweenness_sources=2)
        assert mine_est.betweenness == pytest.approx(theirs_est.betweenness)
        assert mine_est.betweenness_sources == (2 if len(expected.nodes) > 2 else 0)
        for person in people[1:]:
            start, end = ("nominal", people[0].pk), ("nominal", person.pk)
            assert len(got.shortest_path(start, end)) == len(expected.shortest_path(start, end))
            mine_k = [len(p) for p in got.k_shortest_paths(start, end, 3)]
            assert mine_k == [len(p) for p in expected.k_shortest_paths(start, end, 3)]
            # The path finder's search outward from both ends through the scoped tables finds the same.
            routes = selectors.routes_between(actor=actor, source=start, target=end, k=3)
            assert [len(p) for p in routes.paths] == mine_k
            assert {x.record_id for x in routes.graph.links} <= {x.record_id for x in expected.links}
        # The ego network through the service layer agrees with the visible graph around the person.
        ego = selectors.ego_network(actor=actor, centre=("nominal", people[0].pk), hops=3)
        assert {x.record_id for x in ego.links} <= {x.record_id for x in expected.links}
        transaction.set_rollback(True)
