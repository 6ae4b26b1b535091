"""The production server as a real process: gunicorn (marsoc/config/gunicorn.py) answers /healthz at
once, /readyz says "not ready" until a real `marsoc db_worker` beats, then "ready"; every answer carries
a request id, and the server's log is JSON lines with that id and without the query string."""

import json
import time

import pytest

from .live import Live

PORT = 18310


@pytest.fixture
def live(transactional_db, tmp_path):
    from marsoc.accounts.reference import load_reference_data

    load_reference_data()  # a transactional test before this one may have flushed it
    server = Live.build(tmp_path, PORT)
    yield server
    server.stop()


@pytest.mark.flushes
def test_gunicorn_serves_the_probes_and_readiness_follows_the_worker(live):
    live.start_web(workers=2)
    status, headers, body = live.get("/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    assert headers["Server"].startswith("gunicorn")

    status, _, body = live.get("/readyz")
    answer = json.loads(body)
    assert status == 503 and answer["status"] == "not ready"
    assert answer["checks"]["database"]["ok"] and answer["checks"]["migrations"]["ok"]
    assert not answer["checks"]["worker"]["ok"]

    live.start_worker()
    deadline, status = time.monotonic() + 60, 0
    while time.monotonic() < deadline and status != 200:
        status, _, body = live.get("/readyz")
        time.sleep(0.5)
    assert status == 200, body.decode() + live.log("worker")[-3000:]
    assert json.loads(body)["status"] == "ready"

    status, headers, _ = live.get("/api/nominals?q=Surname+Of+Someone", {"X-Request-ID": "probe-0001"})
    assert status == 401 and headers["X-Request-ID"] == "probe-0001"
    time.sleep(0.5)  # the line is written after the answer is sent
    lines = [json.loads(line) for line in live.log("web").splitlines() if line.startswith("{")]
    mine = [line for line in lines if line.get("request_id") == "probe-0001"]
    assert any(line["logger"] == "marsoc.request" and line["status"] == 401 for line in mine), mine
    assert "Surname" not in live.log("web")
    assert any(line["logger"] == "gunicorn.error" for line in lines)  # the server's own lines too
