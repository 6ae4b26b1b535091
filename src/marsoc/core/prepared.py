"""Queries planned once per database connection instead of once per run.

The access scopes compile to large SQL (every end of a link, its intelligence source, agreements and
restrictions checked in place). On PostgreSQL planning such a query took 20-60 ms while running it took
under 1 ms (EXPLAIN ANALYZE on the load bench's database), and the network searches run the same query
text many times with other ids. Those searches use a server-side prepared statement here; the connection
option `plan_cache_mode=force_generic_plan` (config/settings/_database.py) makes PostgreSQL plan it once
and keep that plan. Django itself prepares nothing (it binds parameters on the client), so the option
touches only these statements. psycopg prepares a statement on its first run (the connection option
`prepare_threshold` 0, also in _database.py): only cursors that bind on the server, which are made here
alone, are ever prepared. SQLite plans in microseconds and gets a plain cursor."""

from collections.abc import Sequence
from typing import Any

from django.db import connection


def _server_binding_cursor() -> Any:
    # Imported here: the PostgreSQL backend module needs psycopg, which an SQLite-only run never loads.
    from django.db.backends.postgresql.base import ServerBindingCursor

    return ServerBindingCursor


_CURSOR: Any = None


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Every row of one parameterised query (placeholders `%s`), prepared on PostgreSQL."""
    global _CURSOR
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    if _CURSOR is None:
        _CURSOR = _server_binding_cursor()
    connection.ensure_connection()
    # Wrapped as Django wraps its own cursors, so query logging and test query counts still see it.
    raw = _CURSOR(connection.connection)
    wrapped = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with wrapped as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
