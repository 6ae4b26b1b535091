"""The same trained model on Spark (local mode) scores pairs as DuckDB does.

Runs only where pyspark and a Java runtime are installed (`pip install marsoc-hub[spark]`); the
locked dependencies leave pyspark out (it is some 400 MB), so CI skips it unless it is installed."""

import shutil

import pytest

from marsoc.linkage import engine
from marsoc.linkage.files import LoadedFile
from marsoc.linkage.synthetic import make_feeds

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime")


def _records(n_people: int) -> LoadedFile:
    from marsoc.linkage.feeds import validate_row
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    feeds = make_feeds(n_people, seed=11)
    loaded = LoadedFile()
    names = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}
    for source, rows in feeds.rows.items():
        mapping = load_mapping(built_in_mappings()[names[source]])
        for i, row in enumerate(rows, 1):
            f = validate_row(i, row, mapping).fields
            rid = len(loaded.records) + 1
            loaded.records.append(
                engine.EngineRecord(
                    id=rid,
                    given_names=f["given_names"],
                    family_name=f["family_name"],
                    aliases=tuple(f["aliases"]),
                    date_of_birth=f["date_of_birth"],
                    sex=f["sex"],
                    postcode=f["postcode"],
                    pnc=f["pnc"],
                    cro=f["cro"],
                    nomis=f["nomis"],
                    crn=f["crn"],
                )
            )
            loaded.truth[rid] = f["truth"]
    return loaded


def test_same_model_on_spark_local_gives_the_same_pairs_and_clusters():
    from marsoc.linkage.spark import session

    loaded = _records(150)
    model = engine.train(loaded.records, seed=1)
    limits = engine.Thresholds()
    duck = engine.predict(loaded.records, model.settings, threshold=limits.review)
    spark = session("marsoc-linkage-test")
    try:
        on_spark = engine.predict(loaded.records, model.settings, threshold=limits.review, spark=spark)
        clusters_spark, _, _ = engine.link_records(loaded.records, model.settings, limits, spark=spark)
    finally:
        spark.stop()
    clusters_duck, _, _ = engine.link_records(loaded.records, model.settings, limits)
    assert {(p.left, p.right) for p in on_spark} == {(p.left, p.right) for p in duck}
    by_pair = {(p.left, p.right): p.probability for p in duck}
    assert all(abs(by_pair[(p.left, p.right)] - p.probability) < 1e-6 for p in on_spark)
    assert clusters_spark.cluster_of == clusters_duck.cluster_of
