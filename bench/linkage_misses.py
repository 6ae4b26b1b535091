"""Why does identity resolution miss what it misses? A diagnosis on a generated sample (seed 2 by
default: never the evaluation seed of bench/linkage.py, so nothing here tunes the benchmark).

It runs our pipeline (validated reading, training, scoring down to probability 0.05, clustering at the
default auto-link threshold) and prints:

- calibration: for bands of match probability, the share of scored pairs that truly are one person;
- F1 at thresholds from 0.5 to 0.95 (the sweep that chooses the default auto-link threshold);
- every missed true pair (two records of one person left in different clusters) by what happened to
  it (never compared by any blocking rule; compared but scored below 0.05; scored in a band below the
  threshold; scored above it but refused by clustering), then the commonest evidence patterns.

    .venv/bin/python bench/linkage_misses.py --records 100000           # about 2 minutes
    .venv/bin/python bench/linkage_misses.py --records 1000000          # about 15 minutes, 9 GB
"""

import argparse
import itertools
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.test")

FEEDS = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}
SWEEP = [round(0.5 + 0.05 * i, 2) for i in range(10)]  # 0.50, 0.55, ..., 0.95
BANDS = [0.05, 0.25, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99, 1.0]


def _evidence(left: dict[str, Any], right: dict[str, Any]) -> tuple[str, ...]:
    def same(key: str) -> bool:
        return left[key] is not None and left[key] == right[key]

    if same("dob"):
        dob = "same date of birth"
    elif not (left["dob"] and right["dob"]):
        dob = "date of birth missing"
    elif left["dob"] in (right["dob_swapped"],) or right["dob"] in (left["dob_swapped"],):
        dob = "day and month swapped"
    elif same("birth_year"):
        dob = "same year, other day"
    else:
        dob = "other year"
    first = (
        "same first name"
        if same("first_name")
        else ("nickname" if same("first_name_canon") else "first name differs")
    )
    surname = "same surname" if same("surname") else "surname differs"
    if same("postcode"):
        postcode = "same postcode"
    elif not (left["postcode"] and right["postcode"]):
        postcode = "postcode missing"
    else:
        postcode = "postcode differs"
    return first, surname, dob, postcode


def _blocked(left: dict[str, Any], right: dict[str, Any]) -> bool:
    """The blocking rules of comparisons.blocking_rules(), in Python."""

    def same(*keys: str) -> bool:
        return all(left[k] is not None and left[k] == right[k] for k in keys)

    swapped = left["dob"] is not None and (
        left["dob"] == right["dob_swapped"] or right["dob"] == left["dob_swapped"]
    )
    return (
        same("dob")
        or same("surname", "birth_year")
        or same("first_name_canon", "birth_year")
        or same("postcode", "first_name_canon")
        or same("surname", "first_name_canon")
        or same("postcode", "surname")
        or same("postcode", "birth_year")
        or swapped
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2)
    parser.add_argument("--name-pool", choices=["long-tail", "short-list"], default="long-tail")
    args = parser.parse_args()
    import django

    django.setup()
    from marsoc.linkage import engine, files, table
    from marsoc.linkage.mapping import built_in_mappings, load_mapping
    from marsoc.linkage.synthetic import make_feeds

    started = time.perf_counter()
    folder = ROOT / "var" / "bench" / f"linkage-{args.records}-{args.seed}-{args.name_pool}"
    if not (folder / "police.csv").exists():
        make_feeds(round(args.records / 2.13), seed=args.seed, name_pool=args.name_pool).write(folder)
    loaded = files.load_files(
        [(s, load_mapping(built_in_mappings()[m]), folder / f"{s}.csv") for s, m in FEEDS.items()]
    )
    model = engine.train(loaded.records, seed=args.seed)
    scored = engine.predict(loaded.records, model.settings, threshold=BANDS[0])
    limits = engine.Thresholds()
    deterministic = [(a, b) for a, b, _ in engine.deterministic_pairs(loaded.records)]
    identifiers = engine.identifiers_of(loaded.records)
    births = engine.births_of(loaded.records)
    print(
        f"{len(loaded.records):,} records (seed {args.seed}); λ {model.settings['probability_two_random_records_match']:.3g}; "
        f"{len(scored):,} pairs scored ≥ {BANDS[0]}; {time.perf_counter() - started:.0f} s"
    )

    def clusters_at(threshold: float) -> dict[int, int]:
        auto = engine.strongest_first(p for p in scored if p.probability >= threshold)
        return engine.cluster(
            (r.id for r in loaded.records),
            deterministic,
            scored_links=[(p.left, p.right) for p in auto],
            identifiers=identifiers,
            births=births,
        ).cluster_of

    truth = loaded.truth
    print(f"\n{'band':<13}{'pairs':>10}{'mean probability':>18}{'truly one person':>18}")
    for low, high in itertools.pairwise(BANDS):
        band = [p for p in scored if low <= p.probability < high or (high == 1.0 and p.probability == 1.0)]
        if band:
            share = sum(truth[p.left] == truth[p.right] for p in band) / len(band)
            mean = sum(p.probability for p in band) / len(band)
            print(f"{low:.2f}–{high:.2f}   {len(band):>10,}{mean:>18.3f}{share:>18.3f}")

    cluster_of = clusters_at(limits.auto_link)
    # A sweep on this (training) seed is how the default auto-link threshold is chosen.
    sweep = [(t, clusters_at(t)) for t in SWEEP if t != limits.auto_link]
    for threshold, clusters in sorted([(limits.auto_link, cluster_of), *sweep]):
        ev = engine.evaluate_clusters(clusters, truth, threshold)
        print(
            f"\nat {threshold:.2f}: precision {ev.precision:.6f} recall {ev.recall:.4f} F1 {ev.f1:.4f} "
            f"(false pairs {ev.false_positives:,}, missed pairs {ev.false_negatives:,})",
            end="",
        )
    print()

    rows = {r["unique_id"]: r for r in table.table_of(loaded.records)}
    probability = {(p.left, p.right): p.probability for p in scored}
    people: dict[str, list[int]] = defaultdict(list)
    for rid, key in truth.items():
        people[key].append(rid)
    kinds: Counter[str] = Counter()
    patterns: Counter[tuple[str, ...]] = Counter()
    for rids in people.values():
        if len({cluster_of[r] for r in rids}) < 2:
            continue
        for a, b in itertools.combinations(sorted(rids), 2):
            if cluster_of[a] == cluster_of[b]:
                continue
            p = probability.get((a, b))
            if p is None:
                kind = (
                    "compared, scored below 0.05"
                    if _blocked(rows[a], rows[b])
                    else "never compared (no blocking rule)"
                )
            elif p >= limits.auto_link:
                kind = "above the threshold, refused by clustering"
            else:
                kind = f"scored {max(e for e in BANDS if e <= p):.2f}–{min(e for e in BANDS if e > p):.2f}"
            kinds[kind] += 1
            patterns[(kind, *_evidence(rows[a], rows[b]))] += 1
    false_links: Counter[tuple[str, ...]] = Counter()
    members: dict[int, list[int]] = defaultdict(list)
    for rid, label in cluster_of.items():
        members[label].append(rid)
    for rids in members.values():
        for a, b in itertools.combinations(sorted(rids), 2):
            if truth[a] != truth[b]:
                direct = (
                    "linked directly"
                    if probability.get((a, b), 0) >= limits.auto_link
                    else "joined through others"
                )
                false_links[(direct, *_evidence(rows[a], rows[b]))] += 1
    print(f"\nFalse pairs at {limits.auto_link:.2f}: {sum(false_links.values()):,}; commonest evidence:")
    for pattern, n in false_links.most_common(8):
        print(f"  {n:>8,}  {pattern[0]}: {', '.join(pattern[1:])}")
    print(f"\nMissed true pairs: {sum(kinds.values()):,}")
    for kind, n in kinds.most_common():
        print(f"  {n:>8,}  {kind}")
    print("Commonest evidence among them:")
    for pattern, n in patterns.most_common(15):
        print(f"  {n:>8,}  {pattern[0]}: {', '.join(pattern[1:])}")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
