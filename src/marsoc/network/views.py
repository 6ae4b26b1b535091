"""Pages for networks. Thin: the selectors give only what the actor may see, the graph module computes on
it, and the services record what was shown."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from marsoc.core import access
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from . import exports, selectors, services
from .graph import Graph, NodeKey
from .services import assessment as group_assessments
from .vocabulary import AssociationType, CrimeType, GroupStatus, NodeKind


@dataclass(frozen=True)
class NodeRow:
    node: selectors.Node
    degree: int
    betweenness: float
    pagerank: float
    component: int
    centre: bool


GROUP_PURPOSE = "Network analysis of an organised crime group"


def _filters(request: HttpRequest) -> tuple[int, selectors.NetworkFilters, dict[str, str]]:
    raw_hops = request.GET.get("hops", "1")
    hops = int(raw_hops) if raw_hops in ("1", "2", "3") else 1
    wanted = [t for t in request.GET.getlist("type") if t in AssociationType.values or t == selectors.MEMBER]
    query = {"hops": str(hops), "types": ",".join(sorted(wanted))}
    return hops, selectors.NetworkFilters(types=frozenset(wanted)), query


def _rows(actor: Any, graph: Graph, centre: NodeKey) -> dict[str, Any]:
    """Nodes with their metrics and links with their ends, for the table every network page shows."""
    nodes = selectors.describe(actor=actor, keys=graph.nodes)
    metrics = graph.metrics()
    node_rows = [
        NodeRow(
            node=nodes[key],
            degree=metrics.degree.get(key, 0),
            betweenness=metrics.betweenness.get(key, 0.0),
            pagerank=metrics.pagerank.get(key, 0.0),
            component=metrics.component.get(key, 0),
            centre=key == centre,
        )
        for key in graph.nodes
        if key in nodes
    ]
    node_rows.sort(key=lambda r: (not r.centre, -r.degree, r.node.label))
    labels = {
        code: label for code, label in [*AssociationType.choices, (selectors.MEMBER, "Member of the group")]
    }
    link_rows = [
        {
            "link": link,
            "a": nodes.get(link.a),
            "b": nodes.get(link.b),
            "kind": labels.get(link.kind, link.kind),
        }
        for link in graph.links
    ]
    return {"node_rows": node_rows, "link_rows": link_rows, "components": metrics.components}


def _type_choices(request: HttpRequest) -> list[dict[str, Any]]:
    chosen = set(request.GET.getlist("type"))
    options = [(selectors.MEMBER, "Member of a group"), *AssociationType.choices]
    return [{"value": v, "label": label, "checked": v in chosen} for v, label in options]


@nominal_page("network")
def person_network(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "network.view"):
        raise Http404("No such page")
    hops, filters, query = _filters(request)
    centre: NodeKey = (str(NodeKind.NOMINAL), nominal.pk)
    graph = selectors.ego_network(actor=actor, centre=centre, hops=hops, filters=filters)
    services.network_consult(
        actor=actor, centre=centre, graph=graph, purpose=purpose, surface="person network", query=query
    )
    context = {
        "nominal": nominal,
        "hops": hops,
        "type_choices": _type_choices(request),
        "memberships": selectors.memberships_of(actor=actor, nominal=nominal),
        "person_tab": "network",
        **_rows(actor, graph, centre),
    }
    context["drawing"] = _drawing(context)
    return render(request, "network/person.html", context)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "network.view"):
        raise Http404("No such page")
    query = (request.GET.get("q") or "").strip()[:100]
    status = request.GET.get("status", "")
    status = status if status in GroupStatus.values else ""
    groups = list(selectors.group_list(actor=actor, query=query, status=status)[:500])
    services.group_list_consult(
        actor=actor,
        group_ids=[g.pk for g in groups],
        surface="group list",
        query={"q": query, "status": status},
    )
    return render(
        request,
        "network/groups.html",
        {"groups": groups, "q": query, "status": status, "statuses": GroupStatus.choices},
    )


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "network.view"):
        raise NotFoundOrForbidden("group")
    group = selectors.access_group_by_id(actor=actor, group_id=group_id)
    _hops, filters, _query = _filters(request)
    centre: NodeKey = (str(NodeKind.GROUP), group.pk)
    graph = selectors.group_network(actor=actor, group=group, filters=filters)
    services.group_consult(actor=actor, group=group, graph=graph, purpose=GROUP_PURPOSE, surface="group page")
    context = {
        "group": group,
        "assessment": group_assessments.current_assessment(group=group),
        "crime_labels": [c.label for c in CrimeType if c.value in group.crime_types],
        "members": selectors.group_members(actor=actor, group=group),
        "history": selectors.group_history(group=group),
        "type_choices": _type_choices(request),
        **_rows(actor, graph, centre),
    }
    context["drawing"] = _drawing(context)
    return render(request, "network/group.html", context)


@login_required
def associate_detail(request: HttpRequest, associate_id: int) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "network.view"):
        raise NotFoundOrForbidden("associate")
    associate = selectors.access_associate_by_id(actor=actor, associate_id=associate_id)
    centre: NodeKey = (str(NodeKind.ASSOCIATE), associate.pk)
    graph = selectors.ego_network(actor=actor, centre=centre, hops=1)
    services.associate_consult(
        actor=actor, associate=associate, graph=graph, purpose=GROUP_PURPOSE, surface="associate page"
    )
    context = {
        "associate": associate,
        "memberships": selectors.memberships_of(actor=actor, associate=associate),
        **_rows(actor, graph, centre),
    }
    return render(request, "network/associate.html", context)


def _drawing(rows: dict[str, Any]) -> dict[str, Any]:
    """The graph as data for the drawing (network/static/network/graph.mjs); the tables carry the same."""
    return {
        "nodes": [
            {
                "id": f"{r.node.kind}-{r.node.key[1]}",
                "label": r.node.label,
                "kind": r.node.kind,
                "custody": r.node.in_custody,
                "centre": r.centre,
            }
            for r in rows["node_rows"]
        ],
        "edges": [
            {
                "id": f"{r['link'].record}-{r['link'].record_id}",
                "source": f"{r['link'].a[0]}-{r['link'].a[1]}",
                "target": f"{r['link'].b[0]}-{r['link'].b[1]}",
                "label": r["kind"],
                "custody": r["link"].in_custody,
            }
            for r in rows["link_rows"]
            if r["a"] is not None and r["b"] is not None
        ],
    }


MAX_PATHS = 5


@login_required
def path_finder(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "network.view"):
        raise Http404("No such page")
    raw = {
        "from": (request.GET.get("from") or "").strip()[:20],
        "to": (request.GET.get("to") or "").strip()[:20],
    }
    raw_k = request.GET.get("k", "3")
    k = int(raw_k) if raw_k.isdigit() and 1 <= int(raw_k) <= MAX_PATHS else 3
    errors: dict[str, str] = {}
    notices: list[selectors.Interest] = []
    ends: dict[str, NodeKey] = {}
    asked = bool(raw["from"] or raw["to"])
    if asked:
        for field, label in (("from", "From"), ("to", "To")):
            if not raw[field]:
                errors[field] = f"{label}: enter a reference, for example MH0000042 or OCG000007"
                continue
            key = selectors.parse_reference(raw[field])
            if key is None:
                errors[field] = f"{label}: “{raw[field]}” is not a reference (MH, OCG or AS and digits)"
                continue
            if not selectors.describe(actor=actor, keys=[key]):
                interest = selectors.hidden_interest(actor=actor, key=key)
                if interest is not None:
                    services.network_deconfliction_log(
                        actor=actor,
                        reference=raw[field],
                        hub_name=interest.hub_name,
                        nominal_id=interest.nominal_id,
                    )
                    notices.append(interest)
                errors[field] = (
                    f"{label}: no person or group you may see has the reference {raw[field].upper()}"
                )
                continue
            ends[field] = key
        if "from" in ends and "to" in ends and ends["from"] == ends["to"]:
            errors["to"] = "To: choose a different person or group from the first"
    paths: list[list[dict[str, Any]]] = []
    if asked and not errors:
        graph = selectors.network_graph(actor=actor)
        found = graph.k_shortest_paths(ends["from"], ends["to"], k)
        services.network_path_consult(
            actor=actor, source=ends["from"], target=ends["to"], paths=found, surface="path finder"
        )
        nodes = selectors.describe(actor=actor, keys={key for path in found for key in path})
        labels = dict([*AssociationType.choices, (selectors.MEMBER, "Member of the group")])
        for path in found:
            steps: list[dict[str, Any]] = []
            for i, key in enumerate(path):
                via = ""
                if i > 0:
                    kinds = sorted(
                        {labels.get(x.kind, x.kind) for x in graph.links_between(path[i - 1], key)}
                    )
                    via = ", ".join(kinds)
                steps.append({"node": nodes[key], "via": via})
            paths.append(steps)
    return render(
        request,
        "network/paths.html",
        {
            "raw": raw,
            "k": k,
            "errors": errors,
            "notices": notices,
            "paths": paths,
            "asked": asked and not errors,
        },
    )


@login_required
def group_priority(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "ocg.priority"):
        raise Http404("No such page")
    hubs = selectors.hub_choices()
    raw = request.GET.get("hub", "")
    hub_id = int(raw) if raw.isdigit() and int(raw) in {h.pk for h in hubs} else None
    rows = list(group_assessments.group_priority(actor=actor, hub_id=hub_id)[:500])
    group_assessments.group_priority_consult(actor=actor, rows=rows, hub_id=hub_id)
    return render(request, "network/priority.html", {"rows": rows, "hubs": hubs, "hub_id": hub_id})


EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8", "graphml": "application/graphml+xml; charset=utf-8"}


@nominal_page("network export")
def person_network_export(request: HttpRequest, nominal: Nominal, purpose: str, fmt: str) -> HttpResponse:
    """The person's network as shown (same hops and types) as i2 CSV or GraphML, for a named recipient."""
    actor = _actor(request)
    if not access.may(actor, "network.view") or fmt not in EXPORT_FORMATS:
        raise Http404("No such page")
    recipient = (request.GET.get("recipient") or "").strip()[:200]
    if len(recipient) < 3:
        messages.error(request, "Enter who the export is for (at least 3 characters) before exporting")
        return redirect("network:person", pk=nominal.pk)
    hops, filters, _query = _filters(request)
    centre: NodeKey = (str(NodeKind.NOMINAL), nominal.pk)
    graph = selectors.ego_network(actor=actor, centre=centre, hops=hops, filters=filters)
    nodes = selectors.describe(actor=actor, keys=graph.nodes)
    labels = dict([*AssociationType.choices, (selectors.MEMBER, "Member of the group")])
    body = exports.i2_csv(graph, nodes, labels) if fmt == "csv" else exports.graphml(graph, nodes, labels)
    services.network_export_record(
        actor=actor, centre=centre, graph=graph, fmt=fmt, recipient=recipient, purpose=purpose
    )
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="network-{nominal.reference}.{fmt}"'
    return response
