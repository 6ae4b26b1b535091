"""Benchmark: a method dry run re-scoring every current assessment at 100,000 nominals.

Builds a throwaway database, generates 100,000 nominals (seed 1), gives every one a current assessment
with a level for each of the default method's 20 factors (about 2 million factor scores), loads a
candidate method (the demo's draft version 2: a changed formula and tier 1 threshold), then times the
dry run through the service (`dry_run_request`, which the test settings' immediate task backend runs at
once). Prints seconds, assessments per second and the tier transitions; asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/rescore.py --database sqlite
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/rescore.py --database postgres

Target (docs/performance.md): 100,000 nominals re-scored with a new method in under 30 s.
"""

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime

from _common import (
    cpu_model,
    db_description,
    load_average,
    prepare_database,
    refresh_statistics,
    seed_assessments,
)

TARGET_SECONDS = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--nominals", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_rescore")
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


def run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    from marsoc.accounts.models import User
    from marsoc.assessment.models import FactorScore, PriorityStatus
    from marsoc.assessment.services import dry_run_request, method_load
    from marsoc.demo.assessments import draft_method_text
    from marsoc.demo.generate import generate

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    generate(nominals=args.nominals, seed=args.seed, assessments=0)
    seeded = seed_assessments(args.seed)
    refresh_statistics()
    setup_s = time.perf_counter() - started
    analyst = User.objects.get(username="national.analyst")
    candidate = method_load(actor=analyst, text=draft_method_text())

    print("Method dry-run benchmark (marsoc.assessment.services.dry_run_request / dry_run_execute)")
    print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S %Z}")
    print(f"  database   {db_description()}")
    print(f"  python     {platform.python_version()}   django {django.get_version()}")
    print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average before {load_average()}")
    print(
        f"  setup      {setup_s:.1f} s: {args.nominals:,} nominals, {seeded:,} assessments seeded (not timed)"
    )
    print(
        f"  data       {PriorityStatus.objects.count():,} current assessments, "
        f"{FactorScore.objects.count():,} factor scores; candidate {candidate}"
    )
    sys.stdout.flush()

    wall_started, cpu_started = time.perf_counter(), time.process_time()
    run_ = dry_run_request(actor=analyst, candidate=candidate)
    wall = time.perf_counter() - wall_started
    cpu = time.process_time() - cpu_started
    run_.refresh_from_db()

    print(f"  load average after {load_average()}")
    print()
    print(
        f"status {run_.status}; re-scored {run_.rescored:,}; tier would change for {run_.changed:,}; "
        f"incomplete {run_.incomplete:,}; cohort members with no assessment {run_.not_assessed:,}"
    )
    print(f"mean absolute score change {run_.mean_abs_change}")
    print("transitions (current computed tier -> candidate tier: people)")
    for old in sorted(run_.transitions):
        row = run_.transitions[old]
        print("  " + old + ": " + ", ".join(f"{new}: {n:,}" for new, n in sorted(row.items())))
    print()
    print(
        f"dry run took {wall:.1f} s wall clock ({run_.rescored / wall:,.0f} assessments/s); "
        f"CPU of this process {cpu:.1f} s"
    )
    if args.nominals == 100_000:
        print(
            f"Target: 100,000 re-scored in under {TARGET_SECONDS:.0f} s: "
            f"{'met' if wall < TARGET_SECONDS and run_.rescored == 100_000 else 'NOT met'}"
        )
    else:
        print(f"Target is stated for 100,000 nominals; this run used {args.nominals:,} (not judged).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
