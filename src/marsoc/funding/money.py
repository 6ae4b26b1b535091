"""Money in integer pence. Never a float: amounts are parsed from text to Decimal, then to pence."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation


class MoneyError(ValueError):
    """Text that is not an amount of money; the message says why, in words a user can act on."""


def parse_pounds(text: str) -> int:
    """'£12,345.67', '12345.67' or '12345' as pence. Refuses floats' friends: exponents, more than two
    decimal places, blanks and non-numbers."""
    cleaned = text.strip().replace(",", "").replace("£", "").strip()
    if not cleaned:
        raise MoneyError("Enter an amount in pounds, like 12,345.67")
    if any(c in cleaned for c in "eE") or cleaned.lower() in ("nan", "inf", "-inf", "infinity"):
        raise MoneyError(f"“{text.strip()}” is not an amount in pounds")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise MoneyError(f"“{text.strip()}” is not an amount in pounds") from None
    if value != value.quantize(Decimal("0.01")):
        raise MoneyError(f"“{text.strip()}” has more than two decimal places")
    return int(value * 100)


def round_pence(value: Decimal) -> int:
    """A Decimal number of pence rounded half up to a whole penny."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def pounds(pence: int | None, *, whole: bool = False) -> str:
    """'£202,329' (whole pounds, when the pence are zero or `whole`) or '£50,582.50'."""
    if pence is None:
        return "—"
    sign = "−" if pence < 0 else ""
    value = abs(pence)
    if whole or value % 100 == 0:
        whole_pounds = round_pence(Decimal(value) / 100) if whole else value // 100
        return f"{sign}£{whole_pounds:,}"
    return f"{sign}£{value // 100:,}.{value % 100:02d}"
