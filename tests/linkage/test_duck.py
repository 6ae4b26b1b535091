"""Linkage opens DuckDB with a memory limit (linkage/duck.py), so a large run spills to disk
instead of growing to most of the machine's memory."""

import pytest

from marsoc.linkage import duck, engine, files
from marsoc.linkage.mapping import built_in_mappings, load_mapping
from marsoc.linkage.synthetic import make_feeds

from .helpers import FEEDS


def _setting(name: str) -> object:
    return duck.connect().execute(f"SELECT current_setting('{name}')").fetchall()[0][0]


def test_the_default_limit_is_one_gigabyte_and_rows_may_come_in_any_order(monkeypatch):
    monkeypatch.delenv("MARSOC_LINKAGE_MEMORY_LIMIT", raising=False)
    assert _setting("memory_limit") == "953.6 MiB"  # DuckDB prints 1 GB (10^9 bytes) in MiB
    assert _setting("preserve_insertion_order") is False


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("MARSOC_LINKAGE_MEMORY_LIMIT", "512MB")
    assert _setting("memory_limit") == "488.2 MiB"


def test_an_unreadable_limit_is_refused_naming_the_setting(monkeypatch):
    monkeypatch.setenv("MARSOC_LINKAGE_MEMORY_LIMIT", "lots")
    with pytest.raises(duck.MemoryLimitError, match="MARSOC_LINKAGE_MEMORY_LIMIT: 'lots'"):
        duck.connect()


def test_training_scoring_and_evaluation_run_within_a_small_limit(monkeypatch, tmp_path):
    # A limit far below DuckDB's default (80 % of the machine) still trains, scores and evaluates.
    monkeypatch.setenv("MARSOC_LINKAGE_MEMORY_LIMIT", "64MB")
    paths = make_feeds(600, seed=3).write(tmp_path)
    loaded = files.load_files(
        [(s, load_mapping(built_in_mappings()[m]), paths[s]) for s, (m, _) in FEEDS.items()]
    )
    result = files.run(loaded, engine.Thresholds())
    scores = engine.evaluate_clusters(result.clusters, loaded.truth, engine.DEFAULT_AUTO_LINK)
    assert result.scored and scores.f1 > 0.95, scores
