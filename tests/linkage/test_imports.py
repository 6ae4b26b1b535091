"""Feed imports: normalisation, quarantine, idempotent re-import with history, and every kind of
broken file rejected whole with nothing changed."""

import json
from datetime import date

import pytest

from marsoc.core.models import AuditEvent
from marsoc.linkage.feeds import MAX_FIELD, MAX_LINE
from marsoc.linkage.models import FeedImport, ImportStatus, QuarantinedRow, SourceRecord, SourceRecordVersion

from .helpers import POLICE, police_row, run_import, write_csv


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def _state():
    return sorted(
        SourceRecord.objects.values_list("source_key", "given_names", "family_name", "content_hash", "pnc")
    )


def test_identifiers_are_normalised_on_import(db, tmp_path):
    # Short-form PNC (2-digit year) becomes the long form; CRO serial padded; spaces and case cleaned.
    rows = [police_row("P1", PNC_ID="01/123456 f", CRO_NO="12/08p")]
    run_import(write_csv(tmp_path / "police.csv", rows))
    record = SourceRecord.objects.get(source_key="P1")
    assert record.pnc == "2001/0123456F"
    assert record.cro == "000012/08P"
    assert record.date_of_birth == date(1980, 3, 2)  # 02/03/1980 read as day/month/year per the mapping


def test_nomis_and_crn_keys_are_normalised(db, tmp_path):
    prison = [
        "OFFENDER_NO",
        "FIRST_NAME",
        "LAST_NAME",
        "ALIASES",
        "BIRTH_DATE",
        "SEX_CODE",
        "POSTCODE",
        "PNC_NUMBER",
        "CRO_NUMBER",
        "ESTABLISHMENT",
        "TRUTH",
    ]
    path = write_csv(
        tmp_path / "prison.csv",
        [
            {
                "OFFENDER_NO": " a1234bc ",
                "FIRST_NAME": "Amy",
                "LAST_NAME": "LEE",
                "BIRTH_DATE": "1990-01-05",
                "SEX_CODE": "f",
                "POSTCODE": "sw1a 1aa",
            }
        ],
        prison,
    )
    run_import(path, mapping="prison-nomis", agency="hmpps-prisons-london")
    probation = [
        "CRN",
        "FORENAMES",
        "SURNAME",
        "OTHER_NAMES",
        "DOB",
        "GENDER",
        "ADDRESS_POSTCODE",
        "PNC",
        "CRO",
        "PRISON_NUMBER",
        "PROBATION_AREA",
        "TRUTH",
    ]
    path = write_csv(
        tmp_path / "probation.csv",
        [
            {
                "CRN": "x 123456",
                "FORENAMES": "Amy",
                "SURNAME": "Lee",
                "DOB": "05/01/1990",
                "GENDER": "Female",
                "PRISON_NUMBER": "A1234BC",
            }
        ],
        probation,
    )
    run_import(path, mapping="probation-delius", agency="probation-london")
    prison_record = SourceRecord.objects.get(source_agency__code="hmpps-prisons-london")
    assert (prison_record.nomis, prison_record.sex, prison_record.postcode) == ("A1234BC", "F", "SW1A1AA")
    probation_record = SourceRecord.objects.get(source_agency__code="probation-london")
    assert (probation_record.crn, probation_record.nomis, probation_record.sex) == ("X123456", "A1234BC", "F")


def test_bad_rows_are_quarantined_and_good_rows_commit(db, tmp_path):
    rows = [
        police_row("P1"),
        police_row("P2", PNC_ID="2001/0123456Q"),  # wrong check letter
        police_row("P3", dob="31/02/1990"),  # no such date
        police_row("P4", SEX="X"),  # not in the code list
        police_row("P5", family=""),  # required
    ]
    done = run_import(write_csv(tmp_path / "police.csv", rows))
    assert done.status == ImportStatus.COMMITTED
    assert (done.rows_read, done.rows_new, done.rows_quarantined) == (5, 1, 4)
    assert list(SourceRecord.objects.values_list("source_key", flat=True)) == ["P1"]
    report = {q.row_number: q.problems[0] for q in QuarantinedRow.objects.filter(feed_import=done)}
    assert report[2]["column"] == "PNC_ID" and report[2]["value"] == "2001/0123456Q"
    assert report[2]["reason"] == "The check letter of PNC ID 2001/0123456Q is wrong: it should be F"
    assert report[3] == {
        "row": 3,
        "column": "DATE_OF_BIRTH",
        "value": "31/02/1990",
        "reason": "is not a date in the form %d/%m/%Y or %d-%m-%Y or %Y-%m-%d",
    }
    assert report[4]["column"] == "SEX" and report[4]["value"] == "X"
    assert report[5]["reason"] == "FAMILY_NAME is required"
    # The quarantined row keeps what was sent, for correction and re-submission.
    assert QuarantinedRow.objects.get(feed_import=done, row_number=2).raw["PERSON_REF"] == "P2"


def test_reimport_is_idempotent_and_changes_keep_history(db, tmp_path):
    path = write_csv(tmp_path / "police.csv", [police_row("P1"), police_row("P2", given="Ann")])
    first = run_import(path)
    assert (first.rows_new, first.rows_updated, first.rows_unchanged) == (2, 0, 0)
    before = _state()
    again = run_import(path)
    assert (again.rows_new, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert _state() == before
    assert SourceRecordVersion.objects.count() == 0
    changed = write_csv(tmp_path / "police2.csv", [police_row("P1"), police_row("P2", given="Anne")])
    third = run_import(changed)
    assert (third.rows_new, third.rows_updated, third.rows_unchanged) == (0, 1, 1)
    record = SourceRecord.objects.get(source_key="P2")
    assert record.given_names == "Anne" and record.last_import == third and record.first_import == first
    version = SourceRecordVersion.objects.get()
    assert version.record == record and version.data["given_names"] == "Ann" and version.feed_import == third


def _broken(tmp_path, name: str, content: bytes) -> FeedImport:
    path = tmp_path / name
    path.write_bytes(content)
    return run_import(path)


HEADER = ",".join(POLICE).encode()
GOOD = b"P1,John,Smith,,02/03/1980,M,,,,MPS,P1"


@pytest.mark.parametrize(
    ("case", "content", "row", "reason_part"),
    [
        (
            "wrong encoding",
            HEADER + b"\n" + GOOD + b"\nP2,J\xe9r\xf4me,Smith,,02/03/1980,M,,,,MPS,P2\n",
            2,
            "Line 3 is not valid utf-8 text",
        ),
        (
            "truncated row",
            HEADER + b"\n" + GOOD + b"\nP2,Jo,Smith,,02/03\n",
            2,
            "Row 2 truncated: 5 values where the header has 11",
        ),
        ("truncated quote", HEADER + b"\n" + GOOD + b'\nP2,"Jo,Smith\n', 2, "ends inside a quoted value"),
        (
            "unknown columns",
            HEADER + b",SHOE_SIZE\n" + GOOD + b",9\n",
            0,
            "Unknown columns not in mapping police-pnc: SHOE_SIZE",
        ),
        (
            "duplicate keys",
            HEADER + b"\n" + GOOD + b"\n" + GOOD + b"\n",
            2,
            "Key P1 is used again (first in row 1)",
        ),
        (
            "formula injection",
            HEADER + b"\n" + GOOD + b"\nP2,\"=cmd|' /C calc'!A0\",Smith,,02/03/1980,M,,,,MPS,P2\n",
            2,
            "GIVEN_NAME in row 2 starts like a spreadsheet formula",
        ),
        (
            "huge quoted field",
            HEADER
            + b"\n"
            + GOOD
            + b'\nP2,"'
            + b"a\n" * (MAX_FIELD // 2 + 10)
            + b'",Smith,,02/03/1980,M,,,,MPS,P2\n',
            2,
            f"longer than {MAX_FIELD:,} characters",
        ),
    ],
)
def test_broken_files_change_nothing(db, tmp_path, case, content, row, reason_part):
    run_import(write_csv(tmp_path / "existing.csv", [police_row("P9", given="Kept")]))
    before = _state()
    done = _broken(tmp_path, "broken.csv", content)
    assert done.status == ImportStatus.REJECTED, case
    assert reason_part in done.error, done.error
    assert _state() == before  # nothing committed, nothing changed
    quarantined = QuarantinedRow.objects.get(feed_import=done, row_number=row)
    assert any(reason_part in p["reason"] for p in quarantined.problems)
    assert AuditEvent.objects.filter(action="linkage.import.reject", object_id=str(done.pk)).exists()


def test_a_100_mb_single_field_is_rejected_without_reading_it_whole(db, tmp_path):
    # 100 MB in one unquoted field on one line: readline() is bounded, so at most MAX_LINE characters
    # are ever held. The file is written in pieces so the test itself stays small in memory.
    path = tmp_path / "huge.csv"
    with open(path, "wb") as handle:
        handle.write(HEADER + b"\n" + GOOD + b"\nP2,")
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            handle.write(chunk)
        handle.write(b",Smith,,02/03/1980,M,,,,MPS,P2\n")
    done = run_import(path)
    assert done.status == ImportStatus.REJECTED
    assert done.error.endswith(
        f"Line 3 is longer than {MAX_LINE:,} characters: the file is not a person extract"
    )
    assert SourceRecord.objects.count() == 0
    value = QuarantinedRow.objects.get(feed_import=done).problems[0]["value"]
    assert len(value) < 300  # the report shows a cut-down value, not 100 MB


def test_jsonl_feed_streams_and_rejects_unknown_keys(db, tmp_path, settings):
    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage import services
    from marsoc.linkage.mapping import built_in_mappings, load_mapping, mapping_from_dict

    base = load_mapping(built_in_mappings()["police-pnc"]).as_dict()
    mapping = mapping_from_dict({**base, "format": "jsonl", "name": "police-jsonl"})
    path = tmp_path / "police.jsonl"
    path.write_text(
        json.dumps(police_row("P1")) + "\n" + json.dumps({**police_row("P2"), "EXTRA": "1"}) + "\n"
    )
    staged = services.feed_stage(
        actor=None,
        source_path=path,
        filename="police.jsonl",
        mapping=mapping,
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )
    done = services.feed_import_process(staged.pk, progress=None)
    assert done.status == ImportStatus.REJECTED and "EXTRA" in done.error
    assert SourceRecord.objects.count() == 0


def test_xlsx_feed_imports(db, tmp_path):
    from openpyxl import Workbook

    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage import services
    from marsoc.linkage.mapping import built_in_mappings, load_mapping, mapping_from_dict

    book = Workbook()
    sheet = book.active
    sheet.append(POLICE)
    sheet.append([police_row("P1")[c] for c in POLICE])
    sheet.append([police_row("P2", family="Jones")[c] for c in POLICE])
    path = tmp_path / "police.xlsx"
    book.save(path)
    mapping = mapping_from_dict(
        {**load_mapping(built_in_mappings()["police-pnc"]).as_dict(), "format": "xlsx"}
    )
    staged = services.feed_stage(
        actor=None,
        source_path=path,
        filename="police.xlsx",
        mapping=mapping,
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )
    done = services.feed_import_process(staged.pk, progress=None)
    assert done.status == ImportStatus.COMMITTED and done.rows_new == 2
    assert sorted(SourceRecord.objects.values_list("family_name", flat=True)) == ["Jones", "Smith"]


def test_rerun_after_a_crash_between_validation_and_commit(db, tmp_path):
    """A worker that died mid-commit leaves the import COMMITTING with nothing written (the commit is
    one transaction); running the task again finishes it once."""
    from marsoc.linkage import services

    path = write_csv(tmp_path / "police.csv", [police_row("P1"), police_row("P2")])
    done = run_import(path)
    FeedImport.objects.filter(pk=done.pk).update(status=ImportStatus.COMMITTING)
    again = services.feed_import_process(done.pk, progress=None)
    assert again.status == ImportStatus.COMMITTED
    assert SourceRecord.objects.count() == 2


# ------------------------------------------------------------------ JSON arrays


def _json_staged(path) -> FeedImport:
    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage import services
    from marsoc.linkage.mapping import built_in_mappings, load_mapping, mapping_from_dict

    base = load_mapping(built_in_mappings()["police-pnc"]).as_dict()
    return services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=mapping_from_dict({**base, "format": "json", "name": "police-json"}),
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )


def _json_import(tmp_path, content: bytes, name: str = "police.json") -> FeedImport:
    from marsoc.linkage import services

    path = tmp_path / name
    path.write_bytes(content)
    return services.feed_import_process(_json_staged(path).pk, progress=None)


def _element(ref: str, **extra: str) -> bytes:
    return json.dumps(police_row(ref, **extra)).encode()


def test_json_array_feed_imports_with_element_numbers_in_the_report(db, tmp_path):
    # Pretty-printed, as exports usually are: elements span lines; element 2 has a bad date.
    rows = [police_row("P1"), police_row("P2", dob="31/02/1990"), police_row("P3", family="Jones")]
    done = _json_import(tmp_path, json.dumps(rows, indent=2).encode())
    assert done.status == ImportStatus.COMMITTED, done.error
    assert (done.rows_read, done.rows_new, done.rows_quarantined) == (3, 2, 1)
    assert QuarantinedRow.objects.get(feed_import=done).row_number == 2
    assert sorted(SourceRecord.objects.values_list("source_key", flat=True)) == ["P1", "P3"]
    # The same people as JSON Lines, through the same "json" mapping, change nothing.
    again = _json_import(tmp_path, b"\n".join(json.dumps(r).encode() for r in rows), "police2.json")
    assert again.status == ImportStatus.COMMITTED and again.rows_unchanged == 2 and again.rows_new == 0


def test_an_empty_json_array_imports_nothing(db, tmp_path):
    done = _json_import(tmp_path, b" [ ]\n")
    assert done.status == ImportStatus.COMMITTED and done.rows_read == 0


@pytest.mark.parametrize(
    ("case", "content", "row", "reason_part"),
    [
        (
            "truncated array, cut inside an element",
            b"[" + _element("P1") + b",\n" + _element("P2")[:40],
            2,
            "Element 2 (line 2) is cut off: the file ends inside it (truncated)",
        ),
        (
            "truncated array, closing bracket missing",
            b"[" + _element("P1") + b",\n" + _element("P2") + b"\n",
            2,
            "The file ends inside the array after element 2, without the closing ]: it is truncated",
        ),
        (
            "wrong encoding",
            b"["
            + _element("P1")
            + b",\n"
            + _element("P2", given="Jerome").replace(b"Jerome", b"J\xe9r\xf4me")
            + b"]",
            2,
            "Element 2 (line 2) is not valid utf-8 text",
        ),
        (
            "an element that is not an object",
            b"[" + _element("P1") + b', ["P2", "John", "Smith"]]',
            2,
            "Element 2 is an array, not a JSON object (one record)",
        ),
        (
            "an element naming a column twice",
            b"[" + _element("P1") + b',\n{"PERSON_REF": "P2", "GIVEN_NAME": "Jo", "GIVEN_NAME": "Al"}]',
            2,
            "Element 2 (line 2) names GIVEN_NAME twice: which value is meant is unknown",
        ),
        (
            "duplicate keys",
            b"[" + _element("P1") + b",\n" + _element("P2") + b",\n" + _element("P1") + b"]",
            3,
            "Key P1 is used again (first in row 1)",
        ),
        (
            "formula injection",
            b"[" + _element("P1") + b",\n" + _element("P2", given="=cmd|' /C calc'!A0") + b"]",
            2,
            "GIVEN_NAME in row 2 starts like a spreadsheet formula",
        ),
        (
            "unknown columns",
            b"[" + _element("P1", SHOE_SIZE="9") + b"]",
            0,
            "Unknown columns not in mapping police-json: SHOE_SIZE",
        ),
        (
            "not an array",
            b'"P1,John,Smith"',
            0,
            "The file is not a JSON array of records: it should start with [",
        ),
        (
            "text after the array",
            b"[" + _element("P1") + b"]\n[" + _element("P2") + b"]",
            1,
            "There is more text after the end of the array (line 2)",
        ),
        (
            "invalid JSON inside an element",
            b"[" + _element("P1") + b',\n{"PERSON_REF": "P2" "GIVEN_NAME": "Jo"}]',
            2,
            "Element 2 (line 2) is not valid JSON: Expecting ',' delimiter (line 2)",
        ),
    ],
)
def test_broken_json_arrays_change_nothing(db, tmp_path, case, content, row, reason_part):
    run_import(write_csv(tmp_path / "existing.csv", [police_row("P9", given="Kept")]))
    before = _state()
    done = _json_import(tmp_path, content)
    assert done.status == ImportStatus.REJECTED, case
    assert reason_part in done.error, done.error
    assert _state() == before
    quarantined = QuarantinedRow.objects.get(feed_import=done, row_number=row)
    assert any(reason_part in p["reason"] for p in quarantined.problems)


def test_a_json_array_with_a_100_mb_value_is_rejected_without_reading_it_whole(db, tmp_path):
    import tracemalloc

    from marsoc.linkage import services

    path = tmp_path / "huge.json"
    with open(path, "wb") as handle:
        handle.write(b"[" + _element("P1") + b',\n{"PERSON_REF": "P2", "GIVEN_NAME": "')
        chunk = b"x" * (1 << 20)
        for _ in range(100):
            handle.write(chunk)
        handle.write(b'"}]')
    staged = _json_staged(path)
    tracemalloc.start()
    try:
        done = services.feed_import_process(staged.pk, progress=None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert done.status == ImportStatus.REJECTED
    assert "Element 2 (line 2) is longer than 65,536 characters" in done.error
    assert SourceRecord.objects.filter(last_import=done).count() == 0
    # One chunk (1 MB of bytes, then as text) and the bounded element: a few MB, never 100.
    assert peak < 16 * (1 << 20), f"the reader held {peak / (1 << 20):.0f} MB"


def test_jsonl_row_naming_a_column_twice_is_rejected(db, tmp_path):
    done = _json_import(
        tmp_path,
        _element("P1") + b'\n{"PERSON_REF": "P2", "FAMILY_NAME": "Lee", "FAMILY_NAME": "Li"}\n',
        "police.jsonl",
    )
    assert done.status == ImportStatus.REJECTED
    assert "Row 2 names FAMILY_NAME twice: which value is meant is unknown" in done.error
    assert SourceRecord.objects.count() == 0
