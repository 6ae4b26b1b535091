"""Saved link charts: create, change (add or remove items, layout), share, and the records of opening,
listing and exporting them. Every item put on a chart must be one the actor may see (a hidden one is
refused exactly like a missing one)."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed, refused_in_context

from ..graph import Graph, NodeKey, key_label
from ..models import ChartItem, ChartShare, LinkChart
from ..selectors import describe, nominal_ids
from ..vocabulary import ChartLayout
from . import _classification_problem, _text_problem

MAX_ITEMS = 200  # a chart an analyst can still read


def _unseen(actor: User, keys: Iterable[NodeKey]) -> list[NodeKey]:
    keys = list(keys)
    seen = describe(actor=actor, keys=keys)
    return [k for k in keys if k not in seen]


def _require_author(actor: User, chart: LinkChart) -> LinkChart:
    locked = LinkChart.objects.select_for_update().filter(pk=chart.pk).first()
    if locked is None or not access.is_visible(actor, "link_chart", locked):
        raise NotFoundOrForbidden("link chart")
    if not access.may(actor, "link_chart.change", locked):
        raise PermissionDenied("Only the chart's author changes or shares it")
    return locked


@transaction.atomic
def chart_create(
    *, actor: User, name: str, classification: str, keys: Sequence[NodeKey], layout: str = ChartLayout.FORCE
) -> LinkChart:
    """A named, classified chart of the people and groups given (each one the actor may see)."""
    access.require(actor, "network.view", hide=False)
    errors: dict[str, str] = {}
    if problem := _text_problem(name, "chart's name", required=True, limit=120):
        errors["name"] = problem
    if problem := _classification_problem(actor, classification):
        errors["classification"] = problem
    if layout not in ChartLayout.values:
        errors["layout"] = "Select how the chart is laid out"
    unique = list(dict.fromkeys(keys))
    if not unique:
        errors["chosen"] = "Choose at least one person or group for the chart"
    elif len(unique) > MAX_ITEMS:
        errors["chosen"] = f"A chart holds up to {MAX_ITEMS} people and groups (you chose {len(unique)})"
    elif _unseen(actor, unique):
        errors["chosen"] = refused_in_context("A person or group you chose is not one you may see")
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    chart = LinkChart.objects.create(
        name=name.strip(),
        author=actor,
        owner_hub_id=actor.hub_id,
        classification=classification,
        layout=layout,
        created_at=now,
        changed_at=now,
    )
    ChartItem.objects.bulk_create(
        [ChartItem(chart=chart, kind=k, object_id=pk, added_by=actor, added_at=now) for k, pk in unique]
    )
    audit_about(
        actor,
        AuditAction.CHART_CREATE,
        chart,
        details={"name": chart.name, "items": len(unique), "classification": classification},
        subject_ids=nominal_ids(unique),
    )
    return chart


@transaction.atomic
def chart_add(*, actor: User, chart: LinkChart, key: NodeKey) -> LinkChart:
    locked = _require_author(actor, chart)
    if _unseen(actor, [key]):
        raise ValidationFailed(
            {"reference": refused_in_context("No person or group you may see has that reference")}
        )
    if locked.items.filter(kind=key[0], object_id=key[1]).exists():
        raise ValidationFailed(
            {"reference": refused_in_context("That person or group is already on the chart")}
        )
    if locked.items.count() >= MAX_ITEMS:
        raise ValidationFailed(
            {"reference": refused_in_context(f"A chart holds up to {MAX_ITEMS} people and groups")}
        )
    now = timezone.now()
    ChartItem.objects.create(chart=locked, kind=key[0], object_id=key[1], added_by=actor, added_at=now)
    return _changed(actor, locked, {"added": key_label(key)}, nominal_ids([key]), now)


@transaction.atomic
def chart_remove(*, actor: User, chart: LinkChart, key: NodeKey) -> LinkChart:
    locked = _require_author(actor, chart)
    removed, _ = locked.items.filter(kind=key[0], object_id=key[1]).delete()
    if not removed:
        raise ValidationFailed({"item": refused_in_context("That person or group is not on the chart")})
    return _changed(actor, locked, {"removed": key_label(key)}, nominal_ids([key]), timezone.now())


@transaction.atomic
def chart_layout(*, actor: User, chart: LinkChart, layout: str) -> LinkChart:
    locked = _require_author(actor, chart)
    if layout not in ChartLayout.values:
        raise ValidationFailed({"layout": "Select how the chart is laid out"})
    locked.layout = layout
    return _changed(actor, locked, {"layout": layout}, [], timezone.now())


def _changed(
    actor: User, chart: LinkChart, details: dict[str, str], subjects: Iterable[int], now: datetime
) -> LinkChart:
    chart.changed_at = now
    chart.save(update_fields=["changed_at", "layout"])
    audit_about(actor, AuditAction.CHART_CHANGE, chart, details=details, subject_ids=subjects)
    return chart


@transaction.atomic
def chart_share(*, actor: User, chart: LinkChart, username: str) -> ChartShare:
    """Share with a colleague by username. They will see only what their own access allows on it."""
    locked = _require_author(actor, chart)
    wanted = username.strip()
    colleague = User.objects.filter(username=wanted, is_active=True).first() if wanted else None
    if colleague is None or not access.may(colleague, "link_chart.receive"):
        raise ValidationFailed(
            {"username": refused_in_context("Enter the username of a colleague who works with networks")}
        )
    if colleague.pk == actor.pk:
        raise ValidationFailed(
            {"username": refused_in_context("The chart is yours already: enter a colleague's username")}
        )
    if not access.may(colleague, "network.classify", locked.classification):
        raise ValidationFailed(
            {
                "username": refused_in_context(
                    f"{colleague.display_label} is not cleared to read a chart marked {locked.classification}"
                )
            }
        )
    share, created = ChartShare.objects.get_or_create(
        chart=locked, user=colleague, defaults={"shared_by": actor, "shared_at": timezone.now()}
    )
    if not created:
        raise ValidationFailed(
            {"username": refused_in_context(f"The chart is already shared with {colleague.display_label}")}
        )
    audit_about(
        actor,
        AuditAction.CHART_SHARE,
        locked,
        recipients=[colleague.display_label],
        details={"name": locked.name},
    )
    return share


@transaction.atomic
def chart_rename(*, actor: User, chart: LinkChart, name: str) -> LinkChart:
    locked = _require_author(actor, chart)
    if problem := _text_problem(name, "chart's name", required=True, limit=120):
        raise ValidationFailed({"name": problem})
    locked.name = name.strip()
    locked.save(update_fields=["name"])
    return _changed(actor, locked, {"name": locked.name}, [], timezone.now())


@dataclass(frozen=True)
class ChartChange:
    """Several changes to a chart at once (the API's), made all together or not at all."""

    name: str | None = None
    layout: str | None = None
    add: Sequence[NodeKey] = ()
    remove: Sequence[NodeKey] = ()
    share_with: Sequence[str] = ()


def _step(field: str, index: int | None, step: Callable[[], object]) -> None:
    """Run one change; a refusal is reported under the field (and position) of the request."""
    try:
        step()
    except ValidationFailed as exc:
        where = field if index is None else f"{field}.{index}"
        raise ValidationFailed({where: [m for ms in exc.errors.values() for m in ms]}) from exc


@transaction.atomic
def chart_update(*, actor: User, chart: LinkChart, change: ChartChange) -> LinkChart:
    """Rename, lay out, add and remove items and share, in one transaction: the first refusal undoes the
    lot (each change already made, and its audit record, is rolled back). Only the author changes it."""
    locked = _require_author(actor, chart)
    if change.name is not None:
        _step("name", None, partial(chart_rename, actor=actor, chart=locked, name=change.name))
    if change.layout is not None:
        _step("layout", None, partial(chart_layout, actor=actor, chart=locked, layout=change.layout))
    for i, key in enumerate(change.add):
        _step("add", i, partial(chart_add, actor=actor, chart=locked, key=key))
    for i, key in enumerate(change.remove):
        _step("remove", i, partial(chart_remove, actor=actor, chart=locked, key=key))
    for i, username in enumerate(change.share_with):
        _step("share_with", i, partial(chart_share, actor=actor, chart=locked, username=username))
    locked.refresh_from_db()
    return locked


def chart_consult(
    *, actor: User, chart: LinkChart, graph: Graph, withheld: bool, surface: str = "page"
) -> None:
    """Opening a chart: what the viewer was shown (the people on it as subjects), and whether something
    was withheld from them (recorded; they were told only that)."""
    audit_about(
        actor,
        AuditAction.CHART_VIEW,
        chart,
        justification="Link chart",
        details={
            "nodes": len(graph.nodes),
            "links": len(graph.links),
            "withheld": withheld,
            "surface": surface,
        },
        subject_ids=nominal_ids(graph.nodes),
    )


def chart_list_consult(*, actor: User, chart_ids: Iterable[int], surface: str = "page") -> None:
    audit_record(
        actor=actor, action=AuditAction.CHART_LIST, details={"shown": sorted(chart_ids), "surface": surface}
    )
