"""Load bench (issue 15): the production server (gunicorn with marsoc.config.gunicorn and the production
settings) on PostgreSQL with N synthetic nominals, driven by locust in headless mode with U concurrent
users, each signed in through the real password and authenticator pages as its own hub manager, over a
mix of the cohort list, a person's page (with the purpose gate), search, the priority list, a plan page,
and the API's list and get. Prints requests per second, errors and p50/p95/p99 per kind of request;
asserts nothing. Figures in docs/performance.md.

The headline is the steady state: the signed-in mix (sign-in requests left out) from the moment the last
user finished signing in to the end, from every request's own time (locust's file of requests, not its
rounded histogram). Beside it, locust's own aggregate over the whole run, sign-in and ramp-up included.

    .venv/bin/python bench/load.py                         # 10,000 nominals, 50 users, 120 s
    .venv/bin/python bench/load.py --prepare-only          # make the database and users.json, no load
    .venv/bin/python bench/load.py --reuse --duration 60   # the database of the previous run

The production settings are used as they are, except that cookies are not marked Secure (plain HTTP on
loopback) and static files are collected into var/bench/load/static.
"""

import argparse
import csv
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from _common import BENCH_VAR, ROOT, cpu_model, load_average, prepare_database

BIN = Path(sys.executable).parent
DATABASE = "marsoc_bench_load"
SETTINGS = """
from marsoc.config.settings.production import *  # noqa: F403
SESSION_COOKIE_SECURE = False  # plain HTTP on loopback
CSRF_COOKIE_SECURE = False
STATIC_ROOT = {static!r}
"""


def run(argv: list[str], env: dict[str, str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, check=True, text=True, **kwargs)  # type: ignore[call-overload, no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominals", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=5.0, help="users started per second")
    parser.add_argument(
        "--duration", type=int, default=120, help="seconds of load after the last user started"
    )
    parser.add_argument("--web-workers", type=int, default=int(os.environ.get("MARSOC_WEB_WORKERS", "4")))
    parser.add_argument(
        "--web-threads",
        type=int,
        default=int(os.environ.get("MARSOC_WEB_THREADS", "4")),
        help="threads per worker (gthread); 1 runs gunicorn's sync workers",
    )
    parser.add_argument("--port", type=int, default=18350)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database and users of the previous run (same --users)"
    )
    parser.add_argument("--prepare-only", action="store_true", help="make the database and users, then stop")
    args = parser.parse_args()

    work = BENCH_VAR / "load"
    work.mkdir(parents=True, exist_ok=True)
    (work / "bench_load_settings.py").write_text(SETTINGS.format(static=str(work / "static")))
    if args.reuse:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    else:
        prepare_database("postgres", DATABASE)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MARSOC_")},
        "DJANGO_SETTINGS_MODULE": "bench_load_settings",
        "PYTHONPATH": f"{work}{os.pathsep}{ROOT / 'src'}",
        "MARSOC_SECRET_KEY": "load-bench-" + "x" * 60,
        "MARSOC_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MARSOC_AUDIT_CHAIN_KEY": "load-bench-audit-chain-key-" + "y" * 20,
        "MARSOC_SSL_REDIRECT": "0",
        "MARSOC_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "MARSOC_LOG_LEVEL": "WARNING",
    }
    marsoc = [sys.executable, "-m", "marsoc"]
    # Demonstration data is made with the demo settings (the production ones refuse to generate it),
    # on the same database and with the same audit-chain key and password hashing as the server.
    data_env = {**env, "DJANGO_SETTINGS_MODULE": "marsoc.config.settings.demo"}
    users_file = work / "users.json"
    if args.reuse:
        made = len(json.loads(users_file.read_text())) if users_file.exists() else 0
        if made != args.users:
            raise SystemExit(f"--reuse: the previous run made {made} users, not {args.users}; run without it")
    started = time.monotonic()
    if not args.reuse:
        run([*marsoc, "migrate", "--no-input", "-v", "0"], env)
        run(
            [*marsoc, "generate", "--nominals", str(args.nominals), "--seed", "1", "--reset"],
            data_env,
            stdout=subprocess.DEVNULL,
        )
        users = run(
            [sys.executable, str(ROOT / "bench" / "load_users.py"), str(args.users), "1"],
            data_env,
            capture_output=True,
        )
        users_file.write_text(users.stdout)
        # A production database is vacuumed and analysed by autovacuum; one loaded a minute ago may not
        # be yet: without statistics and with the trigram indexes' pending lists unmerged, name search
        # read every row (60 ms instead of 1 ms per search, EXPLAIN ANALYZE).
        run([*marsoc, "dbshell", "--", "-c", "VACUUM ANALYZE"], env, stdout=subprocess.DEVNULL)
    if not (args.reuse and (work / "static" / "staticfiles.json").exists()):
        run([*marsoc, "collectstatic", "--no-input", "-v", "0"], env)
    print(f"data ready in {time.monotonic() - started:.0f} s")
    if args.prepare_only:
        return

    log = open(work / "gunicorn.log", "w")  # noqa: SIM115 - closed at the end
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "python:marsoc.config.gunicorn", "marsoc.config.wsgi:application"],
        env={
            **env,
            "MARSOC_BIND": f"127.0.0.1:{args.port}",
            "MARSOC_WEB_WORKERS": str(args.web_workers),
            "MARSOC_WEB_THREADS": str(args.web_threads),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{args.port}/healthz")
        _wait_for_workers(web.pid, args.web_workers)
        load_before = load_average()
        cpu_before = _cpu_sample(web.pid)
        spawn_seconds = int(args.users / args.spawn_rate) + 1
        stats = work / "stats"
        record = work / "requests.jsonl"
        record.unlink(missing_ok=True)
        run(
            [
                str(BIN / "locust"),
                "-f", str(ROOT / "bench" / "load_locustfile.py"),
                "--headless", "--only-summary",
                "--users", str(args.users),
                "--spawn-rate", str(args.spawn_rate),
                "--run-time", f"{spawn_seconds + args.duration}s",
                "--host", f"http://127.0.0.1:{args.port}",
                "--csv", str(stats),
                "--exit-code-on-error", "0",
            ],
            {**os.environ, "MARSOC_LOAD_USERS": str(users_file), "MARSOC_LOAD_RECORD": str(record)},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        load_after = load_average()
        cpu_after = _cpu_sample(web.pid)
    finally:
        web.terminate()
        web.wait(timeout=30)
        log.close()
    _report(args, stats, record, load_before, load_after)
    _report_cpu(cpu_before, cpu_after)


def _wait_for(url: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}")


def _workers(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_for_workers(pid: int, count: int, seconds: float = 120) -> None:
    """Every worker booted (its CPU then counts from here, not its start-up)."""
    deadline = time.monotonic() + seconds
    while len(_workers(pid)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    time.sleep(3)  # each worker loads the application after it is forked


def _process_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_sample(server: int) -> dict[str, float]:
    """CPU seconds so far: the server's workers, this bench's children (locust, once it has ended) and
    the whole machine (every process, others' included)."""
    line = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(v) for v in line]
    busy = sum(ticks) - ticks[3] - ticks[4]  # all but idle and iowait
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "server": sum(_process_seconds(p) for p in [server, *_workers(server)]),
        "locust": children.ru_utime + children.ru_stime,
        "machine": busy / os.sysconf("SC_CLK_TCK"),
        "wall": time.monotonic(),
    }


def _report_cpu(before: dict[str, float], after: dict[str, float]) -> None:
    spent = {k: after[k] - before[k] for k in before}
    rest = spent["machine"] - spent["server"] - spent["locust"]
    print(
        f"CPU over the load ({spent['wall']:.0f} s, {os.cpu_count()} cores = {spent['wall'] * (os.cpu_count() or 1):.0f} "
        f"core-seconds): gunicorn workers {spent['server']:.0f} s, locust {spent['locust']:.0f} s, "
        f"the rest of the machine (PostgreSQL, other work) {rest:.0f} s"
    )


def _percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of all values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _figures(values: list[float]) -> str:
    return " ".join(f"{_percentile(values, q):6.0f}" for q in (0.5, 0.95, 0.99)) if values else ""


def _report(args: argparse.Namespace, stats: Path, record: Path, load_before: str, load_after: str) -> None:
    lines: list[dict[str, Any]] = [json.loads(line) for line in record.read_text().splitlines()]
    signed_in = sorted(line["signed_in"] for line in lines if "signed_in" in line)
    work = [line for line in lines if "name" in line and not line["name"].startswith("sign-in")]
    print(f"\nload bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average before: {load_before}; after: {load_after} (shared machine)")
    print(
        f"server: gunicorn, {args.web_workers} workers x {args.web_threads} threads"
        f"{' (gthread)' if args.web_threads > 1 else ' (sync)'}, production settings, PostgreSQL {DATABASE}; "
        f"{args.nominals:,} nominals; {args.users} users (spawn {args.spawn_rate}/s), {args.duration} s"
    )
    if len(signed_in) < args.users:
        print(f"\nonly {len(signed_in)} of {args.users} users signed in: no steady state to report")
        steady: list[dict[str, Any]] = []
    else:
        begin, end = signed_in[-1], max(line["start"] + line["ms"] / 1000 for line in work)
        steady = [line for line in work if line["start"] >= begin]
        first = min(line["start"] for line in lines if "start" in line)
        print(
            f"steady state: from the last sign-in ({begin - first:.0f} s after the first request) "
            f"to the end, {end - begin:.0f} s; requests started in it"
        )
        print(
            f"\n{'request':38} {'count':>7} {'errors':>6} {'rps':>6} {'p50':>6} {'p95':>6} {'p99':>6}  (ms)"
        )
        for name in sorted({line["name"] for line in steady}):
            times = [line["ms"] for line in steady if line["name"] == name]
            errors = sum(1 for line in steady if line["name"] == name and line["failed"])
            print(
                f"{name:38} {len(times):>7} {errors:>6} {len(times) / (end - begin):6.1f} {_figures(times)}"
            )
        times = [line["ms"] for line in steady]
        errors = sum(1 for line in steady if line["failed"])
        print(
            f"{'STEADY STATE, signed-in mix':38} {len(times):>7} {errors:>6} {len(times) / (end - begin):6.1f} "
            f"{_figures(times)}"
        )
    rows = list(csv.DictReader(open(f"{stats}_stats.csv")))  # noqa: SIM115
    whole = [line["ms"] for line in work]
    overall = next(r for r in rows if r["Name"] == "Aggregated")
    print(
        f"\nwhole run, signed-in mix (ramp-up included): {len(whole)} requests, "
        f"{sum(1 for line in work if line['failed'])} errors; p50/p95/p99 {_figures(whole)} ms"
    )
    print(
        f"whole run, locust's aggregate (sign-in and ramp-up included): {overall['Request Count']} requests, "
        f"{overall['Failure Count']} errors, {float(overall['Requests/s']):.1f} requests/s; "
        f"p50 {overall['50%']} ms, p95 {overall['95%']} ms, p99 {overall['99%']} ms"
    )
    failures_file = Path(f"{stats}_failures.csv")
    if failures_file.exists():
        for r in list(csv.DictReader(open(failures_file)))[:10]:  # noqa: SIM115
            print(f"  error: {r['Method']} {r['Name']}: {r['Error'][:160]} (x{r['Occurrences']})")
    steady_times = [line["ms"] for line in steady]
    print(
        json.dumps(
            {
                "steady_requests": len(steady),
                "steady_errors": sum(1 for line in steady if line["failed"]),
                "steady_p95_ms": round(_percentile(steady_times, 0.95)) if steady else None,
                "locust_all_p95_ms": overall["95%"],
            }
        )
    )


if __name__ == "__main__":
    main()
