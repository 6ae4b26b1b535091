"""Benchmark: network analysis on the visible subgraph (issue 16), beside networkx in the same run.

Builds a throwaway database (PostgreSQL by default, `h_network_bench` unless --db-name; or SQLite under
var/bench/) with N synthetic nominals over two hubs and M random associations between them, then prints,
for a national analyst (sees everything) and a London officer (sees London's half):

- the time to build the visible graph from the database through the service layer (access filter
  included);
- the whole-graph metrics as the pages compute them (network/graph.py): degree, betweenness (estimated
  from --sources sampled sources above that many nodes, python-igraph, shared between processes, one
  per core: their CPU is counted), PageRank and connected parts (python-igraph), and the same in
  networkx on the same links (betweenness_centrality with k sampled sources, pagerank,
  connected_components), with the ratio;
- ego networks to 2 hops and shortest paths (k = 1 and the API's k = 3) through the service layer
  (selectors.ego_network, selectors.routes_between: scoped queries per level, access filter included),
  p50/p95 over random people, beside networkx's ego_graph and shortest_path on its built graph;
- peak memory.

networkx's betweenness can be run on fewer sources (--networkx-sources) on a large graph: its time is
linear in the number of sources, and the line says when it is scaled up. Asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/network.py --people 10000 --links 50000
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from _common import cpu_model, db_description, load_average, prepare_database, reuse_database


def _p(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):8.1f} ms  p95 {ordered[int(0.95 * (len(ordered) - 1))]:8.1f} ms"


# CPU seconds of the last _timed call (the machine may be shared): this process's and its finished
# children's (the betweenness helpers, network/betweenness.py), "children" the latter alone.
CPU = {"last": 0.0, "children": 0.0}


def _cpu() -> tuple[float, float]:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system, t.children_user + t.children_system


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t, (cpu, children) = time.perf_counter(), _cpu()
    result = fn()
    after, after_children = _cpu()
    CPU["last"], CPU["children"] = after - cpu, after_children - children
    return result, time.perf_counter() - t


def _networkx(graph: Any, args: argparse.Namespace) -> tuple[Any, float]:
    """The same whole-graph metrics in networkx, on the same visible links."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(graph.nodes)
    g.add_edges_from((x.a, x.b) for x in graph.links if x.a != x.b)
    sources = min(args.networkx_sources, len(g))
    _, between = _timed(lambda: nx.betweenness_centrality(g, k=sources, seed=args.seed, normalized=True))
    factor = min(args.sources, len(g)) / sources
    scaled, cpu = between * factor, CPU["last"] * factor
    _, rank = _timed(lambda: nx.pagerank(g))
    cpu += CPU["last"]
    _, parts = _timed(lambda: nx.number_connected_components(g))
    cpu += CPU["last"]
    _, degree = _timed(lambda: dict(g.degree()))
    cpu += CPU["last"]
    note = f" ({sources} sources, scaled to {args.sources})" if sources < min(args.sources, len(g)) else ""
    print(
        f"  networkx: betweenness (k={min(args.sources, len(g))}) {scaled:.2f} s{note}, PageRank {rank:.2f} s, "
        f"parts {parts:.2f} s, degree {degree:.2f} s; total {scaled + rank + parts + degree:.2f} s "
        f"(CPU {cpu:.2f} s)"
    )
    return g, cpu


def _generate(args: argparse.Namespace, rng: random.Random) -> None:
    """N synthetic nominals over two hubs and M random associations between them."""
    from django.db import connection
    from django.utils import timezone

    from marsoc.accounts.models import Agency, Hub
    from marsoc.network.models import Association
    from marsoc.nominals.models import Nominal

    london, york = Hub.objects.get(code="london"), Hub.objects.get(code="yorkshire-humber")
    mps = Agency.objects.get(code="mps")
    now = timezone.now()
    started = time.perf_counter()
    Nominal.objects.bulk_create(
        [
            Nominal(
                given_names="Bench", family_name=f"Person{i}", date_of_birth="1980-01-01", sex="M",
                data_subject_category="convicted", classification="OFFICIAL-SENSITIVE",
                owner_hub=london if i % 2 == 0 else york, membership_changed_at=now,
            )
            for i in range(args.people)
        ],
        batch_size=5000,
    )  # fmt: skip
    ids = list(Nominal.objects.values_list("pk", "owner_hub_id"))
    rows = []
    for _ in range(args.links):
        (a, hub_a), (b, _hub_b) = rng.sample(ids, 2)
        rows.append(
            Association(
                a_nominal_id=a, b_nominal_id=b, association_type="criminal_associate", source_kind="officer",
                owner_hub_id=hub_a, originating_agency=mps, recorded_at=now,
            )
        )  # fmt: skip
        if len(rows) == 20_000:
            Association.objects.bulk_create(rows)
            rows = []
    Association.objects.bulk_create(rows)
    if args.database == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"generated {args.people:,} people, {args.links:,} associations in {time.perf_counter() - started:.1f} s"
    )


def _check_reused(args: argparse.Namespace) -> None:
    """A reused database must hold what this run would have generated (a --keep run of the same sizes)."""
    from marsoc.network.models import Association
    from marsoc.nominals.models import Nominal

    people, links = Nominal.objects.count(), Association.objects.count()
    if (people, links) != (args.people, args.links):
        raise SystemExit(
            f"--reuse: the database holds {people:,} people and {links:,} links, not the sizes asked"
        )
    print(f"reused {people:,} people, {links:,} associations (generated by an earlier --keep run)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--db-name", default="h_network_bench")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--sources", type=int, default=500, help="sampled sources for betweenness (ours)")
    parser.add_argument("--networkx-sources", type=int, default=500, help="sources networkx is run on")
    parser.add_argument("--no-networkx", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (for profiling)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database a --keep run left (same sizes and seed), no generation",
    )
    parser.add_argument(
        "--generate-only", action="store_true", help="generate and keep the database, time nothing"
    )
    args = parser.parse_args()
    args.keep = args.keep or args.generate_only
    drop = (
        reuse_database(args.database, args.db_name)
        if args.reuse
        else prepare_database(args.database, args.db_name)
    )
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        from marsoc.accounts.models import Agency, Hub, User
        from marsoc.accounts.services import user_create
        from marsoc.core.vocabulary import Role
        from marsoc.network import selectors

        rng = random.Random(args.seed)
        if args.reuse:
            _check_reused(args)
        else:
            _generate(args, rng)
        if args.generate_only:
            return
        london, mps = Hub.objects.get(code="london"), Agency.objects.get(code="mps")
        national = User.objects.filter(username="bench.national").first() or user_create(
            actor=None, username="bench.national", password="x" * 20, agency=Agency.objects.get(code="hmpps-marsoc"),
            hub=Hub.objects.get(code="national"), roles=[Role.NATIONAL_ANALYST], clearance="SECRET",
            first_name="Bench", last_name="National",
        )  # fmt: skip
        officer = User.objects.filter(username="bench.london").first() or user_create(
            actor=None, username="bench.london", password="x" * 20, agency=mps, hub=london,
            roles=[Role.HUB_OFFICER], clearance="SECRET", first_name="Bench", last_name="London",
        )  # fmt: skip
        print(
            f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {cpu_model()}; {os.cpu_count()} CPUs; load {load_average()};"
            f" {db_description()}; betweenness from {args.sources} sampled sources"
        )
        for label, actor in (("national analyst", national), ("London officer", officer)):
            graph, build = _timed(lambda actor=actor: selectors.network_graph(actor=actor))
            metrics, compute = _timed(lambda graph=graph: graph.metrics(betweenness_sources=args.sources))
            compute_cpu, helpers_cpu = CPU["last"], CPU["children"]
            how = (
                f"estimated from {metrics.betweenness_sources} sources"
                if metrics.betweenness_sources
                else "exact"
            )
            print(
                f"{label}: visible graph {len(graph.nodes):,} nodes, {len(graph.links):,} links; "
                f"built from the database in {build:.2f} s; load {load_average()}"
            )
            print(
                f"  ours: metrics (degree, betweenness {how}, PageRank, parts: {metrics.components}) "
                f"in {compute:.2f} s (CPU {compute_cpu:.2f} s, of which {helpers_cpu:.2f} s in helper processes)"
            )
            nx_graph = None
            if not args.no_networkx:
                nx_graph, nx_cpu = _networkx(graph, args)
                print(f"  ours vs networkx on the metrics (CPU time): {nx_cpu / compute_cpu:.1f}x faster")
            people = list(graph.nodes)
            ego, route, routes3, nx_ego, nx_path = [], [], [], [], []
            for _ in range(args.samples):
                centre, target = rng.choice(people), rng.choice(people)
                t = time.perf_counter()
                selectors.ego_network(actor=actor, centre=centre, hops=2)
                ego.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                selectors.routes_between(actor=actor, source=centre, target=target, k=1)
                route.append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                selectors.routes_between(actor=actor, source=centre, target=target, k=3)
                routes3.append((time.perf_counter() - t) * 1000)
                if nx_graph is not None:
                    import networkx as nx

                    t = time.perf_counter()
                    nx.ego_graph(nx_graph, centre, radius=2)
                    nx_ego.append((time.perf_counter() - t) * 1000)
                    t = time.perf_counter()
                    if nx.has_path(nx_graph, centre, target):
                        nx.shortest_path(nx_graph, centre, target)
                    nx_path.append((time.perf_counter() - t) * 1000)
            print(f"  ego network, 2 hops, through the service layer:    {_p(ego)}")
            print(f"  shortest path through the service (both ends out): {_p(route)}")
            print(f"  3 shortest paths through the service (the API's):  {_p(routes3)}")
            if nx_graph is not None:
                print(f"  networkx ego_graph, 2 hops, on its built graph:     {_p(nx_ego)}")
                print(f"  networkx shortest_path on its built graph:         {_p(nx_path)}")
            del nx_graph, graph
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory {peak:.0f} MB (the process, networkx included); load {load_average()}")
    finally:
        if not args.keep:
            drop()


if __name__ == "__main__":
    main()
