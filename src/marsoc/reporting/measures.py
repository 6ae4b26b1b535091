"""The raw monthly counts a snapshot stores, computed from the records as they stand.

Counts are by the owner hub and classification of the person counted, so a viewer's clearance and place
can be applied when they are read (selectors.py). Nothing here is shown to anyone as it is: suppression
(suppression.py) comes first. Flows (referred, adopted, exited) are by the date the change took effect;
stocks (cohort size, plans) are as at the month's last day, read from the membership history, so a past
month can be built afresh. Actions have no status history: their overdue count is what the records say
when the month is built, which is why completed months are kept and not rebuilt (models.py)."""

import calendar
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from marsoc.core.subjects import hidden_people
from marsoc.nominals.models import MembershipChange, Nominal
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.models import Action, Outcome
from marsoc.plans.vocabulary import OPEN_ACTION_STATUSES, OutcomeStatus

# measure codes (stored) -> what they count
FLOW_MEASURES = ("referred", "adopted", "exited")
SIZE = "size"  # category: membership state at the month's end
PLAN = "plan"  # category: "agreed" / "not_agreed", of the people adopted at the month's end
ACTIONS_OVERDUE = "actions_overdue"  # people with an overdue action; category: the acting agency's type
PLAN_AGREED, PLAN_NOT_AGREED = "agreed", "not_agreed"


@dataclass(frozen=True)
class Count_:
    hub_id: int
    measure: str
    category: str
    classification: str
    value: int


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def end_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


_ONLY: ContextVar[QuerySet[Any, Any] | None] = ContextVar("counted_only", default=None)


def counted_people() -> QuerySet[Any, Any]:
    """The ids of the people the figures count: everyone but a person under a restriction (DPA 2018
    s.47: restricted records leave reports), or, inside `only`, just the people given."""
    only = _ONLY.get()
    if only is not None:
        return only
    people = Nominal.objects.all()
    for hidden in hidden_people(None):
        people = people.exclude(pk__in=hidden)
    return people.values("pk")


@contextmanager
def only(people: QuerySet[Any, Any]) -> Iterator[None]:
    """Count just `people` (a queryset of nominal ids), restricted or not: what they add to a figure."""
    token = _ONLY.set(people)
    try:
        yield
    finally:
        _ONLY.reset(token)


def recounting() -> QuerySet[Any, Any] | None:
    """Inside `only`, the people given (a recount of their part); else None."""
    return _ONLY.get()


def uncounted_people() -> tuple[QuerySet[Any, Any], bool]:
    """For counts that reach a person other than by a foreign key (partner records, by identifier):
    (people, keep). Inside `only`, the people given, and only what is about them is counted (keep);
    else the people the figures do not count, and what is about them is left out."""
    given = _ONLY.get()
    if given is not None:
        return given, True
    return Nominal.objects.exclude(pk__in=counted_people()).values("pk"), False


def counted(qs: QuerySet[Any, Any], person: str = "id") -> QuerySet[Any, Any]:
    """`qs` less the rows about people the figures do not count (`person`: the path to the person)."""
    return qs.filter(**{f"{person}__in": counted_people()})


def rows_of(
    qs: QuerySet[Any, Any],
    measure: str,
    hub: str,
    classification: str,
    category: str | None,
    person: str = "id",
) -> Iterator[Count_]:
    """Distinct people (`person`: the path to the person's id) by hub, classification and category."""
    fields = [hub, classification] + ([category] if category else [])
    # `hub` is the path to the counted person's owner hub, so it names the person too.
    for row in (
        counted(qs, hub.removesuffix("owner_hub_id") + "id")
        .values(*fields)
        .annotate(n=Count(person, distinct=True))
        .order_by()
    ):
        yield Count_(
            hub_id=row[hub],
            measure=measure,
            category=str(row[category]) if category else "",
            classification=row[classification],
            value=row["n"],
        )


def state_at(end: date) -> Subquery:
    """Each person's membership state on `end`, from the history (None: not yet referred)."""
    latest = MembershipChange.objects.filter(nominal=OuterRef("pk"), effective_date__lte=end).order_by(
        "-effective_date", "-id"
    )
    return Subquery(latest.values("to_state")[:1])


def cohort_counts(month: date, today: date) -> list[Count_]:
    """The cohort's raw counts of one month (up to `today` if the month is still running); the other
    measures are in activity.py."""
    start, end = month, min(month_end(month), today)
    counts: list[Count_] = []
    changes = MembershipChange.objects.filter(effective_date__gte=start, effective_date__lte=end)
    for measure, state in zip(
        FLOW_MEASURES,
        (MembershipState.REFERRED, MembershipState.ADOPTED, MembershipState.EXITED),
        strict=True,
    ):
        qs = changes.filter(to_state=state)
        category = "exit_reason" if state == MembershipState.EXITED else None
        counts += rows_of(qs, measure, "nominal__owner_hub_id", "nominal__classification", category)
    people = Nominal.objects.annotate(state_then=state_at(end)).exclude(state_then=None)
    counts += rows_of(people, SIZE, "owner_hub_id", "classification", "state_then")
    adopted = people.filter(state_then=MembershipState.ADOPTED)
    agreed = Q(plan__first_agreed_at__lte=end_of_day(end))
    counts += [
        Count_(c.hub_id, PLAN, PLAN_AGREED, c.classification, c.value)
        for c in rows_of(adopted.filter(agreed), PLAN, "owner_hub_id", "classification", None)
    ]
    counts += [
        Count_(c.hub_id, PLAN, PLAN_NOT_AGREED, c.classification, c.value)
        for c in rows_of(adopted.exclude(agreed), PLAN, "owner_hub_id", "classification", None)
    ]
    overdue = Action.objects.filter(
        created_at__lte=end_of_day(end), due_date__lt=end, status__in=OPEN_ACTION_STATUSES
    )
    counts += rows_of(
        overdue,
        ACTIONS_OVERDUE,
        "plan__nominal__owner_hub_id",
        "plan__nominal__classification",
        "agency__agency_type",
        person="plan__nominal_id",
    )
    return counts


# An outcome's person: (owner hub, classification, person id) paths.
OUTCOME_PATHS = (
    "action__plan__nominal__owner_hub_id",
    "action__plan__nominal__classification",
    "action__plan__nominal_id",
)


def outcomes_between(start: date, end: date) -> QuerySet[Outcome, Outcome]:
    """Outcomes that occurred from `start` to `end`, merged claims left out (their survivor counts)."""
    return Outcome.objects.filter(occurred_on__gte=start, occurred_on__lte=end).exclude(
        status=OutcomeStatus.MERGED
    )
