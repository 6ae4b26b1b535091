"""Benchmark: generating demo data (marsoc.demo.generate.generate) at 100,000 nominals.

Builds a throwaway database (SQLite file under var/bench/, or a PostgreSQL database such as
`marsoc_bench_generate`), migrates it, creates the demo users, then times `generate()` and prints the
seconds, the rows written per table and the rows per second. It prints figures; it asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/generate.py
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/generate.py --database postgres

Target (docs/performance.md): 100,000 nominals generated in under 60 s.
"""

import argparse
import cProfile
import os
import platform
import pstats
import sys
import time
from datetime import UTC, datetime

from _common import cpu_model, db_description, load_average, prepare_database

TARGET_SECONDS = 60.0


# --- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--nominals", type=int, default=100_000, help="nominals to generate (default 100,000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_generate", help="throwaway database / file name")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database afterwards")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="run generate() under cProfile and print the N costliest functions (slows it down)",
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

    from marsoc.demo.generate import ensure_users, generate
    from marsoc.nominals.models import Nominal

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started
    started = time.perf_counter()
    ensure_users(args.seed)
    users_s = time.perf_counter() - started

    print("Demo data generation benchmark (marsoc.demo.generate.generate)")
    print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S %Z}")
    print(f"  database   {db_description()}")
    print(f"  settings   {os.environ['DJANGO_SETTINGS_MODULE']}")
    print(f"  python     {platform.python_version()}   django {django.get_version()}")
    print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average before {load_average()}")
    print(f"  setup      migrate {migrate_s:.1f} s, demo users {users_s:.2f} s (not counted below)")
    print(f"  nominals   {args.nominals:,}, seed {args.seed}{', under cProfile' if args.profile else ''}")
    sys.stdout.flush()

    profiler = cProfile.Profile() if args.profile else None
    wall_started, cpu_started = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    result = generate(nominals=args.nominals, seed=args.seed, with_users=False)
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started

    rows = {"nominals": result.nominals, **result.rows}
    total = sum(rows.values())
    print(f"  load average after {load_average()}")
    print()
    print(f"{'table':<20} {'rows':>12} {'rows/s':>12}")
    print("-" * 46)
    for table, count in rows.items():
        print(f"{table:<20} {count:>12,} {count / result.seconds:>12,.0f}")
    print("-" * 46)
    print(f"{'all tables':<20} {total:>12,} {total / result.seconds:>12,.0f}")
    print()
    print(
        f"generate() reported {result.seconds:.1f} s (wall clock around the call {wall:.1f} s); "
        f"{args.nominals / result.seconds:,.0f} nominals/s"
    )
    print(
        f"CPU time of this Python process during the call: {cpu:.1f} s ({100 * cpu / wall:.0f}% of wall clock; "
        "the rest is waiting for the database or for a CPU other work on the machine holds)"
    )
    print(f"Nominals in the database afterwards: {Nominal.objects.count():,}")
    if args.nominals == 100_000:
        verdict = "met" if result.seconds < TARGET_SECONDS and not profiler else "NOT met"
        if profiler:
            verdict = "not judged (profiled run)"
        print(f"Target: 100,000 nominals in under {TARGET_SECONDS:.0f} s: {verdict}")
    else:
        print(f"Target is stated for 100,000 nominals; this run used {args.nominals:,} (not judged).")
    if profiler:
        print()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(args.profile)
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(args.profile)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
