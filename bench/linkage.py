"""Benchmark: our linkage pipeline against a plain Splink DuckDB job, side by side, on generated
multi-agency feeds (prison, probation and police CSV extracts with ground truth).

(a) ours: read each CSV through its mapping (validation and identifier normalisation), derive the
    comparison columns, train (λ from identifiers, u by sampling, m by EM), deterministic links on
    PNC/CRO/NOMIS/CRN, Splink predict, clusters that honour decisions.
(b) plain Splink: read the same CSVs with the csv module (no validation), the same derived columns,
    the same settings, blocking rules and training, Splink predict, then Splink's own
    cluster_pairwise_predictions_at_threshold.

Each job runs in its own process, so its peak memory (ru_maxrss) is its own. F1 is pairwise,
against the TRUTH column, at the default auto-link threshold. Prints figures; asserts nothing.

    .venv/bin/python bench/linkage.py                     # 100,000 records
    .venv/bin/python bench/linkage.py --records 1000000   # needs far more time than one machine slot here

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
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.test")

RECORDS_PER_PERSON = 2.13  # what make_feeds produces on average
FEEDS = {"prison": "prison-nomis", "probation": "probation-delius", "police": "police-pnc"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _data_dir(records: int, seed: int) -> Path:
    from marsoc.linkage.synthetic import make_feeds

    folder = ROOT / "var" / "bench" / f"linkage-{records}-{seed}"
    if not (folder / "police.csv").exists():
        make_feeds(round(records / RECORDS_PER_PERSON), seed=seed).write(folder)
    return folder


def job_ours(folder: Path, seed: int) -> dict:
    from marsoc.linkage import engine, files
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    started = time.perf_counter()
    specs = [(s, load_mapping(built_in_mappings()[m]), folder / f"{s}.csv") for s, m in FEEDS.items()]
    loaded = files.load_files(specs)
    limits = engine.Thresholds()
    result = files.run(loaded, limits, seed=seed)
    seconds = time.perf_counter() - started
    ev = engine.evaluate_clusters(result.clusters, loaded.truth, limits.auto_link)
    return {
        "records": len(loaded.records),
        "left_out": len(loaded.rejected),
        "seconds": seconds,
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
    model = engine.train(records, seed=seed)
    linker = engine._linker(engine.table_of(records), model.settings)
    predictions = linker.inference.predict(threshold_match_probability=engine.DEFAULT_REVIEW)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=engine.DEFAULT_AUTO_LINK
    )
    cluster_of = {int(r["unique_id"]): int(r["cluster_id"]) for r in clusters.as_record_list()}
    seconds = time.perf_counter() - started
    ev = engine.evaluate_clusters(cluster_of, truth, engine.DEFAULT_AUTO_LINK)
    return {
        "records": len(records),
        "left_out": 0,
        "seconds": seconds,
        "f1": ev.f1,
        "precision": ev.precision,
        "recall": ev.recall,
        "peak_mb": _peak_mb(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="Runs of each job; the fastest is shown")
    parser.add_argument("--job", choices=["ours", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.job:
        import django

        django.setup()
        result = (job_ours if args.job == "ours" else job_plain)(args.folder, args.seed)
        print(json.dumps(result))
        return 0
    import django

    django.setup()
    started = time.perf_counter()
    folder = _data_dir(args.records, args.seed)
    print(f"Generated feeds in {time.perf_counter() - started:.1f} s: {folder}")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, load {os.getloadavg()[0]:.2f}"
    )
    # The machine is shared: run the jobs alternately and keep each one's fastest run.
    rows: dict[str, dict] = {}
    for _ in range(args.repeat):
        for job in ("ours", "plain"):
            out = subprocess.run(
                [sys.executable, __file__, "--job", job, "--folder", str(folder), "--seed", str(args.seed)],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"  {job}: {result['seconds']:.1f} s")
            if job not in rows or result["seconds"] < rows[job]["seconds"]:
                rows[job] = result
    print(f"{'job':<14}{'records':>10}{'seconds':>10}{'peak MB':>10}{'precision':>11}{'recall':>9}{'F1':>8}")
    for job, r in rows.items():
        name = "ours" if job == "ours" else "plain Splink"
        print(
            f"{name:<14}{r['records']:>10,}{r['seconds']:>10.1f}{r['peak_mb']:>10.0f}{r['precision']:>11.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
        )
    ratio = rows["ours"]["seconds"] / rows["plain"]["seconds"]
    print(f"ours / plain time: {ratio:.2f}x (target ≤ 1.5x); our F1 {rows['ours']['f1']:.4f} (target ≥ 0.99)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
