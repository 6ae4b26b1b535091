"""Precision, recall and F1 against ground truth, over the *whole* truth, computed in DuckDB.

Honest means the denominators are the truth's, not the engine's: a record that was read but left
out (a required field missing) is still a record of its person, so its true pairs count as missed;
a record kept but linked to nobody is a miss in the same way.

Two views of one clustering:
- *pairwise*: every pair of records in one cluster is a predicted match; precision is the share of
  those that are true, recall the share of true pairs (within the full truth) predicted;
- *cluster-level*: a person is found when one cluster holds exactly their records, no more and no
  fewer; precision is the share of clusters that are exactly a person, recall the share of people
  found exactly.

The threshold sweep scores the *pairs* at or above each threshold (identifier links always in),
before clustering: one DuckDB pass over the scored pairs, whatever the number of thresholds. The
best threshold it finds is then clustered once (see files.evaluate), not fifty times in Python.

Free of Django, like the engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import duck


@dataclass(frozen=True)
class Evaluation:
    threshold: float
    precision: float
    recall: float
    f1: float
    true_positives: int
    false_positives: int
    false_negatives: int
    # Cluster-level (None for the pair sweep, which has no clusters).
    cluster_precision: float | None = None
    cluster_recall: float | None = None
    clusters: int = 0
    people: int = 0
    left_out: int = 0  # records in the truth that the engine never saw


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _truth_table(truth: Mapping[int, str], left_out: Iterable[str]) -> Any:
    """Every record of the truth: (id, label); left-out records get ids below zero (no cluster)."""
    import pyarrow as pa

    ids = list(truth)
    labels = [truth[i] for i in ids]
    extra = list(left_out)
    return pa.table(
        {
            "id": pa.array(ids + [-(n + 1) for n in range(len(extra))], pa.int64()),
            "label": pa.array(labels + extra, pa.string()),
        }
    )


def evaluate_clusters(
    cluster_of: Mapping[int, int],
    truth: Mapping[int, str],
    threshold: float,
    *,
    left_out: Iterable[str] = (),
) -> Evaluation:
    """Pairwise and cluster-level precision and recall of `cluster_of` (record -> cluster) against
    `truth` (record -> person label), with `left_out` the labels of records never clustered."""
    import pyarrow as pa

    con = duck.connect()
    try:
        truth_table = _truth_table(truth, left_out)
        ids = [i for i in truth]
        clusters = pa.table(
            {
                "id": pa.array(ids, pa.int64()),
                "cluster": pa.array([cluster_of.get(i, i) for i in ids], pa.int64()),
            }
        )
        con.register("truth", truth_table)
        con.register("clusters", clusters)
        # A record without a cluster (left out, or not passed in) is a cluster of its own.
        con.execute(
            "CREATE TEMP TABLE joined AS SELECT t.id, t.label, "
            "coalesce(c.cluster, t.id) AS cluster FROM truth t LEFT JOIN clusters c USING (id)"
        )
        (true_pairs, people) = con.execute(
            "SELECT coalesce(sum(n * (n - 1) // 2), 0), count(*) FROM "
            "(SELECT count(*) n FROM joined GROUP BY label)"
        ).fetchone() or (0, 0)
        (predicted, n_clusters) = con.execute(
            "SELECT coalesce(sum(n * (n - 1) // 2), 0), count(*) FROM "
            "(SELECT count(*) n FROM joined GROUP BY cluster)"
        ).fetchone() or (0, 0)
        (tp,) = con.execute(
            "SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) n FROM joined GROUP BY cluster, label)"
        ).fetchone() or (0,)
        # A (cluster, person) group that is the whole of its cluster and the whole of its person.
        # Sizes by window, not by joining the sizes back: DuckDB would turn the two equalities on
        # the counts into a join of cluster sizes with people's sizes (quadratic).
        (exact,) = con.execute(
            "SELECT count(*) FROM (SELECT count(*) n, sum(count(*)) OVER (PARTITION BY cluster) in_cluster, "
            "sum(count(*)) OVER (PARTITION BY label) of_person FROM joined GROUP BY cluster, label) "
            "WHERE n = in_cluster AND n = of_person"
        ).fetchone() or (0,)
    finally:
        con.close()
    true_pairs, predicted, tp = int(true_pairs), int(predicted), int(tp)
    precision = tp / predicted if predicted else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    return Evaluation(
        threshold,
        precision,
        recall,
        _f1(precision, recall),
        tp,
        predicted - tp,
        true_pairs - tp,
        cluster_precision=int(exact) / int(n_clusters) if n_clusters else 1.0,
        cluster_recall=int(exact) / int(people) if people else 1.0,
        clusters=int(n_clusters),
        people=int(people),
        left_out=truth_table.num_rows - len(ids),
    )


def sweep(
    scored: Iterable[tuple[int, int, float]],
    always: Iterable[tuple[int, int]],
    truth: Mapping[int, str],
    thresholds: Iterable[float],
    *,
    left_out: Iterable[str] = (),
) -> list[Evaluation]:
    """Pairwise precision and recall of the links made at each threshold, before clustering:
    `scored` (left, right, probability) pairs at or above it, and the `always` pairs (identifier
    links). Recall is over every true pair of the full truth. One grouped pass in DuckDB."""
    import pyarrow as pa

    wanted = sorted({round(t, 6) for t in thresholds})
    lefts, rights, probabilities = [], [], []
    for left, right, probability in scored:
        lefts.append(min(left, right))
        rights.append(max(left, right))
        probabilities.append(probability)
    for left, right in always:
        lefts.append(min(left, right))
        rights.append(max(left, right))
        probabilities.append(2.0)  # above every threshold
    con = duck.connect()
    try:
        con.register("truth", _truth_table(truth, left_out))
        con.register(
            "links",
            pa.table(
                {
                    "l": pa.array(lefts, pa.int64()),
                    "r": pa.array(rights, pa.int64()),
                    "p": pa.array(probabilities, pa.float64()),
                }
            ),
        )
        con.register("thresholds", pa.table({"t": pa.array(wanted, pa.float64())}))
        (true_pairs,) = con.execute(
            "SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) n FROM truth GROUP BY label)"
        ).fetchone() or (0,)
        # Each pair once, at its highest probability; then, per threshold, the links at or above it
        # (a pair whose records have no truth label is counted as a wrong link).
        rows = con.execute(
            "WITH pairs AS (SELECT l, r, max(p) p FROM links GROUP BY l, r), "
            "labelled AS (SELECT p, coalesce(a.label = b.label, FALSE) AS same FROM pairs "
            "LEFT JOIN truth a ON a.id = pairs.l LEFT JOIN truth b ON b.id = pairs.r), "
            "buckets AS (SELECT p, count(*) n, count(*) FILTER (WHERE same) tp FROM labelled GROUP BY p) "
            "SELECT t, coalesce(sum(n), 0), coalesce(sum(tp), 0) FROM thresholds "
            "LEFT JOIN buckets ON buckets.p >= thresholds.t GROUP BY t ORDER BY t"
        ).fetchall()
    finally:
        con.close()
    found = []
    for threshold, predicted, tp in rows:
        predicted, tp = int(predicted), int(tp)
        precision = tp / predicted if predicted else 1.0
        recall = tp / int(true_pairs) if true_pairs else 1.0
        found.append(
            Evaluation(
                float(threshold),
                precision,
                recall,
                _f1(precision, recall),
                tp,
                predicted - tp,
                int(true_pairs) - tp,
            )
        )
    return found
