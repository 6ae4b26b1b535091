"""Fuzzy and full-text search primitives that give the same answers on PostgreSQL and SQLite.

PostgreSQL does the work with pg_trgm (trigram similarity, GIN-indexed) and its English text search;
SQLite, the embedded demo database, gets Python functions with the same rules, registered on every
connection: correct, and slower (it reads every row). A test checks the Python trigram similarity
against pg_trgm's own on random strings, so the two databases agree on which names are "similar".

Trigrams follow pg_trgm: lower-case, split into words of letters and digits, pad each word with two
spaces in front and one behind, take the set of three-character windows. Similarity is shared trigrams
over all trigrams of both (a Jaccard index); 0.3 is pg_trgm's default threshold for its `%` operator.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, FloatField, Func, Value
from django.db.models.sql.compiler import SQLCompiler

SIMILARITY_THRESHOLD = 0.3  # pg_trgm.similarity_threshold's default; the `%` operator uses it
TEXT_SEARCH_CONFIG = "english"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=4096)
def trigrams(text: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(a: str | None, b: str | None) -> float:
    """pg_trgm's similarity(a, b): 1.0 for the same words, 0.0 for nothing in common."""
    if not a or not b:
        return 0.0
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def text_matches(text: str | None, query: str | None) -> bool:
    """The SQLite stand-in for full-text search: every word of the query begins a word of the text.
    PostgreSQL stems English words and drops stop words instead, so the two differ at the edges
    ("dealing" finds "deals" there, "deal" finds "dealer" here); both find the words as typed."""
    if not text or not query:
        return False
    wanted = words(query)
    if not wanted:
        return False
    present = words(text)
    return all(any(w.startswith(q) for w in present) for q in wanted)


def has_trigrams(connection: BaseDatabaseWrapper) -> bool:
    """Whether pg_trgm is installed (the migrations create it where they may). Without it, fuzzy matching
    is off and search falls back to words contained in names: correct, only less forgiving."""
    cached = getattr(connection, "_marsoc_has_trgm", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            cached = cursor.fetchone() is not None
        connection._marsoc_has_trgm = cached  # type: ignore[attr-defined]
    return bool(cached)


def register_sqlite_functions(connection: BaseDatabaseWrapper, **_: Any) -> None:
    """Connected to `connection_created`: gives SQLite the functions the search expressions call."""
    if connection.vendor != "sqlite":
        return
    raw = connection.connection
    raw.create_function("marsoc_similarity", 2, similarity, deterministic=True)
    raw.create_function("marsoc_text_matches", 2, text_matches, deterministic=True)


class Similarity(Func):
    """similarity(a, b) as a number between 0 and 1."""

    output_field = FloatField()

    def __init__(self, expression: Any, text: str, **extra: Any) -> None:
        super().__init__(expression, Value(text), **extra)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        if not has_trigrams(connection):
            return "0.0", ()
        return self.as_sql(compiler, connection, function="similarity", **extra)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="marsoc_similarity", **extra)


class SimilarTo(Func):
    """True when similarity(a, b) reaches the threshold. On PostgreSQL this is pg_trgm's `%` operator,
    which a trigram GIN index on the same expression answers without reading every row."""

    output_field = BooleanField()

    def __init__(self, expression: Expression | Any, text: str, **extra: Any) -> None:
        super().__init__(expression, Value(text), **extra)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        if not has_trigrams(connection):
            return "FALSE", ()
        return self.as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" %% ", **extra)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template=f"(marsoc_similarity(%(expressions)s) >= {SIMILARITY_THRESHOLD})",
            **extra,
        )


class TextMatches(Func):
    """Full-text match of a text column against a query typed by a person (words, "phrases", -not).

    PostgreSQL: `to_tsvector('english', col) @@ websearch_to_tsquery('english', q)`, answered by the GIN
    index on the same expression; SQLite: every word present (see `text_matches`)."""

    output_field = BooleanField()

    def __init__(self, expression: Any, query: str, **extra: Any) -> None:
        super().__init__(expression, Value(query), **extra)

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        cfg = TEXT_SEARCH_CONFIG
        template = f"(to_tsvector('{cfg}'::regconfig, %(field)s) @@ websearch_to_tsquery('{cfg}'::regconfig, %(query)s))"
        field_sql, field_params = compiler.compile(self.source_expressions[0])
        query_sql, query_params = compiler.compile(self.source_expressions[1])
        return template % {"field": field_sql, "query": query_sql}, (*field_params, *query_params)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="marsoc_text_matches", **extra)


def snippet(text: str, query: str, width: int = 90) -> list[tuple[str, bool]]:
    """The passage of `text` around the first word the query finds, as (piece, is_match) parts for the
    page to highlight: every word beginning with a query word is a match (as `text_matches` finds them).
    Without a match, the text's beginning. At most about 2 x `width` characters, cut at spaces."""
    wanted = words(query)
    found = [m for m in re.finditer(r"\w+", text) if any(m.group(0).lower().startswith(w) for w in wanted)]
    if not found:
        start, end = 0, min(len(text), 2 * width)
    else:
        start, end = max(0, found[0].start() - width), min(len(text), found[0].end() + width)
    if start > 0 and " " in text[start : found[0].start() if found else end]:
        start = text.index(" ", start) + 1
    if end < len(text) and " " in text[start:end]:
        end = text.rindex(" ", start, end)
    parts: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = start
    for m in found:
        if m.start() < start or m.end() > end:
            continue
        if m.start() > at:
            parts.append((text[at : m.start()], False))
        parts.append((m.group(0), True))
        at = m.end()
    if at < end:
        parts.append((text[at:end], False))
    if end < len(text):
        parts.append(("…", False))
    return parts
