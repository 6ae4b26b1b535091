"""Mapping files: how a partner extract's columns become our fields.

A mapping is a small TOML file (see `mappings/` for the prison, probation and police examples):

    name = "prison-nomis"
    format = "csv"                  # csv, xlsx, json (an array of objects), jsonl or parquet
    encoding = "utf-8"
    required = ["source_key", "family_name", "date_of_birth"]   # a bad value here quarantines the row
    postcode_country = "GB"         # "GB" checks UK postcodes; "" takes any postcode as text
    truth_from_key = ""             # evaluation only: a regular expression naming the person in the key
    [model]                         # optional: which comparisons, on which columns (linkage/model.py)
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

import codecs
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .columns import GENERIC_FIELDS as GENERIC_FIELDS  # re-exported: mapped by name here

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
    # Ground truth for evaluation read from the key: a regular expression whose first group (or
    # whole match) names the person, e.g. "^rec-([0-9]+)-" for FEBRL's rec-12-dup-0.
    truth_from_key: str = ""
    model: dict[str, Any] | None = None  # the [model] table (linkage/model.py), checked on loading

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
            "truth_from_key": self.truth_from_key,
            **({"model": self.model} if self.model is not None else {}),
        }


KEYS = (
    "name",
    "format",
    "encoding",
    "required",
    "ignore",
    "alias_separator",
    "columns",
    "dates",
    "codes",
    "key_identifier",
    "postcode_country",
    "truth_from_key",
    "model",
)
TABLES = ("columns", "dates", "codes", "model")
DATE_FIELDS = ("date_of_birth",)
CODED_FIELDS = {"sex": ("M", "F", "")}  # the fields a [codes.<field>] table may translate, and to what


def _nearest(word: str, choices: tuple[str, ...] | list[str], *, table: bool = False) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    if close:
        return f" (did you mean [{close[0]}]?)" if table else f" (did you mean {close[0]!r}?)"
    return f" (valid: {', '.join(choices)})"


def _ascii_compatible(encoding: str) -> str:
    """Why the line reader cannot use `encoding` ("" if it can): it splits lines and values on ASCII bytes."""
    try:
        codecs.lookup(encoding)
    except LookupError:
        return f"encoding {encoding!r} is not an encoding this service knows (use utf-8)"
    try:
        sample = 'PERSON_REF,"x"\n'.encode(encoding)
    except (UnicodeError, LookupError):
        return f"encoding {encoding!r} cannot write plain text (use utf-8)"
    if sample != b'PERSON_REF,"x"\n':
        return (
            f"encoding {encoding!r} is not supported: extracts are read as utf-8 (or another encoding where "
            "letters, commas and line ends are single ASCII bytes, such as windows-1252 or latin-1); "
            "ask for the extract as UTF-8"
        )
    return ""


def _strings(value: object) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _check_date_formats(field_name: str, formats: object, problems: list[str]) -> tuple[str, ...]:
    if not _strings(formats) or not formats:
        problems.append(f'[dates] {field_name} must be a list of date formats such as ["%d/%m/%Y"]')
        return ()
    assert isinstance(formats, list | tuple)
    for fmt in formats:
        if not any(code in fmt for code in ("%d", "%m", "%Y", "%y", "%b", "%B", "%j")):
            problems.append(f"[dates] {field_name}: {fmt!r} has no day, month or year in it (%d, %m, %Y)")
            continue
        try:
            date(2001, 2, 3).strftime(fmt)
        except ValueError:
            problems.append(f"[dates] {field_name}: {fmt!r} is not a date format")
    return tuple(formats)


def mapping_from_dict(data: object) -> Mapping:
    """A checked mapping, or MappingError listing every problem. Strict: a key it does not know is an
    error (naming the nearest valid key), since a misspelt `requird` or `[date]` silently changes
    which fields are required or how dates are read."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise MappingError("The mapping file is not usable: it must be a table of settings")
    for key in data:
        if key not in KEYS:
            kind = "table" if isinstance(data[key], dict) else "key"
            shown_key = f"[{key}]" if kind == "table" else repr(key)
            problems.append(f"unknown {kind} {shown_key}{_nearest(str(key), KEYS, table=kind == 'table')}")
    name = data.get("name", "")
    if not isinstance(name, str) or not name.strip():
        problems.append("name is missing")
        name = ""
    fmt = data.get("format", "csv")
    if fmt not in FORMATS:
        problems.append(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    encoding = data.get("encoding", "utf-8")
    if not isinstance(encoding, str) or not encoding.strip():
        problems.append('encoding must be the name of an encoding, such as "utf-8"')
        encoding = "utf-8"
    elif why := _ascii_compatible(encoding):
        problems.append(why)
    for table in TABLES:
        if table in data and not isinstance(data[table], dict):
            problems.append(f"{table} must be a table ([{table}]), not {type(data[table]).__name__}")
    columns = data.get("columns")
    if not isinstance(columns, dict) or not columns:
        problems.append("[columns] must map at least one source column to a field")
        columns = {}
    for column, target in columns.items():
        if not isinstance(target, str) or target not in FIELDS:
            problems.append(
                f"column {column!r} maps to unknown field {target!r}{_nearest(str(target), FIELDS)}"
            )
    targets = [t for t in columns.values() if isinstance(t, str)]
    for target in sorted(set(targets)):
        if targets.count(target) > 1:
            problems.append(f"field {target!r} is mapped from more than one column")
    if "source_key" not in targets:
        problems.append("one column must map to source_key (the record's key in its own system)")
    required_value = data.get("required", ["source_key"])
    required: tuple[str, ...] = ()
    if not _strings(required_value):
        problems.append('required must be a list of field names, such as ["source_key", "family_name"]')
    else:
        required = tuple(required_value)
        for target in required:
            if target not in FIELDS:
                problems.append(f"required names unknown field {target!r}{_nearest(target, FIELDS)}")
            elif target not in targets:
                problems.append(f"required field {target!r} is not mapped from any column")
    ignore_value = data.get("ignore", [])
    if not _strings(ignore_value):
        problems.append("ignore must be a list of column names")
        ignore_value = []
    separator = data.get("alias_separator", ";")
    if not isinstance(separator, str) or not separator:
        problems.append('alias_separator must be one or more characters, such as ";"')
        separator = ";"
    dates_value = data.get("dates", {})
    dates: dict[str, tuple[str, ...]] = {}
    for field_name, formats in dates_value.items() if isinstance(dates_value, dict) else ():
        if field_name not in DATE_FIELDS:
            problems.append(
                f"[dates] names {field_name!r}, which is not a date field{_nearest(str(field_name), DATE_FIELDS)}"
            )
            continue
        dates[field_name] = _check_date_formats(field_name, formats, problems)
    if "date_of_birth" in targets and not dates.get("date_of_birth"):
        dates["date_of_birth"] = ("%Y-%m-%d",)
    codes_value = data.get("codes", {})
    codes: dict[str, dict[str, str]] = {}
    for field_name, table in codes_value.items() if isinstance(codes_value, dict) else ():
        if field_name not in CODED_FIELDS:
            problems.append(
                f"[codes.{field_name}] is not a field with codes{_nearest(str(field_name), tuple(CODED_FIELDS))}"
            )
            continue
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            problems.append(f"[codes.{field_name}] must map each source value to a stored value")
            continue
        allowed = CODED_FIELDS[field_name]
        for source, stored in table.items():
            if stored not in allowed:
                problems.append(
                    f"[codes.{field_name}] maps {source!r} to {stored!r}: the stored value must be one of "
                    + ", ".join(repr(a) for a in allowed)
                )
        codes[field_name] = {str(a).upper(): str(b) for a, b in table.items()}
    key_identifier = data.get("key_identifier", "")
    if not isinstance(key_identifier, str) or (
        key_identifier and (key_identifier not in IDENTIFIER_FIELDS or key_identifier in targets)
    ):
        problems.append(
            f"key_identifier must be an unmapped identifier field ({', '.join(IDENTIFIER_FIELDS)})"
        )
        key_identifier = ""
    postcode_value = data.get("postcode_country", "GB")
    postcode_country = postcode_value.upper() if isinstance(postcode_value, str) else "?"
    if postcode_country not in POSTCODE_COUNTRIES:
        problems.append(
            'postcode_country must be "GB" (UK postcodes are checked) or "" (any postcode, as text)'
        )
    truth_from_key = str(data.get("truth_from_key", ""))
    if truth_from_key:
        try:
            re.compile(truth_from_key)
        except re.error as error:
            problems.append(f"truth_from_key is not a regular expression: {error}")
    model = data.get("model")
    if model is not None:
        from .model import ModelError, model_from_dict

        try:
            model_from_dict(dict(model))
        except (ModelError, TypeError, ValueError) as error:
            problems.append(str(error))
    if problems:
        raise MappingError("The mapping file is not usable: " + "; ".join(problems))
    assert isinstance(name, str) and isinstance(fmt, str)
    return Mapping(
        name=name.strip(),
        format=fmt,
        columns={str(k): str(v) for k, v in columns.items()},
        encoding=encoding,
        required=required,
        ignore=tuple(ignore_value),
        alias_separator=separator,
        dates=dates,
        codes=codes,
        key_identifier=key_identifier,
        postcode_country=postcode_country,
        truth_from_key=truth_from_key,
        model=dict(model) if model is not None else None,
    )


def load_mapping(path: str | Path) -> Mapping:
    """A mapping file; its model is its [model] table, or else a file beside it named
    <mapping>.model.toml (the same table's contents), or else none (the default, see
    linkage/model.py)."""
    path = Path(path)
    data = _toml_file(path, "mapping file")
    beside = path.with_name(path.stem + ".model.toml")
    if "model" not in data and beside.is_file():
        data["model"] = _toml_file(beside, "model file")
    return mapping_from_dict(data)


def _toml_file(path: Path, what: str) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise MappingError(f"The {what} {path} cannot be read: {error.strerror or error}") from error
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in raw[:200]:
        raise MappingError(
            f"The {what} {path} is UTF-16 (or binary), not UTF-8 text: save it as UTF-8 and try again"
        )
    try:
        return tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise MappingError(
            f"The {what} {path} is not UTF-8 text (byte {error.start + 1}): save it as UTF-8 and try again"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise MappingError(f"The {what} {path} is not valid TOML: {error}") from error


BUILT_IN_DIR = Path(__file__).parent / "mappings"


def built_in_mappings() -> dict[str, Path]:
    return {p.stem: p for p in sorted(BUILT_IN_DIR.glob("*.toml"))}
