"""Pages for networks. Thin: the selectors give only what the actor may see, the graph module computes on
it, and the services record what was shown."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from marsoc.core import access
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.vocabulary import Classification
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from . import communities as community_analysis
from . import drawing, exports, selectors, services
from .graph import Graph, NodeKey, key_label, parse_key
from .models import LinkChart
from .services import assessment as group_assessments
from .services import charts
from .vocabulary import AssociationType, ChartLayout, CrimeType, GroupStatus, NodeKind


@dataclass(frozen=True)
class NodeRow:
    node: selectors.Node
    degree: int
    betweenness: float
    pagerank: float
    component: int
    centre: bool


GROUP_PURPOSE = "Network analysis of an organised crime group"


GRADES = [
    ("", "Any grade"),
    ("1", "Reliable sources only (1)"),
    ("2", "Reliable or untested sources (1 or 2)"),
]


def _on_date(request: HttpRequest, errors: dict[str, str]) -> date | None:
    parts = [(request.GET.get(f"on_{p}") or "").strip() for p in ("day", "month", "year")]
    if not any(parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        errors["on_day"] = "Links in force on: enter a real date, for example 31 1 2026"
        return None


def _filters(request: HttpRequest) -> tuple[int, selectors.NetworkFilters, dict[str, str]]:
    """The network filters from the query string; problems go in `query["errors"]` (and are shown)."""
    raw_hops = request.GET.get("hops", "1")
    hops = int(raw_hops) if raw_hops in ("1", "2", "3") else 1
    wanted = [t for t in request.GET.getlist("type") if t in AssociationType.values or t == selectors.MEMBER]
    errors: dict[str, str] = {}
    on = _on_date(request, errors)
    grade = request.GET.get("grade", "")
    if grade not in dict(GRADES):
        errors["grade"] = "Links from intelligence: choose a grade from the list"
        grade = ""
    raw_agency = request.GET.get("agency", "")
    agency_id = int(raw_agency) if raw_agency.isdigit() and int(raw_agency) < 2**31 else None
    if raw_agency and (agency_id is None or not selectors.agency_choices().filter(pk=agency_id).exists()):
        errors["agency"] = "Recorded by: choose an agency from the list"
        agency_id = None
    query = {"hops": str(hops), "types": ",".join(sorted(wanted)), "on": on.isoformat() if on else ""}
    query |= {"grade": grade, "agency": str(agency_id or "")}
    filters = selectors.NetworkFilters(
        types=frozenset(wanted), on=on, source_grade=grade, agency_id=agency_id
    )
    return hops, filters, query | {f"error_{k}": v for k, v in errors.items()}


def _filter_context(request: HttpRequest, query: dict[str, str]) -> dict[str, Any]:
    return {
        "type_choices": _type_choices(request),
        "filter_errors": {k[6:]: v for k, v in query.items() if k.startswith("error_")},
        "grades": GRADES,
        "grade": query["grade"],
        "agencies": selectors.agency_choices(),
        "agency": query["agency"],
        "on": {p: request.GET.get(f"on_{p}", "")[:4] for p in ("day", "month", "year")},
    }


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
    labels = dict(selectors.link_labels())
    link_rows = [
        {
            "link": link,
            "a": nodes.get(link.a),
            "b": nodes.get(link.b),
            "kind": labels.get(link.kind, link.kind),
        }
        for link in graph.links
    ]
    return {
        "node_rows": node_rows,
        "link_rows": link_rows,
        "components": metrics.components,
        "betweenness_sources": metrics.betweenness_sources,
    }


def _type_choices(request: HttpRequest) -> list[dict[str, Any]]:
    chosen = set(request.GET.getlist("type"))
    options = [(selectors.MEMBER, "Member of a group"), *AssociationType.choices]
    return [{"value": v, "label": label, "checked": v in chosen} for v, label in options]


@nominal_page("network")
def person_network(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "network.view")
    hops, filters, query = _filters(request)
    centre: NodeKey = (str(NodeKind.NOMINAL), nominal.pk)
    graph = selectors.ego_network(actor=actor, centre=centre, hops=hops, filters=filters)
    services.network_consult(
        actor=actor, centre=centre, graph=graph, purpose=purpose, surface="person network", query=query
    )
    context = {
        "nominal": nominal,
        "hops": hops,
        **_filter_context(request, query),
        "memberships": selectors.memberships_of(actor=actor, nominal=nominal),
        "person_tab": "network",
        "chart_name": f"Network of {nominal.reference}",
        **_rows(actor, graph, centre),
    }
    context["drawing"] = _drawing(context)
    context["chart_keys"] = [key_label(r.node.key) for r in context["node_rows"]]
    return render(request, "network/person.html", context)


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "network.view")
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
        {
            "groups": groups,
            "q": query,
            "status": status,
            "statuses": GroupStatus.choices,
            "sees_priority": access.may(actor, "ocg.priority"),
        },
    )


@login_required
def group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "network.view")
    group = selectors.access_group_by_id(actor=actor, group_id=group_id)
    _hops, filters, query = _filters(request)
    centre: NodeKey = (str(NodeKind.GROUP), group.pk)
    graph = selectors.group_network(actor=actor, group=group, filters=filters)
    services.group_consult(actor=actor, group=group, graph=graph, purpose=GROUP_PURPOSE, surface="group page")
    context = {
        "group": group,
        "assessment": group_assessments.current_assessment(group=group),
        "crime_labels": [c.label for c in CrimeType if c.value in group.crime_types],
        "members": selectors.group_members(actor=actor, group=group),
        "history": selectors.group_history(group=group),
        "timeline": selectors.group_timeline(actor=actor, group=group)[0],
        **_filter_context(request, query),
        "chart_name": f"Network of {group.name}",
        **_rows(actor, graph, centre),
    }
    context["drawing"] = _drawing(context)
    context["chart_keys"] = [key_label(r.node.key) for r in context["node_rows"]]
    return render(request, "network/group.html", context)


@login_required
def associate_detail(request: HttpRequest, associate_id: int) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "network.view")
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


def _drawing(rows: dict[str, Any], layout: str = ChartLayout.FORCE) -> dict[str, Any]:
    """The graph as data for the drawing (network/static/network/graph.mjs); the tables carry the same."""
    return {
        "layout": layout,
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
    access.require(actor, "network.view")
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
        routes = selectors.routes_between(actor=actor, source=ends["from"], target=ends["to"], k=k)
        graph, found = routes.graph, routes.paths
        services.network_path_consult(
            actor=actor, source=ends["from"], target=ends["to"], paths=found, surface="path finder"
        )
        nodes = selectors.describe(actor=actor, keys={key for path in found for key in path})
        labels = dict(selectors.link_labels())
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
    on_routes = list(dict.fromkeys(key_label(step["node"].key) for path in paths for step in path))
    return render(
        request,
        "network/paths.html",
        {
            "chart_keys": on_routes,
            "chart_name": f"Routes from {raw['from'].upper()} to {raw['to'].upper()}",
            "raw": raw,
            "k": k,
            "errors": errors,
            "notices": notices,
            "paths": paths,
            "asked": asked and not errors,
            "max_links": selectors.MAX_ROUTE_LINKS,
        },
    )


@login_required
def group_priority(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "ocg.priority")
    hubs = selectors.hub_choices()
    raw = request.GET.get("hub", "")
    hub_id = int(raw) if raw.isdigit() and int(raw) in {h.pk for h in hubs} else None
    rows = list(group_assessments.group_priority(actor=actor, hub_id=hub_id)[:500])
    group_assessments.group_priority_consult(actor=actor, rows=rows, hub_id=hub_id)
    return render(request, "network/priority.html", {"rows": rows, "hubs": hubs, "hub_id": hub_id})


EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "graphml": "application/graphml+xml; charset=utf-8",
    "svg": "image/svg+xml; charset=utf-8",
}
LINK_LABELS = dict(selectors.link_labels())


def _recipient(request: HttpRequest) -> str | None:
    recipient = (request.GET.get("recipient") or "").strip()[:200]
    if len(recipient) < 3:
        messages.error(request, "Enter who the export is for (at least 3 characters) before exporting")
        return None
    return recipient


def _export(
    graph: Graph, nodes: dict[NodeKey, selectors.Node], fmt: str, *, title: str, layout: str, filename: str
) -> HttpResponse:
    if fmt == "csv":
        body = exports.i2_csv(graph, nodes, LINK_LABELS)
    elif fmt == "graphml":
        body = exports.graphml(graph, nodes, LINK_LABELS)
    else:
        body = drawing.svg(graph, nodes, LINK_LABELS, title=title, layout=layout)
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@nominal_page("network export")
def person_network_export(request: HttpRequest, nominal: Nominal, purpose: str, fmt: str) -> HttpResponse:
    """The person's network as shown (same hops and types) as i2 CSV, GraphML or an SVG picture, for a
    named recipient."""
    actor = _actor(request)
    if not access.may(actor, "network.view") or fmt not in EXPORT_FORMATS:
        raise Http404("No such page")
    recipient = _recipient(request)
    if recipient is None:
        return redirect("network:person", pk=nominal.pk)
    hops, filters, _query = _filters(request)
    centre: NodeKey = (str(NodeKind.NOMINAL), nominal.pk)
    graph = selectors.ego_network(actor=actor, centre=centre, hops=hops, filters=filters)
    nodes = selectors.describe(actor=actor, keys=graph.nodes)
    services.network_export_record(
        actor=actor, centre=centre, graph=graph, fmt=fmt, recipient=recipient, purpose=purpose
    )
    title = f"Network of {nominal.reference}, {hops} link{'s' if hops > 1 else ''} out"
    return _export(
        graph, nodes, fmt, title=title, layout=ChartLayout.FORCE, filename=f"network-{nominal.reference}"
    )


# --- saved link charts ----------------------------------------------------------------------------------


def _keys(values: list[str]) -> list[NodeKey]:
    return [key for key in (parse_key(v) for v in values[: charts.MAX_ITEMS + 1]) if key is not None]


@login_required
def chart_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "network.view")
    rows = list(selectors.chart_list(actor=actor)[:200])
    charts.chart_list_consult(actor=actor, chart_ids=[c.pk for c in rows])
    return render(request, "network/charts.html", {"charts": rows, "me": actor.pk})


@login_required
def chart_new(request: HttpRequest) -> HttpResponse:
    """Name and classify a new chart of the people and groups chosen on the page it came from."""
    actor = _actor(request)
    access.require(actor, "network.view")
    source = request.POST if request.method == "POST" else request.GET
    values = {
        "name": (source.get("name") or "").strip()[:200],
        "classification": source.get("classification") or Classification.OFFICIAL_SENSITIVE,
        "layout": source.get("layout") or ChartLayout.FORCE,
    }
    keys = _keys(source.getlist("node"))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            chart = charts.chart_create(actor=actor, keys=keys, **values)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            messages.success(request, f"Link chart “{chart.name}” saved")
            return redirect("network:chart", chart_id=chart.pk)
    return render(
        request,
        "network/chart_new.html",
        {
            "values": values,
            "nodes": [key_label(k) for k in keys],
            "count": len(keys),
            "errors": {field: " ".join(msgs) for field, msgs in errors.items()},
            "classifications": Classification.choices,
            "layouts": ChartLayout.choices,
        },
    )


def _chart(request: HttpRequest, chart_id: int) -> tuple[Any, LinkChart]:
    """The signed-in actor and the chart, if they may open it (else the answer a missing chart gets)."""
    actor = _actor(request)
    access.require(actor, "network.view")
    return actor, selectors.access_chart_by_id(actor=actor, chart_id=chart_id)


@login_required
def chart_detail(request: HttpRequest, chart_id: int) -> HttpResponse:
    actor, chart = _chart(request, chart_id)
    view = selectors.chart_view(actor=actor, chart=chart)
    charts.chart_consult(actor=actor, chart=chart, graph=view.graph, withheld=view.withheld)
    can_change = access.may(actor, "link_chart.change", chart)
    context = {
        "chart": chart,
        "withheld": view.withheld,
        "can_change": can_change,
        "suggestions": selectors.chart_suggestions(actor=actor, graph=view.graph) if can_change else [],
        "shares": chart.shares.select_related("user") if can_change else [],
        "layouts": ChartLayout.choices,
        **_rows(actor, view.graph, ("", 0)),
    }
    context["drawing"] = _drawing(context, chart.layout)
    return render(request, "network/chart.html", context)


@require_POST
@login_required
def chart_change(request: HttpRequest, chart_id: int) -> HttpResponse:
    """The author adds or removes an item, changes the layout or shares the chart."""
    actor, chart = _chart(request, chart_id)
    action = request.POST.get("action", "")
    try:
        if action == "add":
            key = selectors.parse_reference(request.POST.get("reference") or "") or parse_key(
                request.POST.get("reference") or ""
            )
            if key is None:
                raise ValidationFailed({"reference": "Enter a reference, for example MH0000042 or OCG000007"})
            charts.chart_add(actor=actor, chart=chart, key=key)
            messages.success(request, "Added to the chart")
        elif action == "remove":
            key = parse_key(request.POST.get("item") or "")
            if key is None:
                raise ValidationFailed({"item": "Choose an item on the chart to remove"})
            charts.chart_remove(actor=actor, chart=chart, key=key)
            messages.success(request, "Removed from the chart")
        elif action == "layout":
            charts.chart_layout(actor=actor, chart=chart, layout=request.POST.get("layout") or "")
            messages.success(request, "Layout changed")
        elif action == "share":
            share = charts.chart_share(actor=actor, chart=chart, username=request.POST.get("username") or "")
            messages.success(request, f"Shared with {share.user.display_label}")
        else:
            raise ValidationFailed({"action": "Choose what to change on the chart"})
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationFailed as exc:
        for msgs in exc.errors.values():
            messages.error(request, " ".join(msgs))
    return redirect("network:chart", chart_id=chart.pk)


@login_required
def chart_export(request: HttpRequest, chart_id: int, fmt: str) -> HttpResponse:
    """The chart as this viewer sees it, as i2 CSV, GraphML or an SVG picture, for a named recipient."""
    if fmt not in EXPORT_FORMATS:
        raise NotFoundOrForbidden("link chart")
    actor, chart = _chart(request, chart_id)
    recipient = _recipient(request)
    if recipient is None:
        return redirect("network:chart", chart_id=chart.pk)
    view = selectors.chart_view(actor=actor, chart=chart)
    nodes = selectors.describe(actor=actor, keys=view.graph.nodes)
    services.network_export_record(
        actor=actor, centre=None, chart_id=chart.pk, graph=view.graph, fmt=fmt, recipient=recipient,
        purpose="Link chart export",
    )  # fmt: skip
    return _export(view.graph, nodes, fmt, title=chart.name, layout=chart.layout, filename=chart.reference)


@login_required
def communities(request: HttpRequest) -> HttpResponse:
    """Communities found in the visible graph beside recorded group membership."""
    actor = _actor(request)
    access.require(actor, "network.view")
    graph = selectors.network_graph(actor=actor)
    found, drifts = community_analysis.compare(graph)
    keys = {k for c in found for k in c.people} | {k for c in found for k, _n in c.groups}
    keys |= {d.towards for d in drifts} | {d.recorded for d in drifts}
    nodes = selectors.describe(actor=actor, keys=keys)
    services.communities_consult(
        actor=actor, people=[k for c in found for k in c.people], communities=len(found), drifts=len(drifts)
    )
    rows = [
        {
            "number": c.number,
            "people": sorted((nodes[k] for k in c.people if k in nodes), key=lambda n: n.label),
            "groups": [(nodes[k], count) for k, count in c.groups if k in nodes],
            "undeclared": c.undeclared,
        }
        for c in found
    ]
    drift_rows = [
        {
            "person": nodes[d.person],
            "recorded": nodes[d.recorded],
            "towards": nodes[d.towards],
            "number": d.community,
        }
        for d in drifts
        if {d.person, d.recorded, d.towards} <= set(nodes)
    ]
    return render(request, "network/communities.html", {"rows": rows, "drifts": drift_rows})
