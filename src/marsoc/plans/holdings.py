"""What the plans app holds about a person (plan, versions, objectives, actions, outcomes, orders,
breaches, meeting decisions, alerts), for subject access and erasure (core.subjects)."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from marsoc.core.subjects import (
    HeldRecord,
    held,
    holds,
    not_about_a_person,
    person_paths,
    reviewed,
)
from marsoc.nominals.models import Nominal

from .models import Action, Alert, Decision, Objective, Order, OrderBreach, Outcome, Plan, PlanVersion
from .vocabulary import OrderType

person_paths("plan_action", "plan__nominal")
person_paths("agency_action", "plan__nominal")
person_paths("order", "nominal")
person_paths("meeting_nominal", "pk")
not_about_a_person("meeting", "a hub's meeting (its people are meeting_nominal)")


@holds(
    "disruption plan",
    models=[Plan, PlanVersion, Objective, Action, Outcome, Order, OrderBreach],
)
def plan_records(nominal: Nominal) -> Iterator[HeldRecord]:
    hub = nominal.owner_hub_id
    plan = Plan.objects.filter(nominal=nominal).select_related("owner_agency").first()
    if plan is not None:
        yield held("Plan", plan, exclude=("nominal", "current_version", "agreed_version"))
        for v in plan.versions.order_by("number"):
            yield held("Plan versions", v, exclude=("plan",), reference=f"Plan version {v.number}")
        for o in plan.objectives.order_by("id"):
            yield held("Plan objectives", o, exclude=("plan",))
        for a in plan.actions.select_related("tactic", "agency").order_by("id"):
            yield held("Plan actions", a, exclude=("plan",), agency=a.agency, owner_hub_id=hub)
            for out in a.outcomes.select_related("agency").order_by("id"):
                yield held("Outcomes", out, exclude=("action",), agency=out.agency, owner_hub_id=hub)
    for order in Order.objects.filter(nominal=nominal).order_by("id"):
        yield held("Orders", order, recorded=order.start_date)
        for b in order.breaches.select_related("reported_by__agency").order_by("id"):
            agency = getattr(b.reported_by, "agency", None)
            yield held("Order breaches", b, exclude=("order",), agency=agency, owner_hub_id=hub)


@holds("tasking meetings and alerts", models=[Decision, Alert])
def meeting_records(nominal: Nominal) -> Iterator[HeldRecord]:
    for d in Decision.objects.filter(nominal=nominal).select_related("meeting").order_by("id"):
        yield held("Tasking meeting decisions", d, recorded=d.recorded_at)
    for alert in Alert.objects.filter(nominal=nominal).order_by("id"):
        yield held("Alerts to staff", alert, exclude=("nominal", "user", "url"), recorded=alert.created_at)


def _plan_dates(plan: Plan) -> list[datetime | None]:
    last_version = plan.versions.aggregate(at=Max("created_at"))["at"]
    last_action = plan.actions.aggregate(at=Max("created_at"))["at"]
    return [plan.created_at, plan.first_agreed_at, last_version, last_action]


reviewed(
    key="plan",
    label="Disruption plan",
    records=lambda n: Plan.objects.filter(nominal=n),
    dates=_plan_dates,
    describe=lambda p: f"Disruption plan begun {p.created_at:%d/%m/%Y}",
    kept_because=lambda _p: (
        "The plan is the person's record in the cohort: it goes only with the whole record"
    ),
)


def _erase_order(order: Order) -> int:
    return int(Order.objects.filter(pk=order.pk).delete()[0])  # its breaches cascade


# Orders made on conviction for a serious offence are MoPI group 2 (other sexual, violent or serious
# offences); other orders take the person's group.
_SERIOUS_ORDERS = {OrderType.SCPO, OrderType.STPO}

reviewed(
    key="order",
    label="Order",
    records=lambda n: Order.objects.filter(nominal=n).order_by("start_date", "id"),
    dates=lambda o: [o.end_date, *o.breaches.values_list("occurred_on", flat=True)],
    describe=lambda o: f"{o.get_order_type_display()} from {o.start_date:%d/%m/%Y} to {o.end_date:%d/%m/%Y}",
    group=lambda o: "2" if o.order_type in _SERIOUS_ORDERS else None,
    erase=_erase_order,
    kept_because=lambda o: "The order is still in force" if o.end_date >= timezone.localdate() else "",
)
