"""Feed imports: normalisation, quarantine, idempotent re-import with history, and every kind of
broken file rejected whole with nothing changed."""

import json
from datetime import date

import pytest

from marsoc.core.models import AuditEvent
from marsoc.linkage.feeds import MAX_FIELD, MAX_LINE
from marsoc.linkage.mapping import MappingError, mapping_from_dict
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


def test_bad_required_rows_are_quarantined_bad_optional_values_keep_their_records(db, tmp_path):
    rows = [
        police_row("P1"),
        police_row("P2", PNC_ID="2001/0123456Q"),  # wrong check letter
        police_row("P3", dob="31/02/1990"),  # no such date
        police_row("P4", SEX="X"),  # not in the code list
        police_row("P5", family=""),  # required
        police_row("P6", LAST_KNOWN_POSTCODE="75008 Paris"),  # an address abroad
    ]
    done = run_import(write_csv(tmp_path / "police.csv", rows))
    assert done.status == ImportStatus.COMMITTED
    assert (done.rows_read, done.rows_new, done.rows_quarantined, done.rows_warned) == (6, 5, 1, 4)
    kept = {r.source_key: r for r in SourceRecord.objects.all()}
    assert sorted(kept) == ["P1", "P2", "P3", "P4", "P6"]
    # Each kept record has the bad field empty, and the rest of it as sent.
    assert (kept["P2"].pnc, kept["P2"].family_name) == ("", "Smith")
    assert kept["P3"].date_of_birth is None and kept["P3"].given_names == "John"
    assert kept["P4"].sex == "" and kept["P6"].postcode == ""
    report = {q.row_number: q for q in QuarantinedRow.objects.filter(feed_import=done)}
    assert [n for n, q in sorted(report.items()) if not q.kept] == [5]
    assert report[5].problems[0]["reason"] == "FAMILY_NAME is required"
    assert report[2].kept and report[2].problems[0]["column"] == "PNC_ID"
    assert report[2].problems[0]["value"] == "2001/0123456Q"
    assert report[2].problems[0]["reason"] == (
        "The check letter of PNC ID 2001/0123456Q is wrong: it should be F (the record is kept without it)"
    )
    assert report[3].problems[0] == {
        "row": 3,
        "column": "DATE_OF_BIRTH",
        "value": "31/02/1990",
        "reason": "is not a date in the form day/month/year, e.g. 31/01/1990 or day-month-year, e.g. 31-01-1990 or "
        "year-month-day, e.g. 1990-01-31 (the record is kept without it)",
    }
    assert report[4].problems[0]["column"] == "SEX" and report[4].problems[0]["value"] == "X"
    assert report[6].problems[0]["reason"] == "is not a UK postcode (the record is kept without it)"
    # The quarantined row keeps what was sent, for correction and re-submission.
    assert report[5].raw["PERSON_REF"] == "P5"


def test_a_required_date_of_birth_quarantines_its_row(db, tmp_path):
    from marsoc.linkage.feeds import validate_row
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    mapping = load_mapping(built_in_mappings()["police-pnc"])
    strict = mapping_from_dict({**mapping.as_dict(), "required": ["source_key", "date_of_birth"]})
    row = police_row("P1", dob="31/02/1990")
    optional, required = validate_row(1, row, mapping), validate_row(1, row, strict)
    assert not optional.problems and optional.fields["date_of_birth"] is None and optional.warnings
    assert required.problems and not required.warnings
    assert required.problems[0].reason == (
        "is not a date in the form day/month/year, e.g. 31/01/1990 or day-month-year, e.g. 31-01-1990 or "
        "year-month-day, e.g. 1990-01-31"
    )


def test_any_country_postcodes_are_kept_as_text_when_the_mapping_says_so(db, tmp_path):
    from marsoc.linkage.feeds import validate_row
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    mapping = load_mapping(built_in_mappings()["police-pnc"])
    anywhere = mapping_from_dict({**mapping.as_dict(), "postcode_country": ""})
    checked = validate_row(1, police_row("P1", LAST_KNOWN_POSTCODE=" 2612 "), anywhere)
    assert checked.fields["postcode"] == "2612" and not checked.warnings
    with pytest.raises(MappingError, match="postcode_country"):
        mapping_from_dict({**mapping.as_dict(), "postcode_country": "Narnia"})


GENERIC = [
    "REC_ID",
    "GIVEN",
    "SURNAME",
    "SSN",
    "STREET_NO",
    "ADDRESS_1",
    "ADDRESS_2",
    "SUBURB",
    "STATE",
    "POSTCODE",
]
GENERIC_MAPPING = {
    "name": "generic",
    "format": "csv",
    "required": ["source_key"],
    "postcode_country": "",
    "columns": {
        "REC_ID": "source_key",
        "GIVEN": "given_names",
        "SURNAME": "family_name",
        "SSN": "identifier",
        "STREET_NO": "street_number",
        "ADDRESS_1": "address_line_1",
        "ADDRESS_2": "address_line_2",
        "SUBURB": "town",
        "STATE": "region",
        "POSTCODE": "postcode",
    },
}


def _generic_row(key: str = "rec-1-org") -> dict[str, str]:
    return {
        "REC_ID": key,
        "GIVEN": "Lachlan",
        "SURNAME": "Berry",
        "SSN": "512-345 67",
        "STREET_NO": "69",
        "ADDRESS_1": "Giblin  Street",
        "ADDRESS_2": "Killarney",
        "SUBURB": "Bittern",
        "STATE": "QLD",
        "POSTCODE": "4814",
    }


def test_generic_fields_are_mapped_and_stored(db, tmp_path):
    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage import services

    path = write_csv(tmp_path / "generic.csv", [_generic_row()], GENERIC)
    staged = services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=mapping_from_dict(GENERIC_MAPPING),
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
        classification="OFFICIAL-SENSITIVE",
    )
    done = services.feed_import_process(staged.pk, progress=None)
    assert (done.status, done.rows_new, done.rows_quarantined, done.rows_warned) == (
        ImportStatus.COMMITTED,
        1,
        0,
        0,
    )
    record = SourceRecord.objects.get()
    assert (record.identifier, record.street_number, record.address_line_1, record.address_line_2) == (
        "51234567",
        "69",
        "Giblin Street",
        "Killarney",
    )
    assert (record.town, record.region, record.postcode) == ("Bittern", "QLD", "4814")


def test_empty_generic_fields_leave_the_content_hash_as_it_was():
    from marsoc.linkage.feeds import content_hash

    before = {"given_names": "Amy", "family_name": "Lee", "pnc": ""}
    assert content_hash({**before, "identifier": "", "town": ""}) == content_hash(before)
    assert content_hash({**before, "town": "Leeds"}) != content_hash(before)


def test_parquet_files_are_imported(db, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage import services

    rows = [_generic_row("a"), {**_generic_row("b"), "GIVEN": "Ann"}]
    table = pa.table({c: [r[c] for r in rows] for c in GENERIC}).set_column(
        GENERIC.index("STREET_NO"),
        "STREET_NO",
        pa.array([69.0, None]),  # numbers and gaps as Parquet has them
    )
    pq.write_table(table, tmp_path / "generic.parquet")
    staged = services.feed_stage(
        actor=None,
        source_path=tmp_path / "generic.parquet",
        filename="generic.parquet",
        mapping=mapping_from_dict({**GENERIC_MAPPING, "format": "parquet"}),
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
        classification="OFFICIAL-SENSITIVE",
    )
    done = services.feed_import_process(staged.pk, progress=None)
    assert (done.status, done.rows_new) == (ImportStatus.COMMITTED, 2)
    got = dict(SourceRecord.objects.values_list("source_key", "street_number"))
    assert got == {"a": "69", "b": ""}
    assert SourceRecord.objects.get(source_key="b").given_names == "Ann"


def test_a_parquet_file_with_an_unknown_column_or_not_parquet_is_rejected(db, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from marsoc.linkage.feeds import FileBroken
    from marsoc.linkage.readers import read_rows

    mapping = mapping_from_dict({**GENERIC_MAPPING, "format": "parquet"})
    pq.write_table(pa.table({"REC_ID": ["a"], "SHOE_SIZE": ["9"]}), tmp_path / "odd.parquet")
    with pytest.raises(FileBroken, match="Unknown columns not in mapping generic: SHOE_SIZE"):
        list(read_rows(tmp_path / "odd.parquet", mapping))
    (tmp_path / "not.parquet").write_bytes(b"REC_ID\na\n")
    with pytest.raises(FileBroken, match="not a readable Parquet file"):
        list(read_rows(tmp_path / "not.parquet", mapping))


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
    # Pretty-printed, as exports usually are: elements span lines; element 2 has no family name.
    rows = [police_row("P1"), police_row("P2", family=""), police_row("P3", family="Jones")]
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
