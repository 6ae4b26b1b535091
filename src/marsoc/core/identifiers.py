"""Validate, normalise and build UK criminal justice identifiers.

Covers the PNC ID, the CRO number (normal and SF forms), the NOMIS prison
number and the Delius CRN. Formats and check-letter rules follow public MoJ
code and the CJS data standards catalogue.

Deliberately free of Django so that forms, models, importers and the synthetic
data generator can all share one definition of "valid", and so that it can be
tested without settings.
"""

from __future__ import annotations

import enum
import re
from datetime import date
from typing import Final

__all__ = [
    "IdentifierError",
    "IdentifierType",
    "cro_check_letter",
    "make_crn",
    "make_cro",
    "make_nomis",
    "make_pnc",
    "normalise",
    "normalise_crn",
    "normalise_cro",
    "normalise_nomis",
    "normalise_pnc",
    "pnc_check_letter",
    "sf_cro_check_letter",
]


# StrEnum (a str and an Enum) rather than str + Enum: ruff's UP042 asks for it,
# and str()/f-strings give "PNC" rather than "IdentifierType.PNC". Plain enum
# rather than Django TextChoices so this module stays Django-free.
class IdentifierType(enum.StrEnum):
    PNC = "PNC"
    CRO = "CRO"
    NOMIS = "NOMIS"
    CRN = "CRN"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS: Final[dict[IdentifierType, str]] = {
    IdentifierType.PNC: "PNC ID",
    IdentifierType.CRO: "CRO number",
    IdentifierType.NOMIS: "Prison number (NOMIS)",
    IdentifierType.CRN: "Delius CRN",
}

# Machine-readable values for IdentifierError.reason, so callers can branch
# without parsing the human message.
REASON_EMPTY: Final = "empty"
REASON_FORMAT: Final = "format"
REASON_YEAR: Final = "year"
REASON_CHECK_LETTER: Final = "check_letter"


class IdentifierError(ValueError):
    """An identifier failed validation.

    ``str(error)`` is a GOV.UK-style error message that can be shown to the
    user as is; ``reason`` is one of the ``REASON_*`` codes.
    """

    def __init__(
        self,
        id_type: IdentifierType,
        reason: str,
        message: str,
        *,
        expected: str | None = None,
    ) -> None:
        super().__init__(message)
        self.id_type = id_type
        self.reason = reason
        self.message = message
        # The correct check letter, when reason is REASON_CHECK_LETTER.
        self.expected = expected


# 23 letters: I, O and S are left out because they are easily mistaken for
# 1, 0 and 5. Z sits at index 0 because it stands for remainder 0.
_CHECK_LETTERS: Final = "ZABCDEFGHJKLMNPQRTUVWXY"

# [0-9] and [A-Z] rather than \d and \w: those match non-ASCII digits/letters.
_PNC_RE: Final = re.compile(r"([0-9]{2}|[0-9]{4})/([0-9]{1,7})([A-Z])")
_CRO_RE: Final = re.compile(r"([0-9]{1,6})/([0-9]{2})([A-Z])")
_SF_CRO_RE: Final = re.compile(r"SF([0-9]{2})/([0-9]{1,6})([A-Z])")
_NOMIS_RE: Final = re.compile(r"[A-Z][0-9]{4}[A-Z]{2}")
_CRN_RE: Final = re.compile(r"[A-Z][0-9]{6}")
_DIGITS_RE: Final = re.compile(r"[0-9]+")
_LETTERS_RE: Final = re.compile(r"[A-Z]+")

_PNC_FORMAT_MESSAGE: Final = "Enter a PNC ID in the format YYYY/NNNNNNNL, like 2001/0123456F"
_CRO_FORMAT_MESSAGE: Final = (
    "Enter a CRO number in the format NNNNNN/YYL or SFYY/NNNNNL, like 123456/08T or SF93/12345N"
)
_NOMIS_FORMAT_MESSAGE: Final = "Enter a prison number in the format LNNNNLL, like A1234BC"
_CRN_FORMAT_MESSAGE: Final = "Enter a Delius CRN in the format LNNNNNN, like X123456"


def _check_letter(number: str) -> str:
    return _CHECK_LETTERS[int(number) % 23]


def _require_digits(name: str, value: str, min_len: int, max_len: int) -> None:
    # Check-letter helpers are called by code, not users: a bad argument is a
    # programming error, so a plain ValueError rather than IdentifierError.
    if not (_DIGITS_RE.fullmatch(value) and min_len <= len(value) <= max_len):
        size = f"{min_len}" if min_len == max_len else f"{min_len} to {max_len}"
        raise ValueError(f"{name} must be {size} digits, got {value!r}")


def pnc_check_letter(year2: str, serial: str) -> str:
    """Check letter for a PNC ID from its 2-digit year and up-to-7-digit serial."""
    _require_digits("year2", year2, 2, 2)
    _require_digits("serial", serial, 1, 7)
    return _check_letter(year2 + serial.zfill(7))


def cro_check_letter(serial: str, year2: str) -> str:
    """Check letter for a normal CRO number (serial/YY), in written order."""
    _require_digits("serial", serial, 1, 6)
    _require_digits("year2", year2, 2, 2)
    return _check_letter(year2 + serial.zfill(6))


def sf_cro_check_letter(year2: str, serial: str) -> str:
    """Check letter for an SF CRO number (SFYY/serial)."""
    _require_digits("year2", year2, 2, 2)
    _require_digits("serial", serial, 1, 6)
    # Serials are padded to 5 digits; a 6-digit serial is used as it stands.
    return _check_letter(year2 + serial.zfill(5))


def _clean(raw: str) -> str:
    # Users paste with stray spaces and type in lower case; accept both, but
    # nothing else. The ASCII check comes before upper() because some
    # non-ASCII letters upper-case to ASCII ones (long s, U+017F, becomes "S").
    value = raw.strip().replace(" ", "")
    # Left as is, a non-ASCII value cannot match any (ASCII-only) pattern.
    return value.upper() if value.isascii() else value


def _expand_year(year2: str, today: date | None) -> str:
    # PNC numbering began in the 1970s, so a 2-digit year later than this
    # year's must be last century.
    current2 = (today or date.today()).year % 100
    century = "19" if int(year2) > current2 else "20"
    return century + year2


def normalise_pnc(raw: str, *, today: date | None = None) -> str:
    """Return the canonical long form (YYYY/NNNNNNNL) of a PNC ID.

    Accepts the short form (YY/N...L) too. ``today`` fixes the date used to
    expand a 2-digit year, for tests.
    """
    value = _present(IdentifierType.PNC, raw, "Enter a PNC ID")
    match = _PNC_RE.fullmatch(value)
    if match is None:
        raise IdentifierError(IdentifierType.PNC, REASON_FORMAT, _PNC_FORMAT_MESSAGE)
    year, serial, letter = match.groups()
    if len(year) == 4 and year[:2] not in ("19", "20"):
        raise IdentifierError(
            IdentifierType.PNC,
            REASON_YEAR,
            f"The year in PNC ID {value} must start with 19 or 20",
        )
    year2 = year[-2:]
    expected = pnc_check_letter(year2, serial)
    if letter != expected:
        raise IdentifierError(
            IdentifierType.PNC,
            REASON_CHECK_LETTER,
            f"The check letter of PNC ID {value} is wrong: it should be {expected}",
            expected=expected,
        )
    year4 = year if len(year) == 4 else _expand_year(year2, today)
    return f"{year4}/{serial.zfill(7)}{letter}"


def normalise_cro(raw: str) -> str:
    """Return the canonical form of a CRO number, normal or SF.

    Normal: serial padded to 6 digits (000012/08P). SF: serial padded to 5
    digits (SF93/12345N); 6-digit SF serials are kept as they are.
    """
    value = _present(IdentifierType.CRO, raw, "Enter a CRO number")
    if match := _SF_CRO_RE.fullmatch(value):
        year2, serial, letter = match.groups()
        expected = sf_cro_check_letter(year2, serial)
        canonical = f"SF{year2}/{serial.zfill(5)}"
    elif match := _CRO_RE.fullmatch(value):
        serial, year2, letter = match.groups()
        expected = cro_check_letter(serial, year2)
        canonical = f"{serial.zfill(6)}/{year2}"
    else:
        raise IdentifierError(IdentifierType.CRO, REASON_FORMAT, _CRO_FORMAT_MESSAGE)
    if letter != expected:
        raise IdentifierError(
            IdentifierType.CRO,
            REASON_CHECK_LETTER,
            f"The check letter of CRO number {value} is wrong: it should be {expected}",
            expected=expected,
        )
    return canonical + letter


def _present(kind: IdentifierType, raw: str, empty_message: str) -> str:
    """The value cleaned of spaces and case, refused when nothing is left."""
    value = _clean(raw)
    if not value:
        raise IdentifierError(kind, REASON_EMPTY, empty_message)
    return value


def _plain(kind: IdentifierType, raw: str, empty_message: str, pattern: re.Pattern[str], message: str) -> str:
    """A number with no check letter: its cleaned form, refused unless it has the format."""
    value = _present(kind, raw, empty_message)
    if pattern.fullmatch(value) is None:
        raise IdentifierError(kind, REASON_FORMAT, message)
    return value


def normalise_nomis(raw: str) -> str:
    """Return a NOMIS prison number (A1234BC) in canonical form."""
    return _plain(IdentifierType.NOMIS, raw, "Enter a prison number", _NOMIS_RE, _NOMIS_FORMAT_MESSAGE)


def normalise_crn(raw: str) -> str:
    """Return a Delius CRN (X123456) in canonical form."""
    return _plain(IdentifierType.CRN, raw, "Enter a Delius CRN", _CRN_RE, _CRN_FORMAT_MESSAGE)


def normalise(id_type: IdentifierType | str, raw: str) -> str:
    """Normalise ``raw`` as an identifier of ``id_type``.

    A string id_type must be an IdentifierType value ("PNC", "CRO", ...);
    anything else raises ValueError.
    """
    kind = IdentifierType(id_type)
    if kind is IdentifierType.PNC:
        return normalise_pnc(raw)
    if kind is IdentifierType.CRO:
        return normalise_cro(raw)
    if kind is IdentifierType.NOMIS:
        return normalise_nomis(raw)
    return normalise_crn(raw)


def _require_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")


def make_pnc(year4: int, serial: int) -> str:
    """Build a valid PNC ID in canonical long form, e.g. make_pnc(2001, 123456)."""
    _require_range("year4", year4, 1900, 2099)
    _require_range("serial", serial, 0, 9_999_999)
    year2 = f"{year4 % 100:02d}"
    serial7 = f"{serial:07d}"
    return f"{year4}/{serial7}{pnc_check_letter(year2, serial7)}"


def make_cro(serial: int, year2: int) -> str:
    """Build a valid normal-form CRO number, e.g. make_cro(123456, 8)."""
    _require_range("serial", serial, 0, 999_999)
    _require_range("year2", year2, 0, 99)
    serial6 = f"{serial:06d}"
    yy = f"{year2:02d}"
    return f"{serial6}/{yy}{cro_check_letter(serial6, yy)}"


def _require_letters(name: str, value: str, count: int) -> None:
    if not _LETTERS_RE.fullmatch(value) or len(value) != count:
        raise ValueError(f"{name} must be {count} letter(s) A-Z, got {value!r}")


def make_nomis(letter1: str, digits: int, letters2: str) -> str:
    """Build a NOMIS prison number, e.g. make_nomis("A", 1234, "BC")."""
    _require_letters("letter1", letter1, 1)
    _require_range("digits", digits, 0, 9_999)
    _require_letters("letters2", letters2, 2)
    return f"{letter1}{digits:04d}{letters2}"


def make_crn(letter: str, digits: int) -> str:
    """Build a Delius CRN, e.g. make_crn("X", 123456)."""
    _require_letters("letter", letter, 1)
    _require_range("digits", digits, 0, 999_999)
    return f"{letter}{digits:06d}"
