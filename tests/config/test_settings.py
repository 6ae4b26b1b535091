"""Database settings: PostgreSQL connections run with JIT off and keep one plan per prepared statement;
SQLite with WAL."""

from pathlib import Path

import pytest
from django.db import connection

from marsoc.config.settings._database import database_from_env


def test_postgresql_urls_switch_jit_off(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/marsoc")
    config = database_from_env(tmp_path / "x.sqlite3")
    assert config["OPTIONS"]["options"] == "-c jit=off -c plan_cache_mode=force_generic_plan"
    monkeypatch.setenv("DATABASE_URL", "")
    sqlite = database_from_env(tmp_path / "x.sqlite3")
    assert "journal_mode=WAL" in sqlite["OPTIONS"]["init_command"]


@pytest.mark.django_db
def test_the_live_postgresql_connection_has_jit_off():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_generic_plan"
