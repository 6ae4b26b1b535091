"""The demonstration data for identity resolution has everything the acceptance list names."""

import pytest

from marsoc.demo.linkage import generate_linkage
from marsoc.linkage.models import CandidatePair, FeedImport, ImportStatus, Merge, PairStatus, SourceRecord
from marsoc.linkage.services import linkage_reset

from ..conftest import make_user


@pytest.fixture(autouse=True)
def _staging(settings, tmp_path):
    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"


def test_demo_linkage_data(db):
    make_user("london.manager", ["hub_manager"])
    counts = generate_linkage(seed=1)
    print(counts)
    statuses = sorted(FeedImport.objects.values_list("status", flat=True))
    assert statuses == [ImportStatus.COMMITTED] * 3 + [ImportStatus.REJECTED]
    assert counts["quarantined_rows"] >= 1 and counts["rows_kept_with_warnings"] >= 1
    assert (
        SourceRecord.objects.values("person").distinct().count() < SourceRecord.objects.count()
    )  # auto-links
    assert CandidatePair.objects.filter(status=PairStatus.PENDING).exists()
    merge = Merge.objects.get(pair__isnull=False)
    assert merge.undone_at is None
    linkage_reset()
    assert not SourceRecord.objects.exists() and not FeedImport.objects.exists()
