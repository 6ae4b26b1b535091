"""The linkage model as data: which comparisons, of which kinds, on which columns, and which
blocking rules. A mapping file may carry a `[model]` table (or a model file beside it,
`<mapping>.model.toml`, see mapping.load_mapping); without one the model is chosen from the fields
the mapping fills (`default_model`).

    [model]
    comparisons = [
      "first_name", "surname", "date_of_birth",            # a kind alone: its usual columns
      { kind = "identifier", column = "identifier" },      # a kind on a column
      { kind = "text", column = "address_line_1", name = "street" },
    ]
    blocking = [["dob"], ["surname", "first_name_canon"]]  # optional: columns equal on both sides

The library of kinds (`KINDS`); the columns are those of the table Splink sees (linkage/columns.py):

- `first_name`: exact (term-frequency adjusted), a nickname of the same name, an alias's first
  name, Jaro-Winkler ≥ 0.9, ≥ 0.75;
- `surname`: exact (term frequencies), an alias or former surname, Jaro-Winkler ≥ 0.92, ≥ 0.8;
- `date_of_birth`: exact, day and month transposed, one character different, within a month, same
  year;
- `sex`: exact; `postcode_uk`: exact (term frequencies), same district; `postcode`: a postcode of
  any country as text: exact (term frequencies), one character different;
- `alias`: the same whole alias;
- `cj_identifiers`: PNC, CRO, NOMIS and CRN together: one shared, or every one of a kind held by
  both different (strong evidence of two people);
- `identifier` (on a column): exact, one character different or two swapped (a keying slip);
- `exact` (on a column): exact, term-frequency adjusted: categories such as a state or a number;
- `text` (on a column): free text such as an address line or town: exact (term frequencies),
  Jaro-Winkler ≥ 0.9, ≥ 0.7.

The UK criminal-justice model (`CRIMINAL_JUSTICE`) is the default for our feeds and the one the
service trains. The Spark path builds its settings from the same model (engine.model_for_dialect).
Free of Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .columns import GENERIC_FIELDS

# kind -> (needs a column, the output name without one, evidence of who the record is)
KINDS: dict[str, tuple[bool, str, bool]] = {
    "first_name": (False, "first_name", True),
    "surname": (False, "surname", True),
    "date_of_birth": (False, "dob", False),
    "sex": (False, "sex", False),
    "postcode_uk": (False, "postcode", False),
    "postcode": (False, "postcode", False),
    "alias": (False, "alias", True),
    "cj_identifiers": (False, "identifiers", True),
    "identifier": (True, "", True),
    "exact": (True, "", False),
    "text": (True, "", False),
}
# The columns a column kind may be put on (the generic fields, and the plain ones).
COLUMN_CHOICES = (*GENERIC_FIELDS, "postcode", "sex", "first_name", "surname", "dob")


class ModelError(ValueError):
    """The model description is wrong; the message says where."""


@dataclass(frozen=True)
class ComparisonSpec:
    kind: str
    name: str
    column: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "name": self.name, "column": self.column}


@dataclass(frozen=True)
class ModelSpec:
    comparisons: tuple[ComparisonSpec, ...]
    blocking: tuple[tuple[str, ...], ...] = ()  # empty: the default rules for these comparisons

    def as_dict(self) -> dict[str, Any]:
        return {
            "comparisons": [c.as_dict() for c in self.comparisons],
            "blocking": [list(b) for b in self.blocking],
        }

    def kinds(self) -> set[str]:
        return {c.kind for c in self.comparisons}

    def names(self) -> list[str]:
        return [c.name for c in self.comparisons]

    def evidence(self) -> tuple[str, ...]:
        """The comparisons that say who a record is (names, identifiers): the weak-evidence rule
        (engine.auto_links) needs one of them to agree."""
        return tuple(c.name for c in self.comparisons if KINDS[c.kind][2])


def _spec(kind: str, column: str = "", name: str = "") -> ComparisonSpec:
    needs_column, fixed_name, _ = KINDS[kind]
    return ComparisonSpec(kind, name or (column if needs_column else fixed_name), column)


CRIMINAL_JUSTICE = ModelSpec(
    tuple(
        _spec(kind)
        for kind in (
            "first_name",
            "surname",
            "date_of_birth",
            "sex",
            "postcode_uk",
            "alias",
            "cj_identifiers",
        )
    )
)

# Generic field -> the kind it is compared with by default.
GENERIC_DEFAULTS = {
    "identifier": "identifier",
    "street_number": "exact",
    "address_line_1": "text",
    "address_line_2": "text",
    "town": "text",
    "region": "exact",
}
CJ_IDENTIFIER_FIELDS = ("pnc", "cro", "nomis", "crn")


def default_model(fields: Iterable[str], *, uk_postcodes: bool = True) -> ModelSpec:
    """The model for data filling `fields` (mapping field names): a comparison for each field
    present, of its usual kind. Data with the criminal-justice fields and no generic ones gets
    exactly CRIMINAL_JUSTICE."""
    present = set(fields)
    generic = [f for f in GENERIC_DEFAULTS if f in present]
    if not generic and uk_postcodes:
        return CRIMINAL_JUSTICE
    chosen: list[ComparisonSpec] = []
    for field_name, kind in (
        ("given_names", "first_name"),
        ("family_name", "surname"),
        ("date_of_birth", "date_of_birth"),
        ("sex", "sex"),
        ("postcode", "postcode_uk" if uk_postcodes else "postcode"),
        ("aliases", "alias"),
    ):
        if field_name in present:
            chosen.append(_spec(kind))
    if present & set(CJ_IDENTIFIER_FIELDS):
        chosen.append(_spec("cj_identifiers"))
    chosen.extend(_spec(GENERIC_DEFAULTS[f], f) for f in generic)
    if not chosen:
        raise ModelError("The mapping fills no field that records can be compared on")
    return ModelSpec(tuple(chosen))


def model_from_dict(data: dict[str, Any], *, where: str = "[model]") -> ModelSpec:
    problems: list[str] = []
    raw = data.get("comparisons")
    if not isinstance(raw, list) or not raw:
        raise ModelError(f"{where}: comparisons must list at least one comparison")
    chosen: list[ComparisonSpec] = []
    for n, item in enumerate(raw, start=1):
        entry = {"kind": item} if isinstance(item, str) else item
        if not isinstance(entry, dict):
            problems.append(f"comparison {n} must be a kind or a table with kind and column")
            continue
        kind = str(entry.get("kind", ""))
        if kind not in KINDS:
            problems.append(f"comparison {n}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
            continue
        column = str(entry.get("column", ""))
        if KINDS[kind][0] and column not in COLUMN_CHOICES:
            problems.append(f"comparison {n} ({kind}): column must be one of {', '.join(COLUMN_CHOICES)}")
            continue
        if not KINDS[kind][0] and column:
            problems.append(f"comparison {n} ({kind}) takes no column: its columns are fixed")
            continue
        chosen.append(_spec(kind, column, str(entry.get("name", ""))))
    names = [c.name for c in chosen]
    for name in sorted({x for x in names if names.count(x) > 1}):
        problems.append(f"two comparisons are named {name!r}: give one a name")
    blocking: list[tuple[str, ...]] = []
    for n, rule in enumerate(data.get("blocking", []), start=1):
        if not isinstance(rule, list) or not rule or not all(isinstance(c, str) for c in rule):
            problems.append(f"blocking rule {n} must list the columns that must be equal")
            continue
        unknown = [c for c in rule if c not in BLOCKING_COLUMNS]
        if unknown:
            problems.append(f"blocking rule {n}: unknown columns {', '.join(unknown)}")
            continue
        blocking.append(tuple(rule))
    if problems:
        raise ModelError(f"{where} is not usable: " + "; ".join(problems))
    return ModelSpec(tuple(chosen), tuple(blocking))


def model_of(mappings: Iterable[Any]) -> ModelSpec:
    """The model for files read through `mappings` (mapping.Mapping): the first one's [model], or
    the default for the fields they fill between them."""
    chosen = list(mappings)
    for mapping in chosen:
        if mapping.model is not None:
            return model_from_dict(mapping.model)
    fields: set[str] = set()
    for mapping in chosen:
        fields |= set(mapping.columns.values())
        if mapping.key_identifier:
            fields.add(mapping.key_identifier)
    return default_model(fields, uk_postcodes=all(m.postcode_country for m in chosen))


def spec_from_dict(data: dict[str, Any]) -> ModelSpec:
    """A ModelSpec as stored by as_dict (a training summary)."""
    return ModelSpec(
        tuple(
            ComparisonSpec(str(c["kind"]), str(c["name"]), str(c.get("column", "")))
            for c in data["comparisons"]
        ),
        tuple(tuple(b) for b in data.get("blocking", [])),
    )


# Columns a blocking rule may name: every column of the table Splink sees but the list ones.
BLOCKING_COLUMNS = (
    "first_name",
    "first_name_canon",
    "surname",
    "dob",
    "birth_year",
    "sex",
    "postcode",
    "postcode_district",
    "pnc",
    "cro",
    "nomis",
    "crn",
    *GENERIC_FIELDS,
)
