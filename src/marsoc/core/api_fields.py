"""Field types for API input that carry their constraints into the OpenAPI document, so a client can
validate a request before sending it and a request that fits the document is not refused for its shape
(issue 15; docs/decisions/0019-api-constraints-and-context.md). Each type states in JSON Schema what the
services check: a required text is not blank, a purpose has at least three characters once trimmed, a
reference has its letters and digits."""

import re
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic.config import JsonDict

from .identifiers import IdentifierError, IdentifierType, normalise

MAX_ID = 2**31 - 1  # the largest id PostgreSQL's integer holds


def plain_text(value: object) -> object:
    """Refuse NUL and unpaired surrogates (PostgreSQL cannot store them) in every string of a body."""
    if isinstance(value, str) and ("\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)):
        raise ValueError("must not contain NUL or unpaired surrogate characters")
    if isinstance(value, list):
        for item in value:
            plain_text(item)
    return value


# JSON Schema patterns are searched, not anchored. "\s" differs between dialects (ECMAScript, Python,
# Rust): a character outside all of their white space is one Python's str.strip() keeps, so "not blank"
# and "three characters once trimmed" mean the same to every client and to the services.
VISIBLE = r"[^\s\x1c-\x1f\x85]"
NOT_BLANK = VISIBLE
PURPOSE_PATTERN = VISIBLE + r"[\s\S]+" + VISIBLE
# A control character (category Cc) anywhere: what core.text refuses in a name or a one-line text. The
# document says `not: {pattern: CONTROL}` (no anchors: "$" differs between regular-expression dialects).
CONTROL = "[\\x00-\\x1f\\x7f-\\x9f]"
NO_CONTROL: JsonDict = {"not": {"pattern": CONTROL}}
NO_NUL: JsonDict = {"pattern": "\\x00"}  # NUL: PostgreSQL cannot store it
CONTROL_MESSAGE = "must not contain control characters (such as a tab, a new line or NUL)"


def no_control(value: str) -> str:
    if re.search(CONTROL, value):
        raise ValueError(CONTROL_MESSAGE)
    return value


REFERENCE_PATTERN = r"^(MH|OCG|AS)0*[1-9][0-9]*$"

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _text(max_length: int, description: str | None, *, required: bool, lines: bool) -> Any:
    """A text type: required ones are not blank; one-line ones (names, labels) have no control character,
    multi-line ones only no NUL."""
    bounds: dict[str, Any] = {"min_length": 1, "pattern": NOT_BLANK} if required else {}
    extra: JsonDict = {"not": NO_NUL} if lines else NO_CONTROL
    checks = [BeforeValidator(plain_text)] + ([] if lines else [AfterValidator(no_control)])
    return Annotated[
        str, Field(max_length=max_length, description=description, json_schema_extra=extra, **bounds), *checks
    ]


def Text(max_length: int, description: str | None = None) -> Any:
    """A required, non-blank text of at most `max_length` characters (new lines allowed)."""
    return _text(max_length, description, required=True, lines=True)


def Name(max_length: int, description: str | None = None) -> Any:
    """A required name or label: not blank, no control characters, at most `max_length` characters."""
    return _text(max_length, description, required=True, lines=False)


def OptionalName(max_length: int, description: str | None = None) -> Any:
    """A name or one-line text that may be empty: no control characters, at most `max_length`."""
    return _text(max_length, description, required=False, lines=False)


def OptionalText(max_length: int, description: str | None = None) -> Any:
    """A text that may be empty, of at most `max_length` characters (new lines allowed)."""
    return _text(max_length, description, required=False, lines=True)


Purpose = Annotated[
    str,
    Field(
        min_length=3,
        max_length=500,
        pattern=PURPOSE_PATTERN,
        description="Why you are consulting this record (s.62): at least 3 characters, recorded in the audit log",
    ),
    BeforeValidator(plain_text),
    AfterValidator(str.strip),
]


def ReferenceTo(pattern: str, description: str) -> Any:
    return Annotated[
        str,
        Field(
            min_length=3,
            max_length=20,
            pattern=pattern,
            description=description,
            json_schema_extra=NO_CONTROL,
        ),
    ]


Reference = ReferenceTo(
    REFERENCE_PATTERN, "A reference: MH and digits (a person), AS (an associate) or OCG (a group)"
)
GROUP_PATTERN = r"^OCG0*[1-9][0-9]*$"
PERSON_PATTERN = r"^(MH|AS)0*[1-9][0-9]*$"
GroupReference = ReferenceTo(GROUP_PATTERN, "A group's reference: OCG and digits")
PersonReference = ReferenceTo(PERSON_PATTERN, "A nominal (MH and digits) or an associate (AS and digits)")


# The formats the document names for the identifiers (a client generating test data registers them).
IDENTIFIER_FORMATS = {
    IdentifierType.PNC: "pnc-id",
    IdentifierType.CRO: "cro-number",
    IdentifierType.NOMIS: "nomis-number",
    IdentifierType.CRN: "delius-crn",
}


def IdentifierText(id_type: IdentifierType, description: str) -> Any:
    """An identifier, or "" for none: its shape and check letter are checked here, so a wrong one is a
    422 naming the field; that it is not already recorded is the records' answer (409)."""

    def check(value: str) -> str:
        if value.strip():
            try:
                normalise(id_type, value)
            except (IdentifierError, ValueError) as exc:
                raise ValueError(str(exc)) from None
        return value

    return Annotated[
        str,
        BeforeValidator(plain_text),
        AfterValidator(check),
        Field(
            max_length=20, description=description, json_schema_extra={"format": IDENTIFIER_FORMATS[id_type]}
        ),
    ]


def _refuse_nul(schema: dict[str, Any]) -> None:
    if (
        schema.get("type") == "string"
        and "not" not in schema
        and "format" not in schema
        and "enum" not in schema
    ):
        schema["not"] = NO_NUL
    for option in schema.get("anyOf", []):
        _refuse_nul(option)


def document_parameter_text(document: dict[str, Any]) -> dict[str, Any]:
    """Every text parameter (query or path) refuses a NUL: core.middleware.RejectControlCharactersMiddleware
    answers 400 before the API sees it, so the document says so."""
    for methods in document.get("paths", {}).values():
        for operation in methods.values():
            if isinstance(operation, dict):
                for parameter in operation.get("parameters", []):
                    _refuse_nul(parameter.get("schema", {}))
    return document


def _written_date(value: object) -> object:
    """A date in a body is written YYYY-MM-DD: pydantic would also take a number as seconds since 1970,
    which the document (format: date) does not allow."""
    if isinstance(value, bool | int | float):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_written_date)]
