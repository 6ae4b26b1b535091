"""Shared by the benchmarks: a throwaway database, and a description of the machine and database."""

import os
import platform
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_VAR = ROOT / "var" / "bench"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/postgres"


def _pg_base_url() -> str:
    """The server to use: DATABASE_URL's host, user and password when it points at PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return url if url.startswith(("postgres://", "postgresql://", "pgsql://")) else DEFAULT_PG


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _psycopg_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))


def prepare_database(kind: str, name: str) -> Callable[[], None]:
    """Point DATABASE_URL at a fresh, empty database; return the function that removes it."""
    if kind == "postgres":
        import psycopg
        from psycopg import sql

        base = _pg_base_url()
        admin = _psycopg_url(_with_db(base, "postgres"))
        if name in ("postgres", "test", "template0", "template1"):
            raise SystemExit(f"refusing to use the database {name!r} for a benchmark")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        os.environ["DATABASE_URL"] = _with_db(base, name)

        def drop() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

        return drop

    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    path = BENCH_VAR / f"{name}.sqlite3"

    def remove() -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    remove()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    def close_and_remove() -> None:
        from django.db import connections

        connections.close_all()
        remove()

    return close_and_remove


def reuse_database(kind: str, name: str) -> Callable[[], None]:
    """Point DATABASE_URL at a database an earlier run kept (--keep); return the function that closes it
    (the database is left in place: drop it by hand when done)."""
    if kind == "postgres":
        os.environ["DATABASE_URL"] = _with_db(_pg_base_url(), name)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{BENCH_VAR / f'{name}.sqlite3'}"

    def close() -> None:
        from django.db import connections

        connections.close_all()

    return close


# --- environment ------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def db_description() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            version = cursor.fetchone()[0].split(" on ")[0]
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            version = f"SQLite {cursor.fetchone()[0]}"
        else:
            version = connection.vendor
    return f"{connection.vendor} ({version}), database {connection.settings_dict['NAME']}"


def settings_description() -> str:
    """The settings module and the connection options the run used (they decide e.g. JIT)."""
    from django.conf import settings
    from django.db import connection

    options = connection.settings_dict.get("OPTIONS", {})
    described = f"{settings.SETTINGS_MODULE}; OPTIONS {options!r}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            described += f"; server says jit={cursor.fetchone()[0]}"
    return described


# --- assessments at scale -----------------------------------------------------------------------


def seed_assessments(seed: int, *, only_missing: bool = True) -> int:
    """Give every nominal without one a current assessment under the active method, fast.

    The demo generator scores a sample with the full breakdown (about 2 ms each); a benchmark needs every
    person assessed, so this scores with `score_only` (same arithmetic, no breakdown) and writes rows with
    executemany/COPY. Returns the number of assessments written.
    """
    import json
    import random
    from decimal import Decimal

    from django.db import transaction
    from django.utils import timezone

    from marsoc.accounts.models import User
    from marsoc.assessment.method.scoring import score_only
    from marsoc.assessment.models import Assessment, FactorScore, PriorityStatus
    from marsoc.assessment.services import active_method, method_install_default, method_spec
    from marsoc.demo.generate import _insert, _reserve_ids
    from marsoc.nominals.models import Nominal

    rng = random.Random(seed * 104729)
    method_install_default()
    method = active_method()
    spec = method_spec(method)
    assessor = User.objects.get(username="national.analyst")
    todo = Nominal.objects.order_by("id")
    if only_missing:
        todo = todo.exclude(pk__in=PriorityStatus.objects.values("nominal_id"))
    nominal_ids = list(todo.values_list("id", flat=True))
    from django.db import connection

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with transaction.atomic():
        assessment_ids = _reserve_ids(Assessment, len(nominal_ids))
        factor_ids = _reserve_ids(FactorScore, len(nominal_ids) * len(spec.factors))
        status_ids = _reserve_ids(PriorityStatus, len(nominal_ids))
        a_rows, f_rows, s_rows = [], [], []
        fids = iter(factor_ids)
        for nominal_id, assessment_id, status_id in zip(nominal_ids, assessment_ids, status_ids, strict=True):
            severity = rng.random()
            levels = {
                f.code: max(0, min(f.max_level, round(severity * f.max_level + rng.gauss(0, 0.9))))
                for f in spec.factors
            }
            value, tier = score_only(spec, levels)
            score = Decimal(str(value))
            a_rows.append(
                (
                    assessment_id,
                    nominal_id,
                    method.pk,
                    assessor.pk,
                    now,
                    score,
                    Decimal("0.5"),
                    "Medium",
                    tier.code,
                    tier.name,
                    "[]",
                    json.dumps({"score_only": True}),
                    "",
                    True,
                    None,
                )
            )
            f_rows.extend(
                (next(fids), assessment_id, code, level, "", "", Decimal(0)) for code, level in levels.items()
            )
            s_rows.append((status_id, nominal_id, assessment_id, score, tier.code, "", None, today))
        _insert(
            Assessment,
            [
                "id",
                "nominal_id",
                "method_id",
                "assessor_id",
                "submitted_at",
                "score",
                "confidence",
                "confidence_band",
                "tier_code",
                "tier_name",
                "top_factors",
                "breakdown",
                "summary",
                "is_current",
                "superseded_by_id",
            ],
            a_rows,
        )
        _insert(
            FactorScore,
            ["id", "assessment_id", "factor_code", "level", "evidence", "grade", "contribution"],
            f_rows,
        )
        _insert(
            PriorityStatus,
            [
                "id",
                "nominal_id",
                "assessment_id",
                "score",
                "computed_tier",
                "decided_tier",
                "decided_at",
                "next_review_due",
            ],
            s_rows,
        )
    return len(nominal_ids)


def refresh_statistics() -> None:
    """Update the planner's statistics after bulk loading, as autovacuum (PostgreSQL) or a scheduled
    ANALYZE would on a live system; without it the planner guesses from an empty table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
