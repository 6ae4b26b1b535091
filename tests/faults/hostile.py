"""The hostile-file corpus (issue 14): each file, the mapping it is imported with, and what the
service answers. This table is the documentation of those answers (docs/linkage.md points here):
`rejected` (nothing imported, the reason on the page), `committed` with a row quarantined or a
value left empty (the reason in the validation report), or `committed` as sent."""

import io
import json
import zipfile
from dataclasses import dataclass

from openpyxl import Workbook

COLUMNS = ["PERSON_REF", "GIVEN_NAME", "FAMILY_NAME", "AKA", "DATE_OF_BIRTH", "SEX", "LAST_KNOWN_POSTCODE",
           "PNC_ID", "CRO_NO", "FORCE", "TRUTH"]  # fmt: skip
HEADER = ",".join(COLUMNS)
GOOD = "H1,John,Smith,,02/03/1980,M,,,,MPS,H1"


def row(ref: str = "H2", given: str = "Jane", family: str = "Jones", aka: str = "") -> str:
    return f"{ref},{given},{family},{aka},05/06/1975,F,,,,MPS,{ref}"


def csv_bytes(*lines: str, end: str = "\n") -> bytes:
    return (end.join(lines) + end).encode("utf-8")


def record(ref: str = "H2", **extra: object) -> dict[str, object]:
    base: dict[str, object] = dict.fromkeys(COLUMNS, "")
    base.update(PERSON_REF=ref, GIVEN_NAME="Jane", FAMILY_NAME="Jones", DATE_OF_BIRTH="05/06/1975", SEX="F",
                FORCE="MPS", TRUTH=ref)  # fmt: skip
    base.update(extra)
    return base


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_workbook() -> bytes:
    return workbook([COLUMNS, GOOD.split(","), row().split(",")])


def rewrite_part(xlsx: bytes, part: str, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, change(data) if item.filename == part else data)
    return out.getvalue()


def billion_laughs(xlsx: bytes) -> bytes:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">' for i in range(1, 10)
    )

    def change(data: bytes) -> bytes:
        text = data.decode()
        head, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
        return (
            (f"{head}?>" if head else "").encode()
            + f"<!DOCTYPE lolz [{entities}]>".encode()
            + rest.replace("Smith", "&lol9;").encode()
        )

    return rewrite_part(xlsx, "xl/worksheets/sheet1.xml", change)


def zip_bomb(xlsx: bytes) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(xlsx)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
        target.writestr("xl/media/padding.xml", b" " * (64 * 1024 * 1024))  # 64 MB that packs to ~64 KB
    return out.getvalue()


def jsonl(*records: dict[str, object]) -> bytes:
    return ("\n".join(json.dumps(r) for r in records) + "\n").encode()


@dataclass(frozen=True)
class Case:
    name: str
    fmt: str  # the police-pnc mapping, read as csv, xlsx, json or jsonl
    content: bytes
    status: str  # "rejected" or "committed"
    message: str  # in the import's error (rejected), its report (committed) or its warnings
    new: int | None = None  # records committed, where it matters


def corpus() -> list[Case]:
    xlsx = good_workbook()
    return [
        # --- encodings and bytes no database can hold
        Case("nul-in-field", "csv", csv_bytes(HEADER, GOOD, row(family="Jo\x00nes")), "rejected", "FAMILY_NAME in row 2 contains a NUL byte"),
        Case("utf16-le-bom", "csv", "\n".join([HEADER, GOOD]).encode("utf-16"), "rejected", "The file is UTF-16 text"),
        Case("utf16-be-bom", "csv", b"\xfe\xff" + "\n".join([HEADER, GOOD]).encode("utf-16-be"), "rejected", "The file is UTF-16 text"),
        Case("utf16-no-bom", "csv", "\n".join([HEADER, GOOD]).encode("utf-16-le"), "rejected", "The header contains a NUL byte"),
        Case("utf32-bom", "csv", "\n".join([HEADER, GOOD]).encode("utf-32"), "rejected", "The file is UTF-32 text"),
        Case("windows-1252", "csv", csv_bytes(HEADER, GOOD)[:-1] + b"\n" + row(given="J\xe9r\xf4me").encode("latin-1") + b"\n", "rejected", "Line 3 is not valid utf-8 text"),
        Case("binary-png", "csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8, "rejected", "not valid utf-8 text"),
        Case("random-binary", "csv", bytes((i * 7919) % 256 for i in range(4096)), "rejected", "not valid utf-8 text"),
        Case("workbook-as-csv", "csv", xlsx, "rejected", "The file is a ZIP archive"),
        Case("utf8-bom", "csv", b"\xef\xbb\xbf" + csv_bytes(HEADER, GOOD), "committed", "", new=1),
        Case("json-nul-escape", "jsonl", jsonl(record(FAMILY_NAME="Jo\x00nes")), "rejected", "contains a NUL byte"),
        Case("json-lone-surrogate", "jsonl", b'{"PERSON_REF": "H2", "FAMILY_NAME": "Jo\\ud800nes"}\n', "rejected", "unpaired surrogate"),
        # --- structure
        Case("empty-file", "csv", b"", "rejected", "The file is empty: there is no header row"),
        Case("header-only", "csv", csv_bytes(HEADER), "committed", "The file holds no records", new=0),
        Case("truncated-row", "csv", csv_bytes(HEADER, GOOD, "H2,Jane,Jones"), "rejected", "Row 2 truncated: 3 values where the header has 11"),
        Case("extra-values", "csv", csv_bytes(HEADER, GOOD + ",EXTRA"), "rejected", "Row 1 has extra values"),
        Case("unterminated-quote", "csv", csv_bytes(HEADER, GOOD, 'H2,"Jane,Jones'), "rejected", "ends inside a quoted value"),
        Case("unknown-column", "csv", csv_bytes(HEADER + ",SHOE_SIZE", GOOD + ",9"), "rejected", "Unknown columns not in mapping police-pnc: SHOE_SIZE"),
        Case("duplicate-column", "csv", csv_bytes(HEADER + ",FORCE", GOOD + ",MPS"), "rejected", "Column FORCE appears twice in the header"),
        Case("required-column-missing", "csv", csv_bytes(HEADER.replace("FAMILY_NAME,", ""), GOOD.replace("Smith,", "")), "rejected", "Required columns are missing: FAMILY_NAME"),
        Case("semicolons", "csv", csv_bytes(HEADER.replace(",", ";"), GOOD.replace(",", ";")), "rejected", "seems to be separated by semicolons"),
        Case("tabs", "csv", csv_bytes(HEADER.replace(",", "\t"), GOOD.replace(",", "\t")), "rejected", "seems to be separated by tabs"),
        Case("duplicate-key", "csv", csv_bytes(HEADER, GOOD, GOOD), "rejected", "Key H1 is used again (first in row 1)"),
        Case("crlf", "csv", csv_bytes(HEADER, GOOD, row(), end="\r\n"), "committed", "", new=2),
        Case("crlf-lf-mixed", "csv", (HEADER + "\r\n" + GOOD + "\n" + row() + "\r\n" + row("H3") + "\n").encode(), "committed", "", new=3),
        Case("cr-only", "csv", (HEADER + "\r" + GOOD + "\r").encode(), "rejected", "old Mac line endings"),
        Case("blank-lines", "csv", csv_bytes(HEADER, "", GOOD, "", row()), "committed", "", new=2),
        # --- size
        Case("million-columns", "csv", (",".join(f"C{i}" for i in range(1_000_000)) + "\n").encode(), "rejected", "Line 1 is longer than 65,536 characters"),
        Case("long-line", "csv", csv_bytes(HEADER, GOOD, "H2," + "x" * 70_000), "rejected", "Line 3 is longer than 65,536 characters"),
        Case("huge-field", "csv", csv_bytes(HEADER, GOOD, 'H2,"' + "a\n" * 3000 + '",Jones,,05/06/1975,F,,,,MPS,H2'), "rejected", "longer than 4,096 characters"),
        Case("name-too-long-for-its-column", "csv", csv_bytes(HEADER, GOOD, row(family="S" * 150)), "committed", "longer than 100 characters", new=1),
        Case("key-too-long", "csv", csv_bytes(HEADER, GOOD, row(ref="K" * 150)), "committed", "longer than 100 characters", new=1),
        # --- spreadsheet injection
        Case("formula-equals", "csv", csv_bytes(HEADER, GOOD, row(given="=cmd|' /C calc'!A0")), "rejected", "GIVEN_NAME in row 2 starts like a spreadsheet formula"),
        Case("formula-plus", "csv", csv_bytes(HEADER, GOOD, row(family="+SUM(A1)")), "rejected", "starts like a spreadsheet formula"),
        Case("formula-at", "csv", csv_bytes(HEADER, GOOD, row(family="@SUM(A1)")), "rejected", "starts like a spreadsheet formula"),
        # --- names that disguise themselves
        Case("rtl-override-in-required-name", "csv", csv_bytes(HEADER, GOOD, row(family="Sm\u202eith")), "committed", "bidirectional control character (U+202E)", new=1),
        Case("rtl-isolate-in-optional-name", "csv", csv_bytes(HEADER, GOOD, row(given="Ja\u2067ne")), "committed", "bidirectional control character (U+2067)", new=2),
        Case("zero-width-space", "csv", csv_bytes(HEADER, GOOD, row(aka="Jo\u200bnes")), "committed", "a zero-width space (U+200B)", new=2),
        Case("escape-character", "csv", csv_bytes(HEADER, GOOD, row(family="Jo\x1b[31mnes")), "committed", "must not contain control characters", new=1),
        Case("homoglyph-cyrillic", "csv", csv_bytes(HEADER, GOOD, row(family="Smіth")), "committed", "", new=2),
        Case("arabic-name", "csv", csv_bytes(HEADER, GOOD, row(given="محمد", family="علي")), "committed", "", new=2),
        Case("persian-zwnj", "csv", csv_bytes(HEADER, GOOD, row(family="می\u200cخواهم")), "committed", "", new=2),
        # --- workbooks
        Case("xlsx-good", "xlsx", xlsx, "committed", "", new=2),
        Case("xlsx-not-a-zip", "xlsx", csv_bytes(HEADER, GOOD), "rejected", "The file is not an XLSX workbook"),
        Case("xlsx-truncated", "xlsx", xlsx[: len(xlsx) // 2], "rejected", "not a valid ZIP archive"),
        Case("xlsx-billion-laughs", "xlsx", billion_laughs(xlsx), "rejected", "declares a document type"),
        Case("xlsx-zip-bomb", "xlsx", zip_bomb(xlsx), "rejected", "compressed-file bomb"),
        Case("xlsx-formula-cell", "xlsx", workbook([COLUMNS, GOOD.split(","), row(given="=1+1").split(",")]), "rejected", "starts like a spreadsheet formula"),
        Case("xlsx-16384-columns", "xlsx", workbook([[f"C{i}" for i in range(16_384)], ["x"] * 3]), "rejected", "Unknown columns not in mapping"),
        # --- JSON
        Case("json-good", "json", json.dumps([record("H1"), record("H2")]).encode(), "committed", "", new=2),
        Case("json-not-an-array", "json", b"42", "rejected", "should start with [, not '4'"),
        Case("json-truncated", "json", json.dumps([record("H1"), record("H2")]).encode()[:-30], "rejected", "truncated"),
        Case("json-nested-value", "json", json.dumps([record("H1", FAMILY_NAME={"a": 1})]).encode(), "rejected", "is a nested JSON object"),
        Case("json-duplicate-name", "jsonl", b'{"PERSON_REF": "H1", "PERSON_REF": "H2"}\n', "rejected", "names PERSON_REF twice"),
        Case("json-deep-nesting", "json", b"[" + b"[" * 20_000 + b"]" * 20_000 + b"]", "rejected", "nests arrays or objects too deeply"),
        Case("jsonl-deep-nesting", "jsonl", b'{"PERSON_REF": ' + b"[" * 20_000 + b"]" * 20_000 + b"}\n", "rejected", "too deeply"),
        Case("jsonl-not-an-object", "jsonl", b'["H1", "John"]\n', "rejected", "is an array, not a JSON object"),
        Case("json-million-keys", "json", ("[{" + ",".join(f'"k{i}": 1' for i in range(1_000_000)) + "}]").encode(), "rejected", "longer than 65,536 characters"),
    ]  # fmt: skip
