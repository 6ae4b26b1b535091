"""Tests for marsoc.core.identifiers (pure Python: no Django needed)."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsoc.core.identifiers import (
    REASON_CHECK_LETTER,
    REASON_EMPTY,
    REASON_FORMAT,
    REASON_YEAR,
    IdentifierError,
    IdentifierType,
    cro_check_letter,
    make_crn,
    make_cro,
    make_nomis,
    make_pnc,
    normalise,
    normalise_crn,
    normalise_cro,
    normalise_nomis,
    normalise_pnc,
    pnc_check_letter,
    sf_cro_check_letter,
)

# Fixed so the 2-digit year pivot does not drift as the calendar moves on.
TODAY = date(2025, 6, 1)
CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


# --- Worked examples -------------------------------------------------------


@pytest.mark.parametrize(
    ("year2", "serial", "letter"),
    [("01", "0123456", "F"), ("99", "0012345", "Z"), ("12", "0443211", "H")],
)
def test_pnc_check_letter_worked_examples(year2: str, serial: str, letter: str) -> None:
    assert pnc_check_letter(year2, serial) == letter


def test_pnc_check_letter_pads_serial_to_seven_digits() -> None:
    assert pnc_check_letter("01", "123456") == pnc_check_letter("01", "0123456") == "F"


def test_cro_check_letter_worked_example() -> None:
    assert cro_check_letter("123456", "08") == "T"


def test_cro_check_letter_pads_serial_to_six_digits() -> None:
    # int("08" + "000012") = 8000012; 8000012 % 23 = 14 -> "P".
    assert cro_check_letter("12", "08") == "P"


def test_sf_cro_check_letter_worked_example() -> None:
    assert sf_cro_check_letter("93", "12345") == "N"


def test_sf_cro_check_letter_six_digit_serial_used_as_is() -> None:
    # int("93" + "123456") = 93123456; 93123456 % 23 = 21 -> "X".
    assert sf_cro_check_letter("93", "123456") == CHECK_LETTERS[93123456 % 23] == "X"
    # A short serial is padded to 5, not 6: int("93" + "00012") = 9300012.
    assert sf_cro_check_letter("93", "12") == CHECK_LETTERS[9300012 % 23]


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("2001/0123456F", "2001/0123456F"),
        ("1999/0012345Z", "1999/0012345Z"),
        ("2012/0443211H", "2012/0443211H"),
    ],
)
def test_normalise_pnc_worked_examples(raw: str, canonical: str) -> None:
    assert normalise_pnc(raw, today=TODAY) == canonical


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("123456/08T", "123456/08T"),
        ("12/08P", "000012/08P"),
        ("SF93/12345N", "SF93/12345N"),
    ],
)
def test_normalise_cro_worked_examples(raw: str, canonical: str) -> None:
    assert normalise_cro(raw) == canonical


def test_make_functions_reproduce_worked_examples() -> None:
    assert make_pnc(2001, 123456) == "2001/0123456F"
    assert make_pnc(1999, 12345) == "1999/0012345Z"
    assert make_pnc(2012, 443211) == "2012/0443211H"
    assert make_cro(123456, 8) == "123456/08T"
    assert make_cro(12, 8) == "000012/08P"
    assert make_nomis("A", 1234, "BC") == "A1234BC"
    assert make_nomis("Z", 7, "XY") == "Z0007XY"
    assert make_crn("X", 123456) == "X123456"
    assert make_crn("X", 42) == "X000042"


# --- PNC short and long forms ------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["01/123456F", "01/0123456F", "2001/123456F", "2001/0123456F", " 01 / 123456 f "],
)
def test_pnc_short_and_long_forms_normalise_to_one_value(raw: str) -> None:
    assert normalise_pnc(raw, today=TODAY) == "2001/0123456F"


def test_pnc_two_digit_year_pivot() -> None:
    # 99 is later than 25, so last century; 25 itself is this century.
    assert normalise_pnc("99/12345Z", today=TODAY) == "1999/0012345Z"
    letter = pnc_check_letter("25", "0000001")
    assert normalise_pnc(f"25/1{letter}", today=TODAY) == f"2025/0000001{letter}"
    letter = pnc_check_letter("26", "0000001")
    assert normalise_pnc(f"26/1{letter}", today=TODAY) == f"1926/0000001{letter}"
    # Next year the same short form flips to this century.
    assert normalise_pnc(f"26/1{letter}", today=date(2026, 1, 1)) == f"2026/0000001{letter}"


def test_pnc_pivot_defaults_to_real_today() -> None:
    # 00 can never be later than the current 2-digit year, so it is always 2000.
    letter = pnc_check_letter("00", "0000001")
    assert normalise_pnc(f"00/1{letter}") == f"2000/0000001{letter}"


def test_pnc_four_digit_year_must_start_19_or_20() -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_pnc("1801/0123456F", today=TODAY)
    assert info.value.id_type is IdentifierType.PNC
    assert info.value.reason == REASON_YEAR
    assert str(info.value) == "The year in PNC ID 1801/0123456F must start with 19 or 20"


# --- Wrong check letters -------------------------------------------------------


def test_pnc_wrong_check_letter_names_expected_letter() -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_pnc("2001/0123456A", today=TODAY)
    err = info.value
    assert err.id_type is IdentifierType.PNC
    assert err.reason == REASON_CHECK_LETTER
    assert err.expected == "F"
    assert str(err) == "The check letter of PNC ID 2001/0123456A is wrong: it should be F"


def test_cro_wrong_check_letter_names_expected_letter() -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_cro("123456/08A")
    assert info.value.id_type is IdentifierType.CRO
    assert info.value.reason == REASON_CHECK_LETTER
    assert info.value.expected == "T"
    assert str(info.value) == "The check letter of CRO number 123456/08A is wrong: it should be T"


def test_sf_cro_wrong_check_letter_names_expected_letter() -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_cro("SF93/12345A")
    assert info.value.reason == REASON_CHECK_LETTER
    assert info.value.expected == "N"
    assert str(info.value).endswith("it should be N")


def test_identifier_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="it should be F"):
        normalise_pnc("2001/0123456B", today=TODAY)


# --- Bad formats ---------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "2001/0123456",  # no check letter
        "2001/01234567F",  # 8-digit serial
        "2001/F",  # no serial
        "2001-0123456F",  # wrong separator
        "2001/0123456FF",  # two letters
        "1/0123456F",  # 1-digit year
        "201/0123456F",  # 3-digit year
        "20011/0123456F",  # 5-digit year
        "2001//0123456F",
        "X2001/0123456F",
        "2001/0123456F\n2001/0123456F",
        "\uff12\uff10\uff10\uff11/0123456F",  # full-width digits
        "2001/0123456F\u200b",  # zero-width space
    ],
)
def test_pnc_bad_formats_rejected(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_pnc(raw, today=TODAY)
    assert info.value.id_type is IdentifierType.PNC
    assert info.value.reason == REASON_FORMAT
    assert str(info.value) == "Enter a PNC ID in the format YYYY/NNNNNNNL, like 2001/0123456F"


@pytest.mark.parametrize(
    "raw",
    [
        "1234567/08T",  # 7-digit serial
        "123456/8T",  # 1-digit year
        "123456/008T",  # 3-digit year
        "123456/08",  # no check letter
        "/08T",
        "123456-08T",
        "SF93/1234567N",  # 7-digit SF serial
        "SF/12345N",
        "SF9/12345N",
        "SX93/12345N",
        "SF93-12345N",
        "\u017ff93/12345N",  # long s upper-cases to S; must not sneak through
    ],
)
def test_cro_bad_formats_rejected(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_cro(raw)
    assert info.value.id_type is IdentifierType.CRO
    assert info.value.reason == REASON_FORMAT
    assert str(info.value).startswith("Enter a CRO number in the format")


@pytest.mark.parametrize(
    "raw", ["A1234B", "A12345BC", "11234BC", "AB234BC", "A1234B1", "A1234BCD", "A-1234BC"]
)
def test_nomis_bad_formats_rejected(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_nomis(raw)
    assert info.value.id_type is IdentifierType.NOMIS
    assert info.value.reason == REASON_FORMAT
    assert str(info.value) == "Enter a prison number in the format LNNNNLL, like A1234BC"


@pytest.mark.parametrize("raw", ["X12345", "X1234567", "1123456", "XX12345", "X12345Y", "X-123456"])
def test_crn_bad_formats_rejected(raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalise_crn(raw)
    assert info.value.id_type is IdentifierType.CRN
    assert info.value.reason == REASON_FORMAT
    assert str(info.value) == "Enter a Delius CRN in the format LNNNNNN, like X123456"


@pytest.mark.parametrize(
    ("id_type", "message"),
    [
        (IdentifierType.PNC, "Enter a PNC ID"),
        (IdentifierType.CRO, "Enter a CRO number"),
        (IdentifierType.NOMIS, "Enter a prison number"),
        (IdentifierType.CRN, "Enter a Delius CRN"),
    ],
)
@pytest.mark.parametrize("raw", ["", "   ", "\t\n"])
def test_blank_input_asks_for_a_value(id_type: IdentifierType, message: str, raw: str) -> None:
    with pytest.raises(IdentifierError) as info:
        normalise(id_type, raw)
    assert info.value.id_type is id_type
    assert info.value.reason == REASON_EMPTY
    assert str(info.value) == message


# --- Lenient input -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("normaliser", "raw", "expected"),
    [
        (normalise_cro, " 123456/08t ", "123456/08T"),
        (normalise_cro, "123 456 / 08 t", "123456/08T"),
        (normalise_cro, "sf93/12345n", "SF93/12345N"),
        (normalise_cro, "\tS F 93/12345 N\n", "SF93/12345N"),
        (normalise_nomis, " a1234bc ", "A1234BC"),
        (normalise_nomis, "A 1234 BC", "A1234BC"),
        (normalise_crn, "x123456", "X123456"),
        (normalise_crn, " X 123 456 ", "X123456"),
    ],
)
def test_lower_case_and_spaces_accepted(normaliser: object, raw: str, expected: str) -> None:
    assert callable(normaliser)
    assert normaliser(raw) == expected


def test_pnc_lower_case_and_spaces_accepted() -> None:
    assert normalise_pnc("  2012 / 0443211 h ", today=TODAY) == "2012/0443211H"


def test_sf_cro_short_serial_padded_to_five() -> None:
    letter = sf_cro_check_letter("93", "45")
    assert normalise_cro(f"sf93/45{letter.lower()}") == f"SF93/00045{letter}"


def test_sf_cro_six_digit_serial_kept() -> None:
    assert normalise_cro("SF93/123456x") == "SF93/123456X"


# --- Dispatch and enum -------------------------------------------------------------


def test_normalise_dispatches_on_enum_and_string() -> None:
    assert normalise(IdentifierType.PNC, "2001/0123456f") == "2001/0123456F"
    assert normalise("PNC", "2001/0123456F") == "2001/0123456F"
    assert normalise("CRO", "12/08p") == "000012/08P"
    assert normalise(IdentifierType.NOMIS, "a1234bc") == "A1234BC"
    assert normalise("CRN", "x123456") == "X123456"


def test_normalise_unknown_type_raises() -> None:
    with pytest.raises(ValueError, match="PASSPORT"):
        normalise("PASSPORT", "123")


def test_identifier_type_values_and_labels() -> None:
    assert [(t.value, t.label) for t in IdentifierType] == [
        ("PNC", "PNC ID"),
        ("CRO", "CRO number"),
        ("NOMIS", "Prison number (NOMIS)"),
        ("CRN", "Delius CRN"),
    ]
    assert IdentifierType.PNC == "PNC"
    assert str(IdentifierType.CRO) == "CRO"
    assert f"{IdentifierType.NOMIS}" == "NOMIS"


# --- Argument checking of the builders and check-letter helpers ------------------------


@pytest.mark.parametrize(
    ("func", "args"),
    [
        (make_pnc, (1899, 1)),
        (make_pnc, (2100, 1)),
        (make_pnc, (2001, 10_000_000)),
        (make_pnc, (2001, -1)),
        (make_cro, (1_000_000, 8)),
        (make_cro, (1, 100)),
        (make_nomis, ("a", 1234, "BC")),
        (make_nomis, ("A", 10_000, "BC")),
        (make_nomis, ("A", 1234, "B")),
        (make_crn, ("XY", 1)),
        (make_crn, ("X", 1_000_000)),
        (pnc_check_letter, ("2001", "0123456")),
        (pnc_check_letter, ("01", "01234567")),
        (pnc_check_letter, ("01", "")),
        (cro_check_letter, ("1234567", "08")),
        (sf_cro_check_letter, ("93", "1234567")),
        (sf_cro_check_letter, ("9a", "12345")),
    ],
)
def test_builders_and_helpers_reject_bad_arguments(func: object, args: tuple[object, ...]) -> None:
    assert callable(func)
    with pytest.raises(ValueError):
        func(*args)


# --- Properties ----------------------------------------------------------------------

years = st.integers(min_value=1900, max_value=2099)
pnc_serials = st.integers(min_value=0, max_value=9_999_999)
cro_serials = st.integers(min_value=0, max_value=999_999)
year2s = st.integers(min_value=0, max_value=99)
ascii_letters = st.sampled_from(string.ascii_uppercase)


def _with_letter(identifier: str, letter: str) -> str:
    return identifier[:-1] + letter


@given(years, pnc_serials)
def test_make_pnc_round_trips(year4: int, serial: int) -> None:
    pnc = make_pnc(year4, serial)
    assert normalise_pnc(pnc, today=TODAY) == pnc
    assert normalise_pnc(pnc.lower(), today=TODAY) == pnc
    assert normalise(IdentifierType.PNC, f" {pnc} ") == pnc


@given(st.integers(min_value=1926, max_value=2025), pnc_serials)
def test_pnc_short_form_matches_long_form(year4: int, serial: int) -> None:
    pnc = make_pnc(year4, serial)
    short = f"{year4 % 100:02d}/{serial}{pnc[-1]}"
    assert normalise_pnc(short, today=TODAY) == pnc


@given(years, pnc_serials, ascii_letters)
def test_pnc_any_other_check_letter_rejected(year4: int, serial: int, letter: str) -> None:
    pnc = make_pnc(year4, serial)
    if letter == pnc[-1]:
        assert normalise_pnc(_with_letter(pnc, letter), today=TODAY) == pnc
        return
    with pytest.raises(IdentifierError) as info:
        normalise_pnc(_with_letter(pnc, letter), today=TODAY)
    assert info.value.reason == REASON_CHECK_LETTER
    assert info.value.expected == pnc[-1]
    assert str(info.value).endswith(f"it should be {pnc[-1]}")


@given(cro_serials, year2s)
def test_make_cro_round_trips(serial: int, year2: int) -> None:
    cro = make_cro(serial, year2)
    assert normalise_cro(cro) == cro
    assert normalise(IdentifierType.CRO, cro.lower()) == cro
    # The unpadded serial is the same identifier.
    assert normalise_cro(f"{serial}/{year2:02d}{cro[-1]}") == cro


@given(cro_serials, year2s, ascii_letters)
def test_cro_any_other_check_letter_rejected(serial: int, year2: int, letter: str) -> None:
    cro = make_cro(serial, year2)
    if letter == cro[-1]:
        assert normalise_cro(_with_letter(cro, letter)) == cro
        return
    with pytest.raises(IdentifierError) as info:
        normalise_cro(_with_letter(cro, letter))
    assert info.value.reason == REASON_CHECK_LETTER
    assert info.value.expected == cro[-1]


@given(year2s, st.integers(min_value=0, max_value=99_999), ascii_letters)
def test_sf_cro_round_trips_and_rejects_other_letters(year2: int, serial: int, letter: str) -> None:
    yy, serial5 = f"{year2:02d}", f"{serial:05d}"
    good = sf_cro_check_letter(yy, serial5)
    canonical = f"SF{yy}/{serial5}{good}"
    assert normalise_cro(f"sf{yy}/{serial}{good}") == canonical
    if letter != good:
        with pytest.raises(IdentifierError) as info:
            normalise_cro(f"SF{yy}/{serial5}{letter}")
        assert info.value.expected == good


@given(
    ascii_letters,
    st.integers(min_value=0, max_value=9_999),
    st.text(string.ascii_uppercase, min_size=2, max_size=2),
)
def test_make_nomis_round_trips(letter1: str, digits: int, letters2: str) -> None:
    nomis = make_nomis(letter1, digits, letters2)
    assert len(nomis) == 7
    assert normalise_nomis(nomis.lower()) == nomis


@given(ascii_letters, st.integers(min_value=0, max_value=999_999))
def test_make_crn_round_trips(letter: str, digits: int) -> None:
    crn = make_crn(letter, digits)
    assert len(crn) == 7
    assert normalise_crn(crn.lower()) == crn


@given(st.text(max_size=20))
def test_normalise_never_raises_anything_but_identifier_error(raw: str) -> None:
    for id_type in IdentifierType:
        try:
            result = normalise(id_type, raw)
        except IdentifierError as err:
            assert err.id_type is id_type
            assert str(err)
        else:
            # Anything accepted is already canonical.
            assert normalise(id_type, result) == result
