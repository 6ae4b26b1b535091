"""A network as files analysts use elsewhere: a link table for i2 Analyst's Notebook import (CSV, one row
per link with both entities) and GraphML. Built from a graph of visible links only, with the labels read
through the façade (selectors.describe). Pure formatting: the service records the disclosure."""

from collections.abc import Mapping
from xml.sax.saxutils import escape, quoteattr

from marsoc.core.exports import csv_text

from .graph import Graph, NodeKey, key_label
from .selectors import Node

I2_HEADER = [
    "Entity 1 ID", "Entity 1 type", "Entity 1 label", "Link type", "Link ID",
    "Entity 2 ID", "Entity 2 type", "Entity 2 label", "Formed in custody",
]  # fmt: skip


def i2_csv(graph: Graph, nodes: Mapping[NodeKey, Node], labels: Mapping[str, str]) -> str:
    rows = []
    for link in graph.links:
        a, b = nodes.get(link.a), nodes.get(link.b)
        if a is None or b is None:
            continue  # never happens for a visible graph; never names what describe() did not
        rows.append([
            a.reference, a.kind_label, a.label, labels.get(link.kind, link.kind), f"{link.record}-{link.record_id}",
            b.reference, b.kind_label, b.label, "yes" if link.in_custody else "no",
        ])  # fmt: skip
    return csv_text(I2_HEADER, rows)


def graphml(graph: Graph, nodes: Mapping[NodeKey, Node], labels: Mapping[str, str]) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
        '  <key id="kind" for="node" attr.name="kind" attr.type="string"/>',
        '  <key id="reference" for="node" attr.name="reference" attr.type="string"/>',
        '  <key id="type" for="edge" attr.name="type" attr.type="string"/>',
        '  <key id="custody" for="edge" attr.name="in_custody" attr.type="boolean"/>',
        '  <graph id="network" edgedefault="undirected">',
    ]
    for key in graph.nodes:
        node = nodes.get(key)
        if node is None:
            continue
        out.append(
            f'    <node id={quoteattr(key_label(key))}><data key="label">{escape(node.label)}</data>'
            f'<data key="kind">{escape(node.kind)}</data><data key="reference">{escape(node.reference)}</data></node>'
        )
    for link in graph.links:
        if link.a not in nodes or link.b not in nodes:
            continue
        out.append(
            f"    <edge id={quoteattr(f'{link.record}-{link.record_id}')} source={quoteattr(key_label(link.a))}"
            f' target={quoteattr(key_label(link.b))}><data key="type">{escape(labels.get(link.kind, link.kind))}</data>'
            f'<data key="custody">{"true" if link.in_custody else "false"}</data></edge>'
        )
    out += ["  </graph>", "</graphml>", ""]
    return "\n".join(out)
