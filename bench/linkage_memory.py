"""Where our linkage pipeline's memory goes: the resident size and the peak so far (VmRSS and
VmHWM from /proc/self/status, Linux) after each phase of one run on our generator. Prints figures;
asserts nothing. Uses the feeds bench/linkage.py generates (var/bench/), so the records are the same.

    .venv/bin/python bench/linkage_memory.py --records 300000
    MARSOC_LINKAGE_MEMORY_LIMIT=4GB .venv/bin/python bench/linkage_memory.py --records 300000

Phases: read and validate (files.load_files), build the Arrow table Splink sees (table.arrow_of),
train (engine.train), score (engine.predict, pairs at or above the review threshold), cluster
(engine.link_records scores again and clusters, as the service does). DuckDB's own limit is
MARSOC_LINKAGE_MEMORY_LIMIT (linkage/duck.py, default 1GB).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marsoc.config.settings.test")


def _memory() -> str:
    found = {}
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) // 1024
    return f"resident {found['VmRSS']:>6,} MB   peak so far {found['VmHWM']:>6,} MB"


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import linkage as bench_linkage  # bench/linkage.py: the same data sets

    from marsoc.linkage import duck, engine, files, table

    print(f"Machine: {platform.machine()}, {os.cpu_count()} CPUs; {datetime.now():%Y-%m-%d %H:%M} local")
    print(f"Records: about {args.records:,} (seed {args.seed}); DuckDB memory limit {duck.memory_limit()}")
    print(f"Load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    started = time.perf_counter()

    def phase(label: str) -> None:
        print(f"  {label:<34} {time.perf_counter() - started:8.1f} s   {_memory()}", flush=True)

    specs = bench_linkage._specs(f"gen-{args.records}", args.seed)
    phase("data ready")
    loaded = files.load_files(specs)  # type: ignore[arg-type]
    phase(f"read {len(loaded.records):,} records")
    arrow = table.arrow_of(loaded.records)
    phase("Arrow table built")
    model = engine.train(loaded.records, seed=args.seed, spec=loaded.model, table=arrow)
    phase("trained")
    limits = engine.Thresholds()
    scored = engine.predict(
        loaded.records, model.settings, threshold=limits.review, spec=loaded.model, table=arrow
    )
    phase(f"scored ({len(scored):,} pairs kept)")
    del scored
    clusters, _, _ = engine.link_records(
        loaded.records, model.settings, limits, spec=loaded.model, table=arrow
    )
    phase(f"clustered ({len(set(clusters.cluster_of.values())):,} clusters)")
    print(f"Load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
