"""Reads of networks, already scoped by the façade. Every graph is built here from rows of the
"association" and "membership" scopes only, then analysed in network/graph.py."""

import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub
from marsoc.core import access, prepared
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
        for link in _association_values(rows.filter(ended_on__gte=since)):
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


_END_FIELDS = [f"{end}_{kind}_id" for end in "ab" for kind in ("nominal", "associate", "group")]
_KINDS = (str(NodeKind.NOMINAL), str(NodeKind.ASSOCIATE), str(NodeKind.GROUP))


def _association_values(rows: QuerySet[Association]) -> list[Link]:
    """Links from association rows read as plain values (no model instances: a network can be large)."""
    links = []
    for pk, an, aa, ag, bn, ba, bg, kind in rows.values_list("pk", *_END_FIELDS, "association_type"):
        a = next((k, int(i)) for k, i in zip(_KINDS, (an, aa, ag), strict=True) if i is not None)
        b = next((k, int(i)) for k, i in zip(_KINDS, (bn, ba, bg), strict=True) if i is not None)
        links.append(Link("association", pk, a, b, kind, in_custody=kind in CUSTODY_TYPES))
    return links


def _membership_values(rows: QuerySet[Membership]) -> list[Link]:
    links = []
    for pk, nominal_id, associate_id, group_id in rows.values_list(
        "pk", "nominal_id", "associate_id", "group_id"
    ):
        person: NodeKey = (
            (str(NodeKind.NOMINAL), int(nominal_id))
            if nominal_id is not None
            else (str(NodeKind.ASSOCIATE), int(associate_id or 0))
        )
        links.append(Link("membership", pk, person, (str(NodeKind.GROUP), int(group_id)), MEMBER))
    return links


Scoped = tuple[str, tuple[Any, ...]]  # a scoped table as SQL and its parameters


@functools.lru_cache(maxsize=512)
def _scoped_sql(
    facts: access.Facts, today: date, filters: NetworkFilters, per_row: bool, vendor: str
) -> tuple[Scoped | None, Scoped | None]:
    """The two scoped tables as SQL (None for one the type filter leaves out), compiled once per process
    for each set of the actor's facts, day, filters and kind of check: building them is tens of
    milliseconds of Python. The cache is safe because a scope is a function of exactly these (the
    façade's rules are written on `Facts` and `today`, and return filters the database evaluates when
    the query runs: a changed agreement, restriction or record counts at once)."""
    wants = filters.types
    associations = memberships = None
    if not wants or wants - {MEMBER}:
        scope = access.scope_of(facts, "association", today=today, per_row=per_row)
        rows = Association.objects.filter(scope).filter(_in_force(filters))
        if wants - {MEMBER}:
            rows = rows.filter(association_type__in=sorted(wants - {MEMBER}))
        associations = (
            rows.order_by().values_list("pk", *_END_FIELDS, "association_type").query.sql_with_params()
        )
    if not wants or MEMBER in wants:
        scope = access.scope_of(facts, "membership", today=today, per_row=per_row)
        members = Membership.objects.filter(scope).filter(_in_force(filters))
        query = members.order_by().values_list("pk", "nominal_id", "associate_id", "group_id").query
        memberships = query.sql_with_params()
    return associations, memberships


class ScopedLinks:
    """The links one actor may see under the filters, as the two scoped tables ("association",
    "membership"), for searches that ask about a few nodes many times (the ego network's hops, the path
    finder's levels). The scope is built and compiled to SQL once by the façade (`access.visible`) and
    every question is that same SQL with one more condition on the ends, in one query per table and
    level, the ids passed as one array (PostgreSQL) or one JSON list (SQLite): exactly the rows the
    façade allows, without rebuilding a large filter per query."""

    def __init__(self, actor: Actor, filters: NetworkFilters | None = None, *, per_row: bool = True) -> None:
        """`per_row` (for the searches, which read a few links per question): the scope checks each end
        of the rows asked for on its own (EXISTS on the end's primary key). Without it (for reading the
        whole graph) each end is checked against the list of every visible id, which the database then
        builds once for the whole table. The same rows either way (tests/network)."""
        self.associations, self.memberships = _scoped_sql(
            access.facts(actor), timezone.localdate(), filters or NetworkFilters(), per_row, connection.vendor
        )
        self.postgres = connection.vendor == "postgresql"
        self.per_row = per_row

    def _any(self, column: str, ids: list[int], params: list[Any]) -> str:
        params.append(ids if self.postgres else json.dumps(ids))
        if self.postgres:
            return f"visible.{column} = ANY(%s::bigint[])"
        return f"visible.{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (a column name of ours)

    def _ends(self, columns: dict[str, str], keys: list[NodeKey], params: list[Any]) -> str:
        """SQL: one of the `columns` (by node kind) holds one of `keys`."""
        terms = [
            self._any(column, ids, params) for kind, column in columns.items() if (ids := _ids(keys, kind))
        ]
        return "(" + " OR ".join(terms) + ")" if terms else "(1 = 0)"

    def _read(
        self, scoped: tuple[str, tuple[Any, ...]], where: str, params: list[Any]
    ) -> list[tuple[Any, ...]]:
        sql, scope_params = scoped
        query = f"SELECT * FROM ({sql}) visible WHERE {where}"  # noqa: S608
        if self.per_row:
            # The searches ask the same query of a few ids many times: planned once per connection.
            return prepared.rows(query, [*scope_params, *params])
        with connection.cursor() as cursor:
            cursor.execute(query, [*scope_params, *params])
            return list(cursor.fetchall())

    def _links(
        self, association_where: Callable[[list[Any]], str], member_where: Callable[[list[Any]], str]
    ) -> list[Link]:
        links: list[Link] = []
        associations, memberships = self.associations, self.memberships
        if associations is not None:
            params: list[Any] = []
            where = association_where(params)
            for pk, an, aa, ag, bn, ba, bg, kind in self._read(associations, where, params):
                a = next((k, int(i)) for k, i in zip(_KINDS, (an, aa, ag), strict=True) if i is not None)
                b = next((k, int(i)) for k, i in zip(_KINDS, (bn, ba, bg), strict=True) if i is not None)
                links.append(Link("association", int(pk), a, b, kind, in_custody=kind in CUSTODY_TYPES))
        if memberships is not None:
            params = []
            where = member_where(params)
            for pk, nominal_id, associate_id, group_id in self._read(memberships, where, params):
                person: NodeKey = (
                    (str(NodeKind.NOMINAL), int(nominal_id))
                    if nominal_id is not None
                    else (str(NodeKind.ASSOCIATE), int(associate_id))
                )
                links.append(
                    Link("membership", int(pk), person, (str(NodeKind.GROUP), int(group_id)), MEMBER)
                )
        return sorted(set(links), key=lambda link: (link.record, link.record_id))

    def every(self) -> list[Link]:
        """Every visible link (for whole-graph figures; best built with per_row=False)."""
        return self._links(lambda _p: "(1 = 1)", lambda _p: "(1 = 1)")

    def touching(self, keys: Iterable[NodeKey]) -> list[Link]:
        """Every visible link with an end in `keys`."""
        keys = list(keys)
        return self._links(
            lambda p: f"({self._ends(_A, keys, p)} OR {self._ends(_B, keys, p)})",
            lambda p: f"({self._ends(_PERSON, keys, p)} OR {self._ends(_GROUP, keys, p)})",
        )

    def among(self, keys: Iterable[NodeKey], others: Iterable[NodeKey]) -> list[Link]:
        """Every visible link with one end in `keys` and the other in `others`."""
        keys, others = list(keys), list(others)
        return self._links(
            lambda p: (
                f"(({self._ends(_A, keys, p)} AND {self._ends(_B, others, p)})"
                f" OR ({self._ends(_B, keys, p)} AND {self._ends(_A, others, p)}))"
            ),
            lambda p: (
                f"(({self._ends(_PERSON, keys, p)} AND {self._ends(_GROUP, others, p)})"
                f" OR ({self._ends(_PERSON, others, p)} AND {self._ends(_GROUP, keys, p)}))"
            ),
        )


_A = {kind: f"a_{kind}_id" for kind in _KINDS}
_B = {kind: f"b_{kind}_id" for kind in _KINDS}
_PERSON = {str(NodeKind.NOMINAL): "nominal_id", str(NodeKind.ASSOCIATE): "associate_id"}
_GROUP = {str(NodeKind.GROUP): "group_id"}


def direct_links(*, actor: Actor, centre: NodeKey) -> Graph:
    """The visible links with `centre` at one end (a person's own links, as on their profile)."""
    return Graph(ScopedLinks(actor).touching([centre]), nodes=[centre])


def links_touching(*, actor: Actor, keys: Iterable[NodeKey], filters: NetworkFilters) -> list[Link]:
    """Every visible link (association or membership) with an end in `keys`, as the filters allow."""
    return ScopedLinks(actor, filters).touching(keys)


def ego_network(
    *, actor: Actor, centre: NodeKey, hops: int = 1, filters: NetworkFilters | None = None
) -> Graph:
    """The network the actor may see around `centre`, out to `hops` links (1 to 3), breadth first: every
    hop asks the scoped tables (one query each) only about the nodes reached so far."""
    scoped = ScopedLinks(actor, filters)
    hops = max(1, min(MAX_HOPS, hops))
    seen: set[NodeKey] = {centre}
    frontier: set[NodeKey] = {centre}
    collected: dict[tuple[str, int], Link] = {}
    for _ in range(hops):
        if not frontier:
            break
        reached: set[NodeKey] = set()
        for link in scoped.touching(frontier):
            collected[(link.record, link.record_id)] = link
            reached |= {link.a, link.b}
        frontier = reached - seen
        seen |= reached
    # Links between nodes of the last ring are part of the picture too (the analyst sees who else knows
    # whom): only those joining the last ring to the nodes already reached are read.
    if frontier:
        for link in scoped.among(frontier, seen):
            collected[(link.record, link.record_id)] = link
    return Graph(sorted(collected.values(), key=lambda k: (k.record, k.record_id)), nodes=[centre])


MAX_ROUTE_LINKS = 12  # the path finder looks for routes of up to this many links


@dataclass(frozen=True)
class Routes:
    paths: list[list[NodeKey]]  # up to k shortest loopless routes, shortest first
    graph: Graph  # the visible links the search read (every link of every route is in it)


def routes_between(
    *, actor: Actor, source: NodeKey, target: NodeKey, k: int = 3, filters: NetworkFilters | None = None
) -> Routes:
    """Up to `k` shortest routes between two nodes through what the actor may see, searched outward from
    both ends at once (breadth first, one level of the smaller side per query of the scoped tables)
    instead of reading the whole visible graph.

    After `rs` levels from the source and `rt` from the target, every visible link of every route of at
    most rs + rt links has been read (a route's i-th link has its near end within rs - 1 of the source or
    its far end within rt - 1 of the target), so the k shortest routes of the links read, kept to that
    length, are the k shortest of the visible graph. The search widens until it has k of them, a side
    runs out (its whole connected part has been read: the routes found are all there are) or the routes
    would pass MAX_ROUTE_LINKS."""
    scoped = ScopedLinks(actor, filters)
    if source == target:
        return Routes([], Graph(nodes=[source]))
    reached = ({source: 0}, {target: 0})
    frontiers: tuple[set[NodeKey], set[NodeKey]] = ({source}, {target})
    levels = [0, 0]
    collected: dict[tuple[str, int], Link] = {}
    while True:
        met = any(key in reached[1] for key in reached[0])
        exhausted = not frontiers[0] or not frontiers[1]
        if met or exhausted or sum(levels) >= MAX_ROUTE_LINKS:
            graph = Graph(sorted(collected.values(), key=lambda x: (x.record, x.record_id)), [source, target])
            found = graph.k_shortest_paths(source, target, k)
            if not exhausted:
                found = [p for p in found if len(p) - 1 <= sum(levels)]
            if exhausted or len(found) >= k or sum(levels) >= MAX_ROUTE_LINKS:
                return Routes(found, graph)
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        level = levels[side] + 1
        nearer: set[NodeKey] = set()
        for link in scoped.touching(frontiers[side]):
            collected[(link.record, link.record_id)] = link
            for end in (link.a, link.b):
                if end not in reached[side]:
                    reached[side][end] = level
                    nearer.add(end)
        levels[side] = level
        frontiers = (nearer, frontiers[1]) if side == 0 else (frontiers[0], nearer)


def network_graph(*, actor: Actor, filters: NetworkFilters | None = None) -> Graph:
    """Every link the actor may see, for whole-graph figures (brokers, key players, parts)."""
    return Graph(ScopedLinks(actor, filters, per_row=False).every())


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
    links = _association_values(Association.objects.filter(_touching(keys)))
    links += _membership_values(Membership.objects.filter(group__in=_ids(keys, NodeKind.GROUP)))
    return sum(1 for link in links if link.a in keys and link.b in keys)


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
