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
