"""Rules for networks, registered with the access façade. Deny by default.

1. Every network record (group, associate, membership, association) is seen, within clearance, by its
   *owner side* (staff of its owner hub, users of its originating or lead agency, the national team and
   national analysts) and by a partner officer only while an agreement in force covers it: the partner
   and the owning side are parties and it covers the record's purpose, the "associates and networks"
   category of data and its classification.
2. A link (membership or association) is seen only if, besides rule 1, the actor may see **both ends**
   (each through its own resource: "nominal", "associate", "ocg") **and its weakest source**: a link from
   an intelligence item only by those who may see that item ("intel_item"), a custody link by a partner
   only under an agreement that also covers custody data. So a link never has more access than any of
   the records it rests on.
3. Every graph, metric and path is computed on the links the actor may see (network/graph.py is given
   only rows of these scopes), so a degree or a path length never reveals a hidden link.
4. A saved link chart is opened by its author and by those it is shared with, within clearance of its
   classification; what each of them sees on it is decided item by item by rules 1 and 2.
"""

from datetime import date
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from marsoc.core import access
from marsoc.core.access import NOTHING, Facts
from marsoc.intelligence.models import IntelItem
from marsoc.nominals.models import Nominal
from marsoc.sharing.agreements import agreement_allows
from marsoc.sharing.vocabulary import DataCategory

from .models import Associate, ChartShare, LinkChart, OrganisedCrimeGroup
from .vocabulary import SourceKind


def _agreement_covers(f: Facts, category: str, today: date | None) -> Q:
    """An agreement in force lets the record's owning side share it with the actor's agency."""
    assert f.agency_id is not None
    return Q(
        agreement_allows(
            partner_agency_id=f.agency_id,
            purpose=OuterRef("purpose"),
            category=category,
            classification=OuterRef("classification"),
            owner_hub=OuterRef("owner_hub_id"),
            today=today,
        )
    )


def _owned_reach(f: Facts, today: date | None) -> Q:
    """Rule 1, for any model with the `Owned` fields."""
    if f.sees_every_hub:
        return Q()
    reach = NOTHING
    if f.hub_staff and f.hub_id is not None:
        reach |= Q(owner_hub_id=f.hub_id)
    if f.agency_id is not None:
        reach |= Q(originating_agency_id=f.agency_id)
        if f.partner:
            reach |= _agreement_covers(f, DataCategory.ASSOCIATES, today)
    return reach


def _visible_ids(f: Facts, name: str, model: type[Model], today: date | None) -> QuerySet[Any, Any]:
    """The ids of `model` the actor may see, as a subquery (every resource used here takes `today`)."""
    return model._default_manager.filter(access.scope_of(f, name, today=today)).values("pk")


def _visible_row(f: Facts, name: str, model: type[Model], column: str, today: date | None) -> Q:
    """The row of `model` whose id is in this row's `column` is visible, asked of that one row (an
    EXISTS on its primary key): for scopes read a few rows at a time, where an `IN (every visible id)`
    would have the database list every visible row first, once per query."""
    rows = model._default_manager.filter(pk=OuterRef(column)).filter(access.scope_of(f, name, today=today))
    return Q(Exists(rows))


def _visible_end(f: Facts, field: str, name: str, model: type[Model], today: date | None, per_row: bool) -> Q:
    """The record the foreign key `field` points to is visible (NULL: never)."""
    if per_row:
        return Q(**{f"{field}__isnull": False}) & _visible_row(f, name, model, f"{field}_id", today)
    return Q(**{f"{field}__in": _visible_ids(f, name, model, today)})


def _end_q(f: Facts, prefix: str, today: date | None, per_row: bool = False) -> Q:
    """The end reached through `prefix` (its nominal, associate or group: exactly one is set) is visible."""
    return (
        _visible_end(f, f"{prefix}nominal", "nominal", Nominal, today, per_row)
        | _visible_end(f, f"{prefix}associate", "associate", Associate, today, per_row)
        | _visible_end(f, f"{prefix}group", "ocg", OrganisedCrimeGroup, today, per_row)
    )


def _source_q(f: Facts, today: date | None, per_row: bool = False) -> Q:
    """The link's weakest source is visible (rule 2)."""
    item = Q(intel_item__isnull=True) | _visible_end(f, "intel_item", "intel_item", IntelItem, today, per_row)
    if f.sees_every_hub or f.hub_staff:
        custody = Q()
    elif f.agency_id is not None:
        custody = ~Q(source_kind=SourceKind.CUSTODY) | _agreement_covers(f, DataCategory.CUSTODY, today)
    else:
        custody = ~Q(source_kind=SourceKind.CUSTODY)
    return item & custody


@access.resource("ocg")
def group_reach(f: Facts, *, today: date | None = None) -> Q:
    """Organised crime groups: the owner side, or a partner under an agreement covering networks."""
    return _owned_reach(f, today)


@access.resource("associate")
def associate_reach(f: Facts, *, today: date | None = None) -> Q:
    """Associates who are not nominals: as groups (they are recorded as part of a network)."""
    return _owned_reach(f, today)


# `per_row=True` gives the same rows, with each end (and source) checked row by row (EXISTS on its primary
# key) instead of against the list of every visible id: for the searches that read a few links at a time
# (ego networks, the path finder); the whole-graph read keeps the lists (tests/network prove them equal).


@access.resource("membership")
def membership_reach(f: Facts, *, today: date | None = None, per_row: bool = False) -> Q:
    """A membership: the record itself, its group, its person and its source are all visible."""
    person = _visible_end(f, "nominal", "nominal", Nominal, today, per_row) | _visible_end(
        f, "associate", "associate", Associate, today, per_row
    )
    group = _visible_end(f, "group", "ocg", OrganisedCrimeGroup, today, per_row)
    return _owned_reach(f, today) & group & person & _source_q(f, today, per_row)


@access.resource("association")
def association_reach(f: Facts, *, today: date | None = None, per_row: bool = False) -> Q:
    """An association: the record itself, both its ends and its source are all visible."""
    ends = _end_q(f, "a_", today, per_row) & _end_q(f, "b_", today, per_row)
    return _owned_reach(f, today) & ends & _source_q(f, today, per_row)


@access.rule("network.view")
def sees_networks(f: Facts) -> bool:
    """Case roles see networks (of what their scopes allow)."""
    return f.case_user


@access.rule("network.record")
def can_record_network(f: Facts) -> bool:
    """Hub managers and officers record groups, associates and links for their hub."""
    return f.case_writer and f.hub_id is not None


@access.rule("network.record_for_hub")
def can_record_for_hub(f: Facts, hub_id: int | None) -> bool:
    return can_record_network(f) and f.writes_for(hub_id)


@access.rule("ocg.edit")
def can_edit_group(f: Facts, group: OrganisedCrimeGroup) -> bool:
    """The owner hub's managers and officers (and the national team's) change a group's record."""
    return f.writes_for(group.owner_hub_id)


@access.rule("network.classify")
def can_classify(f: Facts, classification: str) -> bool:
    """Nothing is marked above its author's clearance (they could not read it back)."""
    return f.cleared_for(classification)


@access.rule("ocg.priority")
def sees_group_priority(f: Facts) -> bool:
    """The group priority list: hub staff and national analysts (as the individual one)."""
    return f.hub_staff or f.national_analyst


@access.rule("ocg.method_dry_run")
def can_dry_run_group_method(f: Facts) -> bool:
    """Trying a candidate group method is national work, as for the individual method."""
    return f.national_analyst or f.national_manager


@access.resource("link_chart")
def chart_reach(f: Facts, *, today: date | None = None) -> Q:
    """Saved link charts: the author's and those shared with the actor (rule 4; clearance is the
    façade's, on the chart's classification)."""
    if not f.case_user or f.actor_id is None:
        return NOTHING
    shared = ChartShare.objects.filter(user_id=f.actor_id).values("chart_id")
    return Q(author_id=f.actor_id) | Q(pk__in=shared)


@access.rule("link_chart.change")
def can_change_chart(f: Facts, chart: LinkChart) -> bool:
    """Only the author changes or shares a chart; those it is shared with open it."""
    return f.case_user and chart.author_id == f.actor_id


@access.rule("link_chart.receive")
def may_receive_chart(f: Facts) -> bool:
    """A chart is shared only with someone who works with networks (they may open it at all)."""
    return f.case_user
