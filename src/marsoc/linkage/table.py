"""The table Splink sees, built from the engine's records: blanks are NULL, names lower case, derived
columns for aliases, nicknames, day/month transposition and postcode district (the columns are
columns.COLUMNS). As Python rows (table_of, for Spark and the bench) or as Arrow (arrow_of, for
DuckDB). Free of Django."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from .columns import COLUMNS, IDENTIFIERS
from .nicknames import canonical_first_name


class EngineRecord(Protocol):
    """What the table reads of a record (engine.EngineRecord has it; the engine imports this
    module, so the table names the shape, not the class)."""

    @property
    def id(self) -> int: ...
    @property
    def given_names(self) -> str: ...
    @property
    def family_name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def date_of_birth(self) -> date | None: ...
    @property
    def sex(self) -> str: ...
    @property
    def postcode(self) -> str: ...


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


ARROW_CHUNK = 100_000


def _columns(records: Sequence[EngineRecord]) -> dict[str, list[Any]]:
    """table_of's rows, by column: the same values, built without a dictionary per record."""
    # Names without aliases (nearly all) are derived once per distinct name, not once per record.
    given: dict[str, tuple[str | None, str | None, list[str] | None]] = {}
    family: dict[str, tuple[str | None, list[str] | None]] = {}
    births: dict[Any, tuple[str, str | None, str]] = {}
    districts: dict[str, str | None] = {}
    firsts: list[str | None] = []
    canons: list[str | None] = []
    firsts_all: list[list[str] | None] = []
    surnames: list[str | None] = []
    surnames_all: list[list[str] | None] = []
    aliases: list[list[str] | None] = []
    for r in records:
        if r.aliases:
            row = table_of([r])[0]
            firsts.append(row["first_name"])
            canons.append(row["first_name_canon"])
            firsts_all.append(row["first_names_all"])
            surnames.append(row["surname"])
            surnames_all.append(row["surnames_all"])
            aliases.append(row["aliases"])
            continue
        names = given.get(r.given_names)
        if names is None:
            first = _first(r.given_names)
            canon = canonical_first_name(first) if first else None
            names = given[r.given_names] = (first, canon, sorted({first, canon}) if first and canon else None)
        family_names = family.get(r.family_name)
        if family_names is None:
            surname = _surname(r.family_name)
            family_names = family[r.family_name] = (surname, [surname] if surname else None)
        firsts.append(names[0])
        canons.append(names[1])
        firsts_all.append(names[2])
        surnames.append(family_names[0])
        surnames_all.append(family_names[1])
        aliases.append(None)
    columns: dict[str, list[Any]] = {
        "first_name": firsts,
        "first_name_canon": canons,
        "first_names_all": firsts_all,
        "surname": surnames,
        "surnames_all": surnames_all,
        "aliases": aliases,
    }
    dob: list[str | None] = []
    swapped: list[str | None] = []
    year: list[str | None] = []
    for r in records:
        born = r.date_of_birth
        if born is None:
            dob.append(None)
            swapped.append(None)
            year.append(None)
            continue
        if born not in births:
            text = born.isoformat()
            turned = (
                f"{born.year:04d}-{born.day:02d}-{born.month:02d}"
                if born.day <= 12 and born.day != born.month
                else None
            )
            births[born] = (text, turned, text[:4])
        text, turned, first_four = births[born]
        dob.append(text)
        swapped.append(turned)
        year.append(first_four)
    postcodes = [r.postcode or None for r in records]
    for postcode in postcodes:
        if postcode and postcode not in districts:
            districts[postcode] = postcode[:-3] if UK_POSTCODE.match(postcode) else None
    columns.update(
        unique_id=[r.id for r in records],
        dob=dob,
        dob_swapped=swapped,
        birth_year=year,
        sex=[r.sex or None for r in records],
        postcode=postcodes,
        postcode_district=[districts[p] if p else None for p in postcodes],
    )
    for name in IDENTIFIERS:
        columns[name] = [getattr(r, name) or None for r in records]
    for name in GENERIC:
        values = [getattr(r, name) for r in records]
        columns[name] = [(" ".join(v.lower().split()) or None) if v else None for v in values]
    return columns


def arrow_of(records: Sequence[EngineRecord]) -> Any:
    """The table Splink sees (table_of's rows, the same values), as Arrow, built by column a chunk
    of records at a time: a row as a Python dict costs about a kilobyte, and building one per record
    was most of this step's time at a million records. Build it once and pass it to train and predict."""
    import pyarrow as pa

    kinds = {"int": pa.int64(), "str": pa.string(), "list": pa.list_(pa.string())}
    schema = pa.schema([(name, kinds[kind]) for name, kind in COLUMNS])
    chunks = []
    for start in range(0, len(records), ARROW_CHUNK):
        columns = _columns(records[start : start + ARROW_CHUNK])
        chunks.append(
            pa.Table.from_arrays(
                [pa.array(columns[name], type=kinds[kind]) for name, kind in COLUMNS], schema=schema
            )
        )
    return pa.concat_tables(chunks) if chunks else _arrow([])
