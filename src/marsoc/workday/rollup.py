"""The national roll-up: each hub's workload in one table, with the hubs that stand out.

Counts are aggregates (no person) over what the national actor may see (the same façade scopes as the
queues). A hub is an outlier on a measure when its rate per adopted person is more than OUTLIER_FACTOR
times the median hub's rate and it has at least OUTLIER_FLOOR cases: a simple, explainable rule, shown as
such on the page."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import median
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from marsoc.accounts.models import Hub
from marsoc.assessment.models import PriorityStatus
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.models import Action, PlanVersion
from marsoc.plans.vocabulary import OPEN_ACTION_STATUSES

RELEASE_HORIZON = timedelta(days=183)  # "within 6 months", as the plans' alerts count it
OUTLIER_FACTOR = 2.0
OUTLIER_FLOOR = 3

MEASURES = [
    ("reviews_overdue", "Reviews overdue"),
    ("plans_awaiting", "Plans awaiting agreement"),
    ("actions_overdue", "Actions overdue"),
    ("releases_no_plan", "Releases in 6 months without an agreed plan"),
]


@dataclass
class HubRow:
    hub: str
    adopted: int
    counts: dict[str, int] = field(default_factory=dict)
    outliers: set[str] = field(default_factory=set)

    def cells(self) -> list[tuple[int, bool]]:
        return [(self.counts.get(key, 0), key in self.outliers) for key, _ in MEASURES]


def _by_hub(qs: QuerySet[Any], path: str) -> dict[int, int]:
    return {row[path]: row["n"] for row in qs.values(path).annotate(n=Count("pk", distinct=True))}


def hub_rollup(*, actor: Actor, today: date) -> list[HubRow]:
    if not access.may(actor, "work.national"):
        return []
    people = Nominal.objects.filter(access.scope(actor, "nominal"))
    adopted = _by_hub(people.filter(membership_state=MembershipState.ADOPTED), "owner_hub_id")
    measures = {
        "reviews_overdue": _by_hub(
            PriorityStatus.objects.filter(
                nominal__in=Nominal.objects.filter(access.scope(actor, "priority_nominal")),
                next_review_due__lt=today,
            ),
            "nominal__owner_hub_id",
        ),
        "plans_awaiting": _by_hub(
            PlanVersion.objects.filter(
                plan__current_version=F("pk"),
                requested_at__isnull=False,
                agreed_at__isnull=True,
                plan__nominal__in=people,
            ),
            "plan__nominal__owner_hub_id",
        ),
        "actions_overdue": _by_hub(
            access.visible(actor, "plan_action", Action.objects.all()).filter(
                status__in=OPEN_ACTION_STATUSES, due_date__lt=today
            ),
            "plan__nominal__owner_hub_id",
        ),
        "releases_no_plan": _by_hub(
            people.filter(
                expected_release_date__gte=today, expected_release_date__lte=today + RELEASE_HORIZON
            ).filter(Q(plan__isnull=True) | Q(plan__agreed_version__isnull=True)),
            "owner_hub_id",
        ),
    }
    rows = {
        h.pk: HubRow(h.name, adopted.get(h.pk, 0))
        for h in Hub.objects.filter(is_national=False).order_by("name")
    }
    for key, counts in measures.items():
        for hub_id, n in counts.items():
            if hub_id in rows:
                rows[hub_id].counts[key] = n
    for key, _label in MEASURES:
        rates = [r.counts.get(key, 0) / r.adopted for r in rows.values() if r.adopted]
        if not rates:
            continue
        typical = median(rates)
        for r in rows.values():
            n = r.counts.get(key, 0)
            if r.adopted and n >= OUTLIER_FLOOR and n / r.adopted > OUTLIER_FACTOR * typical:
                r.outliers.add(key)
    return list(rows.values())


@dataclass(frozen=True)
class Outlier:
    hub: str
    measure: str
    count: int
    adopted: int


def hub_outliers(actor: Actor, today: date) -> list[Outlier]:
    labels = dict(MEASURES)
    return [
        Outlier(r.hub, labels[key], r.counts.get(key, 0), r.adopted)
        for r in hub_rollup(actor=actor, today=today)
        for key, _ in MEASURES
        if key in r.outliers
    ]
