"""Issue 14, defects 3, 4, 7 and 8 in imports: bytes no database can store, failures with their
real cause, one import of a feed at a time, a header-only file, a wrong delimiter, the command line's
row-level report. Each test here failed before its fix."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from marsoc.accounts.models import Agency, Hub
from marsoc.core.errors import Conflict
from marsoc.core.models import AuditEvent
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping, mapping_from_dict
from marsoc.linkage.models import FeedImport, ImportStatus, QuarantinedRow, SourceRecord

from ..conftest import make_user, signed_in
from .helpers import POLICE, police_row, run_import, write_csv

HEADER = ",".join(POLICE).encode()
GOOD = b"P1,John,Smith,,02/03/1980,M,,,,MPS,P1"


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def _import_bytes(tmp_path, content: bytes, name: str = "feed.csv", **kw) -> FeedImport:
    path = tmp_path / name
    path.write_bytes(content)
    return run_import(path, **kw)


def _stored_text(done: FeedImport) -> str:
    """Everything the import stored about the file, as PostgreSQL would have to hold it."""
    rows = QuarantinedRow.objects.filter(feed_import=done)
    return done.error + json.dumps([[r.raw, r.problems] for r in rows])


# ------------------------------------------------------------ bytes no database can store (defect 3)


@pytest.mark.parametrize(
    ("case", "content", "reason_part"),
    [
        ("NUL in a field", HEADER + b"\n" + GOOD + b"\nP2,Jo\x00hn,Smith,,02/03/1980,M,,,,MPS,P2\n", "GIVEN_NAME in row 2 contains a NUL byte"),
        ("UTF-16 with a byte-order mark", (",".join(POLICE) + "\n" + GOOD.decode() + "\n").encode("utf-16"), "The file is UTF-16 text"),
        ("UTF-16 without a byte-order mark", (",".join(POLICE) + "\n" + GOOD.decode() + "\n").encode("utf-16-le"), "The header contains a NUL byte"),
        ("a binary file", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "not valid utf-8 text"),
        ("a workbook against a CSV mapping", b"PK\x03\x04" + b"\x00" * 200, "ZIP archive"),
    ],
)  # fmt: skip
def test_unstorable_bytes_are_refused_at_validation(db, tmp_path, case, content, reason_part):
    run_import(write_csv(tmp_path / "existing.csv", [police_row("P9", given="Kept")]))
    before = SourceRecord.objects.count()
    done = _import_bytes(tmp_path, content)
    assert done.status == ImportStatus.REJECTED, (case, done.status, done.error)
    assert reason_part in done.error, done.error
    assert "\x00" not in _stored_text(done)  # the report is storable: no NUL copied into it
    assert SourceRecord.objects.count() == before
    assert done.attempts == 1 and not done.interruptions


def test_a_nul_is_named_by_row_and_column_and_shown_escaped(db, tmp_path):
    done = _import_bytes(tmp_path, HEADER + b"\n" + GOOD + b"\nP2,Jo\x00hn,Smith,,02/03/1980,M,,,,MPS,P2\n")
    problem = QuarantinedRow.objects.get(feed_import=done).problems[0]
    assert (problem["row"], problem["column"], problem["value"]) == (2, "GIVEN_NAME", "Jo\\x00hn")


@pytest.mark.parametrize(
    ("escape", "reason_part"), [("\\u0000", "NUL byte"), ("\\ud800", "unpaired surrogate")]
)
def test_json_escapes_for_unstorable_text_are_refused(db, tmp_path, escape, reason_part):
    base = load_mapping(built_in_mappings()["police-pnc"]).as_dict()
    mapping = mapping_from_dict({**base, "format": "jsonl", "name": "police-jsonl"})
    row = json.dumps(police_row("P1")).replace('"Smith"', f'"Sm{escape}ith"')
    path = tmp_path / "feed.jsonl"
    path.write_text(row + "\n")
    staged = services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=mapping,
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )
    done = services.feed_import_process(staged.pk, progress=None)
    assert (
        done.status == ImportStatus.REJECTED
        and f"FAMILY_NAME in row 1 contains an {reason_part}" in done.error.replace("a NUL", "an NUL")
    )
    assert SourceRecord.objects.count() == 0


def test_a_value_longer_than_its_column_is_a_bad_row_not_a_crash(db, tmp_path):
    """PostgreSQL refused a 101-character surname mid-commit (varchar(100)); now the row is quarantined."""
    path = write_csv(tmp_path / "long.csv", [police_row("P1"), police_row("P2", family="S" * 101)])
    done = run_import(path)
    assert done.status == ImportStatus.COMMITTED and done.rows_new == 1 and done.rows_quarantined == 1
    problem = QuarantinedRow.objects.get(feed_import=done).problems[0]
    assert problem["column"] == "FAMILY_NAME" and "longer than 100 characters" in problem["reason"]


# ------------------------------------------------------------ failures keep their real cause (defect 3)


def _refuse_source_record_inserts() -> None:
    """A real database error at commit time: a trigger that refuses every new source record."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION faults_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused by the test trigger'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER faults_refuse BEFORE INSERT ON linkage_sourcerecord "
                "FOR EACH ROW EXECUTE FUNCTION faults_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER faults_refuse BEFORE INSERT ON linkage_sourcerecord "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"
            )


def test_an_error_during_commit_is_stored_with_its_cause_and_not_blamed_on_the_worker(
    db, tmp_path, london_manager
):
    _refuse_source_record_inserts()
    done = run_import(write_csv(tmp_path / "p.csv", [police_row("P1"), police_row("P2")]))
    assert done.status == ImportStatus.FAILED
    assert "refused by the test trigger" in done.error and "while committing" in done.error
    assert "worker stopped" not in done.error
    assert SourceRecord.objects.count() == 0
    assert AuditEvent.objects.filter(action="linkage.import.fail", object_id=str(done.pk)).exists()
    assert services.imports_recover() == []  # finished: nothing for recovery to retry and misreport
    done.refresh_from_db()
    assert done.attempts == 1 and not done.interruptions
    FeedImport.objects.filter(pk=done.pk).update(created_by=london_manager)
    page = signed_in(london_manager).get(f"/linkage/imports/{done.pk}/")
    assert page.status_code == 200 and "refused by the test trigger" in page.content.decode()


# ------------------------------------------------------------ one import of a feed at a time (defect 4)


def _stage(tmp_path, name: str, actor=None, agency: str = "mps") -> FeedImport:
    path = write_csv(tmp_path / name, [police_row("P1")])
    return services.feed_stage(
        actor=actor,
        source_path=path,
        filename=name,
        mapping=load_mapping(built_in_mappings()["police-pnc"]),
        source_agency=Agency.objects.get(code=agency),
        owner_hub=Hub.objects.get(code="london"),
    )


def test_a_second_import_of_a_running_feed_is_refused_naming_who_started_it(db, tmp_path, london_manager):
    first = _stage(tmp_path, "first.csv", actor=london_manager)
    with pytest.raises(Conflict) as refused:
        _stage(tmp_path, "second.csv", actor=london_manager)
    message = refused.value.detail
    assert "An import of this feed" in message and "is already running (started by" in message
    assert (
        london_manager.get_full_name() or london_manager.username
    ) in message and f"import {first.pk}" in message
    assert FeedImport.objects.count() == 1
    _stage(tmp_path, "other-feed.csv", actor=None, agency="probation-london")  # another feed is free
    services.feed_import_process(first.pk, progress=None)
    _stage(tmp_path, "third.csv", actor=london_manager)  # once finished, the feed is free again


def test_the_import_page_shows_the_refusal(db, tmp_path, london_manager):
    _stage(tmp_path, "first.csv", actor=london_manager)
    client = signed_in(london_manager)
    with open(write_csv(tmp_path / "again.csv", [police_row("P2")]), "rb") as handle:
        response = client.post(
            "/linkage/imports/new/",
            {
                "file": handle,
                "mapping": "police-pnc",
                "source_agency": Agency.objects.get(code="mps").pk,
                "owner_hub": Hub.objects.get(code="london").pk,
                "classification": "OFFICIAL-SENSITIVE",
            },
        )
    assert response.status_code == 200
    assert "is already running (started by" in response.content.decode()
    assert FeedImport.objects.count() == 1


# ------------------------------------------------------------ smaller (defect 8)


def test_a_header_only_file_commits_with_a_warning_shown(db, tmp_path, london_manager):
    done = _import_bytes(tmp_path, HEADER + b"\n")
    assert done.status == ImportStatus.COMMITTED and done.rows_read == 0
    assert done.warnings and "no records" in done.warnings[0]
    FeedImport.objects.filter(pk=done.pk).update(created_by=london_manager)
    page = signed_in(london_manager).get(f"/linkage/imports/{done.pk}/").content.decode()
    assert "The file holds no records" in page


def test_a_wrong_delimiter_is_named(db, tmp_path):
    content = ";".join(POLICE).encode() + b"\n" + GOOD.replace(b",", b";") + b"\n"
    done = _import_bytes(tmp_path, content)
    assert done.status == ImportStatus.REJECTED
    assert "separated by semicolons" in done.error, done.error


def _feed_account() -> str:
    from marsoc.core.vocabulary import Role

    return make_user("feed.london", [Role.HUB_OFFICER], hub_code="london", agency_code="mps").username


def _cli_import(path, *extra: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "import_feed", str(path), "--mapping", "police-pnc", "--agency", "mps", "--hub", "london",
        "--as", _feed_account(), *extra, stdout=out, stderr=err,
    )  # fmt: skip
    return out.getvalue(), err.getvalue()


def test_the_command_line_prints_row_problems_of_a_committed_import(db, tmp_path):
    rows = [police_row("P1"), police_row("P2", PNC_ID="bad"), police_row("P3", family="")]
    out, err = _cli_import(write_csv(tmp_path / "p.csv", rows))
    assert "2 new, 0 changed, 0 unchanged, 1 quarantined, 1 kept with a field left empty" in out
    assert "row 2 PNC_ID 'bad'" in err and "row 3 FAMILY_NAME '': FAMILY_NAME is required" in err


def test_the_command_line_warns_of_a_header_only_file(db, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(HEADER + b"\n")
    out, err = _cli_import(path)
    assert "0 rows, 0 new" in out and "Warning: The file holds no records" in err


def test_the_command_line_refuses_a_second_import_of_a_running_feed(db, tmp_path):
    _stage(tmp_path, "first.csv")
    with pytest.raises(CommandError, match="is already running"):
        _cli_import(write_csv(tmp_path / "p.csv", [police_row("P1")]), "--queue")
