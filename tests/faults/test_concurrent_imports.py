"""Issue 14, defect 4: two imports of one feed at the same time. Staging four at once (four
connections released together) stages exactly one and refuses the others naming it; and two imports
of one feed staged before that rule, processed at once, commit one after the other (the feed lock)
instead of one failing mid-commit on the unique key and sticking in "committing"."""

import pytest

from marsoc.accounts.models import Agency, Hub
from marsoc.core.errors import Conflict
from marsoc.linkage import services
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.models import FeedImport, ImportStatus, SourceRecord

from ..linkage.helpers import police_row, write_csv
from .test_concurrent_writers import together

pytestmark = [pytest.mark.postgres, pytest.mark.flushes]
ROWS = 1_500


def _file(tmp_path, name: str):
    return write_csv(tmp_path / name, [police_row(f"C{i}", family=f"Family{i % 97}") for i in range(ROWS)])


def _stage(path):
    return lambda: services.feed_stage(
        actor=None,
        source_path=path,
        filename=path.name,
        mapping=load_mapping(built_in_mappings()["police-pnc"]),
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=Hub.objects.get(code="london"),
    )


def test_four_imports_of_one_feed_staged_at_once_one_is_staged(committed, postgres_only, tmp_path, settings):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"
    results = together([_stage(_file(tmp_path, f"feed{i}.csv")) for i in range(4)])
    staged = [r for r in results if isinstance(r, FeedImport)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(staged) == 1 and len(refused) == 3, results
    assert all("is already running (started by the system at" in r.detail for r in refused)
    assert all(f"import {staged[0].pk} of" in r.detail for r in refused)
    assert FeedImport.objects.count() == 1


def test_two_imports_of_one_feed_processed_at_once_both_commit(committed, postgres_only, tmp_path, settings):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"
    first = _stage(_file(tmp_path, "a.csv"))()
    # As an import staged before the one-at-a-time rule (or resumed by hand) would be: both staged.
    FeedImport.objects.filter(pk=first.pk).update(status=ImportStatus.COMMITTED)
    second = _stage(_file(tmp_path, "b.csv"))()
    FeedImport.objects.filter(pk=first.pk).update(status=ImportStatus.STAGED)

    results = together(
        [lambda: services.feed_import_process(first.pk), lambda: services.feed_import_process(second.pk)]
    )

    assert all(isinstance(r, FeedImport) for r in results), results
    done = {i.pk: i for i in FeedImport.objects.filter(pk__in=[first.pk, second.pk])}
    assert {i.status for i in done.values()} == {ImportStatus.COMMITTED}, [
        (i.status, i.error) for i in done.values()
    ]
    assert sorted(i.rows_new for i in done.values()) == [0, ROWS]  # the second found every row already there
    assert SourceRecord.objects.count() == ROWS
