"""The table Splink sees, built from the engine's records: blanks are NULL, names lower case, derived
columns for aliases, nicknames, day/month transposition and postcode district (the columns are
columns.COLUMNS). As Python rows (table_of, for Spark and the bench) or as Arrow (arrow_of, for
DuckDB). Free of Django."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .columns import COLUMNS, IDENTIFIERS
from .nicknames import canonical_first_name

if TYPE_CHECKING:
    from .engine import EngineRecord

GENERIC = ("identifier", "street_number", "address_line_1", "address_line_2", "town", "region")
UK_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")


def _first(text: str) -> str | None:
    parts = text.lower().split()
    return parts[0] if parts else None


def _surname(text: str) -> str | None:
    value = " ".join(text.lower().replace("-", " ").split())
    return value or None


def _alias_parts(alias: str) -> tuple[str | None, str | None]:
    parts = alias.lower().split()
    if not parts:
        return None, None
    if len(parts) == 1:
        return None, parts[0]
    return parts[0], " ".join(parts[1:])


def table_of(records: Iterable[EngineRecord]) -> list[dict[str, Any]]:
    """Rows as Splink sees them: blanks are NULL, names lower case, derived columns for aliases,
    nicknames, day/month transposition and postcode district."""
    rows = []
    for r in records:
        first = _first(r.given_names)
        surname = _surname(r.family_name)
        firsts = {n for n in [first] if n}
        surnames = {n for n in [surname] if n}
        for alias in r.aliases:
            a_first, a_surname = _alias_parts(alias)
            if a_first:
                firsts.add(a_first)
            if a_surname:
                surnames.add(a_surname)
        canon = {canonical_first_name(n) for n in firsts}
        dob = r.date_of_birth.isoformat() if r.date_of_birth else None
        swapped = (
            f"{r.date_of_birth.year:04d}-{r.date_of_birth.day:02d}-{r.date_of_birth.month:02d}"
            if r.date_of_birth and r.date_of_birth.day <= 12 and r.date_of_birth.day != r.date_of_birth.month
            else None
        )
        postcode = r.postcode or None
        district = postcode[:-3] if postcode and UK_POSTCODE.match(postcode) else None
        # A whole alias ("tomasz stonrid") is nearly personal: two records carrying the same one.
        alias_names = sorted({" ".join(a.lower().split()) for a in r.aliases if a.strip()})
        rows.append(
            {
                "unique_id": r.id,
                "first_name": first,
                "first_name_canon": canonical_first_name(first) if first else None,
                "first_names_all": sorted(firsts | canon) or None,
                "surname": surname,
                "surnames_all": sorted(surnames) or None,
                "aliases": alias_names or None,
                "dob": dob,
                "dob_swapped": swapped,
                "birth_year": dob[:4] if dob else None,
                "sex": r.sex or None,
                "postcode": postcode,
                "postcode_district": district,
                **{name: (getattr(r, name) or None) for name in IDENTIFIERS},
                **{name: (" ".join(getattr(r, name).lower().split()) or None) for name in GENERIC},
            }
        )
    return rows


def _arrow(rows: list[dict[str, Any]]) -> Any:
    import pyarrow as pa

    kinds = {"int": pa.int64(), "str": pa.string(), "list": pa.list_(pa.string())}
    schema = pa.schema([(name, kinds[kind]) for name, kind in COLUMNS])
    return pa.Table.from_pylist(rows, schema=schema)


ARROW_CHUNK = 50_000


def arrow_of(records: Sequence[EngineRecord]) -> Any:
    """The table Splink sees (table_of), as Arrow, built a chunk of records at a time: a row as a
    Python dict costs about a kilobyte, so a million of them at once would cost gigabytes that
    Arrow then holds in a fraction of the space. Build it once and pass it to train and predict."""
    import pyarrow as pa

    chunks = [_arrow(table_of(records[i : i + ARROW_CHUNK])) for i in range(0, len(records), ARROW_CHUNK)]
    return pa.concat_tables(chunks) if chunks else _arrow([])
