"""Aggregate reports over the plans the actor may see: counts, never a list of people (except the
per-nominal tier history, which is one person's record and is read through the nominal policy)."""

from dataclasses import dataclass
from datetime import date
from statistics import median

from django.db.models import Count, QuerySet
from django.utils import timezone

from marsoc.assessment.models import TierDecision
from marsoc.assessment.services import method_spec
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.nominals.models import MembershipChange, Nominal
from marsoc.nominals.vocabulary import MembershipState

from .models import Action, Outcome, Plan
from .vocabulary import OPEN_ACTION_STATUSES, OutcomeStatus, Rating


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int  # of the largest bar, for the CSS chart


def _bars(rows: list[tuple[str, int]]) -> list[Bar]:
    top = max((c for _, c in rows), default=0) or 1
    return [Bar(label, count, round(100 * count / top)) for label, count in rows]


@dataclass(frozen=True)
class ReportFilters:
    start: date | None = None
    end: date | None = None


def _outcomes(actor: Actor, filters: ReportFilters) -> QuerySet[Outcome]:
    qs = Outcome.objects.filter(
        status=OutcomeStatus.VALIDATED,
        action__plan__nominal__in=Nominal.objects.filter(access.scope(actor, "nominal")),
    )
    if filters.start:
        qs = qs.filter(occurred_on__gte=filters.start)
    if filters.end:
        qs = qs.filter(occurred_on__lte=filters.end)
    return qs


def disruptions_by(actor: Actor, filters: ReportFilters, dimension: str) -> list[Bar]:
    """Validated disruptions grouped by agency, tactic, rating, hub or month."""
    qs = _outcomes(actor, filters)
    if dimension == "agency":
        rows = qs.values_list("agency__name").annotate(n=Count("id")).order_by("-n", "agency__name")
    elif dimension == "tactic":
        rows = (
            qs.values_list("action__tactic__name")
            .annotate(n=Count("id"))
            .order_by("-n", "action__tactic__name")
        )
    elif dimension == "hub":
        rows = (
            qs.values_list("action__plan__nominal__owner_hub__name")
            .annotate(n=Count("id"))
            .order_by("-n", "action__plan__nominal__owner_hub__name")
        )
    elif dimension == "rating":
        counts = dict(qs.values_list("rating").annotate(n=Count("id")))
        return _bars([(label, counts.get(code, 0)) for code, label in Rating.choices])
    elif dimension == "month":
        months: dict[str, int] = {}
        for day in qs.values_list("occurred_on", flat=True):
            key = day.strftime("%Y-%m")
            months[key] = months.get(key, 0) + 1
        return _bars(sorted(months.items()))
    else:
        raise ValueError(dimension)
    return _bars([(str(label), n) for label, n in rows])


@dataclass(frozen=True)
class TimeToAgreement:
    hub: str
    plans: int
    median_days: float | None
    longest_days: int | None


def time_to_first_agreement(actor: Actor) -> list[TimeToAgreement]:
    """Days from adoption (the latest adoption before the first agreement) to the first agreed plan."""
    plans = (
        Plan.objects.filter(
            nominal__in=Nominal.objects.filter(access.scope(actor, "nominal")), first_agreed_at__isnull=False
        )
        .select_related("nominal__owner_hub")
        .order_by("id")
    )
    per_hub: dict[str, list[int]] = {}
    plan_rows = list(plans)
    adoptions: dict[int, list[date]] = {}
    for nominal_id, effective in MembershipChange.objects.filter(
        nominal_id__in=[p.nominal_id for p in plan_rows], to_state=MembershipState.ADOPTED
    ).values_list("nominal_id", "effective_date"):
        adoptions.setdefault(nominal_id, []).append(effective)
    for plan in plan_rows:
        assert plan.first_agreed_at is not None
        agreed = timezone.localtime(plan.first_agreed_at).date()
        before = [d for d in adoptions.get(plan.nominal_id, []) if d <= agreed]
        if not before:
            continue
        per_hub.setdefault(plan.nominal.owner_hub.name, []).append((agreed - max(before)).days)
    return [
        TimeToAgreement(hub, len(days), float(median(days)), max(days))
        for hub, days in sorted(per_hub.items())
    ]


def overdue_by_agency(actor: Actor, today: date | None = None) -> list[Bar]:
    today = today or timezone.localdate()
    rows = (
        Action.objects.filter(
            plan__nominal__in=Nominal.objects.filter(access.scope(actor, "nominal")),
            status__in=OPEN_ACTION_STATUSES,
            due_date__lt=today,
        )
        .values_list("agency__name")
        .annotate(n=Count("id"))
        .order_by("-n", "agency__name")
    )
    return _bars([(str(label), n) for label, n in rows])


@dataclass(frozen=True)
class TierPoint:
    decision: TierDecision
    tier_name: str
    percent: int  # the highest tier is 100, the lowest one step above 0, for the chart


def tier_history(nominal: Nominal) -> list[TierPoint]:
    """One person's decided tier over time, oldest first (the caller has checked access). The bar length
    is the tier's position in the method that scored the assessment behind the decision."""
    points = []
    for decision in nominal.tier_decisions.select_related("assessment__method").order_by("decided_at", "id"):
        tiers = method_spec(decision.assessment.method).tiers  # highest first
        codes = [t.code for t in tiers]
        rank = len(codes) - codes.index(decision.decided_tier) if decision.decided_tier in codes else 0
        name = next((t.name for t in tiers if t.code == decision.decided_tier), decision.decided_tier)
        points.append(TierPoint(decision, name, round(100 * rank / max(1, len(codes)))))
    return points
