"""The columns of the table Splink sees, with their kind. DuckDB (Arrow, engine.py) and Spark (spark.py)
build their schemas from this one list, so a column added for a comparison reaches both; both import it
from here, so neither imports the other for it."""

IDENTIFIERS = ("pnc", "cro", "nomis", "crn")

COLUMNS: tuple[tuple[str, str], ...] = (
    ("unique_id", "int"),
    ("first_name", "str"),
    ("first_name_canon", "str"),
    ("first_names_all", "list"),
    ("surname", "str"),
    ("surnames_all", "list"),
    ("aliases", "list"),
    ("dob", "str"),
    ("dob_swapped", "str"),
    ("birth_year", "str"),
    ("sex", "str"),
    ("postcode", "str"),
    ("postcode_district", "str"),
    *((name, "str") for name in IDENTIFIERS),
    # The generic fields (mapping.GENERIC_FIELDS), lower case, for the comparisons a model names.
    *(
        (name, "str")
        for name in ("identifier", "street_number", "address_line_1", "address_line_2", "town", "region")
    ),
)
