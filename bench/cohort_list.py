"""Benchmark: the cohort list page (GET /cohort/) at 10,000 nominals, with the audit log on.

Builds a throwaway database (SQLite file under var/bench/, or a PostgreSQL database such as
`marsoc_bench_cohort`), migrates it, generates demo users and N nominals, signs two users in through
the real password + TOTP pages, then times the cohort list through Django's test client for several
scenarios. It prints figures; it asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/cohort_list.py
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/cohort_list.py --database postgres

Target (docs/performance.md): median under 100 ms per page at 10,000 nominals, audit on.
"""

import argparse
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from _common import cpu_model, db_description, load_average, prepare_database

TARGET_MEDIAN_MS = 100.0


# --- signing in -------------------------------------------------------------------------------


def signed_in_client(username: str) -> Any:
    """A test client signed in through the real sign-in pages: password, then the current TOTP."""
    from django.test import Client
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from marsoc.demo.generate import DEMO_PASSWORD

    client = Client()
    response = client.post("/sign-in/", {"username": username, "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"sign-in for {username} failed at the password step ({response.status_code})")
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"
    response = client.post("/sign-in/code/", {"code": code})
    if response.status_code != 302:
        raise SystemExit(f"sign-in for {username} failed at the code step ({response.status_code})")
    return client


# --- timing -----------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


RESULT_COUNT = re.compile(rb'id="result-count">\s*([\d,]+)')


class QueryTimer:
    """Times every query of the requests made inside it: the execute call (an execute wrapper) plus the
    fetching of its rows (SQLite does much of a scan while rows are fetched), perf_counter resolution."""

    def __init__(self) -> None:
        self.queries: list[list[Any]] = []  # [execute ms, fetch ms, sql]
        self._by_cursor: dict[int, int] = {}

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self._by_cursor[id(context["cursor"])] = len(self.queries)
            self.queries.append([(time.perf_counter() - started) * 1000, 0.0, sql])

    def fetched(self, cursor: Any, ms: float) -> None:
        index = self._by_cursor.get(id(cursor))
        if index is not None:
            self.queries[index][1] += ms

    @contextmanager
    def active(self) -> Iterator[None]:
        """Install the execute wrapper, and time fetchone/fetchmany/fetchall on Django's cursor wrapper."""
        from django.db import connection
        from django.db.backends.utils import CursorWrapper

        def timed(name: str) -> Callable[..., Any]:
            def fetch(cursor: Any, *args: Any) -> Any:
                started = time.perf_counter()
                try:
                    return getattr(cursor.cursor, name)(*args)
                finally:
                    self.fetched(cursor, (time.perf_counter() - started) * 1000)

            return fetch

        names = ("fetchone", "fetchmany", "fetchall")
        saved = {name: CursorWrapper.__dict__.get(name) for name in names}
        for name in names:
            setattr(CursorWrapper, name, timed(name))
        try:
            with connection.execute_wrapper(self):
                yield
        finally:
            for name, original in saved.items():
                if original is None:
                    delattr(CursorWrapper, name)
                else:
                    setattr(CursorWrapper, name, original)

    def total_ms(self) -> float:
        return sum(q[0] + q[1] for q in self.queries)


def measure(client: Any, url: str, warmups: int, requests: int) -> dict[str, Any]:
    statuses: set[int] = set()
    for _ in range(warmups):
        statuses.add(client.get(url).status_code)
    times, cpu_times = [], []
    for _ in range(requests):
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        cpu_times.append((time.process_time() - cpu_started) * 1000)
        statuses.add(response.status_code)
    # One more request, untimed, to count the queries it makes and how long they took.
    timer = QueryTimer()
    with timer.active():
        response = client.get(url)
    statuses.add(response.status_code)
    match = RESULT_COUNT.search(response.content)
    return {
        "median": statistics.median(times),
        "p95": percentile(times, 95),
        "mean": statistics.fmean(times),
        "cpu_median": statistics.median(cpu_times),
        "min": min(times),
        "max": max(times),
        "statuses": sorted(statuses),
        "matches": match.group(1).decode() if match else "?",
        "bytes": len(response.content),
        "queries": timer.queries,
        "query_ms": timer.total_ms(),
    }


def profile_request(client: Any, url: str, top: int) -> None:
    """cProfile one request (after the timed ones) and print the functions with most cumulative time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(top)


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--nominals", type=int, default=10_000, help="nominals to generate (default 10,000)")
    parser.add_argument("--requests", type=int, default=30, help="timed requests per scenario (default 30)")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_cohort", help="throwaway database / file name")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument(
        "--show-sql", action="store_true", help="print each scenario's queries, slowest first"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile one request per scenario")
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

    from marsoc.accounts.models import Hub
    from marsoc.core.models import AuditEvent
    from marsoc.demo.generate import ensure_users, generate
    from marsoc.nominals.models import (
        Alias,
        CustodyEvent,
        Identifier,
        MembershipChange,
        Nominal,
        Participation,
    )

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    ensure_users(args.seed)
    users_s = time.perf_counter() - started
    result = generate(nominals=args.nominals, seed=args.seed, with_users=False)

    print("Cohort list benchmark (GET /cohort/, 50 per page, audit on)")
    print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S %Z}")
    print(f"  database   {db_description()}")
    print(f"  settings   {os.environ['DJANGO_SETTINGS_MODULE']}")
    print(f"  python     {platform.python_version()}   django {django.get_version()}")
    print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average before timing {load_average()}")
    print(
        f"  setup      migrate {migrate_s:.1f} s, users {users_s:.1f} s, "
        f"generate {args.nominals:,} nominals {result.seconds:.1f} s"
    )
    counts = {
        "nominals": Nominal.objects.count(),
        "identifiers": Identifier.objects.count(),
        "aliases": Alias.objects.count(),
        "custody_events": CustodyEvent.objects.count(),
        "membership_changes": MembershipChange.objects.count(),
        "participations": Participation.objects.count(),
    }
    print("  rows       " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    print(
        f"  requests   {args.warmups} warm-up + {args.requests} timed per scenario (+1 untimed to count queries)"
    )
    print()

    london = Hub.objects.get(code="london")
    scenarios: list[tuple[str, dict[str, Any]]] = [
        ("unfiltered, page 1, sort=name", {"sort": "name"}),
        ("phase=sentenced, sort=release", {"phase": "sentenced", "sort": "release"}),
        ("state=adopted, hub=london", {"state": "adopted", "hub": london.pk}),
        ("search q=Smith", {"q": "Smith"}),
        ("deep page 20, sort=name", {"sort": "name", "page": 20}),
    ]
    users = ["london.officer", "national.analyst"]

    audit_before = AuditEvent.objects.filter(action="nominal.list.page").count()
    rows = []
    clients = {username: signed_in_client(username) for username in users}
    for username, client in clients.items():
        for label, params in scenarios:
            url = "/cohort/?" + urlencode(params)
            stats = measure(client, url, args.warmups, args.requests)
            rows.append((username, label, url, stats))
    audit_after = AuditEvent.objects.filter(action="nominal.list.page").count()
    load_after = load_average()

    header = (
        f"{'user':<17} {'scenario':<31} {'matches':>7} {'median':>8} {'p95':>8} {'mean':>8} "
        f"{'min':>7} {'max':>7} {'cpu med':>7} {'queries':>7} {'sql ms':>7} {'status':>6}"
    )
    print(header)
    print("-" * len(header))
    for username, label, _url, s in rows:
        status = ",".join(str(c) for c in s["statuses"])
        print(
            f"{username:<17} {label:<31} {s['matches']:>7} {s['median']:>8.1f} {s['p95']:>8.1f} {s['mean']:>8.1f} "
            f"{s['min']:>7.1f} {s['max']:>7.1f} {s['cpu_median']:>7.1f} {len(s['queries']):>7} "
            f"{s['query_ms']:>7.1f} {status:>6}"
        )
    print("(ms. median/p95/mean/min/max: wall clock per request through the test client. 'cpu med': median")
    print(" CPU time of this Python process per request - the database server's own work is not in it on")
    print(" PostgreSQL. 'queries'/'sql ms': count and summed wall time (execute + fetch) of the queries of")
    print(" one extra untimed request.)")
    print(
        f"Load average after timing: {load_after} (1, 5, 15 min; other work on the machine skews wall times)"
    )
    print()
    medians = [s["median"] for *_, s in rows]
    worst = max(rows, key=lambda r: r[3]["median"])
    print(
        f"Worst median: {worst[3]['median']:.1f} ms ({worst[0]}, {worst[1]}); "
        f"target median < {TARGET_MEDIAN_MS:.0f} ms: {'met' if max(medians) < TARGET_MEDIAN_MS else 'NOT met'}"
    )
    expected = len(rows) * (args.warmups + args.requests + 1)
    print(
        f"Audit: {audit_after - audit_before:,} consultation rows (nominal.list.page) written by these requests "
        f"(expected {expected:,}); {AuditEvent.objects.count():,} audit rows in total."
    )
    try:  # the per-record subject rows, where this version of the audit log has them
        from django.apps import apps

        subjects = (
            apps.get_model("core", "AuditSubject").objects.filter(event__action="nominal.list.page").count()
        )
        print(f"Audit subjects: {subjects:,} (nominal, list consultation) rows recorded for the pages shown.")
    except LookupError:
        pass
    if args.show_sql:
        for username, label, url, s in rows:
            print(f"\n[{username} / {label}] {url}: {len(s['queries'])} queries, {s['query_ms']:.1f} ms")
            for execute_ms, fetch_ms, text in sorted(s["queries"], key=lambda q: q[0] + q[1], reverse=True):
                print(f"  {execute_ms + fetch_ms:7.2f} ms (fetch {fetch_ms:.2f})  {text[:400]}")
    if args.profile:
        for username, client in clients.items():
            for label, params in scenarios:
                print(f"\n===== profile: {username} / {label}")
                profile_request(client, "/cohort/?" + urlencode(params), 30)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
