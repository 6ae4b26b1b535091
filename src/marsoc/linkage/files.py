"""The generic engine over files: any person data, given a mapping file. Used by `marsoc link`,
`marsoc dedupe` and bench/linkage.py; nothing here touches the database."""

from __future__ import annotations

import csv
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import engine, table
from .columns import IDENTIFIERS
from .evaluation import Evaluation, evaluate_clusters, sweep
from .feeds import FileBroken, truth_from_key, validate_row
from .mapping import GENERIC_FIELDS, Mapping
from .model import CRIMINAL_JUSTICE, ModelSpec, model_of
from .readers import read_rows


@dataclass
class LoadedFile:
    records: list[engine.EngineRecord] = field(default_factory=list)
    truth: dict[int, str] = field(default_factory=dict)
    keys: dict[int, tuple[str, str]] = field(default_factory=dict)  # record id -> (file label, source key)
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # records kept with a field left empty
    warned: int = 0
    # The ground truth of rows left out: evaluation counts their true pairs as missed.
    left_out_truth: list[str] = field(default_factory=list)
    model: ModelSpec = CRIMINAL_JUSTICE  # from the mappings (linkage/model.py)


MAX_LISTED = 1_000  # rows listed as warned about (the count goes on)
# A checked row's fields an engine record takes as they are (its aliases become a tuple).
_COPIED = ("given_names", "family_name", "date_of_birth", "sex", "postcode", *IDENTIFIERS, *GENERIC_FIELDS)


def load_files(specs: list[tuple[str, Mapping, Path]]) -> LoadedFile:
    """Read each (label, mapping, path); rows failing a required field are listed and left out,
    rows with an unreadable optional field are kept without it and listed as warnings, and a broken
    file stops."""
    loaded = LoadedFile(model=model_of(m for _, m, _ in specs))
    for label, mapping, path in specs:
        truth_column = mapping.source_column("truth")
        try:
            for row_number, row in read_rows(path, mapping):
                checked = validate_row(row_number, row, mapping)
                if checked.problems:
                    p = checked.problems[0]
                    loaded.rejected.append(f"{label} row {row_number}: {p.column} {p.value!r}: {p.reason}")
                    if truth_column:
                        label_of_row = (row.get(truth_column) or "").strip()
                    else:
                        label_of_row = truth_from_key(checked.key, mapping) if mapping.truth_from_key else ""
                    if label_of_row:
                        loaded.left_out_truth.append(label_of_row)
                    continue
                if checked.warnings:
                    loaded.warned += 1
                    if len(loaded.warnings) < MAX_LISTED:
                        p = checked.warnings[0]
                        loaded.warnings.append(
                            f"{label} row {row_number}: {p.column} {p.value!r}: {p.reason}"
                        )
                f = checked.fields
                rid = len(loaded.records) + 1
                copied = {name: f[name] for name in _COPIED}
                loaded.records.append(
                    engine.EngineRecord(id=rid, aliases=tuple(f["aliases"]), source=label, **copied)
                )
                loaded.keys[rid] = (label, checked.key)
                if f.get("truth"):
                    loaded.truth[rid] = f["truth"]
        except FileBroken as broken:
            raise SystemExit(f"{path}: {broken.problem.reason}") from broken
    return loaded


@dataclass
class EngineResult:
    clusters: dict[int, int]
    scored: list[engine.ScoredPair]
    deterministic: list[tuple[int, int, str]]
    seconds: dict[str, float]


def run(loaded: LoadedFile, thresholds: engine.Thresholds, *, seed: int = 1) -> EngineResult:
    started = time.perf_counter()
    # Built once, for training and scoring, and handed over to link_records, which lets it go before
    # clustering (so this frame holds no reference to it then).
    held = [table.arrow_of(loaded.records)]
    model = engine.train(loaded.records, seed=seed, spec=loaded.model, table=held[0])
    trained = time.perf_counter()
    clustering, scored, det = engine.link_records(
        loaded.records, model.settings, thresholds, spec=loaded.model, table=held.pop()
    )
    done = time.perf_counter()
    return EngineResult(
        clusters=clustering.cluster_of,
        scored=scored,
        deterministic=det,
        seconds={"train": round(trained - started, 2), "link": round(done - trained, 2)},
    )


def clusters_at(loaded: LoadedFile, result: EngineResult, threshold: float) -> dict[int, int]:
    links = [(a, b) for a, b, _ in result.deterministic]
    scored = [
        (p.left, p.right)
        for p in engine.strongest_first(result.scored)
        if p.probability >= threshold and p.identity_evidence
    ]
    return engine.cluster(
        (r.id for r in loaded.records),
        links,
        scored_links=scored,
        identifiers=engine.identifiers_of(loaded.records),
        births=engine.births_of(loaded.records),
    ).cluster_of


SWEEP = [step / 100 for step in range(50, 100)]


def evaluate(
    loaded: LoadedFile,
    result: EngineResult,
    configured: float,
    say: Callable[[str], None],
    *,
    review: float = engine.DEFAULT_REVIEW,
) -> tuple[Evaluation, Evaluation]:
    """Precision, recall and F1 over the full ground truth (rows left out count as misses), at the
    configured threshold and at the best threshold of a sweep. The sweep scores the links each
    threshold makes before clustering (one DuckDB pass, evaluation.sweep); the best is clustered
    once and evaluated like the configured one."""
    if not loaded.truth:
        raise SystemExit("Evaluate needs a ground-truth column: map one to the field 'truth'")
    at_configured = evaluate_clusters(
        result.clusters, loaded.truth, configured, left_out=loaded.left_out_truth
    )
    swept = sweep(
        ((p.left, p.right, p.probability) for p in result.scored if p.identity_evidence),
        ((a, b) for a, b, _ in result.deterministic),
        loaded.truth,
        # Pairs were scored down to the review threshold only, so the sweep starts there.
        [t for t in SWEEP if t >= review],
        left_out=loaded.left_out_truth,
    )
    best_pairs = max(swept, key=lambda ev: ev.f1, default=None)
    best = at_configured
    if best_pairs is not None and best_pairs.threshold != configured:
        candidate = evaluate_clusters(
            clusters_at(loaded, result, best_pairs.threshold),
            loaded.truth,
            best_pairs.threshold,
            left_out=loaded.left_out_truth,
        )
        best = candidate if candidate.f1 > at_configured.f1 else at_configured
    if at_configured.left_out:
        say(f"{at_configured.left_out} records of the truth were left out: their true pairs count as missed")
    for name, ev in (("configured", at_configured), ("best", best)):
        say(
            f"{name:>10} threshold {ev.threshold:.2f}: precision {ev.precision:.4f} recall {ev.recall:.4f} "
            f"F1 {ev.f1:.4f} (TP {ev.true_positives}, FP {ev.false_positives}, FN {ev.false_negatives}); "
            f"clusters: {ev.cluster_precision:.4f} exactly one person, {ev.cluster_recall:.4f} of people "
            f"found exactly ({ev.clusters} clusters, {ev.people} people)"
        )
    say("pairs at each threshold, before clustering:")
    for ev in swept[:: max(1, len(swept) // 10)]:
        say(f"  {ev.threshold:.2f}: precision {ev.precision:.4f} recall {ev.recall:.4f} F1 {ev.f1:.4f}")
    return at_configured, best


def write_outputs(loaded: LoadedFile, result: EngineResult, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "pairs.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["left_file", "left_key", "right_file", "right_key", "match_probability", "match_weight"]
        )
        for p in result.scored:
            writer.writerow(
                [*loaded.keys[p.left], *loaded.keys[p.right], f"{p.probability:.6f}", f"{p.weight:.3f}"]
            )
    with open(out / "clusters.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["cluster", "file", "key"])
        for rid, label in sorted(result.clusters.items(), key=lambda t: (t[1], t[0])):
            writer.writerow([label, *loaded.keys[rid]])
