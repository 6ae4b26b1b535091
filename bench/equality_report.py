"""Benchmark: the equality report (GET /equality/ as a Board member, and the selector alone).

Builds a throwaway database (SQLite file under var/bench/, or a PostgreSQL database such as
`marsoc_bench_equality`), migrates it, generates the demo users and N nominals (no assessments: the report
counts nominals, and the tier filter is not timed), then times the report. It prints figures; it asserts
nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/equality_report.py
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/equality_report.py --database postgres

The report is four GROUP BY queries over the cohort plus the suppression of 11 × ~10 cells per table, so
its cost should grow with the cohort only through the database scans.
"""

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

from _common import cpu_model, db_description, load_average, prepare_database


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--nominals", type=int, default=10_000, help="nominals to generate (default 10,000)")
    parser.add_argument("--requests", type=int, default=20, help="timed runs per scenario (default 20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_equality", help="throwaway database / file name")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
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


def _times(fn: Callable[[], object], n: int) -> list[float]:
    fn()  # warm-up: connection, template and query-plan caches
    out = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from marsoc.accounts.models import User
    from marsoc.assessment.selectors import EqualityOptions, equality_report
    from marsoc.demo.generate import ensure_users, generate
    from marsoc.nominals.models import Nominal

    call_command("migrate", verbosity=0)
    ensure_users(args.seed)
    generate(nominals=args.nominals, seed=args.seed, with_users=False, assessments=0)
    board = User.objects.get(username="board.member")
    client = Client()
    client.force_login(board, backend="marsoc.accounts.backends.UserBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = board.totpdevice_set.get().persistent_id
    session.save()

    print("Equality report benchmark")
    print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S %Z}")
    print(f"  database   {db_description()}")
    print(f"  python     {platform.python_version()}   django {django.get_version()}")
    print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average before timing {load_average()}")
    print(
        f"  nominals   {Nominal.objects.count():,} ({Nominal.objects.filter(membership_state='adopted').count():,} adopted)"
    )
    scenarios = {
        "selector, adopted cohort": lambda: equality_report(actor=board, options=EqualityOptions()),
        "selector, everyone not exited": lambda: equality_report(
            actor=board, options=EqualityOptions(cohort="active")
        ),
        "page GET /equality/ (Board, audit on)": lambda: client.get("/equality/"),
        "CSV export (every hub)": lambda: client.get("/equality/export.csv"),
    }
    print(f"  runs       {args.requests} per scenario after one warm-up\n")
    print(f"  {'scenario':42} {'median ms':>10} {'p95 ms':>9} {'max ms':>9}")
    for name, fn in scenarios.items():
        times = sorted(_times(fn, args.requests))
        p95 = times[max(0, round(0.95 * len(times)) - 1)]
        print(f"  {name:42} {statistics.median(times):10.1f} {p95:9.1f} {times[-1]:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
