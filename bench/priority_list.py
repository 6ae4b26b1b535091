"""Benchmark: the priority list page (GET /priority/) for a hub of 10,000 assessed people, audit on.

Builds a throwaway database, generates 10,000 nominals, puts every one in the London hub and gives each
a current assessment (20 factor scores), then times the priority list through Django's test client for
the London hub manager (the hub's slice, with national ranks) and the national analyst, over several
filters. Prints figures; asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/priority_list.py --database sqlite
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/priority_list.py --database postgres

Target (docs/performance.md): median under 150 ms per page for a 10,000-person hub.
"""

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from _common import (
    cpu_model,
    db_description,
    load_average,
    prepare_database,
    refresh_statistics,
    seed_assessments,
)
from cohort_list import measure, signed_in_client

TARGET_MEDIAN_MS = 150.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--nominals", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--warmups", type=int, default=3)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--db-name", default="marsoc_bench_priority")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--show-sql", action="store_true", help="print each scenario's queries, slowest first"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.test")
    cleanup = prepare_database(args.database, args.db_name)
    try:
        return run(args)
    finally:
        if args.keep:
            print(f"\nKept the throwaway database ({os.environ['DATABASE_URL']}).")
        else:
            cleanup()


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from marsoc.accounts.models import Establishment, Hub
    from marsoc.assessment.models import PriorityStatus
    from marsoc.core.models import AuditEvent
    from marsoc.demo.generate import generate
    from marsoc.nominals.models import Nominal

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generate(nominals=args.nominals, seed=args.seed, assessments=0)
    london = Hub.objects.get(code="london")
    Nominal.objects.update(owner_hub=london)  # one hub holding the whole cohort: the stated case
    seeded = seed_assessments(args.seed)
    refresh_statistics()
    setup_s = time.perf_counter() - started
    busiest = (
        Nominal.objects.exclude(current_establishment=None)
        .values_list("current_establishment", flat=True)
        .order_by("current_establishment")
        .first()
    )
    establishment = Establishment.objects.get(pk=busiest) if busiest else None

    print("Priority list benchmark (GET /priority/, 50 per page, audit on)")
    print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S %Z}")
    print(f"  database   {db_description()}")
    print(f"  python     {platform.python_version()}   django {django.get_version()}")
    print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average before timing {load_average()}")
    print(
        f"  setup      {setup_s:.1f} s: {args.nominals:,} nominals all in {london.name}, "
        f"{seeded:,} assessed; {PriorityStatus.objects.count():,} on the list"
    )
    print(
        f"  requests   {args.warmups} warm-up + {args.requests} timed per scenario (+1 untimed to count queries)"
    )
    print()
    scenarios: list[tuple[str, dict[str, Any]]] = [
        ("page 1", {}),
        ("tier=1", {"tier": "1"}),
        ("phase=sentenced", {"phase": "sentenced"}),
        ("release within 180 days", {"release_within": "180"}),
        ("deep page 40", {"page": 40}),
    ]
    if establishment is not None:
        scenarios.append((f"establishment={establishment.code}", {"establishment": establishment.pk}))
    users = ["london.manager", "national.analyst"]
    audit_before = AuditEvent.objects.filter(action="priority.list").count()
    rows = []
    for username in users:
        client = signed_in_client(username)
        for label, params in scenarios:
            url = "/priority/" + ("?" + urlencode(params) if params else "")
            rows.append((username, label, url, measure(client, url, args.warmups, args.requests)))
    audit_after = AuditEvent.objects.filter(action="priority.list").count()
    header = (
        f"{'user':<17} {'scenario':<26} {'people':>7} {'median':>8} {'p95':>8} {'mean':>8} "
        f"{'min':>7} {'max':>7} {'cpu med':>7} {'queries':>7} {'sql ms':>7} {'status':>6}"
    )
    print(header)
    print("-" * len(header))
    for username, label, _url, s in rows:
        status = ",".join(str(c) for c in s["statuses"])
        print(
            f"{username:<17} {label:<26} {s['matches']:>7} {s['median']:>8.1f} {s['p95']:>8.1f} {s['mean']:>8.1f} "
            f"{s['min']:>7.1f} {s['max']:>7.1f} {s['cpu_median']:>7.1f} {len(s['queries']):>7} "
            f"{s['query_ms']:>7.1f} {status:>6}"
        )
    print("(ms, wall clock per request through the test client; 'cpu med' is this process's CPU time;")
    print(" 'queries'/'sql ms' from one extra untimed request)")
    print(f"Load average after timing: {load_average()}")
    worst = max(rows, key=lambda r: r[3]["median"])
    verdict = "met" if worst[3]["median"] < TARGET_MEDIAN_MS else "NOT met"
    print(
        f"\nWorst median: {worst[3]['median']:.1f} ms ({worst[0]}, {worst[1]}); "
        f"target median < {TARGET_MEDIAN_MS:.0f} ms: {verdict}"
    )
    expected = len(rows) * (args.warmups + args.requests + 1)
    print(
        f"Audit: {audit_after - audit_before:,} priority.list consultation rows written (expected {expected:,})."
    )
    if args.show_sql:
        for username, label, url, s in rows:
            print(f"\n[{username} / {label}] {url}: {len(s['queries'])} queries, {s['query_ms']:.1f} ms")
            for execute_ms, fetch_ms, text in sorted(s["queries"], key=lambda q: q[0] + q[1], reverse=True):
                print(f"  {execute_ms + fetch_ms:7.2f} ms (fetch {fetch_ms:.2f})  {text[:300]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
