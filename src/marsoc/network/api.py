"""Network endpoints: groups (list, one, record), memberships and associations (record), the ego network
and paths. The same selectors, services, policy and audit as the pages: every figure is computed on what
the caller may see; a missing and a hidden record both answer 404, a write the policy refuses 403, bad
input 422 with the errors by field."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from marsoc.core import access
from marsoc.core.api_common import may_write
from marsoc.core.api_errors import ApiError
from marsoc.core.api_fields import (
    NO_CONTROL,
    GroupReference,
    Id,
    Name,
    OptionalName,
    PersonReference,
    Purpose,
    Reference,
    Text,
)
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.vocabulary import Classification
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.sharing.vocabulary import ProcessingPurpose

from . import selectors, services
from .graph import Graph, NodeKey, key_label
from .models import Associate, LinkChart, OrganisedCrimeGroup
from .services import assessment as group_assessments
from .services import charts
from .vocabulary import (
    AssociationType,
    ChartLayout,
    Confidence,
    CrimeType,
    GroupStatus,
    MemberRole,
    SourceKind,
)

router = Router(tags=["network"])
MAX_NAME = services.MAX_NAME


class GroupOut(Schema):
    id: int
    reference: str
    name: str
    aliases: list[str]
    status: str
    crime_types: list[str]
    geography: str
    owner_hub: str
    lead_agency: str
    classification: str


class MemberOut(Schema):
    reference: str
    kind: str
    role: str
    started_on: date | None
    ended_on: date | None
    confidence: str
    source: str


class GroupDetail(GroupOut):
    members: list[MemberOut]


class NodeOut(Schema):
    id: str
    reference: str
    kind: str
    label: str
    in_custody: bool
    degree: int
    betweenness: float
    pagerank: float
    component: int


class LinkOut(Schema):
    record: str
    id: int
    source: str
    target: str
    type: str
    in_custody: bool


class NetworkOut(Schema):
    centre: str
    nodes: list[NodeOut]
    links: list[LinkOut]
    components: int
    betweenness_sources: int = Field(
        0,
        description="0 when betweenness is exact; otherwise it is an estimate from this many sources "
        "sampled among the nodes shown",
    )


class PathsOut(Schema):
    source: str
    target: str
    paths: list[list[str]]


class GroupIn(Schema):
    name: Name(MAX_NAME)  # type: ignore[valid-type]
    lead_agency_id: Id
    crime_types: list[CrimeType] = Field(..., min_length=1, max_length=10)
    aliases: list[Name(MAX_NAME)] = Field([], max_length=20)  # type: ignore[valid-type]
    geography: OptionalName(200) = ""  # type: ignore[valid-type]
    status: GroupStatus = GroupStatus.ACTIVE
    formed_on: date | None = Field(None, description="Today or in the past")
    classification: Classification = Field(
        Classification.OFFICIAL_SENSITIVE, description="At most your clearance"
    )
    purpose: ProcessingPurpose = ProcessingPurpose.PREVENTION_DETECTION
    owner_hub_id: Id | None = Field(None, description="Your own hub unless you work for the national team")


class EvidenceIn(Schema):
    source_kind: SourceKind
    intel_item_id: Id | None = Field(None, description="For an intelligence source: an item you may see")
    establishment_id: Id | None = Field(None, description="For a custody source: where the link was formed")
    source_reference: OptionalName(100, "For a feed source: the feed and record reference") = ""  # type: ignore[valid-type]
    confidence: Confidence = Confidence.MEDIUM
    started_on: date | None = Field(None, description="Today or in the past")
    ended_on: date | None = Field(None, description="On or after the start")
    classification: Classification | Literal[""] = Field(
        "", description="At most your clearance, at least the source item's; empty for the default"
    )
    purpose: ProcessingPurpose = ProcessingPurpose.PREVENTION_DETECTION
    notes: OptionalName(2000) = ""  # type: ignore[valid-type]
    owner_hub_id: Id | None = None

    def evidence(self) -> services.Evidence:
        """The evidence fields alone (a link's body adds what it links)."""
        return services.Evidence(**self.dict(include=set(EvidenceIn.model_fields)))


class AssociationIn(EvidenceIn):
    a: Reference
    b: Reference
    association_type: AssociationType
    directed: bool = False


class MembershipIn(EvidenceIn):
    group: GroupReference
    person: PersonReference
    role: MemberRole


class Created(Schema):
    id: int


class EgoParams(Schema):
    centre: Reference
    hops: int = Field(1, ge=1, le=3)
    purpose: Purpose


class PathParams(Schema):
    source: Reference = Field(..., alias="from")
    target: Reference = Field(..., alias="to")
    k: int = Field(3, ge=1, le=5)


def _require_network(request: HttpRequest) -> Any:
    actor = _actor(request)
    if not access.may(actor, "network.view"):
        raise NotFoundOrForbidden("network")
    return actor


def _key(actor: Any, reference: str, field: str) -> NodeKey:
    key = _parse(reference, field)
    selectors.access_end_by_key(actor=actor, key=key)  # 404 when missing or hidden
    return key


def _parse(reference: str, field: str) -> NodeKey:
    key = selectors.parse_reference(reference)
    if key is None:
        raise ValidationFailed({field: f"“{reference}” is not a reference (MH, OCG or AS and digits)"})
    return key


def _end(actor: Any, reference: str, field: str) -> Any:
    """The person or group a reference names, when the actor may see it (404 otherwise)."""
    return selectors.access_end_by_key(actor=actor, key=_parse(reference, field))


def _group(g: OrganisedCrimeGroup) -> dict[str, Any]:
    return {
        "id": g.pk,
        "reference": g.reference,
        "name": g.name,
        "aliases": [a.name for a in g.aliases.all()],
        "status": g.status,
        "crime_types": list(g.crime_types),
        "geography": g.geography,
        "owner_hub": g.owner_hub.name,
        "lead_agency": g.originating_agency.name,
        "classification": g.classification,
    }


def _network(actor: Any, graph: Graph, centre: NodeKey) -> dict[str, Any]:
    return {"centre": key_label(centre), **_drawn(actor, graph)}


def _drawn(actor: Any, graph: Graph) -> dict[str, Any]:
    """The nodes (with their figures on this graph) and links of a graph the actor may see."""
    nodes = selectors.describe(actor=actor, keys=graph.nodes)
    m = graph.metrics()
    return {
        "nodes": [
            {
                "id": key_label(key),
                "reference": nodes[key].reference,
                "kind": key[0],
                "label": nodes[key].label,
                "in_custody": nodes[key].in_custody,
                "degree": m.degree.get(key, 0),
                "betweenness": m.betweenness.get(key, 0.0),
                "pagerank": m.pagerank.get(key, 0.0),
                "component": m.component.get(key, 0),
            }
            for key in graph.nodes
            if key in nodes
        ],
        "links": [
            {
                "record": x.record,
                "id": x.record_id,
                "source": key_label(x.a),
                "target": key_label(x.b),
                "type": x.kind,
                "in_custody": x.in_custody,
            }
            for x in graph.links
        ],
        "components": m.components,
        "betweenness_sources": m.betweenness_sources,
    }


@router.get("/network/groups", response=list[GroupOut], summary="The organised crime groups you may see")
def list_groups(request: HttpRequest, q: str = "", status: str = "") -> list[dict[str, Any]]:
    actor = _require_network(request)
    groups = list(selectors.group_list(actor=actor, query=q[:100], status=status[:20])[:500])
    services.group_list_consult(
        actor=actor,
        group_ids=[g.pk for g in groups],
        surface="api",
        query={"q": q[:100], "status": status[:20]},
    )
    return [_group(g) for g in groups]


@router.get(
    "/network/groups/{group_id}",
    response={200: GroupDetail, 404: ApiError, 422: ApiError},
    summary="One group with its members (a purpose is required and logged)",
)
def get_group(request: HttpRequest, group_id: int, purpose: Purpose) -> Any:
    actor = _require_network(request)
    group = selectors.access_group_by_id(actor=actor, group_id=group_id)
    graph = selectors.group_network(actor=actor, group=group)
    services.group_consult(actor=actor, group=group, graph=graph, purpose=purpose, surface="api")
    members = [
        {
            "reference": m.nominal.reference if m.nominal else m.associate.reference if m.associate else "",
            "kind": "nominal" if m.nominal_id else "associate",
            "role": m.role,
            "started_on": m.started_on,
            "ended_on": m.ended_on,
            "confidence": m.confidence,
            "source": m.source_kind,
        }
        for m in selectors.group_members(actor=actor, group=group)
    ]
    return _group(group) | {"members": members}


@router.post(
    "/network/groups",
    response={201: Created, 403: ApiError, 422: ApiError},
    summary="Record a group (the same checks and audit as the service)",
)
def create_group(request: HttpRequest, payload: GroupIn) -> Any:
    actor = may_write(request, "network.record", "You cannot record organised crime groups")
    group = services.group_create(actor=actor, data=services.GroupInput(**payload.dict()))
    return Status(201, {"id": group.pk})


@router.post(
    "/network/associations",
    response={201: Created, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Record an association between two people, a person and a group, or two groups",
)
def create_association(request: HttpRequest, payload: AssociationIn) -> Any:
    actor = may_write(request, "network.record", "You cannot record associations")
    a, b = _end(actor, payload.a, "a"), _end(actor, payload.b, "b")
    link = services.association_record(
        actor=actor, a=a, b=b, association_type=payload.association_type, directed=payload.directed,
        evidence=payload.evidence(),
    )  # fmt: skip
    return Status(201, {"id": link.pk})


@router.post(
    "/network/memberships",
    response={201: Created, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Record a nominal's or an associate's membership of a group",
)
def create_membership(request: HttpRequest, payload: MembershipIn) -> Any:
    actor = may_write(request, "network.record", "You cannot record memberships")
    group, person = _end(actor, payload.group, "group"), _end(actor, payload.person, "person")
    if not isinstance(group, OrganisedCrimeGroup):
        raise ValidationFailed({"group": "Give the reference of a group (OCG…)"})
    if not isinstance(person, Nominal | Associate):
        raise ValidationFailed({"person": "Give the reference of a nominal (MH…) or an associate (AS…)"})
    membership = services.membership_record(
        actor=actor, group=group, person=person, role=payload.role, evidence=payload.evidence()
    )
    return Status(201, {"id": membership.pk})


@router.get(
    "/network/ego",
    response={200: NetworkOut, 404: ApiError, 422: ApiError},
    summary="The network you may see around a person or group, 1 to 3 links out (a purpose is required)",
)
def ego(request: HttpRequest, params: Query[EgoParams]) -> Any:
    actor = _require_network(request)
    centre = _key(actor, params.centre, "centre")
    graph = selectors.ego_network(actor=actor, centre=centre, hops=params.hops)
    services.network_consult(
        actor=actor, centre=centre, graph=graph, purpose=params.purpose, surface="api",
        query={"hops": str(params.hops)},
    )  # fmt: skip
    return _network(actor, graph, centre)


@router.get(
    "/network/paths",
    response={200: PathsOut, 404: ApiError, 422: ApiError},
    summary="Up to k shortest routes (of at most 12 links) between two people or groups, through what you may see",
)
def paths(request: HttpRequest, params: Query[PathParams]) -> Any:
    actor = _require_network(request)
    source = _key(actor, params.source, "from")
    target = _key(actor, params.target, "to")
    found = selectors.routes_between(actor=actor, source=source, target=target, k=params.k).paths
    services.network_path_consult(actor=actor, source=source, target=target, paths=found, surface="api")
    return {
        "source": key_label(source),
        "target": key_label(target),
        "paths": [[key_label(k) for k in path] for path in found],
    }


class GroupAssessmentIn(Schema):
    levels: dict[Annotated[str, Field(max_length=50)], int] = Field(
        ..., description="A level for every factor of the group method in force", max_length=50
    )
    grades: dict[
        Annotated[str, Field(max_length=50)],
        Annotated[str, Field(pattern=r"^[1-3][A-E]$", json_schema_extra=NO_CONTROL)],
    ] = Field({}, description="Optional 3x5x2 evidence grade per factor, e.g. 2B", max_length=50)
    rationale: Text(5000, "Why the group is scored as it is")  # type: ignore[valid-type]


class GroupAssessmentOut(Schema):
    id: int
    score: float
    band: str
    band_name: str
    confidence: float
    method: str
    breakdown: list[dict[str, Any]]


@router.post(
    "/network/groups/{group_id}/assessments",
    response={201: GroupAssessmentOut, 403: ApiError, 404: ApiError, 422: ApiError},
    summary="Assess a group with the group method in force (explained, audited)",
)
def assess_group(request: HttpRequest, group_id: int, payload: GroupAssessmentIn) -> Any:
    actor = _require_network(request)
    group = selectors.access_group_by_id(actor=actor, group_id=group_id)
    made = group_assessments.group_assessment_submit(actor=actor, group=group, **payload.dict())
    return Status(
        201,
        {
            "id": made.pk,
            "score": made.score,
            "band": made.band,
            "band_name": made.band_name,
            "confidence": made.confidence,
            "method": f"{made.method_code} v{made.method_version}",
            "breakdown": list(made.result.get("breakdown", [])),
        },
    )


# --- saved link charts ----------------------------------------------------------------------------------

WITHHELD_NOTICE = (
    "Some items on this chart are withheld from you: your access does not cover them. The figures are "
    "computed only on what you may see."
)


class ChartSummaryOut(Schema):
    id: int
    reference: str
    name: str
    classification: str
    layout: str
    author: str
    yours: bool = Field(..., description="You made it (only the author changes or shares a chart)")
    items: int = Field(..., description="People and groups on the chart, including any withheld from you")
    changed_at: datetime


class ChartOut(ChartSummaryOut):
    nodes: list[NodeOut] = Field(..., description="The items on the chart you may see")
    links: list[LinkOut] = Field(..., description="The links you may see among them")
    components: int
    betweenness_sources: int = Field(
        0, description="0 when betweenness is exact; otherwise it is an estimate from this many sources"
    )
    withheld: bool = Field(
        ..., description="Some item on the chart, or some link among its items, is not one you may see"
    )
    withheld_items: int = Field(
        ..., description="How many of its people and groups are withheld (never which)"
    )
    notice: str = Field(..., description="What the page says about withheld items (empty when none is)")
    shared_with: list[str] = Field(
        ..., description="Whom the chart is shared with (shown to its author only)"
    )


ChartItems = Annotated[
    list[Reference],
    Field(
        min_length=1, max_length=charts.MAX_ITEMS, description="References of people and groups you may see"
    ),
]


class ChartIn(Schema):
    name: Name(120)  # type: ignore[valid-type]
    classification: Classification = Field(
        Classification.OFFICIAL_SENSITIVE, description="At most your clearance"
    )
    layout: ChartLayout = ChartLayout.FORCE
    items: ChartItems


class ChartChangeIn(Schema):
    name: Name(120) | None = Field(None, description="A new name")  # type: ignore[valid-type]
    layout: ChartLayout | None = None
    add: list[Reference] = Field(
        [], max_length=charts.MAX_ITEMS, description="People and groups you may see, not yet on the chart"
    )
    remove: list[Reference] = Field([], max_length=charts.MAX_ITEMS, description="Items now on the chart")
    share_with: list[Name(150)] = Field(  # type: ignore[valid-type]
        [], max_length=20, description="Usernames of colleagues who work with networks, cleared for the chart"
    )


def _keys(references: list[str], field: str) -> list[NodeKey]:
    keys = []
    for i, reference in enumerate(references):
        key = selectors.parse_reference(reference)
        if key is None:  # the pattern of the document allows only references: a number too large for an id
            raise ValidationFailed({f"{field}.{i}": "This reference is not one any record can have"})
        keys.append(key)
    return keys


def _summary(actor: Any, chart: LinkChart, items: int) -> dict[str, Any]:
    return {
        "id": chart.pk,
        "reference": chart.reference,
        "name": chart.name,
        "classification": chart.classification,
        "layout": chart.layout,
        "author": chart.author.display_label,
        "yours": chart.author_id == actor.pk,
        "items": items,
        "changed_at": chart.changed_at,
    }


def _chart(actor: Any, chart: LinkChart) -> dict[str, Any]:
    """The chart as this viewer may see it, recorded as a consultation."""
    view = selectors.chart_view(actor=actor, chart=chart)
    charts.chart_consult(actor=actor, chart=chart, graph=view.graph, withheld=view.withheld, surface="api")
    items = len(selectors.chart_keys(chart=chart))
    yours = access.may(actor, "link_chart.change", chart)
    return (
        _summary(actor, chart, items)
        | _drawn(actor, view.graph)
        | {
            "withheld": view.withheld,
            "withheld_items": items - len(view.graph.nodes),
            "notice": WITHHELD_NOTICE if view.withheld else "",
            "shared_with": [s.user.username for s in chart.shares.select_related("user")] if yours else [],
        }
    )


@router.get("/network/charts", response={200: list[ChartSummaryOut]}, summary="The link charts you may open")
def list_charts(request: HttpRequest) -> Any:
    actor = _require_network(request)
    rows = list(selectors.chart_list(actor=actor)[:200])
    charts.chart_list_consult(actor=actor, chart_ids=[c.pk for c in rows], surface="api")
    return [_summary(actor, c, getattr(c, "item_count", 0)) for c in rows]


@router.get(
    "/network/charts/{chart_id}",
    response={200: ChartOut, 404: ApiError},
    summary="One link chart, as your access lets you see it (what is withheld is counted, never named)",
)
def get_chart(request: HttpRequest, chart_id: int) -> Any:
    actor = _require_network(request)
    chart = selectors.access_chart_by_id(actor=actor, chart_id=chart_id)
    return _chart(actor, chart)


@router.post(
    "/network/charts",
    response={201: Created, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Save a link chart of people and groups you may see (named, classified, audited)",
)
def create_chart(request: HttpRequest, payload: ChartIn) -> Any:
    actor = _require_network(request)
    chart = charts.chart_create(
        actor=actor, name=payload.name, classification=payload.classification, layout=payload.layout,
        keys=_keys(payload.items, "items"),
    )  # fmt: skip
    return Status(201, {"id": chart.pk})


@router.patch(
    "/network/charts/{chart_id}",
    response={200: ChartOut, 403: ApiError, 404: ApiError, 409: ApiError, 422: ApiError},
    summary="Change a chart you made: rename, lay out, add, remove, share (all or nothing, audited)",
)
def update_chart(request: HttpRequest, chart_id: int, payload: ChartChangeIn) -> Any:
    actor = _require_network(request)
    chart = selectors.access_chart_by_id(actor=actor, chart_id=chart_id)
    change = charts.ChartChange(
        name=payload.name, layout=payload.layout, add=_keys(payload.add, "add"),
        remove=_keys(payload.remove, "remove"), share_with=payload.share_with,
    )  # fmt: skip
    chart = charts.chart_update(actor=actor, chart=chart, change=change)
    return _chart(actor, selectors.access_chart_by_id(actor=actor, chart_id=chart.pk))
