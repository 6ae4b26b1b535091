"""Benchmark: Delivery Board reporting (issue 17). Snapshots, the dashboard, the quarterly pack, exports.

Builds a throwaway database (SQLite file under var/bench/, or a PostgreSQL database such as
`marsoc_bench_reporting`), migrates it, generates the demo (users, N nominals with two years of
membership history, plans, outcomes, intelligence; the demo builds 24 monthly snapshots), then times:

- a full build of the 24 monthly snapshots, and the incremental refresh the worker runs (only the running
  month is rebuilt);
- GET /reporting/ as the Board member: the first request after a refresh (builds and keeps the dashboard:
  suppression and a dozen charts), then the median of requests served from the kept dashboard;
- the quarterly Board pack (PDF) and the XLSX and CSV exports, through the pages.

It prints figures; it asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/reporting.py
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/reporting.py \\
        --database postgres --nominals 100000
"""

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from _common import cpu_model, db_description, load_average, prepare_database, reuse_database


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--nominals", type=int, default=10_000, help="nominals to generate (default 10,000)")
    parser.add_argument("--requests", type=int, default=20, help="timed page views (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_reporting", help="throwaway database / file name")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="migrate and generate the demo, time nothing (use with --keep, then time it with --reuse)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time a database an earlier --keep run left (migrated again, not generated again); implies --keep",
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.test")
    if args.reuse:
        args.keep = True
        cleanup = reuse_database(args.database, args.db_name)
    else:
        cleanup = prepare_database(args.database, args.db_name)
    try:
        return run(args)
    finally:
        if args.keep:
            print(f"\nKept the throwaway database ({os.environ['DATABASE_URL']}).")
        else:
            cleanup()


def _once(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    out = fn()
    return (time.perf_counter() - started) * 1000, out


def _row(name: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[max(0, round(0.95 * len(times)) - 1)]
    print(f"  {name:58} {statistics.median(times):10.1f} {p95:9.1f} {times[-1]:9.1f}  (n={len(times)})")


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from marsoc.accounts.models import User
    from marsoc.demo.generate import generate
    from marsoc.nominals.models import MembershipChange, Nominal
    from marsoc.reporting.models import Figure, Snapshot
    from marsoc.reporting.services import snapshots_refresh

    call_command("migrate", verbosity=0)
    if args.reuse:
        generation = f"demo reused from an earlier --keep run ({args.db_name})"
    else:
        started = time.perf_counter()
        generate(nominals=args.nominals, seed=args.seed)
        generation = f"demo generated in {time.perf_counter() - started:.0f} s"
        if args.generate_only:
            print(f"Generated {Nominal.objects.count():,} nominals; {generation}. Nothing timed.")
            return 0
    board = User.objects.get(username="board.member")
    client = Client()
    client.force_login(board, backend="marsoc.accounts.backends.UserBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = board.totpdevice_set.get().persistent_id
    session.save()

    print("Delivery Board reporting benchmark")
    print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S %Z}")
    print(f"  database   {db_description()}")
    print(f"  python     {platform.python_version()}   django {django.get_version()}")
    print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average before timing {load_average()}")
    print(
        f"  data       {Nominal.objects.count():,} nominals, {MembershipChange.objects.count():,} membership "
        f"changes; {generation}"
    )

    print(f"\n  {'step':58} {'median ms':>10} {'p95 ms':>9} {'max ms':>9}")
    full, _ = _once(lambda: snapshots_refresh(months=24, rebuild=True))
    _row("snapshots: full build of 24 months", [full])
    print(f"  ({Snapshot.objects.count()} snapshots, {Figure.objects.count():,} stored figures)")
    _row(
        "snapshots: incremental refresh (running month only)",
        [_once(lambda: snapshots_refresh(months=24))[0]],
    )

    def page(path: str) -> Callable[[], object]:
        def get() -> object:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    first, response = _once(page("/reporting/"))
    _row("GET /reporting/ first after the refresh (builds, keeps)", [first])
    charts = response.content.count(b'class="app-chart"')  # type: ignore[attr-defined]
    _row("GET /reporting/ kept dashboard", [_once(page("/reporting/"))[0] for _ in range(args.requests)])
    quarter = "/reporting/?period=quarter"
    _row("GET /reporting/?period=quarter first (builds, keeps)", [_once(page(quarter))[0]])
    _row("GET /reporting/?period=quarter kept", [_once(page(quarter))[0] for _ in range(args.requests)])
    for name, path in EXTRA:
        _row(name, [_once(page(path))[0] for _ in range(3)])
    snapshots_refresh(months=24)  # the running month rebuilt: every kept dashboard is stale
    _row("GET /reporting/pack.pdf cold (builds the quarter too)", [_once(page("/reporting/pack.pdf"))[0]])
    print(f"\n  charts on the dashboard: {charts}")
    return 0


# Documents timed three times each, from the kept dashboard of their period.
EXTRA: list[tuple[str, str]] = [
    ("GET /reporting/pack.pdf (quarterly pack, kept quarter)", "/reporting/pack.pdf"),
    ("GET /reporting/export.xlsx (kept month)", "/reporting/export.xlsx"),
    ("GET /reporting/export.csv (kept month)", "/reporting/export.csv"),
]


if __name__ == "__main__":
    raise SystemExit(main())
