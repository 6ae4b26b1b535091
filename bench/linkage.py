"""Benchmark: our linkage pipeline against a plain Splink DuckDB job, side by side, on generated
multi-agency feeds (prison, probation and police CSV extracts with ground truth).

(a) ours: read each CSV through its mapping (validation and identifier normalisation), derive the
    comparison columns, train (λ from identifiers, u by sampling, m by EM), deterministic links on
    PNC/CRO/NOMIS/CRN, Splink predict, clusters that honour decisions.
(b) plain Splink: read the same CSVs with the csv module (no validation), the same derived columns,
    the same settings, blocking rules and training, Splink predict, then Splink's own
    cluster_pairwise_predictions_at_threshold.

Each job runs in its own process, so its peak memory (ru_maxrss) is its own. F1 is pairwise,
against the TRUTH column, at the default auto-link threshold. Each job also reports where its time
went (reading, training, scoring, clustering). Prints figures; asserts nothing.

    .venv/bin/python bench/linkage.py                          # 100,000 then 1,000,000 records (20-60 minutes)
    .venv/bin/python bench/linkage.py --records 100000         # one size (about 2 minutes)
    .venv/bin/python bench/linkage.py --records 1000000 --repeat 1 --pair-counts
    .venv/bin/python bench/linkage.py --name-pool short-list --jobs ours   # sessions 1-3's generator

--pair-counts also prints, per blocking rule, the pairs it adds (Splink's count; estimated from a
10 % sample above 200,000 records)
and the true pairs it is the first rule to catch (exact, from the TRUTH column).

Targets (docs/performance.md): F1 >= 0.99 and ours within 1.5x of plain Splink's time.
"""

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import time
import warnings
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.test")

RECORDS_PER_PERSON = 2.13  # what make_feeds produces on average
FEEDS = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _data_dir(records: int, seed: int, name_pool: str) -> Path:
    from marsoc.linkage.synthetic import make_feeds

    # The pool is in the folder's name: feeds generated before the long-tail pool are not reused.
    folder = ROOT / "var" / "bench" / f"linkage-{records}-{seed}-{name_pool}"
    if not (folder / "police.csv").exists():
        make_feeds(round(records / RECORDS_PER_PERSON), seed=seed, name_pool=name_pool).write(folder)
    return folder


def job_ours(folder: Path, seed: int) -> dict:
    from marsoc.linkage import engine, files
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    started = time.perf_counter()
    specs = [(s, load_mapping(built_in_mappings()[m]), folder / f"{s}.csv") for s, m in FEEDS.items()]
    loaded = files.load_files(specs)
    read = time.perf_counter() - started
    limits = engine.Thresholds()
    result = files.run(loaded, limits, seed=seed)
    seconds = time.perf_counter() - started
    ev = engine.evaluate_clusters(
        result.clusters, loaded.truth, limits.auto_link, left_out=loaded.left_out_truth
    )
    return {
        "records": len(loaded.records),
        "left_out": len(loaded.rejected),
        "seconds": seconds,
        "phases": {"read": read, **result.seconds},
        "scored_pairs": len(result.scored),
        "f1": ev.f1,
        "precision": ev.precision,
        "recall": ev.recall,
        "peak_mb": _peak_mb(),
    }


def _plain_records(folder: Path) -> tuple[list, dict[int, str]]:
    """Read the CSVs the plain way: columns renamed by the mapping, dates parsed, nothing checked."""
    from marsoc.linkage.engine import EngineRecord
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    records, truth = [], {}
    for source, name in FEEDS.items():
        mapping = load_mapping(built_in_mappings()[name])
        with open(folder / f"{source}.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                f = {target: (row.get(col) or "").strip() for col, target in mapping.columns.items()}
                if mapping.key_identifier:
                    f[mapping.key_identifier] = f["source_key"]
                dob = None
                for fmt in mapping.dates.get("date_of_birth", ()):
                    try:
                        dob = datetime.strptime(f.get("date_of_birth", ""), fmt).date()
                        break
                    except ValueError:
                        continue
                rid = len(records) + 1
                records.append(
                    EngineRecord(
                        id=rid,
                        given_names=f.get("given_names", ""),
                        family_name=f.get("family_name", ""),
                        aliases=tuple(a for a in f.get("aliases", "").replace("|", ";").split(";") if a),
                        date_of_birth=dob if isinstance(dob, date) else None,
                        sex=(f.get("sex") or "")[:1].upper(),
                        postcode=f.get("postcode", "").replace(" ", "").upper(),
                        pnc=f.get("pnc", ""),
                        cro=f.get("cro", ""),
                        nomis=f.get("nomis", ""),
                        crn=f.get("crn", ""),
                    )
                )
                truth[rid] = f["truth"]
    return records, truth


def job_plain(folder: Path, seed: int) -> dict:
    from marsoc.linkage import engine

    started = time.perf_counter()
    records, truth = _plain_records(folder)
    read = time.perf_counter()
    model = engine.train(records, seed=seed)
    trained = time.perf_counter()
    linker = engine._linker(engine.table_of(records), model.settings)
    predictions = linker.inference.predict(threshold_match_probability=engine.DEFAULT_REVIEW)
    predicted = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=engine.DEFAULT_AUTO_LINK
    )
    columns = clusters.query_sql("SELECT unique_id, cluster_id FROM {this}").as_dict()
    cluster_of = {int(u): int(c) for u, c in zip(columns["unique_id"], columns["cluster_id"], strict=True)}
    seconds = time.perf_counter() - started
    ev = engine.evaluate_clusters(cluster_of, truth, engine.DEFAULT_AUTO_LINK)
    return {
        "records": len(records),
        "left_out": 0,
        "seconds": seconds,
        "phases": {
            "read": read - started,
            "train": trained - read,
            "link": predicted - trained,
            "cluster": seconds - (predicted - started),
        },
        "f1": ev.f1,
        "precision": ev.precision,
        "recall": ev.recall,
        "peak_mb": _peak_mb(),
    }


def _rule_sql(rule: object) -> str:
    return rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql  # type: ignore[attr-defined]


def job_pairs(folder: Path, seed: int) -> dict:
    """Per blocking rule: the pairs it adds (counted by Splink: exactly up to 200,000 records, from a
    10 % sample of each side above that) and the true pairs that no earlier
    rule caught (exact, by SQL over the same table with the TRUTH column attached)."""
    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from marsoc.linkage import engine

    records, truth = _plain_records(folder)
    table = engine._arrow(engine.table_of(records))
    with warnings.catch_warnings():  # Splink warns that small samples give rough estimates
        warnings.simplefilter("ignore")
        counts = count_comparisons_from_blocking_rules(
            DuckDBAPI().register(table),
            blocking_rules=engine.blocking_rules(),
            link_type="dedupe_only",
            record_sample_proportion=1.0 if len(records) <= 200_000 else 0.1,  # exact up to 200,000
        )
    con = duckdb.connect()
    con.register("t", table.append_column("truth", pa.array([truth[r.id] for r in records])))
    same_person = "FROM t l JOIN t r ON l.truth = r.truth AND l.unique_id < r.unique_id"
    rules, earlier = [], "FALSE"
    for rule, count in zip(engine.blocking_rules(), counts, strict=True):
        condition = f"coalesce(({_rule_sql(rule)}), FALSE)"
        (first,) = con.execute(
            f"SELECT count(*) {same_person} WHERE {condition} AND NOT ({earlier})"
        ).fetchone()
        rules.append(
            {"rule": _rule_sql(rule), "pairs": int(count["marginal_comparison_count"]), "true_first": first}
        )
        earlier = f"{earlier} OR {condition}"
    (true_pairs,) = con.execute(f"SELECT count(*) {same_person}").fetchone()
    return {"rules": rules, "true_pairs": true_pairs, "peak_mb": _peak_mb()}


JOBS = {"ours": job_ours, "plain": job_plain, "pairs": job_pairs}


def _run(job: str, folder: Path, seed: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--job", job, "--folder", str(folder), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"The {job} job failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _phases(r: dict) -> str:
    return ", ".join(f"{name} {value:.0f} s" for name, value in r["phases"].items())


def bench_size(
    records: int, seed: int, repeat: int, pair_counts: bool, name_pool: str, jobs: list[str]
) -> dict[str, dict]:
    started = time.perf_counter()
    folder = _data_dir(records, seed, name_pool)
    print(f"\n== {records:,} records (seed {seed}, {name_pool} name pool) ==", flush=True)
    print(f"Generated feeds in {time.perf_counter() - started:.1f} s: {folder}")
    print(f"Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if pair_counts:
        pairs = _run("pairs", folder, seed)
        print(f"{'blocking rule':<58}{'pairs added':>14}{'true pairs first caught':>25}")
        for rule in pairs["rules"]:
            print(f"{rule['rule'][:57]:<58}{rule['pairs']:>14,}{rule['true_first']:>25,}")
        caught = sum(rule["true_first"] for rule in pairs["rules"])
        print(
            f"{'all rules':<58}{sum(r['pairs'] for r in pairs['rules']):>14,}{caught:>25,} of {pairs['true_pairs']:,} true pairs",
            flush=True,
        )
    # The machine is shared: run the jobs alternately and keep each one's fastest run.
    rows: dict[str, dict] = {}
    for _ in range(repeat):
        for job in jobs:
            result = _run(job, folder, seed)
            print(
                f"  {job}: {result['seconds']:.1f} s ({_phases(result)}), load now {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            if job not in rows or result["seconds"] < rows[job]["seconds"]:
                rows[job] = result
    print(f"{'job':<14}{'records':>10}{'seconds':>10}{'peak MB':>10}{'precision':>11}{'recall':>9}{'F1':>8}")
    for job, r in rows.items():
        name = "ours" if job == "ours" else "plain Splink"
        print(
            f"{name:<14}{r['records']:>10,}{r['seconds']:>10.1f}{r['peak_mb']:>10.0f}{r['precision']:>11.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
        )
    if "ours" in rows and "plain" in rows:
        ratio = rows["ours"]["seconds"] / rows["plain"]["seconds"]
        print(f"ours / plain time: {ratio:.2f}x (target ≤ 1.5x)")
    if "ours" in rows:
        print(f"our F1 {rows['ours']['f1']:.4f} (target ≥ 0.99)")
    print(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--records", type=int, nargs="+", default=[100_000, 1_000_000], help="One or more sizes, run in turn"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each job; the fastest is shown")
    parser.add_argument("--pair-counts", action="store_true", help="Pairs and true pairs per blocking rule")
    parser.add_argument(
        "--name-pool",
        choices=["long-tail", "short-list"],
        default="long-tail",
        help="The generator's names: long-tail (realistic frequencies) or short-list (sessions 1-3)",
    )
    parser.add_argument(
        "--jobs", nargs="+", choices=["ours", "plain"], default=["ours", "plain"], help="Which jobs to run"
    )
    parser.add_argument("--job", choices=sorted(JOBS), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    import django

    django.setup()
    if args.job:
        print(json.dumps(JOBS[args.job](args.folder, args.seed)))
        return 0
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB, Python {platform.python_version()}; "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )
    print(f"Command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    for records in args.records:
        bench_size(records, args.seed, args.repeat, args.pair_counts, args.name_pool, args.jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
