"""The graph of what one actor may see, and the analysis run on it (rustworkx).

Nothing here reads the database or decides access: it is given the visible links (rows of the
"association" and "membership" scopes, turned into `Link`s by network/selectors.py) and computes on
exactly those. That is what makes the metrics safe: a hidden link is never in the graph, so no degree,
centrality, component or path length can count it (tests/network/test_visible_metrics.py)."""

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

import igraph
import rustworkx as rx

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


def sampled_betweenness(pairs: list[tuple[int, int]], n: int, sources: list[int]) -> list[float]:
    """Brandes and Pich's estimate of normalised betweenness (Centrality estimation in large networks,
    2007): the dependencies accumulated from `sources` only (a uniform sample of the n nodes, each a
    single-source Brandes pass over the simple graph `pairs`), scaled by n / len(sources) so that its
    expectation is the exact value, then normalised as rustworkx normalises the exact one (by
    (n-1)(n-2)/2 pairs). With every node as a source it is the exact value."""
    if n < 3 or not sources:
        return [0.0] * n
    g = igraph.Graph(n=n, edges=pairs, directed=False)
    partial = g.betweenness(directed=False, sources=sources, targets=None)
    scale = n / len(sources) / ((n - 1) * (n - 2) / 2)
    return [float(x) * scale for x in partial]


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
        drawn with a fixed seed among this graph's own nodes, so it too rests only on visible links)."""
        g = self.g
        m = Metrics()
        if not self.index:
            return m
        m.degree = {key: g.degree(i) for key, i in self.index.items()}
        # Betweenness on the simple graph (a second link between the same two people adds no new path).
        pairs = sorted({(min(u, v), max(u, v)) for u, v in g.edge_list() if u != v})
        if len(self.index) <= betweenness_sources:
            simple = rx.PyGraph()
            simple.add_nodes_from(list(range(len(g))))
            simple.add_edges_from_no_data(pairs)
            exact = rx.graph_betweenness_centrality(simple, normalized=True)
            between_of = {i: float(exact[i]) for i in exact}
        else:
            # Sources drawn from the keys in order (not from index order, which follows the rows' order).
            drawn = random.Random(SAMPLE_SEED).sample(sorted(self.index), betweenness_sources)  # noqa: S311
            estimate = sampled_betweenness(pairs, len(g), [self.index[k] for k in drawn])
            between_of = dict(enumerate(estimate))
            m.betweenness_sources = betweenness_sources
        m.betweenness = {key: float(between_of.get(i, 0.0)) for key, i in self.index.items()}
        directed = rx.PyDiGraph()
        directed.add_nodes_from(list(range(len(g))))
        directed.add_edges_from_no_data(pairs + [(v, u) for u, v in pairs])
        rank = rx.pagerank(directed)
        m.pagerank = {key: float(rank[i]) for key, i in self.index.items()}
        components = sorted(rx.connected_components(g), key=lambda c: (-len(c), min(c)))
        m.components = len(components)
        for number, members in enumerate(components, start=1):
            for i in members:
                m.component[g[i]] = number
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
