"""Request ids and JSON log lines (marsoc.ops.logs)."""

import json
import logging

from django.test import Client

from marsoc.ops.logs import JsonFormatter, RequestIdFilter, new_request_id


def test_every_answer_carries_a_request_id_and_a_plain_offered_one_is_kept(db):
    client = Client()
    made = client.get("/healthz")["X-Request-ID"]
    assert len(made) == 32 and made != client.get("/healthz")["X-Request-ID"]
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-12345678")["X-Request-ID"] == "lb-12345678"
    hostile = client.get("/healthz", HTTP_X_REQUEST_ID='x"}\n{"level": "ERROR"')["X-Request-ID"]
    assert len(hostile) == 32 and '"' not in hostile


def test_short_or_long_offered_ids_are_replaced():
    assert new_request_id("abc") != "abc"
    assert new_request_id("a" * 65) != "a" * 65
    assert new_request_id("a" * 64) == "a" * 64


def test_one_json_line_per_request_with_id_status_and_no_query_string(db, caplog):
    caplog.set_level(logging.INFO, logger="marsoc.request")
    response = Client().get("/api/nominals/search?q=Smith", HTTP_X_REQUEST_ID="req-00000001")
    assert response.status_code == 401
    (record,) = [r for r in caplog.records if r.name == "marsoc.request"]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-00000001"
    assert line["path"] == "/api/nominals/search" and line["status"] == 401 and line["method"] == "GET"
    assert line["level"] == "INFO" and "duration_ms" in line and line["user_id"] is None
    assert "Smith" not in json.dumps(line)


def test_djangos_own_error_lines_get_the_request_id_and_not_the_request(db, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    Client().get("/api/nominals?page=Smith", HTTP_X_REQUEST_ID="req-00000002")
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-00000002"
    assert "request" not in line and "Smith" not in json.dumps(line)


def test_exceptions_are_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("marsoc", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    text = JsonFormatter().format(record)
    assert "\n" not in text and "ValueError: boom" in json.loads(text)["exception"]
