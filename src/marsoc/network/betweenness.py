"""Betweenness estimated from sampled sources (Brandes and Pich 2007), in python-igraph, on every core.

python-igraph holds the interpreter lock while it runs, so threads cannot share the work; the sampled
sources are split instead between this process and helper processes (this file run as a script, one per
further core), each doing the single-source passes of its share over the same graph. The partial
dependencies are summed: the result is the one a single process gives, up to the order of the sum.

Only numpy and igraph are imported here: the helper process imports nothing else (no Django, no
settings, no database)."""

import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import igraph
import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

# Below this much work (links x sources) one process does it all: starting a helper (an interpreter with
# numpy and igraph, about 0.3 s) costs more than it saves.
SPLIT_ABOVE = 50_000_000
HELPER_TIMEOUT = 600  # seconds; a helper that takes longer is stopped and its share done here

Pairs = Sequence[tuple[int, int]] | npt.NDArray[np.int64]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def igraph_of(pairs: Pairs, n: int) -> igraph.Graph:
    """The undirected igraph graph of `pairs` (each pair once) on nodes 0..n-1."""
    g = igraph.Graph(n=n, directed=False)
    edges = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if len(edges):
        g.add_edges(edges)
    return g


def _dependencies(g: igraph.Graph, sources: Sequence[int]) -> npt.NDArray[np.float64]:
    """The dependencies accumulated from `sources` (igraph's subset betweenness, all nodes as targets)."""
    if not len(sources):
        return np.zeros(g.vcount())
    return np.asarray(g.betweenness(directed=False, sources=list(sources), targets=None), dtype=np.float64)


def _start_helper(folder: Path, part: int, n: int, sources: Sequence[int]) -> subprocess.Popen[bytes]:
    """A helper process computing the dependencies from `sources`, writing them to `folder`/out-<part>.npy.
    It is this interpreter running this module (-P: nothing from the working directory is importable;
    the folder holding the marsoc package goes first on its path)."""
    np.save(folder / f"sources-{part}.npy", np.asarray(sources, dtype=np.int64))
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")]))
    )
    return subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-P", "-m", "marsoc.network.betweenness", str(folder), str(part), str(n)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _collect(helper: subprocess.Popen[bytes], folder: Path, part: int) -> npt.NDArray[np.float64] | None:
    """The helper's dependencies, or None (logged) when it failed or took too long."""
    try:
        _, err = helper.communicate(timeout=HELPER_TIMEOUT)
    except subprocess.TimeoutExpired:
        helper.kill()
        helper.communicate()
        log.warning(
            "betweenness helper %s took over %s s; its share is done in this process", part, HELPER_TIMEOUT
        )
        return None
    out = folder / f"out-{part}.npy"
    if helper.returncode != 0 or not out.exists():
        log.warning(
            "betweenness helper %s failed (exit %s): %s; its share is done in this process",
            part, helper.returncode, err.decode(errors="replace")[-500:],
        )  # fmt: skip
        return None
    return np.load(out)


def dependencies(
    pairs: Pairs, n: int, sources: Sequence[int], parts: int | None = None
) -> npt.NDArray[np.float64]:
    """The sum over `sources` of each node's dependency (undirected, halved as igraph halves it), split
    between `parts` processes (default: one per core when the work is large enough, else one)."""
    edges = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if parts is None:
        parts = cores() if len(edges) * len(sources) >= SPLIT_ABOVE else 1
    parts = max(1, min(parts, len(sources)))
    if len(edges) * len(sources) < SPLIT_ABOVE or not len(edges):
        return _shared(edges, n, list(sources), parts)
    # On a large graph the passes are bound by memory: numbered in breadth-first order, the nodes a pass
    # meets together lie nearer together in memory (about a tenth faster at 100,000 nodes).
    new_of = _breadth_first_numbers(edges, n)
    found = _shared(new_of[edges], n, new_of[np.asarray(sources, dtype=np.int64)].tolist(), parts)
    return found[new_of]


def _breadth_first_numbers(edges: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """New numbers for the nodes: the order a breadth-first search from the node with most links reaches
    them, then the nodes it does not reach in their present order."""
    start = int(np.argmax(np.bincount(edges.ravel(), minlength=n)))
    reached = np.asarray(igraph_of(edges, n).bfs(start)[0], dtype=np.int64)
    rest = np.ones(n, dtype=bool)
    rest[reached] = False
    order = np.concatenate((reached, np.flatnonzero(rest)))
    new_of = np.empty(n, dtype=np.int64)
    new_of[order] = np.arange(n)
    return new_of


def _shared(edges: npt.NDArray[np.int64], n: int, sources: list[int], parts: int) -> npt.NDArray[np.float64]:
    """The dependencies from `sources`, the sources dealt out between this process and parts - 1 helpers."""
    if parts == 1:
        return _dependencies(igraph_of(edges, n), sources)
    shares = [sources[i::parts] for i in range(parts)]
    with tempfile.TemporaryDirectory(prefix="marsoc-betweenness-") as name:
        folder = Path(name)
        np.save(folder / "edges.npy", edges)
        helpers: list[subprocess.Popen[bytes] | None] = []
        for part in range(1, parts):
            try:
                helpers.append(_start_helper(folder, part, n, shares[part]))
            except OSError as error:
                log.warning("betweenness helper %s could not start (%s); its share is done here", part, error)
                helpers.append(None)
        g = igraph_of(edges, n)
        total = _dependencies(g, shares[0])
        for part, helper in enumerate(helpers, start=1):
            found = _collect(helper, folder, part) if helper is not None else None
            total += found if found is not None else _dependencies(g, shares[part])
    return total


def sampled_betweenness(
    pairs: Pairs, n: int, sources: Sequence[int], parts: int | None = None
) -> list[float]:
    """Brandes and Pich's estimate of normalised betweenness (Centrality estimation in large networks,
    2007): the dependencies accumulated from `sources` only (a uniform sample of the n nodes, each a
    single-source Brandes pass over the simple graph `pairs`), scaled by n / len(sources) so that its
    expectation is the exact value, then normalised as rustworkx normalises the exact one (by
    (n-1)(n-2)/2 pairs). With every node as a source it is the exact value. The passes are shared
    between processes (`dependencies`); the result does not depend on how many."""
    if n < 3 or not len(sources):
        return [0.0] * n
    scale = n / len(sources) / ((n - 1) * (n - 2) / 2)
    return (dependencies(pairs, n, sources, parts) * scale).tolist()


def _helper_main(folder: Path, part: int, n: int) -> None:
    edges = np.load(folder / "edges.npy")
    sources = np.load(folder / f"sources-{part}.npy").tolist()
    result = _dependencies(igraph_of(edges, n), sources)
    np.save(folder / f"out-{part}.part.npy", result)
    os.replace(folder / f"out-{part}.part.npy", folder / f"out-{part}.npy")


if __name__ == "__main__":
    _helper_main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
