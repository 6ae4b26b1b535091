"""The API against its own OpenAPI document (issue 15): Schemathesis, pinned in the dev lock, drives the
production server (gunicorn, tests/ops/live.py) on the test's database, signed in with a hub manager's
bearer token, with a fixed seed and a bounded number of examples per operation. Every check runs
(server errors, status codes, content types, response schemas, schema-valid requests accepted and
schema-invalid ones refused, ...); the stateful phase follows the document's links (config/api_links.py)
from lists and creations to the records they name. Any failure fails the test, with Schemathesis's
report in the message."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from marsoc.accounts.models import ApiToken
from marsoc.accounts.reference import load_reference_data
from marsoc.assessment.services import method_install_default
from marsoc.demo.generate import demo_token, ensure_users, generate

from .live import Live

PORT = 18320
SEED = 1
EXAMPLES = 5  # per operation and phase: about 1,500 requests, two minutes on the shared 2-core machine
HERE = Path(__file__).resolve().parent


@pytest.fixture
def live(transactional_db, tmp_path):
    load_reference_data()
    method_install_default()
    ensure_users(SEED)
    generate(nominals=20, seed=SEED, with_users=False)
    # A high allowance for the run's token: it sends more than the default 600 requests a minute. Set
    # before the server is built, which on SQLite serves a copy of the database made then.
    ApiToken.objects.filter(user__username="london.manager").update(rate_per_minute=1_000_000)
    server = Live.build(tmp_path, PORT)
    yield server
    server.stop()


@pytest.mark.flushes
def test_the_api_conforms_to_its_openapi_document(live, tmp_path):
    live.start_web(workers=2, startup_seconds=240)  # the shared machine can be slow to start it
    token = demo_token(SEED, "london.manager")
    status, _, _ = live.get("/api/openapi.json", {"Authorization": f"Bearer {token}"})
    assert status == 200
    argv = [
        str(Path(sys.executable).parent / "st"),
        "run",
        f"http://127.0.0.1:{PORT}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--seed",
        str(SEED),
        "--max-examples",
        str(EXAMPLES),
        "--phases",
        "coverage,fuzzing,stateful",
        "--checks",
        "all",
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--request-timeout",
        "30",
        # Speed is measured by the benchmarks (bench/, docs/performance.md), not here: on the shared 2-core
        # machine a first, uncached Board dashboard can pass Schemathesis's default of 10 s under load.
        "--max-response-time",
        "30",
        "--no-color",
        # Rotating the token ends the caller's own token (grace_hours may be 0): the run would go on
        # unauthenticated. tests/accounts/test_api_tokens.py covers it.
        "--exclude-path",
        "/api/tokens/rotate",
    ]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": f"{HERE}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    run = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    report = run.stdout + run.stderr
    # Every operation's logic was reached: a run mostly answered 429 tests nothing behind the limit.
    assert "Rate limited" not in report, report[-6000:]
    assert run.returncode == 0, report[-20000:] + "\n--- server log ---\n" + live.log("web")[-3000:]
    summary = report[report.rfind("SUMMARY") :]
    assert "Selected: " in summary and "✅ Stateful" in summary and "✅ Fuzzing" in summary, summary
    assert " failure" not in summary.splitlines()[-1], summary
