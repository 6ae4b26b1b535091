"""The Splink model's shape: blocking rules and comparisons, built from a ModelSpec (linkage/model.py)
for DuckDB or Spark, and the settings Splink trains from. Free of Django."""

from __future__ import annotations

from typing import Any

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

from .columns import IDENTIFIERS
from .model import CRIMINAL_JUSTICE, ModelSpec


def blocking_rules(spec: ModelSpec = CRIMINAL_JUSTICE) -> list[Any]:
    """The model's own rules, or the default ones: the same rules serve our pipeline and the
    plain-Splink comparison in bench/linkage.py. A model with a generic identifier also blocks on
    it (two records sharing one are always compared)."""
    if spec.blocking:
        return [block_on(*columns) for columns in spec.blocking]
    extra: list[Any] = [block_on(c.column) for c in spec.comparisons if c.kind == "identifier"]
    columns = {c.column for c in spec.comparisons}
    if {"street_number", "address_line_1"} <= columns:
        extra.append(block_on("street_number", "address_line_1"))  # people at one address are compared
    if "first_name" in spec.names() and "surname" in spec.names():
        extra.append("l.first_name = r.surname AND l.surname = r.first_name")  # names swapped
    return [
        *_default_rules(),
        *extra,
    ]


def _default_rules() -> list[Any]:
    return [
        block_on("dob"),
        block_on("surname", "birth_year"),
        block_on("first_name_canon", "birth_year"),
        block_on("postcode", "first_name_canon"),
        block_on("surname", "first_name_canon"),  # a missing or mistyped date of birth
        block_on("postcode", "surname"),  # a mistyped first name and no date of birth
        block_on("postcode", "birth_year"),  # both names changed or mistyped
        "l.dob = r.dob_swapped",
    ]


def _overlap(column: str, dialect: str) -> str:
    # The one condition DuckDB and Spark spell differently (and sqlglot does not translate).
    function = "arrays_overlap" if dialect == "spark" else "list_has_any"
    return f"{function}({column}_l, {column}_r)"


def _within_days(column: str, days: int, dialect: str) -> str:
    if dialect == "spark":
        return f"abs(datediff(to_date({column}_l), to_date({column}_r))) <= {days}"
    return f"abs(date_diff('day', try_cast({column}_l AS DATE), try_cast({column}_r AS DATE))) <= {days}"


def _identifier_conditions() -> tuple[str, str]:
    """(no identifier kind held by both, some identifier shared). Two records that both hold a PNC
    (or CRO, NOMIS, CRN) and share none of them are strong evidence of two people."""
    both = " OR ".join(f"({n}_l IS NOT NULL AND {n}_r IS NOT NULL)" for n in IDENTIFIERS)
    shared = " OR ".join(f"{n}_l = {n}_r" for n in IDENTIFIERS)
    return f"NOT ({both})", shared


def _on_one_column(name: str, column: str, *between: Any) -> Any:
    """A comparison of one column: missing on either side first, then the levels `between`, strongest
    first, then everything else."""
    return cl.CustomComparison(
        output_column_name=name, comparison_levels=[cll.NullLevel(column), *between, cll.ElseLevel()]
    )


def _compare_first_name(dialect: str, name: str) -> Any:
    return _on_one_column(
        name,
        "first_name",
        cll.ExactMatchLevel("first_name").configure(tf_adjustment_column="first_name"),
        cll.CustomLevel("first_name_canon_l = first_name_canon_r", "Nickname of the same name"),
        cll.CustomLevel(_overlap("first_names_all", dialect), "Matches an alias"),
        # Given name and family name entered the wrong way round: common on forms and in
        # names from cultures that put the family name first.
        cll.CustomLevel("first_name_l = surname_r", "The other record's surname (names swapped)"),
        cll.JaroWinklerLevel("first_name", 0.9),
        cll.JaroWinklerLevel("first_name", 0.75),
    )


def _compare_surname(dialect: str, name: str) -> Any:
    return _on_one_column(
        name,
        "surname",
        cll.ExactMatchLevel("surname").configure(tf_adjustment_column="surname"),
        cll.CustomLevel(_overlap("surnames_all", dialect), "Matches an alias or former surname"),
        cll.CustomLevel("surname_l = first_name_r", "The other record's first name (names swapped)"),
        cll.JaroWinklerLevel("surname", 0.92),
        cll.JaroWinklerLevel("surname", 0.8),
    )


def _compare_date_of_birth(dialect: str, name: str) -> Any:
    return _on_one_column(
        name,
        "dob",
        cll.ExactMatchLevel("dob"),
        cll.CustomLevel("dob_l = dob_swapped_r", "Day and month transposed"),
        cll.DamerauLevenshteinLevel("dob", 1),
        cll.CustomLevel(_within_days("dob", 31, dialect), "Within a month"),
        cll.CustomLevel("birth_year_l = birth_year_r", "Same year of birth"),
    )


def _compare_postcode_uk(name: str) -> Any:
    return _on_one_column(
        name,
        "postcode",
        cll.ExactMatchLevel("postcode").configure(tf_adjustment_column="postcode"),
        cll.ExactMatchLevel("postcode_district").configure(label_for_charts="Same postcode district"),
    )


def _compare_alias(dialect: str, name: str) -> Any:
    return cl.CustomComparison(
        output_column_name=name,
        comparison_levels=[
            cll.CustomLevel("aliases_l IS NULL OR aliases_r IS NULL", "No alias on one side").configure(
                is_null_level=True
            ),
            cll.CustomLevel(_overlap("aliases", dialect), "Same alias"),
            cll.ElseLevel(),
        ],
    )


def _compare_cj_identifiers(name: str) -> Any:
    none_in_common, shared = _identifier_conditions()
    return cl.CustomComparison(
        output_column_name=name,
        comparison_levels=[
            cll.CustomLevel(none_in_common, "No identifier held by both").configure(is_null_level=True),
            cll.CustomLevel(shared, "A shared identifier"),
            cll.CustomLevel("TRUE", "Different identifiers of the same kind"),
        ],
    )


def _on_column(kind: str, column: str, name: str) -> Any:
    if kind == "identifier":
        return _on_one_column(
            name,
            column,
            cll.ExactMatchLevel(column),
            cll.DamerauLevenshteinLevel(column, 1).configure(label_for_charts="One keying slip"),
        )
    exact = cll.ExactMatchLevel(column).configure(tf_adjustment_column=column)
    if kind == "exact":
        return _on_one_column(name, column, exact)
    if kind == "postcode":
        return _on_one_column(
            name,
            column,
            exact,
            cll.DamerauLevenshteinLevel(column, 1).configure(label_for_charts="One character different"),
        )
    # text
    return _on_one_column(
        name, column, exact, cll.JaroWinklerLevel(column, 0.9), cll.JaroWinklerLevel(column, 0.7)
    )


def comparisons(dialect: str = "duckdb", spec: ModelSpec = CRIMINAL_JUSTICE) -> list[Any]:
    """The Splink comparisons of the model `spec` (linkage/model.py), in its order."""
    built = []
    for c in spec.comparisons:
        if c.kind == "first_name":
            built.append(_compare_first_name(dialect, c.name))
        elif c.kind == "surname":
            built.append(_compare_surname(dialect, c.name))
        elif c.kind == "date_of_birth":
            built.append(_compare_date_of_birth(dialect, c.name))
        elif c.kind == "sex":
            built.append(_on_one_column(c.name, "sex", cll.ExactMatchLevel("sex")))
        elif c.kind == "postcode_uk":
            built.append(_compare_postcode_uk(c.name))
        elif c.kind == "postcode":
            built.append(_on_column("postcode", "postcode", c.name))
        elif c.kind == "alias":
            built.append(_compare_alias(dialect, c.name))
        elif c.kind == "cj_identifiers":
            built.append(_compare_cj_identifiers(c.name))
        else:
            built.append(_on_column(c.kind, c.column, c.name))
    return built


def settings_creator(dialect: str = "duckdb", spec: ModelSpec = CRIMINAL_JUSTICE) -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=comparisons(dialect, spec),
        blocking_rules_to_generate_predictions=blocking_rules(spec),
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        max_iterations=20,
    )
