"""Evaluation over the full ground truth: left-out and unlinked records are misses; pairwise,
cluster-level, and the threshold sweep in DuckDB."""

import io

import pytest
from django.core.management import call_command

from marsoc.linkage.evaluation import evaluate_clusters, sweep

from .helpers import police_row, write_csv


def test_records_left_out_count_as_missed_pairs():
    # Person a has three records; one was left out on reading. The two kept are linked.
    kept = evaluate_clusters({1: 1, 2: 1}, {1: "a", 2: "a"}, 0.7)
    assert (kept.precision, kept.recall) == (1.0, 1.0)
    honest = evaluate_clusters({1: 1, 2: 1}, {1: "a", 2: "a"}, 0.7, left_out=["a"])
    # True pairs 3 (1-2, 1-x, 2-x); found 1.
    assert (honest.true_positives, honest.false_positives, honest.false_negatives) == (1, 0, 2)
    assert honest.precision == 1.0 and round(honest.recall, 4) == 0.3333
    assert honest.left_out == 1
    # Cluster-level: person a is not found whole, so no cluster is exactly a person.
    assert (honest.cluster_precision, honest.cluster_recall, honest.people) == (0.0, 0.0, 1)


def test_records_without_a_cluster_are_on_their_own():
    ev = evaluate_clusters({}, {1: "a", 2: "a", 3: "b"}, 0.7)
    assert (ev.true_positives, ev.false_negatives, ev.clusters) == (0, 1, 3)
    # b alone is found exactly; a (two records apart) is not.
    assert ev.cluster_recall == 0.5 and round(ev.cluster_precision, 4) == 0.3333


def test_cluster_level_counts_people_found_exactly():
    # Truth: a = {1, 2}, b = {3}, c = {4, 5}. Predicted: {1, 2}, {3, 4}, {5}.
    ev = evaluate_clusters({1: 1, 2: 1, 3: 3, 4: 3, 5: 5}, {1: "a", 2: "a", 3: "b", 4: "c", 5: "c"}, 0.7)
    assert (ev.true_positives, ev.false_positives, ev.false_negatives) == (1, 1, 1)
    assert (ev.clusters, ev.people) == (3, 3)
    assert round(ev.cluster_precision, 4) == 0.3333 and round(ev.cluster_recall, 4) == 0.3333


def test_sweep_scores_the_links_at_each_threshold_over_the_full_truth():
    truth = {1: "a", 2: "a", 3: "a", 4: "b", 5: "b"}
    scored = [(1, 2, 0.95), (2, 3, 0.6), (3, 4, 0.8), (2, 1, 0.55)]  # 2-1 again, lower: counted once
    by_threshold = {
        ev.threshold: ev for ev in sweep(scored, [(4, 5)], truth, [0.5, 0.7, 0.9, 0.99], left_out=["b"])
    }
    # True pairs: a 3, b 3 (4, 5 and the left-out one) = 6. The identifier link 4-5 is always in.
    assert (by_threshold[0.5].true_positives, by_threshold[0.5].false_positives) == (3, 1)
    assert (by_threshold[0.7].true_positives, by_threshold[0.7].false_positives) == (2, 1)
    assert (by_threshold[0.9].true_positives, by_threshold[0.9].false_positives) == (2, 0)
    assert by_threshold[0.99].true_positives == 1 and by_threshold[0.99].false_negatives == 5
    assert by_threshold[0.5].recall == pytest.approx(0.5)


def test_dedupe_evaluate_counts_the_rows_it_left_out(tmp_path):
    rows = [police_row(f"P{n}", given=g, family=f, TRUTH=t) for n, (g, f, t) in enumerate(
        [("John", "Smith", "a"), ("John", "Smith", "a"), ("Ann", "Lee", "b"), ("Ann", "", "b")]
    )]  # fmt: skip
    rows += [
        police_row(
            f"Q{n}", given=f"Name{n}", family=f"Family{n}", dob=f"0{n % 9 + 1}/0{n % 9 + 1}/19{50 + n}"
        )
        for n in range(30)
    ]
    for n, row in enumerate(rows[4:]):
        row["TRUTH"] = f"q{n}"
    path = write_csv(tmp_path / "police.csv", rows)
    out = io.StringIO()
    call_command("dedupe", "police-pnc", str(path), "--evaluate", stdout=out)
    text = out.getvalue()
    assert "1 rows left out" in text
    assert "1 records of the truth were left out: their true pairs count as missed" in text
    # a's pair is found; b's (one record left out) cannot be: recall 1/2 at best.
    assert "recall 0.5000" in text
