"""What every API body shares: its strings are refused, naming the field, when they hold a NUL or an
unpaired surrogate (PostgreSQL cannot store either) before any service sees them."""

from ninja import Schema
from pydantic import field_validator


class PlainTextIn(Schema):
    """A request body of plain text: subclass it for each endpoint's input."""

    @field_validator("*", mode="before")
    @classmethod
    def no_control_characters(cls, value: object) -> object:
        if isinstance(value, str) and ("\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)):
            raise ValueError("must not contain NUL or unpaired surrogate characters")
        return value
