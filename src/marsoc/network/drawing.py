"""A network as an SVG picture, drawn on the server (for a report or a briefing; the page's own drawing is
Cytoscape.js in the browser). Laid out by rustworkx, seeded so the same network draws the same way. Pure
formatting of a graph of visible links with labels read through the façade; the service records the
export."""

import math
from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

import rustworkx as rx

from .graph import Graph, NodeKey
from .selectors import Node
from .vocabulary import ChartLayout, NodeKind

WIDTH, HEIGHT, MARGIN = 960, 720, 70
FILL = {NodeKind.NOMINAL: "#1d70b8", NodeKind.ASSOCIATE: "#505a5f", NodeKind.GROUP: "#d4351c"}


def _positions(graph: Graph, layout: str) -> dict[int, tuple[float, float]]:
    g = graph.g
    if len(g) == 0:
        return {}
    if len(g) == 1:
        return {g.node_indices()[0]: (0.0, 0.0)}
    if layout == ChartLayout.CIRCLE:
        found = rx.circular_layout(g)
    elif layout == ChartLayout.RINGS:
        order = sorted(g.node_indices(), key=lambda i: -g.degree(i))
        shells, size = [], 1
        while order:
            shells.append(order[:size])
            order, size = order[size:], size * 3
        found = rx.shell_layout(g, nlist=shells)
    elif layout == ChartLayout.GRID:
        side = math.ceil(math.sqrt(len(g)))
        return {i: (float(n % side), float(n // side)) for n, i in enumerate(sorted(g.node_indices()))}
    else:
        found = rx.spring_layout(g, seed=16, num_iter=100)
    return {i: (float(found[i][0]), float(found[i][1])) for i in g.node_indices()}


def _scaled(points: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
    if not points:
        return {}
    xs, ys = [p[0] for p in points.values()], [p[1] for p in points.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {
        i: (
            MARGIN + (x - min(xs)) / span_x * (WIDTH - 2 * MARGIN),
            MARGIN + (y - min(ys)) / span_y * (HEIGHT - 2 * MARGIN),
        )
        for i, (x, y) in points.items()
    }


def svg(
    graph: Graph, nodes: Mapping[NodeKey, Node], labels: Mapping[str, str], *, title: str, layout: str
) -> str:
    """The picture, with a title and a description naming every item and link (for screen readers)."""
    at = _scaled(_positions(graph, layout))
    index = graph.index
    shown = [key for key in graph.nodes if key in nodes]
    links = [link for link in graph.links if link.a in nodes and link.b in nodes]
    description = "; ".join(
        f"{nodes[link.a].label} – {labels.get(link.kind, link.kind).lower()} – {nodes[link.b].label}"
        for link in links
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}" role="img" aria-labelledby="title desc" font-family="Arial, sans-serif">',
        f'<title id="title">{escape(title)}</title>',
        f'<desc id="desc">{len(shown)} people and groups, {len(links)} links. {escape(description)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for link in links:
        (x1, y1), (x2, y2) = at[index[link.a]], at[index[link.b]]
        dash = ' stroke-dasharray="6 4"' if link.in_custody else ""
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#b1b4b6" '
            f'stroke-width="2"{dash}/>'
        )
    for key in shown:
        node = nodes[key]
        x, y = at[index[key]]
        fill = quoteattr(FILL.get(NodeKind(node.kind), "#0b0c0c"))
        ring = ' stroke="#ffdd00" stroke-width="3"' if node.in_custody else ""
        if node.kind == NodeKind.GROUP:
            out.append(
                f'<rect x="{x - 14:.1f}" y="{y - 10:.1f}" width="28" height="20" rx="4" fill={fill}{ring}/>'
            )
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="10" fill={fill}{ring}/>')
        out.append(
            f'<text x="{x:.1f}" y="{y + 26:.1f}" font-size="11" text-anchor="middle" fill="#0b0c0c">'
            f"{escape(node.label)} ({escape(node.reference)})</text>"
        )
    out += [
        f'<text x="{MARGIN}" y="{HEIGHT - 20}" font-size="11" fill="#505a5f">Blue: nominals. Grey: associates '
        "who are not nominals. Red: groups. Yellow ring: in custody. Dashed: a link formed in custody.</text>",
        "</svg>",
        "",
    ]
    return "\n".join(out)
