"""Reads of networks, already scoped by the façade. Every graph is built here from rows of the
"association" and "membership" scopes only, then analysed in network/graph.py."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import CustodyStatus

from .graph import Graph, Link, NodeKey
from .models import (
    Associate,
    Association,
    GroupStatusChange,
    LinkChart,
    Membership,
    OrganisedCrimeGroup,
)
from .vocabulary import CUSTODY_TYPES, AssociationType, NodeKind

MAX_HOPS = 3
MEMBER = "member"  # the link kind of a membership in the graph


@dataclass(frozen=True)
class NetworkFilters:
    types: frozenset[str] = frozenset()  # AssociationType codes and/or MEMBER; empty: every type
    on: date | None = None  # only links in force on this date
    source_grade: str = ""  # "1" or "2": links from intelligence only if its source is graded this or better
    agency_id: int | None = None  # only links recorded by this agency


@dataclass(frozen=True)
class Node:
    key: NodeKey
    label: str
    reference: str
    url: str
    in_custody: bool = False
    release_due: date | None = None  # in custody and due for release within 6 months: into this network

    @property
    def kind(self) -> str:
        return self.key[0]

    @property
    def kind_label(self) -> str:
        return NodeKind(self.key[0]).label


# --- groups and associates ------------------------------------------------------------------------------


def group_list(
    *, actor: Actor, query: str = "", hub_id: int | None = None, status: str = ""
) -> QuerySet[OrganisedCrimeGroup]:
    groups = access.visible(actor, "ocg", OrganisedCrimeGroup.objects.all())
    if query:
        groups = groups.filter(Q(name__icontains=query) | Q(aliases__name__icontains=query)).distinct()
    if hub_id is not None:
        groups = groups.filter(owner_hub_id=hub_id)
    if status:
        groups = groups.filter(status=status)
    return groups.select_related("owner_hub", "originating_agency").prefetch_related("aliases")


def access_group_by_id(*, actor: Actor, group_id: int) -> OrganisedCrimeGroup:
    return access.fetch(
        actor, "ocg", OrganisedCrimeGroup.objects.select_related("owner_hub", "originating_agency"), group_id
    )


def access_associate_by_id(*, actor: Actor, associate_id: int) -> Associate:
    return access.fetch(
        actor, "associate", Associate.objects.select_related("owner_hub", "originating_agency"), associate_id
    )


def group_history(*, group: OrganisedCrimeGroup) -> QuerySet[GroupStatusChange]:
    """The group's status history (for a group the caller already fetched through the façade)."""
    return group.status_changes.select_related("changed_by").order_by("effective_date", "id")


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    text: str
    node: "Node | None" = None


def group_timeline(*, actor: Actor, group: OrganisedCrimeGroup) -> tuple[list[TimelineEntry], date | None]:
    """The group's changes over time as the actor may see them: status changes, who joined and who left,
    and, after the latest disruption (a change away from active), which members lost links and how many.
    Returns the entries (newest first) and the date of that disruption."""
    members = list(group_members(actor=actor, group=group))
    keys = [
        (str(NodeKind.NOMINAL), m.nominal_id)
        if m.nominal_id
        else (str(NodeKind.ASSOCIATE), int(m.associate_id or 0))
        for m in members
    ]
    nodes = describe(actor=actor, keys=keys)
    entries = [
        TimelineEntry(h.effective_date, f"Status: {h.get_to_status_display().lower()}. {h.reason}")
        for h in group_history(group=group)
    ]
    for m, key in zip(members, keys, strict=True):
        role = m.get_role_display().lower()
        if m.started_on:
            entries.append(TimelineEntry(m.started_on, f"Joined as {role}", nodes.get(key)))
        if m.ended_on:
            entries.append(TimelineEntry(m.ended_on, "Left the group", nodes.get(key)))
    disruption = group.status_changes.exclude(to_status="active").order_by("-effective_date", "-id").first()
    since = disruption.effective_date if disruption is not None else None
    if since is not None and keys:
        lost: dict[NodeKey, int] = {}
        rows = access.visible(actor, "association", Association.objects.filter(_touching(keys)))
        for link in _association_links(
            rows.filter(ended_on__gte=since).only(*_END_FIELDS, "association_type")
        ):
            for end in (link.a, link.b):
                if end in nodes:
                    lost[end] = lost.get(end, 0) + 1
        for key, count in sorted(lost.items()):
            entries.append(
                TimelineEntry(
                    since, f"Lost {count} link{'s' if count > 1 else ''} since the disruption", nodes[key]
                )
            )
    entries.sort(key=lambda e: (e.on, e.text), reverse=True)
    return entries, since


def group_members(*, actor: Actor, group: OrganisedCrimeGroup) -> QuerySet[Membership]:
    return (
        access.visible(actor, "membership", Membership.objects.filter(group=group))
        .select_related("nominal", "associate", "intel_item", "originating_agency")
        .order_by("role", "id")
    )


def memberships_of(
    *, actor: Actor, nominal: Nominal | None = None, associate: Associate | None = None
) -> QuerySet[Membership]:
    memberships = access.visible(actor, "membership", Membership.objects.all())
    if nominal is not None:
        memberships = memberships.filter(nominal=nominal)
    if associate is not None:
        memberships = memberships.filter(associate=associate)
    return memberships.select_related("group", "intel_item")


def associations_of(*, actor: Actor, key: NodeKey) -> QuerySet[Association]:
    """The visible associations with `key` at either end."""
    return access.visible(actor, "association", Association.objects.filter(_touching([key]))).select_related(
        "intel_item", "establishment", "originating_agency"
    )


# --- graphs -----------------------------------------------------------------------------------------------


def _end_key(row: Association, end: str) -> NodeKey:
    for kind in (NodeKind.NOMINAL, NodeKind.ASSOCIATE, NodeKind.GROUP):
        pk = getattr(row, f"{end}_{kind}_id")
        if pk is not None:
            return str(kind), int(pk)
    raise ValueError(f"association {row.pk} has no {end} end")  # the check constraints forbid it


def _ids(keys: Iterable[NodeKey], kind: str) -> list[int]:
    return sorted(pk for k, pk in keys if k == kind)


def _touching(keys: Iterable[NodeKey]) -> Q:
    keys = list(keys)
    q = Q(pk__in=[])
    for kind in (NodeKind.NOMINAL, NodeKind.ASSOCIATE, NodeKind.GROUP):
        ids = _ids(keys, kind)
        if ids:
            q |= Q(**{f"a_{kind}__in": ids}) | Q(**{f"b_{kind}__in": ids})
    return q


def _in_force(filters: NetworkFilters) -> Q:
    """The filters on a link's period, source grade and agency (for associations and memberships alike)."""
    q = Q()
    if filters.on is not None:
        on = filters.on
        q &= (Q(started_on__isnull=True) | Q(started_on__lte=on)) & (
            Q(ended_on__isnull=True) | Q(ended_on__gte=on)
        )
    if filters.source_grade:
        q &= Q(intel_item__isnull=True) | Q(intel_item__source_evaluation__lte=filters.source_grade)
    if filters.agency_id is not None:
        q &= Q(originating_agency_id=filters.agency_id)
    return q


def _association_links(rows: Iterable[Association]) -> list[Link]:
    return [
        Link(
            "association",
            row.pk,
            _end_key(row, "a"),
            _end_key(row, "b"),
            row.association_type,
            in_custody=row.association_type in CUSTODY_TYPES,
        )
        for row in rows
    ]


def _membership_links(rows: Iterable[Membership]) -> list[Link]:
    links = []
    for row in rows:
        person: NodeKey = (
            (str(NodeKind.NOMINAL), int(row.nominal_id))
            if row.nominal_id is not None
            else (str(NodeKind.ASSOCIATE), int(row.associate_id or 0))
        )
        links.append(Link("membership", row.pk, person, (str(NodeKind.GROUP), row.group_id), MEMBER))
    return links


def links_touching(*, actor: Actor, keys: Iterable[NodeKey], filters: NetworkFilters) -> list[Link]:
    """Every visible link (association or membership) with an end in `keys`, as the filters allow."""
    keys = list(keys)
    links: list[Link] = []
    wants = filters.types
    if not wants or wants - {MEMBER}:
        rows = access.visible(actor, "association", Association.objects.filter(_touching(keys)))
        rows = rows.filter(_in_force(filters))
        if wants - {MEMBER}:
            rows = rows.filter(association_type__in=sorted(wants - {MEMBER}))
        links += _association_links(rows.only(*_END_FIELDS, "association_type"))
    if not wants or MEMBER in wants:
        person = Q(nominal__in=_ids(keys, NodeKind.NOMINAL)) | Q(associate__in=_ids(keys, NodeKind.ASSOCIATE))
        member_rows = access.visible(
            actor, "membership", Membership.objects.filter(person | Q(group__in=_ids(keys, NodeKind.GROUP)))
        ).filter(_in_force(filters))
        links += _membership_links(member_rows.only("nominal_id", "associate_id", "group_id"))
    return sorted(set(links), key=lambda link: (link.record, link.record_id))


_END_FIELDS = [f"{end}_{kind}_id" for end in "ab" for kind in ("nominal", "associate", "group")]


def ego_network(
    *, actor: Actor, centre: NodeKey, hops: int = 1, filters: NetworkFilters | None = None
) -> Graph:
    """The network the actor may see around `centre`, out to `hops` links (1 to 3), breadth first: every
    hop asks the scoped tables only about the nodes reached so far."""
    filters = filters or NetworkFilters()
    hops = max(1, min(MAX_HOPS, hops))
    seen: set[NodeKey] = {centre}
    frontier: set[NodeKey] = {centre}
    collected: dict[tuple[str, int], Link] = {}
    for _ in range(hops):
        if not frontier:
            break
        reached: set[NodeKey] = set()
        for link in links_touching(actor=actor, keys=frontier, filters=filters):
            collected[(link.record, link.record_id)] = link
            reached |= {link.a, link.b}
        frontier = reached - seen
        seen |= reached
    # Links between nodes of the last ring are part of the picture too (the analyst sees who else knows whom).
    if frontier:
        for link in links_touching(actor=actor, keys=frontier, filters=filters):
            if link.a in seen and link.b in seen:
                collected[(link.record, link.record_id)] = link
    return Graph(sorted(collected.values(), key=lambda k: (k.record, k.record_id)), nodes=[centre])


def network_graph(*, actor: Actor, filters: NetworkFilters | None = None) -> Graph:
    """Every link the actor may see, for whole-graph figures (brokers, key players, parts)."""
    filters = filters or NetworkFilters()
    wants = filters.types
    links: list[Link] = []
    if not wants or wants - {MEMBER}:
        rows = access.visible(actor, "association", Association.objects.filter(_in_force(filters)))
        if wants - {MEMBER}:
            rows = rows.filter(association_type__in=sorted(wants - {MEMBER}))
        links += _association_links(rows.only(*_END_FIELDS, "association_type"))
    if not wants or MEMBER in wants:
        members = access.visible(actor, "membership", Membership.objects.filter(_in_force(filters)))
        links += _membership_links(members.only("nominal_id", "associate_id", "group_id"))
    return Graph(sorted(links, key=lambda k: (k.record, k.record_id)))


def group_network(
    *, actor: Actor, group: OrganisedCrimeGroup, filters: NetworkFilters | None = None
) -> Graph:
    """The group, its visible members and the visible links among them and to other groups."""
    return ego_network(actor=actor, centre=(str(NodeKind.GROUP), group.pk), hops=2, filters=filters)


def describe(*, actor: Actor, keys: Iterable[NodeKey]) -> dict[NodeKey, Node]:
    """Labels and links for the nodes of a graph, each read through its own scope (so a node the actor may
    not see could never be named, even if a caller passed its key)."""
    keys = list(keys)
    found: dict[NodeKey, Node] = {}
    nominals = access.visible(actor, "nominal", Nominal.objects.filter(pk__in=_ids(keys, NodeKind.NOMINAL)))
    soon = timezone.localdate() + timedelta(days=183)
    for n in nominals.only("given_names", "family_name", "custody_status", "expected_release_date"):
        inside = n.custody_status in (CustodyStatus.REMAND, CustodyStatus.SENTENCED)
        found[(str(NodeKind.NOMINAL), n.pk)] = Node(
            (str(NodeKind.NOMINAL), n.pk),
            f"{n.family_name.upper()}, {n.given_names}",
            n.reference,
            reverse("network:person", args=[n.pk]),
            in_custody=inside,
            release_due=n.expected_release_date
            if inside and n.expected_release_date is not None and n.expected_release_date <= soon
            else None,
        )
    associates = access.visible(
        actor, "associate", Associate.objects.filter(pk__in=_ids(keys, NodeKind.ASSOCIATE))
    )
    for a in associates:
        found[(str(NodeKind.ASSOCIATE), a.pk)] = Node(
            (str(NodeKind.ASSOCIATE), a.pk),
            a.display_name,
            a.reference,
            reverse("network:associate", args=[a.pk]),
        )
    groups = access.visible(
        actor, "ocg", OrganisedCrimeGroup.objects.filter(pk__in=_ids(keys, NodeKind.GROUP))
    )
    for g in groups:
        found[(str(NodeKind.GROUP), g.pk)] = Node(
            (str(NodeKind.GROUP), g.pk), g.name, g.reference, reverse("network:group", args=[g.pk])
        )
    return found


def link_labels() -> list[tuple[str, str]]:
    """What each kind of link is called on pages and in exports."""
    return [*AssociationType.choices, (MEMBER, "Member of the group")]


def nominal_ids(keys: Iterable[NodeKey]) -> list[int]:
    """The people (nominals) among graph nodes: the subjects of the audit entry for showing it."""
    return _ids(keys, NodeKind.NOMINAL)


# --- the path finder ------------------------------------------------------------------------------------

REFERENCE_PREFIXES = {"OCG": NodeKind.GROUP, "MH": NodeKind.NOMINAL, "AS": NodeKind.ASSOCIATE}


def parse_reference(text: str) -> NodeKey | None:
    """A node key from a reference as pages show it (MH0000042, OCG000007, AS0000003), or None."""
    raw = text.strip().upper()
    for prefix, kind in REFERENCE_PREFIXES.items():
        if raw.startswith(prefix) and raw[len(prefix) :].isdigit():
            number = int(raw[len(prefix) :])
            return (str(kind), number) if 0 < number < 2**63 else None
    return None


@dataclass(frozen=True)
class Interest:
    """Another hub holds network records on a person the actor named but may not see: whom to contact,
    never the content (the deconfliction message of docs/access-model.md)."""

    hub_name: str
    contact_name: str
    contact_email: str
    nominal_id: int  # for the audit record; never shown


def hidden_interest(*, actor: Actor, key: NodeKey) -> Interest | None:
    """For a nominal the actor may not see on whom network records exist (a membership or an association),
    the owner hub to contact. A missing id and a person without network records give None alike."""
    if key[0] != NodeKind.NOMINAL:
        return None
    visible = access.visible(actor, "nominal", Nominal.objects.filter(pk=key[1])).exists()
    if visible:
        return None
    person = Nominal.objects.filter(pk=key[1]).select_related("owner_hub").first()
    if person is None:
        return None
    held = (
        Membership.objects.filter(nominal_id=person.pk).exists()
        or Association.objects.filter(Q(a_nominal_id=person.pk) | Q(b_nominal_id=person.pk)).exists()
    )
    if not held:
        return None
    hub = person.owner_hub
    return Interest(hub.name, hub.contact_name, hub.contact_email, person.pk)


def access_end_by_key(*, actor: Actor, key: NodeKey) -> Nominal | Associate | OrganisedCrimeGroup:
    """The person or group a key names, through its own scope (NotFoundOrForbidden for missing and hidden)."""
    kind, pk = key
    if kind == NodeKind.NOMINAL:
        return access.fetch(actor, "nominal", Nominal.objects.all(), pk)
    if kind == NodeKind.ASSOCIATE:
        return access.fetch(actor, "associate", Associate.objects.all(), pk)
    return access.fetch(actor, "ocg", OrganisedCrimeGroup.objects.all(), pk)


def agency_choices() -> QuerySet[Agency]:
    """Agencies, for filtering links by who recorded them (reference data, not protected)."""
    return Agency.objects.order_by("name")


def hub_choices() -> QuerySet[Hub]:
    """The regional hubs, for slicing lists (reference data, not protected)."""
    return Hub.objects.filter(is_national=False).order_by("name")


# --- saved link charts ----------------------------------------------------------------------------------


def chart_list(*, actor: Actor) -> QuerySet[LinkChart]:
    """The charts the actor may open: their own and those shared with them."""
    return (
        access.visible(actor, "link_chart", LinkChart.objects.all())
        .select_related("author")
        .annotate(item_count=Count("items", distinct=True))
    )


def access_chart_by_id(*, actor: Actor, chart_id: int) -> LinkChart:
    return access.fetch(actor, "link_chart", LinkChart.objects.select_related("author"), chart_id)


def chart_keys(*, chart: LinkChart) -> list[NodeKey]:
    """Every item on a chart the caller already fetched through the façade (visible or not)."""
    return [(kind, int(pk)) for kind, pk in chart.items.order_by("id").values_list("kind", "object_id")]


@dataclass(frozen=True)
class ChartView:
    graph: Graph  # the visible items and the visible links among them
    withheld: bool  # some item, or some link among the items, is not one the viewer may see


def chart_view(*, actor: Actor, chart: LinkChart) -> ChartView:
    """What this viewer sees of a chart: its items they may see, the visible links among those, and
    whether anything was withheld (never what: the flag is all that leaves this function)."""
    keys = chart_keys(chart=chart)
    shown = set(describe(actor=actor, keys=keys))
    links = [
        link
        for link in links_touching(actor=actor, keys=shown, filters=NetworkFilters())
        if link.a in shown and link.b in shown
    ]
    withheld = len(shown) < len(keys) or _links_among_count(set(keys)) > len(links)
    return ChartView(Graph(links, nodes=[k for k in keys if k in shown]), withheld)


def _links_among_count(keys: set[NodeKey]) -> int:
    """How many links of any access join two items of a chart (only compared with the visible count)."""
    rows = Association.objects.filter(_touching(keys)).only(*_END_FIELDS)
    count = sum(1 for row in rows if _end_key(row, "a") in keys and _end_key(row, "b") in keys)
    members = Membership.objects.filter(group__in=_ids(keys, NodeKind.GROUP)).only(
        "nominal_id", "associate_id", "group_id"
    )
    return count + sum(1 for link in _membership_links(members) if link.a in keys)


@dataclass(frozen=True)
class Suggestion:
    node: Node
    links: int  # visible links to items on the chart


def chart_suggestions(*, actor: Actor, graph: Graph, limit: int = 10) -> list[Suggestion]:
    """People and groups not on the chart, linked (visibly) to what is on it, best linked first."""
    on_chart = set(graph.nodes)
    counts: dict[NodeKey, int] = {}
    for link in links_touching(actor=actor, keys=on_chart, filters=NetworkFilters()):
        for end in (link.a, link.b):
            if end not in on_chart:
                counts[end] = counts.get(end, 0) + 1
    nodes = describe(actor=actor, keys=counts)
    ranked = sorted(nodes, key=lambda k: (-counts[k], nodes[k].label))
    return [Suggestion(nodes[k], counts[k]) for k in ranked[:limit]]
