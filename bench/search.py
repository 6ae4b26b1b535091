"""Benchmark: the first page of an intelligence name search, with the policy filter, at scale.

Builds a throwaway database (PostgreSQL by default, `marsoc_bench_search`; or SQLite under var/bench/),
generates demo users and N nominals (no demo intelligence), then writes M intelligence items straight
into the tables (COPY on PostgreSQL), each about one nominal, a third of them disclosed to a partner
agency under the demo agreements. It then times `search_page(actor, query)`, the first page of 50 rows
and the total that the search page and the API show, for several users and queries (a surname, its first
four letters, a misspelling, words of the text), and `deconfliction`, which the page runs beside it.
It prints figures; it asserts nothing.

    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/search.py
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.test .venv/bin/python bench/search.py --items 200000

With the settings production runs (docs/performance.md; any values of the required secrets will do):

    MARSOC_SECRET_KEY=... MARSOC_ALLOWED_HOSTS=localhost MARSOC_AUDIT_CHAIN_KEY=... \
    DJANGO_SETTINGS_MODULE=marsoc.config.settings.production .venv/bin/python bench/search.py

Target (issue 5): 100,000 nominals and 1,000,000 items, first page under 200 ms median on PostgreSQL.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from _common import cpu_model, db_description, load_average, prepare_database, settings_description

TARGET_MEDIAN_MS = 200.0
# Words for the synthetic item texts (seven at random each), so that text search has something to find.
TEXT_WORDS = [
    "cash", "courier", "vehicle", "port", "storage", "unit", "phone", "burner", "meeting", "associate",
    "debt", "firearm", "cannabis", "cocaine", "warehouse", "lorry", "ferry", "transfer", "account",
    "nightclub", "gym", "carwash", "visit", "prison", "letter", "drone", "contraband", "licence", "breach",
    "address", "garage", "rental", "tenancy", "invoice", "crypto", "wallet", "threat", "witness",
]  # fmt: skip


def write_items(count: int, seed: int) -> dict[str, int]:
    from django.db import connection, transaction
    from django.utils import timezone

    from marsoc.accounts.models import Agency
    from marsoc.demo.generate import _insert, _reserve_ids
    from marsoc.demo.intelligence import _agreements
    from marsoc.intelligence.models import Disclosure, IntelItem, ItemSubject
    from marsoc.nominals.models import Nominal

    rng = random.Random(seed)
    today = timezone.localdate()
    agreements = _agreements(today)
    parties = {a.pk: [p.pk for p in a.parties.all()] for a in agreements}
    by_hub: dict[int | None, list[int]] = {}
    for agency_id, hub_id in Agency.objects.values_list("id", "hub_id"):
        by_hub.setdefault(hub_id, []).append(agency_id)
    nominals = list(Nominal.objects.values_list("id", "owner_hub_id"))
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    written = {"items": 0, "subjects": 0, "disclosures": 0}
    batch = 50_000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        with transaction.atomic():
            ids = _reserve_ids(IntelItem, size)
            items, subjects, disclosures = [], [], []
            for pk in ids:
                nominal_id, hub_id = rng.choice(nominals)
                agency_id = rng.choice(by_hub.get(hub_id) or by_hub[None])
                code = "P" if rng.random() < 0.6 else "C"
                when = today - timedelta(days=rng.randint(1, 2000))
                items.append(
                    (pk, hub_id, agency_id, None,
                     " ".join(rng.sample(TEXT_WORDS, 7)).capitalize() + ".",
                     connection.ops.adapt_datefield_value(when), stamp, None,
                     rng.choices(["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"], weights=[20, 70, 10])[0],
                     rng.choice("123"), rng.choice("ABCDE"), code, '["A2", "S2"]' if code == "C" else "[]",
                     rng.choice(["prevention_detection", "offender_management"]),
                     rng.choice(["criminal_intelligence", "custody"]), "", "", "", None, "", False, "3",
                     None, None)
                )  # fmt: skip
                subjects.append((pk, nominal_id, "suspect"))
                if rng.random() < 0.33:
                    agreement = rng.choice(agreements)
                    if agency_id in parties[agreement.pk]:
                        others = [p for p in parties[agreement.pk] if p != agency_id]
                        disclosures.append((pk, rng.choice(others), agreement.pk, "bench", "[]", None, stamp))
            _insert(
                IntelItem,
                ["id", "owner_hub_id", "originating_agency_id", "originating_officer_id", "text",
                 "intelligence_date", "recorded_at", "recorded_by_id", "classification", "source_evaluation",
                 "intelligence_assessment", "handling_code", "conditions", "purpose", "data_category",
                 "legacy_source", "legacy_intelligence", "legacy_handling", "sanitised_from_id",
                 "sanitisation_status", "restricted", "record_group", "review_due", "erased_at"],
                items,
            )  # fmt: skip
            _insert(ItemSubject, ["item_id", "nominal_id", "data_subject_category"], subjects)
            _insert(
                Disclosure,
                ["item_id", "recipient_agency_id", "agreement_id", "purpose", "conditions", "disclosed_by_id",
                 "disclosed_at"],
                disclosures,
            )  # fmt: skip
        written["items"] += len(items)
        written["subjects"] += len(subjects)
        written["disclosures"] += len(disclosures)
    with connection.cursor() as cursor:
        # A bulk load leaves the visibility map empty, so no index-only scan is possible until autovacuum
        # has passed; a service that has been running has been vacuumed. Vacuum now, as it would be.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return written


def _timed(fn: Callable[[], object], runs: int) -> tuple[list[float], object]:
    times, result = [], None
    for i in range(runs + 2):
        started = time.perf_counter()
        result = fn()
        if i >= 2:  # two warm-ups
            times.append((time.perf_counter() - started) * 1000)
    return times, result


def time_search(username: str, query: str, runs: int) -> dict[str, float | int]:
    from marsoc.accounts.models import User
    from marsoc.intelligence.selectors import deconfliction, search_page

    actor = User.objects.prefetch_related("role_grants").select_related("hub").get(username=username)
    page_times, page = _timed(lambda: search_page(actor=actor, query=query), runs)
    deconf_times, notices = _timed(lambda: deconfliction(actor=actor, query=query), runs)
    return {
        "median": statistics.median(page_times),
        "max": max(page_times),
        "rows": len(page.object_list),  # type: ignore[attr-defined]
        "count": page.count,  # type: ignore[attr-defined]
        "deconf": statistics.median(deconf_times),
        "hubs": len(notices),  # type: ignore[arg-type]
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--nominals", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db-name", default="marsoc_bench_search")
    parser.add_argument("--keep", action="store_true", help="leave the database for --reuse")
    parser.add_argument(
        "--reuse", action="store_true", help="time searches on the database a --keep run left (PostgreSQL)"
    )
    args = parser.parse_args()
    if args.reuse:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db_name}"
        cleanup = lambda: None  # noqa: E731 - nothing to remove: the kept database stays
    else:
        cleanup = prepare_database(args.database, args.db_name)
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        from marsoc.demo.generate import ensure_users, generate
        from marsoc.nominals.models import Nominal

        if args.reuse:
            from marsoc.intelligence.models import Disclosure, IntelItem

            gen_s = items_s = 0.0
            written = {"items": IntelItem.objects.count(), "disclosures": Disclosure.objects.count()}
        else:
            ensure_users(args.seed)
            started = time.perf_counter()
            generate(nominals=args.nominals, seed=args.seed, with_users=False, assessments=0, intelligence=0)
            gen_s = time.perf_counter() - started
            started = time.perf_counter()
            written = write_items(args.items, args.seed)
            items_s = time.perf_counter() - started
        surname = Nominal.objects.values_list("family_name", flat=True).order_by("id").first() or "Smith"
        misspelt = surname[:-2] + surname[-1] + surname[-2] if len(surname) > 3 else surname + "e"
        print("Intelligence search benchmark (marsoc.intelligence.selectors.search_page: first page + total)")
        print(f"  date       {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        print(f"  database   {db_description()}")
        print(f"  settings   {settings_description()}")
        print(f"  cpu        {cpu_model()} x {os.cpu_count()}; load average {load_average()}")
        print(f"  data       {args.nominals:,} nominals ({gen_s:.1f} s); {written['items']:,} items, "
              f"{written['disclosures']:,} disclosures ({items_s:.1f} s)")  # fmt: skip
        print(f"  runs       {args.runs} timed runs after 2 warm-ups; page = first 50 rows + total "
              f"(search_page); deconfliction timed apart")  # fmt: skip
        for username in ("london.officer", "partner.probation", "partner.nca", "national.analyst"):
            for query in (surname, surname[:4], misspelt, "courier ferry"):
                r = time_search(username, query, args.runs)
                flag = "meets" if r["median"] < TARGET_MEDIAN_MS else "MISSES"
                print(f"  {username:18} q={query!r:16} page median {r['median']:6.1f} ms  max {r['max']:6.1f} ms  "
                      f"rows {r['rows']:2}  total {r['count']:6,}  ({flag} {TARGET_MEDIAN_MS:.0f} ms)  "
                      f"deconfliction median {r['deconf']:6.1f} ms  hubs {r['hubs']:2}")  # fmt: skip
    finally:
        if not args.keep:
            cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
