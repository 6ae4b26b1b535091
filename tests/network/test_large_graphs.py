"""What changes on large graphs: betweenness estimated from sampled sources (the same as the exact value
when every node is a source, close to it otherwise, and said so on the page), and the path finder's search
from both ends (routes of up to MAX_ROUTE_LINKS links, the k shortest the links it read can prove)."""

import itertools
import random

import pytest
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub
from marsoc.core.vocabulary import Role
from marsoc.network import selectors
from marsoc.network.graph import Graph, Link, sampled_betweenness
from marsoc.network.models import Association

from ..conftest import make_nominal, make_user


def _random_graph(n: int, m: int, seed: int) -> Graph:
    rng = random.Random(seed)
    links = []
    for i in range(m):
        a, b = rng.sample(range(n), 2)
        links.append(Link("association", i, ("nominal", a), ("nominal", b), "family"))
    return Graph(links)


def test_the_estimate_with_every_node_as_a_source_is_the_exact_betweenness():
    graph = _random_graph(80, 240, 1)
    exact = graph.metrics()
    assert exact.betweenness_sources == 0
    pairs = sorted({(min(u, v), max(u, v)) for u, v in graph.g.edge_list() if u != v})
    every = sampled_betweenness(pairs, len(graph.g), list(range(len(graph.g))))
    assert {k: every[i] for k, i in graph.index.items()} == pytest.approx(exact.betweenness, abs=1e-12)


def test_the_sampled_estimate_is_close_to_the_exact_value_and_repeatable():
    graph = _random_graph(600, 2400, 2)
    exact = graph.metrics(betweenness_sources=600)
    estimate = graph.metrics(betweenness_sources=300)
    assert exact.betweenness_sources == 0 and estimate.betweenness_sources == 300
    assert estimate.betweenness == graph.metrics(betweenness_sources=300).betweenness  # fixed seed
    # Unbiased: the total is all but exact (the scaling by n / k); each node's is noisier.
    total = sum(exact.betweenness.values())
    assert sum(estimate.betweenness.values()) == pytest.approx(total, rel=0.02)
    error = sum(abs(estimate.betweenness[k] - exact.betweenness[k]) for k in graph.nodes)
    assert error / total < 0.2
    top = sorted(exact.betweenness, key=exact.betweenness.__getitem__, reverse=True)[:10]
    top_estimated = sorted(estimate.betweenness, key=estimate.betweenness.__getitem__, reverse=True)[:10]
    assert len(set(top) & set(top_estimated)) >= 6


@pytest.fixture
def chain(db):
    owner = make_user("chain.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    people = [make_nominal(owner, hub_code="london", family=f"Chain{i}") for i in range(15)]
    london, mps = Hub.objects.get(code="london"), Agency.objects.get(code="mps")
    for a, b in itertools.pairwise(people):
        Association.objects.create(
            a_nominal=a, b_nominal=b, association_type="criminal_associate", source_kind="officer",
            owner_hub=london, originating_agency=mps, recorded_at=timezone.now(),
        )  # fmt: skip
    # A shortcut around the middle: 0-1-...-5 then 5-9 directly.
    Association.objects.create(
        a_nominal=people[5], b_nominal=people[9], association_type="family", source_kind="officer",
        owner_hub=london, originating_agency=mps, recorded_at=timezone.now(),
    )  # fmt: skip
    analyst = make_user("chain.analyst", [Role.ANALYST], agency_code="mps")
    return people, analyst


def _route(people, path):
    return [people.index(next(p for p in people if p.pk == pk)) for _kind, pk in path]


def test_routes_are_found_from_both_ends_up_to_the_limit(chain):
    people, analyst = chain
    key = [("nominal", p.pk) for p in people]
    found = selectors.routes_between(actor=analyst, source=key[0], target=key[12], k=2)
    assert [_route(people, p) for p in found.paths] == [
        [0, 1, 2, 3, 4, 5, 9, 10, 11, 12],
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    ]
    # 14 links by the chain, 11 by the shortcut: the only route within the limit is the shortcut.
    found = selectors.routes_between(actor=analyst, source=key[0], target=key[14], k=3)
    assert selectors.MAX_ROUTE_LINKS == 12
    assert [len(p) - 1 for p in found.paths] == [11]
    # The routes agree with Yen's algorithm on the whole visible graph, where it applies.
    whole = selectors.network_graph(actor=analyst)
    assert found.paths[0] == whole.k_shortest_paths(key[0], key[14], 1)[0]
