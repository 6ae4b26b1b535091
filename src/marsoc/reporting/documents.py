"""The Board's documents built from a dashboard (already suppressed): the quarterly pack as a tagged PDF,
and the period's tables as XLSX and CSV. No person is in any of them; every figure is as published."""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import matplotlib
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from marsoc.core.exports import safe_cell, safe_text
from marsoc.core.pdf import TaggedDocument
from marsoc.core.vocabulary import Classification

from .models import PackCommentary
from .report import Dashboard
from .selectors import Table

# Aggregates of operational case material: marked as the service's case documents are.
MARKING = str(Classification.OFFICIAL_SENSITIVE.label)
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
SUPPRESSION = (
    "A count from 1 to 4 is shown as withheld, so that no one can be picked out. Where a withheld count "
    "could be worked out from a total, another count in the same row or column is withheld too (the same "
    "mark). Quarterly counts withhold what any of their months withheld. A zero is shown."
)


def _cells(table: Table, row_index: int) -> list[str]:
    row = table.rows[row_index]
    return [row.label, *("withheld" if c is None else str(c) for c in row.cells), *row.extra]


def pack_pdf(board: Dashboard, *, built_on: date, commentary: PackCommentary | None = None) -> bytes:
    """The quarterly Board pack: contents, the national team's commentary, every chart (with its
    description as the alternative text) and every table of the quarter, the marking on every page."""
    period = board.period
    tables = [t for t in board.tables if t.board_pack]  # the pack is issued to the Board
    title = f"Delivery Board pack: {period.label}"
    doc = TaggedDocument(title, MARKING, FONT_DIR)
    doc.h1(title)
    doc.para(
        f"MARSOC Hub figures for every hub and nationally, built on {built_on:%-d %B %Y} from the monthly "
        "snapshots. Counts of people, never a person."
    )
    doc.h2("Contents")
    sections = ["Commentary"] + [b.chart.title for b in board.charts] + [t.caption for t in tables]
    doc.items([f"{n}. {s}" for n, s in enumerate(sections, start=1)])
    doc.h2("1. Commentary")
    if commentary is None:
        doc.para("The national team has not written a commentary for this quarter.")
    else:
        for paragraph in commentary.summary.split("\n\n"):
            doc.para(paragraph.strip())
        doc.para(f"Written by the national team; last changed on {commentary.updated_at:%-d %B %Y}.")
    doc.h2("Small numbers")
    doc.para(SUPPRESSION)
    n = 2
    for block in board.charts:
        doc.add_page()
        doc.h2(f"{n}. {block.chart.title}")
        doc.figure(block.chart.svg, f"{block.chart.title}. {block.chart.description}")
        doc.para(block.chart.description)
        n += 1
    for table in tables:
        doc.add_page()
        doc.h2(f"{n}. {table.caption}")
        doc.table([table.row_header, *table.columns], (_cells(table, i) for i in range(len(table.rows))))
        n += 1
    return bytes(doc.output())


HEADER = ["Table", "Period", "Period start", "Period end", "Hub", "Figure", "Value", "Withheld"]
_PERCENT = re.compile(r"^(\d+)%$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")  # an index or a coefficient as shown ("0.82")


def _records(board: Dashboard) -> Iterator[list[object]]:
    """One line a figure: which table, the period (typed dates), the hub, the column, the value (a
    number, a share as a fraction of 1, or empty when withheld)."""
    period = board.period
    for table in board.tables:
        for row in table.rows:
            values: list[object] = [*row.cells, *row.extra]
            for column, value in zip(table.columns, values, strict=True):
                withheld = value is None or value == "withheld"
                shown: object = None if withheld else value
                if isinstance(value, str) and (found := _PERCENT.match(value)):
                    shown = int(found.group(1)) / 100
                elif isinstance(value, str) and _DECIMAL.match(value):
                    shown = Decimal(value)
                elif isinstance(value, str) and not withheld:
                    shown = value
                yield [
                    table.caption,
                    period.label,
                    period.start,
                    period.end,
                    row.label,
                    column,
                    shown,
                    "Yes" if withheld else "No",
                ]


def report_xlsx(board: Dashboard) -> bytes:
    """The period's tables as one sheet: a frozen header with filters, dates as dates, numbers as
    numbers (shares as percentages), fitted columns, the marking in the print header and footer."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Figures"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in HEADER]
    for record in _records(board):
        sheet.append([safe_cell(v) if not isinstance(v, date) else v for v in record])
        row = sheet.max_row
        for column in (3, 4):
            sheet.cell(row=row, column=column).number_format = "dd/mm/yyyy"
        value = record[6]
        if isinstance(value, float):
            sheet.cell(row=row, column=7).number_format = "0%"
        elif isinstance(value, Decimal):
            sheet.cell(row=row, column=7).number_format = "0.00"
        for i, v in enumerate(record):
            widths[i] = max(widths[i], 10 if isinstance(v, date) else len(str(v or "")))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    sheet.oddHeader.center.text = MARKING
    sheet.oddFooter.center.text = f"{MARKING} - page &P of &N"
    about = book.create_sheet("About")
    for line in [
        [MARKING],
        [f"Delivery Board figures, {board.period.label}"],
        ["Counts of people, never a person."],
        [SUPPRESSION],
    ]:
        about.append(line)
    about.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_csv(board: Dashboard) -> bytes:
    """The same lines as the XLSX, as CSV with a UTF-8 byte-order mark (Excel then reads it as UTF-8);
    dates as year-month-day."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"{MARKING}: Delivery Board figures, {board.period.label}"])
    writer.writerow(HEADER)
    for record in _records(board):
        writer.writerow(
            [v.isoformat() if isinstance(v, date) else "" if v is None else safe_text(v) for v in record]
        )
    return buffer.getvalue().encode("utf-8-sig")
