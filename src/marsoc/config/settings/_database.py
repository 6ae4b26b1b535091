"""The one database-settings path: every settings module builds DATABASES["default"] here, so the
options chosen below (JIT off on PostgreSQL, WAL on SQLite) are the ones benchmarks, tests and
production all run with."""

import os
from pathlib import Path
from typing import Any

import dj_database_url


def database_from_url(url: str) -> dict[str, Any]:
    """Settings for one database URL, with the options every environment shares."""
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    return _with_options(config)


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    """DATABASE_URL when given, otherwise the embedded SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return database_from_url(url)
    default_sqlite.parent.mkdir(parents=True, exist_ok=True)
    return _with_options({"ENGINE": "django.db.backends.sqlite3", "NAME": str(default_sqlite)})


def _with_options(config: dict[str, Any]) -> dict[str, Any]:
    if config["ENGINE"].endswith("sqlite3"):
        # WAL lets the web server and the task worker use the file at the same time.
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            }
        )
    elif "postgresql" in config["ENGINE"]:
        # JIT compilation cost about half a second per query on the searches here (measured with
        # bench/search.py) and never paid back on queries this size.
        # A prepared statement keeps one plan (core/prepared.py: the network searches, whose planning
        # cost 40 times their running); Django prepares nothing else, so no other query is affected.
        config.setdefault("OPTIONS", {})
        existing = config["OPTIONS"].get("options", "")
        if "jit" not in existing:
            existing = f"{existing} -c jit=off"
        if "plan_cache_mode" not in existing:
            existing = f"{existing} -c plan_cache_mode=force_generic_plan"
        config["OPTIONS"]["options"] = existing.strip()
        # psycopg prepares on first run, but only cursors that bind parameters on the server, which
        # core/prepared.py alone makes (Django's own cursors bind on the client and never prepare).
        config["OPTIONS"].setdefault("prepare_threshold", 0)
    return config
