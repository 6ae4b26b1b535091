"""The command-line engine and importer."""

import io

import pytest
from django.core.management import CommandError, call_command

from marsoc.linkage.models import SourceRecord
from marsoc.linkage.synthetic import make_feeds

from .helpers import police_row, write_csv


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def test_link_evaluates_against_ground_truth(tmp_path):
    paths = make_feeds(300, seed=4).write(tmp_path)
    out = io.StringIO()
    call_command(
        "link",
        "prison-nomis",
        str(paths["prison"]),
        "probation-delius",
        str(paths["probation"]),
        "--evaluate",
        "--out",
        str(tmp_path / "out"),
        stdout=out,
    )
    text = out.getvalue()
    assert "configured threshold 0.70: precision" in text and "best threshold" in text
    f1 = float(text.split("configured threshold 0.70:")[1].split("F1 ")[1].split()[0])
    assert f1 > 0.95
    header = (tmp_path / "out" / "pairs.csv").read_text().splitlines()[0]
    assert header == "left_file,left_key,right_file,right_key,match_probability,match_weight"


def test_dedupe_without_truth_column_refuses_to_evaluate(tmp_path):
    path = write_csv(tmp_path / "p.csv", [{**police_row(f"P{i}"), "TRUTH": ""} for i in range(60)])
    with pytest.raises(SystemExit, match="ground-truth column"):
        call_command("dedupe", "police-pnc", str(path), "--evaluate", stdout=io.StringIO())


def _feed_account():
    from marsoc.core.vocabulary import Role

    from ..conftest import make_user

    return make_user("feed.london", [Role.HUB_OFFICER], hub_code="london", agency_code="mps").username


def test_import_feed_prints_counts_and_refuses_broken_files(db, tmp_path):
    path = write_csv(
        tmp_path / "p.csv", [police_row("P1"), police_row("P2", PNC_ID="bad"), police_row("P3", family="")]
    )
    out = io.StringIO()
    feed = _feed_account()
    call_command(
        "import_feed", str(path), "--mapping", "police-pnc", "--agency", "mps", "--hub", "london", "--as", feed,
        stdout=out,
    )  # fmt: skip
    assert (
        "3 rows, 2 new, 0 changed, 0 unchanged, 1 quarantined, 1 kept with a field left empty"
        in out.getvalue()
    )
    broken = tmp_path / "b.csv"
    broken.write_text("PERSON_REF,NOPE\nP3,1\n")
    with pytest.raises(CommandError, match="Unknown columns not in mapping police-pnc: NOPE"):
        call_command(
            "import_feed",
            str(broken),
            "--mapping",
            "police-pnc",
            "--agency",
            "mps",
            "--hub",
            "london",
            "--as",
            feed,
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert sorted(SourceRecord.objects.values_list("source_key", flat=True)) == ["P1", "P2"]


def test_resume_finishes_imports_a_stopped_worker_left(db, tmp_path):
    from marsoc.linkage.models import FeedImport, ImportStatus

    from .helpers import run_import

    done = run_import(write_csv(tmp_path / "p.csv", [police_row("P1"), police_row("P2")]))
    # As a worker stopped mid-commit leaves it: the transaction rolled back, the status says committing.
    SourceRecord.objects.all().delete()
    FeedImport.objects.filter(pk=done.pk).update(status=ImportStatus.COMMITTING)
    out = io.StringIO()
    call_command("import_feed", "--resume", "--as", _feed_account(), stdout=out)
    assert f"Import {done.pk} (p.csv): Committed" in out.getvalue()
    assert sorted(SourceRecord.objects.values_list("source_key", flat=True)) == ["P1", "P2"]


def test_import_feed_refuses_to_run_as_nobody_or_as_someone_who_may_not(db, tmp_path):
    """Commands that write personal data act as somebody, recorded in the log and checked by the services."""
    from marsoc.core.models import AuditEvent
    from marsoc.core.vocabulary import Role

    from ..conftest import make_user

    path = write_csv(tmp_path / "p.csv", [police_row("P1")])
    args = ["import_feed", str(path), "--mapping", "police-pnc", "--agency", "mps", "--hub", "london"]
    with pytest.raises(CommandError, match="--as USERNAME"):
        call_command(*args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="No active user"):
        call_command(*args, "--as", "nobody.here", stdout=io.StringIO())
    york = make_user("york.feed", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    with pytest.raises(CommandError, match="may not import feeds for this hub"):
        call_command(*args, "--as", york.username, stdout=io.StringIO())
    assert not SourceRecord.objects.exists()
    feed = _feed_account()
    call_command(*args, "--as", feed, stdout=io.StringIO())
    staged = AuditEvent.objects.filter(action="linkage.import.stage").latest("id")
    assert staged.actor_label.startswith("feed.london")
