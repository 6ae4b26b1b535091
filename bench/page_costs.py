"""What one request to each page of the load mix costs, with nobody else on the server (issue 15): the
time and the number of SQL queries, median over N requests, on the database a load run left
(bench/load.py) and with its production settings. Where the load bench shows queueing, this shows which
page's own cost causes it. Prints figures; asserts nothing.

    .venv/bin/python bench/load.py --duration 10 --users 5     # once, to make the database
    .venv/bin/python bench/page_costs.py --requests 20
    .venv/bin/python bench/page_costs.py --profile person      # cProfile of one page, top 30 by own time
    .venv/bin/python bench/page_costs.py --profile person --cpu --lines 80  # this process's CPU time only
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import BENCH_VAR, ROOT

WORK = BENCH_VAR / "load"


def _setup() -> None:
    sys.path[:0] = [str(WORK), str(ROOT / "src")]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_load_settings",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/marsoc_bench_load",
            "MARSOC_SECRET_KEY": "load-bench-" + "x" * 60,
            "MARSOC_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "MARSOC_AUDIT_CHAIN_KEY": "load-bench-audit-chain-key-" + "y" * 20,
            "MARSOC_SSL_REDIRECT": "0",
            "MARSOC_LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", help="one page's name: cProfile it instead of timing all")
    parser.add_argument(
        "--cpu", action="store_true", help="profile this process's CPU time (no waiting on the database)"
    )
    parser.add_argument("--lines", type=int, default=40, help="lines of the profile by cumulative time")
    args = parser.parse_args()
    if not (WORK / "users.json").exists():
        raise SystemExit("no load database: run bench/load.py once first")
    _setup()

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    from marsoc.accounts.models import User

    me = json.loads((WORK / "users.json").read_text())[0]
    user = User.objects.get(username=me["username"])
    client = Client()
    client.force_login(user, backend="marsoc.accounts.backends.UserBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.get().persistent_id
    # The purpose is stated once per person and session (the gate's own cost is not what is measured).
    session["marsoc_purposes"] = {str(pk): "Case management" for pk in me["nominal_ids"] + me["plan_ids"]}
    session.save()
    api = {"HTTP_AUTHORIZATION": f"Bearer {me['token']}"}
    rng = random.Random(1)

    pages: dict[str, Callable[[], Any]] = {
        "cohort": lambda: client.get("/cohort/"),
        "search": lambda: client.get("/cohort/", {"q": rng.choice(me["surnames"])}),
        "priority": lambda: client.get("/priority/"),
        "person": lambda: client.get(f"/cohort/{rng.choice(me['nominal_ids'])}/"),
        "plan": lambda: client.get(f"/cohort/{rng.choice(me['plan_ids'])}/plan/"),
        "api-list": lambda: client.get("/api/nominals", {"page_size": 50}, **api),
        "api-get": lambda: client.get(
            f"/api/nominals/{rng.choice(me['nominal_ids'])}", {"purpose": "Case management"}, **api
        ),
    }
    if args.profile:
        page = pages[args.profile]
        page()
        profiler = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            page()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(30)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.lines)
        return
    print(f"{'page':10} {'status':>6} {'median ms':>10} {'p90 ms':>8} {'queries':>8}")
    for name, page in pages.items():
        page()  # warm caches and the purpose
        times, queries, status = [], [], 0
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                answer = page()
                times.append((time.perf_counter() - started) * 1000)
            queries.append(len(captured))
            status = answer.status_code
        times.sort()
        print(
            f"{name:10} {status:>6} {statistics.median(times):10.0f} "
            f"{times[int(len(times) * 0.9) - 1]:8.0f} {statistics.median(queries):8.0f}"
        )


if __name__ == "__main__":
    main()
