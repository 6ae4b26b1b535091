"""Checking partner extracts: the rows the readers stream (linkage/readers.py: CSV, XLSX, JSON arrays,
JSON Lines, Parquet) are checked here and each good row turned into normalised fields.

Two kinds of trouble:
- a *broken file* (wrong encoding, a truncated or over-long row, unknown columns, a key used twice,
  a formula in a cell, an enormous field) rejects the whole import: nothing is committed and the
  offending rows are reported and quarantined;
- a *bad row* (a required field missing, or unreadable: see the mapping's `required`) is
  quarantined on its own while the good rows commit;
- a *bad optional value* (an invalid identifier, an unreadable date, an unknown code, a postcode
  from abroad where UK ones are checked) keeps its record with that field left empty and a warning
  in the validation report: a record is never lost for a field it can do without.

Free of Django: the command-line engine reads files the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marsoc.core.identifiers import IdentifierError, IdentifierType, normalise
from marsoc.core.text import disguising_character_problem

from .mapping import GENERIC_FIELDS, Mapping

MAX_FIELD = 4_096  # no name, date, code or identifier comes near this
MAX_LINE = 65_536  # a physical line longer than this is not a person record
MAX_PROBLEMS = 1_000  # a report listing more than this stops listing (the count goes on)
# The stored columns' sizes (linkage.models.SourceRecord).
FIELD_LIMITS = {
    "source_key": 100,
    "given_names": 100,
    "family_name": 100,
    "postcode": 10,
    "identifier": 50,
    "street_number": 20,
    "address_line_1": 200,
    "address_line_2": 200,
    "town": 100,
    "region": 100,
}
SHOWN_VALUE = 200  # values are cut to this length in reports
# A cell beginning with one of these may be run as a formula by a spreadsheet that opens the
# report or a re-export (CSV injection). A minus followed by a digit is a number, not a formula.
FORMULA_RE = re.compile(r"^(?:[=+@\t\r]|-(?![0-9]))")
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
IDENTIFIER_TYPES = {
    "pnc": IdentifierType.PNC,
    "cro": IdentifierType.CRO,
    "nomis": IdentifierType.NOMIS,
    "crn": IdentifierType.CRN,
}


def storable(text: str) -> str:
    """Text that PostgreSQL can keep (in a text column or in JSON): a NUL is written as \\x00 and an
    unpaired surrogate as \\udXXX, so a report can still show what was there."""
    if "\x00" not in text and not _SURROGATE_RE.search(text):
        return text
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def unstorable(text: str) -> str:
    """Why `text` cannot be stored as it is ("" if it can)."""
    if "\x00" in text:
        return "contains a NUL byte (\\x00), which no text can hold"
    if found := _SURROGATE_RE.search(text):
        return f"contains an unpaired surrogate (\\u{ord(found.group()):04x}), which is not text"
    return ""


@dataclass(frozen=True)
class Problem:
    row: int  # 0 for the header or the file as a whole
    column: str
    value: str
    reason: str

    def __post_init__(self) -> None:
        # A report is stored: what the file held must never make it unstorable (NUL, surrogates).
        for name in ("column", "value", "reason"):
            object.__setattr__(self, name, storable(getattr(self, name)))

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class FileBroken(Exception):
    """Reading cannot go on (bad encoding, a truncated row...). `problem` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.reason)
        self.problem = problem


def shown(value: object) -> str:
    text = "" if value is None else str(value)
    text = text if len(text) <= SHOWN_VALUE else text[:SHOWN_VALUE] + f"… ({len(text):,} characters)"
    return storable(text)


def formula_problems(row_number: int, row: dict[str, str]) -> list[Problem]:
    return [
        Problem(
            row_number,
            column,
            shown(value),
            f"{column} in row {row_number} starts like a spreadsheet formula",
        )
        for column, value in row.items()
        if value and FORMULA_RE.match(value)
    ]


# The common date formats, read without strptime (which consults the locale on every call and was
# a third of the time spent validating a row). A text these patterns match gives the same date, or
# the same failure, as strptime with the format; anything else is left to strptime.
_FAST_DATES = {
    "%d/%m/%Y": (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), (3, 2, 1)),
    "%Y-%m-%d": (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),
}


def _date(text: str, formats: tuple[str, ...]) -> date:
    for fmt in formats:
        fast = _FAST_DATES.get(fmt)
        if fast and (found := fast[0].fullmatch(text)):
            year, month, day = (int(found.group(i)) for i in fast[1])
            try:
                return date(year, month, day)
            except ValueError:
                continue
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"is not a date in the form {' or '.join(date_format_words(f) for f in formats)}")


_FORMAT_WORDS = {
    "%d": "day",
    "%m": "month",
    "%Y": "year",
    "%y": "2-digit year",
    "%b": "short month name",
    "%B": "month name",
}
_EXAMPLE = date(1990, 1, 31)


def date_format_words(fmt: str) -> str:
    """A strptime format as users read it: "%d/%m/%Y" is "day/month/year, e.g. 31/01/1990"."""
    words = re.sub(r"%[a-zA-Z]", lambda m: _FORMAT_WORDS.get(m.group(0), "?"), fmt)
    return f"{words}, e.g. {_EXAMPLE.strftime(fmt)}"


def normalise_postcode(text: str) -> str:
    return re.sub(r"\s+", "", text).upper()


def name_text(text: str) -> str:
    return " ".join(text.split())


@dataclass
class RowResult:
    row: int
    key: str
    fields: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # the row is quarantined
    warnings: list[Problem] = field(default_factory=list)  # the row is kept, these fields left empty


KEPT = " (the record is kept without it)"


def identifier_text(text: str) -> str:
    """A generic identifier (a social security number, a passport number): upper case, letters and
    digits only, so "123-45 6789" and "123456789" agree."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


NAME_FIELDS = ("given_names", "family_name", "aliases")


def _name_problem(text: str) -> str:
    """A character no name may hold: a control character other than white space (an escape, a bell),
    or one that disguises how the name reads (core.text: bidirectional overrides, zero-width spaces)."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in text):
        return "must not contain control characters (such as an escape or a bell)"
    return disguising_character_problem(text)


def validate_row(
    row_number: int, row: dict[str, str], mapping: Mapping, today: date | None = None
) -> RowResult:
    """Turn one source row into normalised fields, or say (per column) why it cannot be."""
    result = RowResult(row=row_number, key="")
    values: dict[str, str] = {}
    for column, target in mapping.columns.items():
        values[target] = (row.get(column) or "").strip()

    def bad(target: str, reason: str) -> None:
        # Only a required field quarantines the row; any other is left empty, with a warning.
        column = mapping.source_column(target) or target
        if target in mapping.required:
            result.problems.append(Problem(row_number, column, shown(values.get(target, "")), reason))
        else:
            result.warnings.append(Problem(row_number, column, shown(values.get(target, "")), reason + KEPT))

    for target in mapping.required:
        if not values.get(target):
            bad(target, f"{mapping.source_column(target)} is required")
    result.key = values.get("source_key", "")
    out: dict[str, Any] = {
        "given_names": name_text(values.get("given_names", "")),
        "family_name": name_text(values.get("family_name", "")),
        "aliases": [
            name_text(a) for a in values.get("aliases", "").split(mapping.alias_separator) if a.strip()
        ],
        "date_of_birth": None,
        "sex": "",
        "postcode": "",
        "pnc": "",
        "cro": "",
        "nomis": "",
        "crn": "",
        **{name: name_text(values.get(name, "")) for name in GENERIC_FIELDS},
    }
    out["identifier"] = identifier_text(out["identifier"])
    if dob := values.get("date_of_birth"):
        try:
            born = _date(dob, mapping.dates.get("date_of_birth", ("%Y-%m-%d",)))
            if born > (today or date.today()) or born.year < 1900:
                bad("date_of_birth", "is not a plausible date of birth")
            else:
                out["date_of_birth"] = born
        except ValueError as error:
            bad("date_of_birth", str(error))
    if "sex" in mapping.columns.values():
        code = values.get("sex", "")
        table = mapping.codes.get("sex")
        if table is not None:
            if code.upper() in table:
                out["sex"] = table[code.upper()]
            else:
                bad("sex", f"is not one of the codes in the mapping ({', '.join(k for k in table if k)})")
        else:
            out["sex"] = code[:1].upper()
    if pc := values.get("postcode"):
        norm = normalise_postcode(pc)
        if not mapping.postcode_country or POSTCODE_RE.match(norm):
            out["postcode"] = norm
        else:
            bad("postcode", "is not a UK postcode")
    identifier_values = {f: values.get(f, "") for f in IDENTIFIER_TYPES}
    if mapping.key_identifier:
        identifier_values[mapping.key_identifier] = result.key
    for name, kind in IDENTIFIER_TYPES.items():
        raw = identifier_values.get(name, "")
        if not raw:
            continue
        try:
            out[name] = normalise(kind, raw)
        except IdentifierError as error:
            if mapping.key_identifier == name and mapping.source_column(name) is None:
                result.problems.append(
                    Problem(
                        row_number,
                        mapping.source_column("source_key") or "source_key",
                        shown(raw),
                        error.message,
                    )
                )
            else:
                bad(name, error.message)
    for target in NAME_FIELDS:
        # Checked as sent: name_text has already turned tabs and line breaks into spaces.
        if why := _name_problem(values.get(target, "")):
            bad(target, why)
            out[target] = [] if target == "aliases" else ""
    for target, limit in FIELD_LIMITS.items():
        # Longer than the stored column: PostgreSQL would refuse the whole commit.
        text = result.key if target == "source_key" else out.get(target, "")
        if len(text) <= limit:
            continue
        reason = f"is longer than {limit} characters, the most a record can hold"
        if target == "source_key":
            column = mapping.source_column("source_key") or "source_key"
            result.problems.append(Problem(row_number, column, shown(text), reason))
        else:
            bad(target, reason)
            out[target] = ""
    if "truth" in values:
        out["truth"] = values["truth"]
    elif mapping.truth_from_key:
        out["truth"] = truth_from_key(result.key, mapping)
    result.fields = out
    return result


def truth_from_key(key: str, mapping: Mapping) -> str:
    """The person a key names, by the mapping's truth_from_key (evaluation only); "" if it does not match."""
    found = re.search(mapping.truth_from_key, key)
    if not found:
        return ""
    return found.group(1) if found.groups() else found.group(0)


def content_hash(fields: dict[str, Any]) -> str:
    """The same person data always hashes the same, whatever the row order or file. Empty generic
    fields are left out, so records imported before those fields existed hash as they did."""
    stable = {
        k: (v.isoformat() if isinstance(v, date) else v)
        for k, v in fields.items()
        if k != "truth" and not (k in GENERIC_FIELDS and not v)
    }
    return hashlib.sha256(json.dumps(stable, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def problems_json(problems: list[Problem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]
