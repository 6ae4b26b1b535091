"""The hostile-file corpus (tests/faults/hostile.py, 59 files): every file is refused or accepted
with its documented message, and a refused file changes nothing (no record added or altered)."""

import pytest

from marsoc.accounts.models import Agency, Hub
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping, mapping_from_dict
from marsoc.linkage.models import ImportStatus, QuarantinedRow, SourceRecord

from ..linkage.helpers import police_row, run_import, write_csv
from .hostile import Case, corpus

CASES = corpus()


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def test_the_corpus_is_at_least_forty_files_of_every_kind():
    assert len(CASES) >= 40 and len({c.name for c in CASES}) == len(CASES)
    assert {c.fmt for c in CASES} == {"csv", "xlsx", "json", "jsonl"}


def _state() -> list[tuple]:
    return list(SourceRecord.objects.order_by("pk").values_list("source_key", "family_name", "content_hash"))


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_hostile_file_gets_its_documented_answer(tmp_path, case: Case):
    run_import(write_csv(tmp_path / "existing.csv", [police_row("E1", given="Kept")]))
    before = _state()
    base = load_mapping(built_in_mappings()["police-pnc"]).as_dict()
    mapping = mapping_from_dict({**base, "format": case.fmt})
    path = tmp_path / f"{case.name}.{case.fmt}"
    path.write_bytes(case.content)
    staged = services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=mapping,
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )
    done = services.feed_import_process(staged.pk, progress=None)

    assert done.status == case.status, (done.status, done.error)
    if case.status == ImportStatus.REJECTED:
        assert case.message in done.error, done.error
        assert _state() == before  # nothing added, nothing changed
    else:
        said = " ".join(
            [
                *done.warnings,
                *(p["reason"] for q in QuarantinedRow.objects.filter(feed_import=done) for p in q.problems),
            ]
        )
        assert case.message in said, said
        if case.new is not None:
            assert done.rows_new == case.new, (done.rows_new, said)
        assert _state()[: len(before)] == before  # the existing record is untouched
