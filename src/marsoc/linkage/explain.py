"""A match explanation in the words of the people who review it.

The model names its comparisons by column ("first_name", "dob") and Splink labels its standard levels in
SQL terms ("Damerau-Levenshtein distance of dob <= 1", "Exact match on first_name"); reviewers see what
each means instead. Levels we named ourselves (engine.py: "Nickname of the same name") pass unchanged."""

import re

COMPARISONS = {
    "first_name": "First name",
    "surname": "Surname",
    "dob": "Date of birth",
    "sex": "Sex",
    "postcode": "Postcode",
    "postcode_district": "Postcode district",
    "alias": "Other names",
    "aliases": "Other names",
    "identifiers": "Identifiers (PNC, CRO, prison number, CRN)",
}


def comparison_label(name: str) -> str:
    return COMPARISONS.get(name, name.replace("_", " ").capitalize())


def _column(text: str) -> str:
    return comparison_label(text.strip()).lower()


_LEVELS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Exact match on (?P<col>[\w]+)$", re.I), "the same {col}"),
    (re.compile(r"^(?P<col>[\w]+) is NULL$", re.I), "missing in one record or both"),
    (re.compile(r"^All other comparisons$", re.I), "different"),
    (
        re.compile(r"^Damerau-Levenshtein distance of (?P<col>[\w]+) <= (?P<n>\d+)$", re.I),
        "{col} differs by at most {n} typing slip{s} (a wrong, missing, extra or swapped character)",
    ),
    (
        re.compile(r"^Levenshtein distance of (?P<col>[\w]+) <= (?P<n>\d+)$", re.I),
        "{col} differs by at most {n} character{s}",
    ),
    (
        re.compile(r"^Jaro-Winkler (?:distance|similarity) of (?P<col>[\w]+) >= (?P<x>[\d.]+)$", re.I),
        "{col} spelt similarly (similarity {pct} or more)",
    ),
]


def level_label(label: str) -> str:
    for pattern, words in _LEVELS:
        found = pattern.match(label.strip())
        if found:
            parts = found.groupdict()
            n = parts.get("n")
            x = parts.get("x")
            return words.format(
                col=_column(parts.get("col") or ""),
                n=n or "",
                s="" if n == "1" else "s",
                pct=f"{float(x):.0%}" if x else "",
            ).capitalize()
    return label


def plain_explanation(explanation: list[dict[str, object]]) -> list[dict[str, object]]:
    """The pair's explanation with readers' labels (the weights unchanged), strongest first."""
    rows = [
        {**e, "comparison": comparison_label(str(e["comparison"])), "level": level_label(str(e["level"]))}
        for e in explanation
    ]
    return sorted(rows, key=lambda e: -abs(float(e["weight"])))  # type: ignore[arg-type]
