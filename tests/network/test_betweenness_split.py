"""The betweenness estimate shared between processes (network/betweenness.py) is the one a single process
gives: the same sources, the same passes, only the order of the sum differs. Small graphs are done in one
process; the threshold is lowered here so that the helpers and the renumbering run on a small graph."""

import random
import sys

import pytest

from marsoc.network import betweenness
from marsoc.network.betweenness import dependencies, sampled_betweenness


def _pairs(n: int, m: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    found = {tuple(sorted(rng.sample(range(n - 10), 2))) for _ in range(m)}  # the last 10 nodes alone
    return sorted((a, b) for a, b in found)


@pytest.fixture
def graph() -> tuple[list[tuple[int, int]], int, list[int]]:
    n = 400
    return _pairs(n, 1200, 3), n, random.Random(4).sample(range(n), 60)


def test_split_between_processes_and_renumbered_it_is_the_single_process_result(graph, monkeypatch, caplog):
    pairs, n, sources = graph
    alone = sampled_betweenness(pairs, n, sources)  # below the threshold: one process, no renumbering
    monkeypatch.setattr(betweenness, "SPLIT_ABOVE", 0)
    for parts in (1, 2, 3):
        assert sampled_betweenness(pairs, n, sources, parts=parts) == pytest.approx(
            alone, rel=1e-12, abs=1e-15
        )
    assert max(alone) > 0
    assert "betweenness helper" not in caplog.text  # the helpers did their shares (none was redone here)


def test_a_helper_that_fails_has_its_share_done_in_this_process(graph, monkeypatch, caplog):
    pairs, n, sources = graph
    alone = dependencies(pairs, n, sources, parts=1)
    monkeypatch.setattr(betweenness, "SPLIT_ABOVE", 0)
    monkeypatch.setattr(sys, "executable", "/bin/false")  # starts, and exits 1 at once
    assert dependencies(pairs, n, sources, parts=2) == pytest.approx(alone, rel=1e-12, abs=1e-15)
    assert "betweenness helper 1 failed" in caplog.text
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")  # cannot start
    assert dependencies(pairs, n, sources, parts=2) == pytest.approx(alone, rel=1e-12, abs=1e-15)
    assert "could not start" in caplog.text
