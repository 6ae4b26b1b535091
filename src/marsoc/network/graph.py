"""The graph of what one actor may see, and the analysis run on it (rustworkx for paths, python-igraph for
the whole-graph metrics).

Nothing here reads the database or decides access: it is given the visible links (rows of the
"association" and "membership" scopes, turned into `Link`s by network/selectors.py) and computes on
exactly those. That is what makes the metrics safe: a hidden link is never in the graph, so no degree,
centrality, component or path length can count it (tests/network/test_visible_metrics.py)."""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import rustworkx as rx

from .betweenness import igraph_of, sampled_betweenness
from .vocabulary import NodeKind

NodeKey = tuple[str, int]  # (NodeKind, id): ("nominal", 42)
BETWEENNESS_SOURCES = 500  # above this many nodes, betweenness is estimated from this many sampled sources
SAMPLE_SEED = 16  # the sources are drawn with a fixed seed: the same visible graph gives the same estimate


def key_label(key: NodeKey) -> str:
    return f"{key[0]}-{key[1]}"


def parse_key(text: str) -> NodeKey | None:
    """A node key from its label ("nominal-42"), or None when it is not one."""
    kind, _, raw = text.partition("-")
    if kind not in NodeKind.values or not raw.isdigit():
        return None
    return kind, int(raw)


@dataclass(frozen=True)
class Link:
    """One visible link: an association, or a membership (person to group)."""

    record: str  # "association" or "membership"
    record_id: int
    a: NodeKey
    b: NodeKey
    kind: str  # an AssociationType code, or "member"
    in_custody: bool = False


@dataclass
class Metrics:
    degree: dict[NodeKey, int] = field(default_factory=dict)
    betweenness: dict[NodeKey, float] = field(default_factory=dict)
    pagerank: dict[NodeKey, float] = field(default_factory=dict)
    component: dict[NodeKey, int] = field(default_factory=dict)
    components: int = 0
    betweenness_sources: int = 0  # 0: exact; else the number of sampled sources the estimate rests on


def _simple_pairs(ends: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """The distinct unordered pairs of different nodes among the links `ends` (m x 2), as (low, high) rows in
    order: the simple graph's edges."""
    low, high = np.minimum(ends[:, 0], ends[:, 1]), np.maximum(ends[:, 0], ends[:, 1])
    packed = np.sort((low * n + high)[low != high])
    if len(packed):
        packed = packed[np.concatenate(([True], packed[1:] != packed[:-1]))]
    return np.column_stack((packed // n, packed % n))


class Graph:
    """An undirected multigraph of visible links (parallel links between two nodes are kept: degree counts
    links, as an analyst counts them)."""

    def __init__(self, links: Iterable[Link] = (), nodes: Iterable[NodeKey] = ()) -> None:
        self.g: rx.PyGraph = rx.PyGraph(multigraph=True)
        self.index: dict[NodeKey, int] = {}
        self.links: list[Link] = []
        for key in nodes:
            self._node(key)
        for link in links:
            self.add(link)

    def _node(self, key: NodeKey) -> int:
        found = self.index.get(key)
        if found is None:
            found = self.g.add_node(key)
            self.index[key] = found
        return found

    def add(self, link: Link) -> None:
        self.g.add_edge(self._node(link.a), self._node(link.b), link)
        self.links.append(link)

    @property
    def nodes(self) -> list[NodeKey]:
        return list(self.index)

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def metrics(self, betweenness_sources: int = BETWEENNESS_SOURCES) -> Metrics:
        """Degree, betweenness, PageRank and connected parts. Betweenness is exact up to
        `betweenness_sources` nodes and estimated above (`sampled_betweenness`, from that many sources
        drawn with a fixed seed among this graph's own nodes, so it too rests only on visible links).
        PageRank and the parts are computed on the simple graph (python-igraph: PageRank solved exactly,
        as rustworkx's iteration approximates it to 1e-6)."""
        m = Metrics()
        if not self.index:
            return m
        n = len(self.g)
        keys = [self.g[i] for i in range(n)]  # node i's key (nodes are only ever added: indices are 0..n-1)
        ends = np.asarray(self.g.edge_list(), dtype=np.int64).reshape(-1, 2)
        m.degree = dict(zip(keys, np.bincount(ends.ravel(), minlength=n).tolist(), strict=True))
        # Betweenness, PageRank and parts on the simple graph (a second link between the same two people
        # adds no new path).
        pairs = _simple_pairs(ends, n)
        if n <= betweenness_sources:
            simple = rx.PyGraph()
            simple.add_nodes_from(list(range(n)))
            simple.add_edges_from_no_data([(int(u), int(v)) for u, v in pairs])
            exact = rx.graph_betweenness_centrality(simple, normalized=True)
            between = [float(exact[i]) for i in range(n)]
        else:
            # Sources drawn from the keys in order (not from index order, which follows the rows' order).
            drawn = random.Random(SAMPLE_SEED).sample(sorted(self.index), betweenness_sources)  # noqa: S311
            between = sampled_betweenness(pairs, n, [self.index[k] for k in drawn])
            m.betweenness_sources = betweenness_sources
        m.betweenness = dict(zip(keys, between, strict=True))
        simple_graph = igraph_of(pairs, n)
        m.pagerank = dict(zip(keys, simple_graph.pagerank(directed=False), strict=True))
        membership = np.asarray(simple_graph.connected_components().membership, dtype=np.int64)
        sizes = np.bincount(membership)
        _, first = np.unique(membership, return_index=True)  # each part's lowest node index
        ranked = np.lexsort((first, -sizes))  # larger parts first, ties by their lowest node
        number = np.empty(len(sizes), dtype=np.int64)
        number[ranked] = np.arange(1, len(sizes) + 1)
        m.components = len(sizes)
        m.component = dict(zip(keys, number[membership].tolist(), strict=True))
        return m

    def _simple(self) -> rx.PyGraph:
        """The simple graph of the links (one edge per linked pair, no loops), on the same node indices."""
        simple = rx.PyGraph()
        simple.add_nodes_from(list(range(len(self.g))))
        simple.add_edges_from_no_data(
            sorted({(min(u, v), max(u, v)) for u, v in self.g.edge_list() if u != v})
        )
        return simple

    def k_shortest_paths(self, source: NodeKey, target: NodeKey, k: int = 3) -> list[list[NodeKey]]:
        """Up to `k` shortest loopless paths, shortest first (Yen's algorithm on unit lengths; ties in the
        order of the nodes' keys)."""
        if source not in self.index or target not in self.index or source == target:
            return []
        s, t = self.index[source], self.index[target]
        simple = self._simple()

        def shortest(removed_nodes: list[int], removed_edges: set[tuple[int, int]], a: int) -> list[int]:
            graph = simple
            if removed_nodes or removed_edges:
                graph = simple.copy()
                graph.remove_nodes_from(removed_nodes)
                for u, v in removed_edges:
                    if graph.has_edge(u, v):
                        graph.remove_edge(u, v)
            paths = rx.dijkstra_shortest_paths(graph, a, target=t, default_weight=1.0)
            return list(paths[t]) if t in paths else []

        def order(path: list[int]) -> tuple[int, list[NodeKey]]:
            return len(path), [self.g[i] for i in path]

        first = shortest([], set(), s)
        if not first:
            return []
        found: list[list[int]] = [first]
        candidates: list[list[int]] = []
        while len(found) < k:
            previous = found[-1]
            for i in range(len(previous) - 1):
                root = previous[: i + 1]
                cut = {
                    (min(p[i], p[i + 1]), max(p[i], p[i + 1]))
                    for p in found
                    if len(p) > i + 1 and p[: i + 1] == root
                }
                spur = shortest(root[:-1], cut, root[-1])
                if spur:
                    path = root[:-1] + spur
                    if path not in found and path not in candidates:
                        candidates.append(path)
            if not candidates:
                break
            candidates.sort(key=order)
            found.append(candidates.pop(0))
        return [[self.g[i] for i in path] for path in found]

    def links_between(self, a: NodeKey, b: NodeKey) -> list[Link]:
        return [link for link in self.links if {link.a, link.b} == {a, b}]

    def shortest_path(self, source: NodeKey, target: NodeKey) -> list[NodeKey]:
        """The nodes of one shortest path from `source` to `target` ([] when there is none)."""
        if source not in self.index or target not in self.index:
            return []
        if source == target:
            return [source]
        paths = rx.dijkstra_shortest_paths(
            self.g, self.index[source], target=self.index[target], default_weight=1.0
        )
        end = self.index[target]
        return [self.g[i] for i in paths[end]] if end in paths else []
