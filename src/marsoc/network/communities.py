"""Communities of the visible graph (Louvain modularity, our own short implementation: rustworkx has none)
compared with recorded group membership: a tight community whose people no recorded group covers is a
possible undeclared group; a member whose community is mostly another group's is drifting to it.

Computed, like every figure, only on links the actor may see (the caller gives a graph of visible links)."""

import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .graph import Graph, NodeKey
from .vocabulary import NodeKind

MIN_SIZE = 3  # smaller communities say nothing about groups


def louvain(size: int, edges: Iterable[tuple[int, int]], *, seed: int = 16) -> list[int]:
    """A community number for each of `size` nodes: local moves that raise modularity, then the
    communities folded into single nodes, repeated until nothing moves. Seeded, so stable."""
    adj: list[dict[int, float]] = [defaultdict(float) for _ in range(size)]
    for u, v in edges:
        if u != v:
            adj[u][v] += 1.0
            adj[v][u] += 1.0
    membership = list(range(size))
    rng = random.Random(seed)  # noqa: S311  (visiting order only, seeded for stable results)
    while True:
        k = [sum(a.values()) + a.get(i, 0.0) for i, a in enumerate(adj)]  # a self-loop counts twice
        m2 = sum(k)
        if m2 == 0:
            break
        comm = list(range(len(adj)))
        tot = k[:]
        order = list(range(len(adj)))
        rng.shuffle(order)
        moved_any, moved = False, True
        while moved:
            moved = False
            for i in order:
                current = comm[i]
                weights: dict[int, float] = defaultdict(float)
                for j, w in adj[i].items():
                    if j != i:
                        weights[comm[j]] += w
                tot[current] -= k[i]
                best, best_gain = current, weights.get(current, 0.0) - tot[current] * k[i] / m2
                for c, w in sorted(weights.items()):
                    gain = w - tot[c] * k[i] / m2
                    if gain > best_gain + 1e-12:
                        best, best_gain = c, gain
                tot[best] += k[i]
                comm[i] = best
                if best != current:
                    moved = moved_any = True
        if not moved_any:
            break
        labels = {c: n for n, c in enumerate(sorted(set(comm)))}
        membership = [labels[comm[c]] for c in membership]
        folded: list[dict[int, float]] = [defaultdict(float) for _ in labels]
        for i, a in enumerate(adj):
            for j, w in a.items():
                ci, cj = labels[comm[i]], labels[comm[j]]
                # An inside link is met from both ends (half each); a self-loop only once.
                folded[ci][cj] += w if (i == j or ci != cj) else w / 2
        adj = folded
    return membership


@dataclass(frozen=True)
class Community:
    number: int
    people: list[NodeKey]
    groups: list[tuple[NodeKey, int]]  # recorded groups among its people, most members first
    undeclared: bool  # no recorded group covers half of its people


@dataclass(frozen=True)
class Drift:
    person: NodeKey
    recorded: NodeKey  # the group they are recorded in
    towards: NodeKey  # the group most of their community is recorded in
    community: int


def compare(graph: Graph) -> tuple[list[Community], list[Drift]]:
    """Communities of people (links between people only: a group node would pull its members together
    and the comparison would find only what is recorded) beside the memberships in the same graph."""
    people = [k for k in graph.nodes if k[0] != NodeKind.GROUP]
    index = {k: i for i, k in enumerate(people)}
    edges = [(index[x.a], index[x.b]) for x in graph.links if x.a in index and x.b in index]
    numbers = louvain(len(people), edges)
    groups_of: Mapping[NodeKey, set[NodeKey]] = defaultdict(set)
    for link in graph.links:
        if link.record == "membership":
            groups_of[link.a].add(link.b)
    by_number: dict[int, list[NodeKey]] = defaultdict(list)
    for key, number in zip(people, numbers, strict=True):
        by_number[number].append(key)
    found: list[Community] = []
    drifts: list[Drift] = []
    ranked = sorted((m for m in by_number.values() if len(m) >= MIN_SIZE), key=lambda m: (-len(m), m))
    for number, members in enumerate(ranked, start=1):
        counts = Counter(g for p in members for g in groups_of.get(p, ()))
        top = sorted(counts.items(), key=lambda x: (-x[1], x[0]))
        found.append(Community(number, members, top, not top or top[0][1] * 2 < len(members)))
        if top and top[0][1] * 2 >= len(members):
            leading = top[0][0]
            for person in members:
                recorded = groups_of.get(person, set())
                if recorded and leading not in recorded:
                    drifts.append(Drift(person, min(recorded), leading, number))
    return found, drifts
