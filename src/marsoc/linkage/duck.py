"""One way to open DuckDB for linkage work, so training, scoring and evaluation share its limits.

DuckDB's buffer pool defaults to 80 % of the machine's memory, and Splink's predict holds every
blocked pair it has compared there until the query ends: on a large machine the process grows to
whatever it can get. With a limit DuckDB spills to disk instead (to a folder under the system's
temporary directory). Measured in docs/performance.md ("Where the memory goes"). Free of Django.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

DEFAULT_MEMORY_LIMIT = "1GB"


class MemoryLimitError(ValueError):
    """The configured memory limit is not one DuckDB can read; the message names the setting."""


def memory_limit() -> str:
    """`MARSOC_LINKAGE_MEMORY_LIMIT` (DuckDB's own spelling, e.g. "1GB" or "512MB"), or 1 GB."""
    return os.environ.get("MARSOC_LINKAGE_MEMORY_LIMIT", "").strip() or DEFAULT_MEMORY_LIMIT


def connect() -> Any:
    """An in-memory DuckDB connection with the memory limit, spilling to a temporary folder, and
    free to return rows in any order (every caller orders what it needs: ties by record id)."""
    import duckdb

    spill = Path(tempfile.gettempdir()) / "marsoc-duckdb"
    spill.mkdir(parents=True, exist_ok=True)
    limit = memory_limit()
    try:
        return duckdb.connect(
            config={"memory_limit": limit, "preserve_insertion_order": False, "temp_directory": str(spill)}
        )
    except duckdb.Error as error:
        raise MemoryLimitError(
            f"MARSOC_LINKAGE_MEMORY_LIMIT: {limit!r} is not a memory size DuckDB understands "
            f"(e.g. 1GB or 512MB): {error}"
        ) from error
