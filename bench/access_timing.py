"""Benchmark: a hidden record and a missing one answer in the same time (issue 12).

Builds a throwaway database (PostgreSQL by default, `marsoc_bench_access`; or SQLite under var/bench/),
generates the demonstration data (users, N nominals, assessments, plans, intelligence), then for each kind
of record asks for ids the user may not see ("hidden") and ids that do not exist ("missing"), interleaved
in a random order, through the whole page (the test client: middleware, session, the 404 page) and through
the selector alone. It prints both latency distributions and the difference of their medians; it asserts
nothing. tests/test_equal_work.py checks that the same SQL runs for both.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/access_timing.py
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/access_timing.py --database sqlite
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

from _common import cpu_model, db_description, load_average, prepare_database


def _dist(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[int(0.9 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered):6.2f} ms  p90 {p90:6.2f} ms  max {ordered[-1]:6.2f} ms"


def _refused(selector: Callable[..., object], user: object, arg: str, pk: int) -> None:
    from marsoc.core.errors import NotFoundOrForbidden

    try:
        selector(actor=user, **{arg: pk})
    except NotFoundOrForbidden:
        return
    raise SystemExit(f"{pk} was visible to {user}")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--nominals", type=int, default=2000)
    parser.add_argument("--pairs", type=int, default=60, help="hidden and missing ids asked for, each")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_access")
    args = parser.parse_args()
    cleanup = prepare_database(args.database, args.db_name)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    # Each 404 asked for would log a warning: the figures are what this prints.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db.models import Max
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    try:
        call_command("migrate", verbosity=0)
        from marsoc.accounts.models import User
        from marsoc.core import access
        from marsoc.demo.generate import generate
        from marsoc.intelligence.models import IntelItem, SummaryDisclosure
        from marsoc.intelligence.selectors import access_item_by_id, access_summary_by_id
        from marsoc.nominals.models import Nominal
        from marsoc.nominals.selectors import access_nominal_by_id

        started = time.perf_counter()
        generate(nominals=args.nominals, seed=args.seed)
        gen_s = time.perf_counter() - started
        rng = random.Random(args.seed)
        print("Hidden versus missing ids: the same answer in the same time")
        print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        print(f"  database   {db_description()}")
        print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average {load_average()}")
        print(f"  data       demo data with {args.nominals:,} nominals ({gen_s:.1f} s); "
              f"{IntelItem.objects.count():,} items, {SummaryDisclosure.objects.count():,} summaries")  # fmt: skip
        print(f"  runs       {args.pairs} hidden and {args.pairs} missing ids per row, interleaved at random, "
              f"after 10 warm-ups")  # fmt: skip
        kinds = [
            ("nominal", Nominal, "nominal", "/cohort/{}/", access_nominal_by_id, "nominal_id"),
            ("intelligence item", IntelItem, "intel_item", "/intelligence/{}/", access_item_by_id, "item_id"),
            ("summary", SummaryDisclosure, "summary", "/intelligence/summaries/{}/", access_summary_by_id, "summary_id"),
        ]  # fmt: skip
        for username in ("partner.nca", "london.officer"):
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user, backend="marsoc.accounts.backends.UserBackend")
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
            session.save()
            for label, model, resource, page, selector, arg in kinds:
                options = {"include_restricted": True} if resource == "intel_item" else {}
                seen = model.objects.filter(access.scope(user, resource, **options)).values("pk")
                hidden = list(model.objects.exclude(pk__in=seen).values_list("pk", flat=True))
                if not hidden:
                    print(f"  {username:15} {label:18} nothing hidden from this user: skipped")
                    continue
                top = model.objects.aggregate(top=Max("pk"))["top"] or 0
                asks = [("hidden", rng.choice(hidden)) for _ in range(args.pairs)]
                asks += [("missing", top + 1000 + i) for i in range(args.pairs)]
                rng.shuffle(asks)
                for _kind, pk in asks[:10]:  # warm-up
                    client.get(page.format(pk))
                pages: dict[str, list[float]] = {"hidden": [], "missing": []}
                selectors: dict[str, list[float]] = {"hidden": [], "missing": []}
                bodies: dict[str, set[bytes]] = {"hidden": set(), "missing": set()}

                for kind, pk in asks:
                    started = time.perf_counter()
                    response = client.get(page.format(pk))
                    pages[kind].append((time.perf_counter() - started) * 1000)
                    bodies[kind].add(response.content.replace(str(pk).encode(), b"ID"))
                    assert response.status_code == 404, (label, pk, response.status_code)
                    started = time.perf_counter()
                    _refused(selector, user, arg, pk)
                    selectors[kind].append((time.perf_counter() - started) * 1000)
                same_body = "same 404 body" if bodies["hidden"] == bodies["missing"] else "BODIES DIFFER"
                for where, samples in (("page", pages), ("selector", selectors)):
                    diff = statistics.median(samples["hidden"]) - statistics.median(samples["missing"])
                    print(f"  {username:15} {label:18} {where:8} hidden  {_dist(samples['hidden'])}")
                    print(f"  {'':15} {'':18} {'':8} missing {_dist(samples['missing'])}   "
                          f"difference of medians {diff:+6.2f} ms" + (f"  ({same_body})" if where == "page" else ""))  # fmt: skip
    finally:
        cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
