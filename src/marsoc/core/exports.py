"""The one cell sanitiser and file builders for every CSV and XLSX export.

A spreadsheet treats a cell that starts with = + - @ (or a TAB or CR before them, or another control
character) as a formula or as something to reinterpret. Every export passes its cells through
`safe_cell`, which makes such a cell plain text by putting an apostrophe in front (OWASP's advice for
CSV injection); numbers in an XLSX stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _starts_dangerously(text: str) -> bool:
    if not text:
        return False
    first = text[0]
    return first in FORMULA_STARTS or ord(first) < 32 or ord(first) == 127


def safe_text(value: object) -> str:
    """`value` as text a spreadsheet will not execute."""
    text = "" if value is None else str(value)
    return "'" + text if _starts_dangerously(text) else text


def safe_cell(value: object) -> object:
    """For XLSX: numbers stay numbers (never a formula there); everything else as `safe_text`."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | Decimal):
        return value
    return safe_text(value)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_text(h) for h in header])
    writer.writerows([safe_text(v) for v in row] for row in rows)
    return buffer.getvalue()


def xlsx_bytes(title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([safe_text(h) for h in header])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportFile:
    """What an export service hands back for the page to send: the bytes, their type and a file name."""

    content: bytes
    content_type: str
    filename: str
