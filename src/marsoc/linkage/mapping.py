"""Mapping files: how a partner extract's columns become our fields.

A mapping is a small TOML file (see `mappings/` for the prison, probation and police examples):

    name = "prison-nomis"
    format = "csv"                  # csv, xlsx, json (an array of objects), jsonl or parquet
    encoding = "utf-8"
    required = ["source_key", "family_name", "date_of_birth"]   # a bad value here quarantines the row
    postcode_country = "GB"         # "GB" checks UK postcodes; "" takes any postcode as text
    ignore = ["ESTABLISHMENT"]      # columns that may be present and are not imported
    alias_separator = ";"
    [columns]                       # source column -> field
    PRISONER_ID = "source_key"
    [dates]
    date_of_birth = ["%d/%m/%Y", "%Y-%m-%d"]
    [codes.sex]                     # source value (upper-cased) -> stored value
    MALE = "M"

Free of Django so the command-line engine (`marsoc link`, `marsoc dedupe`) can share it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Fields for data that is not from a UK criminal-justice system: kept with the record and compared
# when the model says so (see linkage/model.py).
GENERIC_FIELDS = (
    "identifier",  # any other identifier the partner holds (a social security number, a passport)
    "street_number",
    "address_line_1",
    "address_line_2",
    "town",
    "region",  # a county, state or region
)
FIELDS = (
    "source_key",
    "given_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "sex",
    "postcode",
    "pnc",
    "cro",
    "nomis",
    "crn",
    *GENERIC_FIELDS,
    "truth",  # ground truth for evaluate mode; never stored
)
IDENTIFIER_FIELDS = ("pnc", "cro", "nomis", "crn")
FORMATS = ("csv", "xlsx", "json", "jsonl", "parquet")
POSTCODE_COUNTRIES = ("GB", "")


class MappingError(ValueError):
    """The mapping file itself is wrong; the message says where."""


@dataclass(frozen=True)
class Mapping:
    name: str
    format: str
    columns: dict[str, str]
    encoding: str = "utf-8"
    required: tuple[str, ...] = ("source_key",)
    ignore: tuple[str, ...] = ()
    alias_separator: str = ";"
    dates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    key_identifier: str = ""  # "crn", "nomis"...: the key is itself that identifier
    postcode_country: str = "GB"  # "" takes any postcode as text

    def source_column(self, field_name: str) -> str | None:
        for column, target in self.columns.items():
            if target == field_name:
                return column
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "format": self.format,
            "columns": self.columns,
            "encoding": self.encoding,
            "required": list(self.required),
            "ignore": list(self.ignore),
            "alias_separator": self.alias_separator,
            "dates": {k: list(v) for k, v in self.dates.items()},
            "codes": self.codes,
            "key_identifier": self.key_identifier,
            "postcode_country": self.postcode_country,
        }


def mapping_from_dict(data: dict[str, Any]) -> Mapping:
    problems: list[str] = []
    name = str(data.get("name", "")).strip()
    if not name:
        problems.append("name is missing")
    fmt = str(data.get("format", "csv"))
    if fmt not in FORMATS:
        problems.append(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        problems.append("[columns] must map at least one source column to a field")
        columns = {}
    for column, target in columns.items():
        if target not in FIELDS:
            problems.append(f"column {column!r} maps to unknown field {target!r}")
    targets = list(columns.values())
    for target in set(targets):
        if targets.count(target) > 1:
            problems.append(f"field {target!r} is mapped from more than one column")
    if "source_key" not in targets:
        problems.append("one column must map to source_key (the record's key in its own system)")
    required = tuple(data.get("required", ["source_key"]))
    for target in required:
        if target not in targets:
            problems.append(f"required field {target!r} is not mapped from any column")
    dates = {k: tuple(v) for k, v in dict(data.get("dates", {})).items()}
    if "date_of_birth" in targets and not dates.get("date_of_birth"):
        dates["date_of_birth"] = ("%Y-%m-%d",)
    codes = {
        k: {str(a).upper(): str(b) for a, b in v.items()} for k, v in dict(data.get("codes", {})).items()
    }
    key_identifier = str(data.get("key_identifier", ""))
    if key_identifier and (key_identifier not in IDENTIFIER_FIELDS or key_identifier in targets):
        problems.append(
            f"key_identifier must be an unmapped identifier field ({', '.join(IDENTIFIER_FIELDS)})"
        )
    postcode_country = str(data.get("postcode_country", "GB")).upper()
    if postcode_country not in POSTCODE_COUNTRIES:
        problems.append(
            'postcode_country must be "GB" (UK postcodes are checked) or "" (any postcode, as text)'
        )
    if problems:
        raise MappingError("The mapping file is not usable: " + "; ".join(problems))
    return Mapping(
        name=name,
        format=fmt,
        columns={str(k): str(v) for k, v in columns.items()},
        encoding=str(data.get("encoding", "utf-8")),
        required=required,
        ignore=tuple(str(c) for c in data.get("ignore", [])),
        alias_separator=str(data.get("alias_separator", ";")),
        dates=dates,
        codes=codes,
        key_identifier=key_identifier,
        postcode_country=postcode_country,
    )


def load_mapping(path: str | Path) -> Mapping:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"The mapping file {path} is not valid TOML: {error}") from error
    return mapping_from_dict(data)


BUILT_IN_DIR = Path(__file__).parent / "mappings"


def built_in_mappings() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BUILT_IN_DIR.glob("*.toml"))}
