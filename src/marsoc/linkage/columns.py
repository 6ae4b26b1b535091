"""The columns of the table Splink sees, with their kind. DuckDB (Arrow, engine.py) and Spark (spark.py)
build their schemas from this one list, so a column added for a comparison reaches both; both import it
from here, so neither imports the other for it."""

IDENTIFIERS = ("pnc", "cro", "nomis", "crn")
# Fields for data that is not from a UK criminal-justice system: kept with the record and compared
# when the model says so (see linkage/model.py); mapped by name (mapping.py).
GENERIC_FIELDS = (
    "identifier",  # any other identifier the partner holds (a social security number, a passport)
    "street_number",
    "address_line_1",
    "address_line_2",
    "town",
    "region",  # a county, state or region
)

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
    # The generic fields, lower case, for the comparisons a model names.
    *((name, "str") for name in GENERIC_FIELDS),
)
