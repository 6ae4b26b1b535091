"""Streaming readers for partner extracts: CSV, XLSX, JSON arrays, JSON Lines and Parquet, one row at a
time as {column: text}, with the checks that reject a broken file whole (wrong encoding, an
over-long line or field, unknown columns, a key used twice, a workbook that expands too far). What
a row's values mean is feeds.validate_row's business. Free of Django.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from .feeds import MAX_FIELD, MAX_LINE, SHOWN_VALUE, FileBroken, Problem, shown, unstorable
from .mapping import Mapping


def _within_field_limit(text: str, number: int, column: str, *, where: str = "row") -> str:
    """`text`, or FileBroken naming the row (or line, or object) and column when it is longer than any
    real value can be (MAX_FIELD)."""
    if len(text) > MAX_FIELD:
        raise FileBroken(
            Problem(
                number,
                column,
                shown(text),
                f"The value of {column} in {where} {number} is longer than {MAX_FIELD:,} characters",
            )
        )
    return text


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    # The csv module's limit is process-wide; keep ours only while we read.
    previous = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(previous)


class _Lines:
    """Decoded physical lines of a binary stream, each at most MAX_LINE bytes, counted as they come.
    readline(limit) never holds more than one bounded line, so a 100 MB line cannot fill memory, and
    decoding line by line names the line where the encoding goes wrong (ASCII-compatible encodings:
    UTF-8, Windows-1252, Latin-1)."""

    def __init__(self, stream: IO[bytes], encoding: str, header_lines: int) -> None:
        self.stream = stream
        self.encoding = encoding
        self.label = encoding.removesuffix("-sig")  # say "utf-8", as the mapping does
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self.number = 0
        self.header_lines = header_lines

    def _row(self) -> int:
        return max(self.number + 1 - self.header_lines, 0)

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.stream.readline(MAX_LINE + 1)
            if not raw:
                return
            if len(raw) > MAX_LINE and not raw.endswith(b"\n"):
                raise FileBroken(
                    Problem(
                        self._row(),
                        "",
                        shown(raw[:SHOWN_VALUE].decode(self.encoding, errors="replace")),
                        f"Line {self.number + 1} is longer than {MAX_LINE:,} characters: the file is not a person extract",
                    )
                )
            try:
                line = self.decoder.decode(raw)
            except UnicodeDecodeError as error:
                raise FileBroken(
                    Problem(
                        self._row(),
                        "",
                        shown(raw.decode(self.encoding, errors="replace").rstrip()),
                        f"Line {self.number + 1} is not valid {self.label} text (byte {error.start + 1} of the line): "
                        f"save the file as {self.label} and import it again",
                    )
                ) from error
            self.number += 1
            yield line


def _open_binary(path: Path, encoding: str) -> tuple[IO[bytes], str]:
    codecs.lookup(encoding)  # an unknown encoding in the mapping fails here, clearly
    # utf-8-sig drops the byte-order mark that spreadsheets write.
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") == "utf-8" else encoding
    return open(path, "rb"), enc


def _check_header(header: list[str], mapping: Mapping) -> None:
    for column in header:
        if why := unstorable(column):
            raise FileBroken(
                Problem(
                    0,
                    column,
                    shown(column),
                    f"The header {why}: the file is not {mapping.encoding} text (it may be UTF-16 or a binary "
                    f"file); save it as {mapping.encoding} and import it again",
                )
            )
    known = set(mapping.columns) | set(mapping.ignore)
    unknown = [c for c in header if c not in known]
    if unknown:
        raise FileBroken(
            Problem(
                0,
                unknown[0],
                shown(", ".join(unknown)),
                f"Unknown columns not in mapping {mapping.name}: {', '.join(unknown)}",
            )
        )
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise FileBroken(Problem(0, column, column, f"Column {column} appears twice in the header"))
        seen.add(column)
    missing = [mapping.source_column(f) for f in mapping.required]
    absent = [c for c in missing if c is not None and c not in header]
    if absent:
        raise FileBroken(Problem(0, absent[0], "", f"Required columns are missing: {', '.join(absent)}"))


DELIMITERS = ((";", "semicolons"), ("\t", "tabs"), ("|", "vertical bars"))


def _delimiter_hint(header: list[str], mapping: Mapping) -> str:
    """If the header splits into the mapping's columns at another delimiter, say so."""
    known = set(mapping.columns) | set(mapping.ignore)
    at_commas = sum(column in known for column in header)
    line = ",".join(header)
    for delimiter, name in DELIMITERS:
        parts = [p.strip().strip('"') for p in line.split(delimiter)]
        found = sum(p in known for p in parts)
        if found >= 2 and found > at_commas:
            return (
                f". The header seems to be separated by {name}, not commas ({found} of its columns are in the "
                f"mapping when split at {name}): save the file as comma-separated values"
            )
    return ""


def _csv_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    stream, encoding = _open_binary(path, mapping.encoding)
    with stream, _field_limit(MAX_FIELD):
        lines = _Lines(stream, encoding, header_lines=1)
        reader = csv.reader(lines, strict=True)
        row_number = 0
        try:
            header = next(reader, None)
            if header is None:
                raise FileBroken(Problem(0, "", "", "The file is empty: there is no header row"))
            header = [h.strip() for h in header]
            try:
                _check_header(header, mapping)
            except FileBroken as broken:
                hint = _delimiter_hint(header, mapping)
                if not hint:
                    raise
                raise FileBroken(replace(broken.problem, reason=broken.problem.reason + hint)) from None
            for values in reader:
                row_number += 1
                if not values:
                    continue  # a blank line
                if len(values) != len(header):
                    kind = "truncated" if len(values) < len(header) else "has extra values"
                    raise FileBroken(
                        Problem(
                            row_number,
                            "",
                            shown(",".join(values)),
                            f"Row {row_number} {kind}: {len(values)} values where the header has {len(header)}",
                        )
                    )
                yield row_number, dict(zip(header, values, strict=True))
        except csv.Error as error:
            message = str(error)
            if "field larger than field limit" in message:
                reason = f"A value in row {row_number + 1} is longer than {MAX_FIELD:,} characters"
            elif "unexpected end of data" in message or "EOF" in message:
                reason = f"The file ends inside a quoted value in row {row_number + 1}: it is truncated"
            elif "new-line character seen in unquoted field" in message:
                reason = (
                    f"Row {row_number + 1} has a line break (CR) inside a value that is not in quotes: the file "
                    "may end its lines with CR alone (old Mac line endings); save it with CRLF or LF line endings"
                )
            else:
                reason = f"Row {row_number + 1} is not valid CSV: {message}"
            raise FileBroken(Problem(row_number + 1, "", "", reason)) from error


# JSON nested thousands of levels deep exhausts the decoder's recursion limit; no record needs it.
TOO_DEEP = "nests arrays or objects too deeply to be a person record"


class _DuplicateName(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _no_duplicate_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads keeps the last of two equal names silently; a record saying two things is broken.
    data: dict[str, Any] = {}
    for name, value in pairs:
        if name in data:
            raise _DuplicateName(name)
        data[name] = value
    return data


_DECODER = json.JSONDecoder(object_pairs_hook=_no_duplicate_names)


def _object_row(
    number: int, data: object, text: str, mapping: Mapping, checked: set[frozenset[str]], what: str
) -> dict[str, str]:
    """One JSON object as a row of text values; `what` is "Row" (JSON Lines) or "Element" (array)."""
    if not isinstance(data, dict):
        kind = {list: "an array", str: "a string", bool: "true or false", type(None): "null"}.get(
            type(data), "a number"
        )
        raise FileBroken(
            Problem(number, "", shown(text), f"{what} {number} is {kind}, not a JSON object (one record)")
        )
    keys = frozenset(data)
    if keys not in checked:
        _check_header(list(data), mapping)
        checked.add(keys)
    row: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, dict | list):
            raise FileBroken(
                Problem(
                    number,
                    key,
                    shown(json.dumps(value)),
                    f"The value of {key} in {what.lower()} {number} is a nested JSON "
                    f"{'object' if isinstance(value, dict) else 'array'}, not a single value",
                )
            )
        row[key] = _within_field_limit("" if value is None else str(value), number, key, where=what.lower())
    return row


def _jsonl_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    stream, encoding = _open_binary(path, mapping.encoding)
    with stream:
        yield from _jsonl_lines(_Lines(stream, encoding, header_lines=0), mapping)


def _jsonl_lines(lines: Iterable[str], mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    row_number = 0
    checked: set[frozenset[str]] = set()
    for line in lines:
        if not line.strip():
            continue
        row_number += 1
        try:
            data = _DECODER.decode(line)
        except RecursionError as error:
            raise FileBroken(Problem(row_number, "", shown(line), f"Row {row_number} {TOO_DEEP}")) from error
        except _DuplicateName as duplicate:
            raise FileBroken(
                Problem(
                    row_number,
                    duplicate.name,
                    shown(line),
                    f"Row {row_number} names {duplicate.name} twice: which value is meant is unknown",
                )
            ) from duplicate
        except json.JSONDecodeError as error:
            raise FileBroken(
                Problem(
                    row_number,
                    "",
                    shown(line),
                    f"Row {row_number} is not a complete JSON object: {error.msg}",
                )
            ) from error
        yield row_number, _object_row(row_number, data, line, mapping, checked, "Row")


class _ArrayReader:
    """The elements of one top-level JSON array, read a chunk at a time: never more than a chunk
    and one element (at most MAX_LINE characters) is held, whatever the size of the file.

    Before each element the buffer holds more than MAX_LINE characters ahead (or the rest of the
    file), and the standard library's decoder (`raw_decode`, in C) parses the element from there, so
    a parse error is a real one, or the element is too long. Bytes are decoded as they come; text
    that is not valid in the mapping's encoding ends the readable text, and the error is reported
    with the element the reader has reached when it gets there."""

    CHUNK = 1 << 20
    WHITESPACE = frozenset(" \t\r\n")

    def __init__(self, stream: IO[bytes], encoding: str) -> None:
        self.stream = stream
        self.encoding = encoding
        self.label = encoding.removesuffix("-sig")
        self.decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self.buffer = ""
        self.at = 0  # position in buffer
        self.line = 1  # line of the file at `at`
        self.ended = False  # no more text will come (end of file, or undecodable bytes)
        self.bad_bytes: tuple[int, bytes] | None = None  # (file offset, bytes) that cannot be decoded
        self.offset = 0  # bytes of the file read so far
        self.element = 0  # elements read

    def _more(self) -> None:
        raw = self.stream.read(self.CHUNK)
        try:
            text = self.decoder.decode(raw, final=not raw)
        except UnicodeDecodeError as error:
            data = bytes(error.object)  # bytes held back from the last chunk, then this one
            held = len(data) - len(raw)
            text = codecs.decode(data[: error.start], self.encoding if self.offset == 0 else self.label)
            self.bad_bytes = (self.offset - held + error.start, data[error.start : error.start + 40])
            self.ended = True
        self.offset += len(raw)
        if not raw:
            self.ended = True
        self.buffer = self.buffer[self.at :] + text
        self.at = 0

    def _fill(self) -> None:
        while not self.ended and len(self.buffer) - self.at <= MAX_LINE:
            self._more()

    def _encoding_problem(self) -> FileBroken | None:
        if self.bad_bytes is None:
            return None
        offset, raw = self.bad_bytes
        line = self.line + self.buffer.count("\n", self.at)
        return FileBroken(
            Problem(
                self.element + 1,
                "",
                shown(raw.decode(self.label, errors="replace")),
                f"Element {self.element + 1:,} (line {line}) is not valid {self.label} text (byte "
                f"{offset + 1:,} of the file): save the file as {self.label} and import it again",
            )
        )

    def _next_char(self) -> str:
        """Skip white space; the next character, or "" where the readable text ends."""
        while True:
            buffer, at = self.buffer, self.at
            while at < len(buffer) and buffer[at] in self.WHITESPACE:
                if buffer[at] == "\n":
                    self.line += 1
                at += 1
            self.at = at
            if at < len(buffer):
                return buffer[at]
            if self.ended:
                return ""
            self._more()

    def _broken(self, row: int, reason: str) -> FileBroken:
        return self._encoding_problem() or FileBroken(
            Problem(row, "", shown(self.buffer[self.at : self.at + 80]), reason)
        )

    def __iter__(self) -> Iterator[tuple[int, object, str]]:
        first = self._next_char()
        if first != "[":
            raise self._broken(
                0,
                f"The file is not a JSON array of records: it should start with [, not {first!r}"
                if first
                else "The file is empty: there is no JSON array",
            )
        self.at += 1
        while True:
            char = self._next_char()
            if char == "]" and self.element == 0:
                break
            if self.element:
                if char == "]":
                    break
                if char != ",":
                    raise self._broken(
                        self.element,
                        f"The file ends inside the array after element {self.element:,}, without the "
                        "closing ]: it is truncated"
                        if char == ""
                        else f"Element {self.element:,} is not followed by a comma or ] (line {self.line})",
                    )
                self.at += 1
                char = self._next_char()
            number = self.element + 1
            if char == "":
                raise self._broken(
                    number,
                    f"The file ends inside the array after element {self.element:,}, without the closing ]: "
                    "it is truncated",
                )
            value, end = self._element(number)
            text = self.buffer[self.at : end]
            self.at = end
            self.element = number
            yield number, value, text
            self.line += text.count("\n")
        self.at += 1
        if self._next_char():
            raise self._broken(
                self.element, f"There is more text after the end of the array (line {self.line})"
            )
        if problem := self._encoding_problem():
            raise problem

    def _element(self, number: int) -> tuple[object, int]:
        self._fill()
        where = f"Element {number:,} (line {self.line})"
        try:
            value, end = _DECODER.raw_decode(self.buffer, self.at)
        except RecursionError as error:
            raise FileBroken(
                Problem(
                    number, "", shown(self.buffer[self.at : self.at + SHOWN_VALUE]), f"{where} {TOO_DEEP}"
                )
            ) from error
        except _DuplicateName as duplicate:
            raise FileBroken(
                Problem(
                    number,
                    duplicate.name,
                    shown(self.buffer[self.at : self.at + SHOWN_VALUE]),
                    f"{where} names {duplicate.name} twice: which value is meant is unknown",
                )
            ) from duplicate
        except json.JSONDecodeError as error:
            ran_out = error.pos >= len(self.buffer) or error.msg.startswith("Unterminated string")
            if ran_out and not self.ended:
                reason = f"{where} is longer than {MAX_LINE:,} characters: the file is not a person extract"
            elif ran_out or (self.ended and not self.buffer.rstrip().endswith("]")):
                if problem := self._encoding_problem():
                    raise problem from error
                reason = f"{where} is cut off: the file ends inside it (truncated)"
            else:
                first_line = self.line - self.buffer.count("\n", 0, self.at)  # the buffer's first line
                reason = f"{where} is not valid JSON: {error.msg} (line {first_line + error.lineno - 1})"
            raise FileBroken(
                Problem(number, "", shown(self.buffer[self.at : self.at + SHOWN_VALUE]), reason)
            ) from error
        if end - self.at > MAX_LINE:
            raise FileBroken(
                Problem(
                    number,
                    "",
                    shown(self.buffer[self.at : self.at + SHOWN_VALUE]),
                    f"{where} is longer than {MAX_LINE:,} characters: the file is not a person extract",
                )
            )
        return value, end


def _json_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    """A JSON file: a top-level array of objects (one per record), read element by element; a file
    that starts with { is read as JSON Lines instead."""
    stream, encoding = _open_binary(path, mapping.encoding)
    with stream:
        head = stream.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        stream.seek(0)
        if head.startswith(b"{"):
            yield from _jsonl_lines(_Lines(stream, encoding, header_lines=0), mapping)
            return
        checked: set[frozenset[str]] = set()
        for number, data, text in _ArrayReader(stream, encoding):
            yield number, _object_row(number, data, text, mapping, checked, "Element")


MAX_XLSX_EXPANDED = 256 * 1024 * 1024  # a workbook whose parts expand beyond this is not an extract
MAX_XLSX_RATIO = 200  # ... nor one that expands more than this many times (a zip bomb)


def _check_workbook(path: Path) -> None:
    """Refuse, before any XML is parsed, a workbook that is a zip bomb or carries a document type
    declaration (entity expansion: "billion laughs"); spreadsheet programs write neither."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            expanded = sum(m.file_size for m in members)
            packed = max(sum(m.compress_size for m in members), 1)
            if expanded > MAX_XLSX_EXPANDED or (
                expanded > 10 * 1024 * 1024 and expanded / packed > MAX_XLSX_RATIO
            ):
                raise FileBroken(
                    Problem(
                        0,
                        "",
                        "",
                        f"The workbook expands to {expanded:,} bytes from {packed:,} ({expanded // packed:,} "
                        "times): refused as a compressed-file bomb, not a person extract",
                    )
                )
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    with archive.open(member) as part:
                        head = part.read(4096)
                    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
                        raise FileBroken(
                            Problem(
                                0,
                                member.filename,
                                "",
                                f"The workbook part {member.filename} declares a document type (<!DOCTYPE>), "
                                "which spreadsheet programs never write: refused (entity expansion)",
                            )
                        )
    except zipfile.BadZipFile as error:
        raise FileBroken(
            Problem(0, "", "", f"The file is not an XLSX workbook (not a valid ZIP archive: {error})")
        ) from error


def _xlsx_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    _check_workbook(path)
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged zip or sheet
        raise FileBroken(Problem(0, "", "", f"The workbook cannot be opened: {error}")) from error
    try:
        yield from _sheet_rows(book, mapping)
    except FileBroken:
        raise
    except Exception as error:  # a damaged sheet fails while it is read, in openpyxl or the XML parser
        raise FileBroken(Problem(0, "", "", f"The first sheet cannot be read: {error}")) from error
    finally:
        book.close()


def _parquet_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number column read as float: 4075, not 4075.0
    return str(value)


def _parquet_rows(path: Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    """A Parquet file, read a batch of rows at a time (pyarrow, which Splink already needs)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as error:
        raise FileBroken(Problem(0, "", "", f"The file is not a readable Parquet file: {error}")) from error
    header = list(parquet.schema_arrow.names)
    _check_header(header, mapping)
    nested = [
        f.name for f in parquet.schema_arrow if pa.types.is_nested(f.type) and f.name in mapping.columns
    ]
    if nested:
        raise FileBroken(
            Problem(0, nested[0], "", f"Column {nested[0]} holds lists or structures, not single values")
        )
    row_number = 0
    try:
        for batch in parquet.iter_batches(batch_size=10_000, columns=header):
            columns = [batch.column(i).to_pylist() for i in range(batch.num_columns)]
            for values in zip(*columns, strict=True):
                row_number += 1
                row = {
                    name: _within_field_limit(_parquet_text(v), row_number, name)
                    for name, v in zip(header, values, strict=True)
                }
                yield row_number, row
    except (pa.ArrowException, OSError) as error:
        raise FileBroken(
            Problem(row_number + 1, "", "", f"Row {row_number + 1} cannot be read: {error}")
        ) from error


def _sheet_rows(book: Any, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    if not book.worksheets:
        raise FileBroken(Problem(0, "", "", "The workbook has no sheets"))
    rows = book.worksheets[0].iter_rows(values_only=True)
    header_values = next(rows, None)
    if header_values is None:
        raise FileBroken(Problem(0, "", "", "The first sheet is empty: there is no header row"))
    header = [str(h).strip() if h is not None else "" for h in header_values]
    while header and header[-1] == "":
        header.pop()
    _check_header(header, mapping)
    for row_number, values in enumerate(rows, start=1):
        cells = list(values)[: len(header)]
        if all(v is None for v in cells):
            continue
        row: dict[str, str] = {}
        for column, value in zip(header, cells + [None] * (len(header) - len(cells)), strict=True):
            if isinstance(value, datetime):
                text = value.date().isoformat()
            elif isinstance(value, date):
                text = value.isoformat()
            else:
                text = "" if value is None else str(value)
            _within_field_limit(text, row_number, column)
            row[column] = text
        yield row_number, row


READERS = {
    "csv": _csv_rows,
    "jsonl": _jsonl_rows,
    "json": _json_rows,
    "xlsx": _xlsx_rows,
    "parquet": _parquet_rows,
}
FORMAT_WORDS = {
    "csv": "CSV text",
    "jsonl": "JSON Lines text",
    "json": "JSON text",
    "xlsx": "an XLSX workbook",
    "parquet": "a Parquet file",
}
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _check_kind(path: Path, mapping: Mapping) -> None:
    """Name the commonest wrong files before reading: UTF-16 text, or a workbook against a text mapping."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    wanted = FORMAT_WORDS[mapping.format]
    if mapping.format == "parquet":
        return  # binary, checked by its own reader
    if mapping.format != "xlsx":
        for mark, name in BYTE_ORDER_MARKS:
            if head.startswith(mark):
                raise FileBroken(
                    Problem(
                        0,
                        "",
                        "",
                        f"The file is {name} text (it begins with a {name} byte-order mark), but mapping "
                        f"{mapping.name} reads {mapping.encoding}: save it as {mapping.encoding} and import it again",
                    )
                )
        if head.startswith(b"PK\x03\x04"):
            raise FileBroken(
                Problem(
                    0,
                    "",
                    "",
                    f"The file is a ZIP archive (perhaps an XLSX workbook), but mapping {mapping.name} reads "
                    f"{wanted}: choose a mapping for workbooks, or export the sheet as {wanted}",
                )
            )
    elif not head.startswith(b"PK\x03\x04"):
        raise FileBroken(
            Problem(0, "", "", f"The file is not an XLSX workbook, which mapping {mapping.name} reads")
        )


def read_rows(path: str | Path, mapping: Mapping) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (row number, {column: text}) one row at a time; raise FileBroken on a broken file,
    including a value no database text can hold (a NUL byte, an unpaired surrogate), named by row and
    column, so that nothing unstorable reaches a commit."""
    path = Path(path)
    _check_kind(path, mapping)
    for row_number, row in READERS[mapping.format](path, mapping):
        for column, value in row.items():
            if why := unstorable(value):
                raise FileBroken(
                    Problem(
                        row_number,
                        column,
                        shown(value),
                        f"{column} in row {row_number} {why}: the file may be binary, or in another "
                        f"encoding than {mapping.encoding}",
                    )
                )
        yield row_number, row
