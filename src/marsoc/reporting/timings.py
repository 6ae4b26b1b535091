"""The raw monthly counts behind the Board's durations: how long a referral waits for its decision, a plan
for its first joint agreement, and each acting agency for its own agreement.

A median cannot be added up over hubs, months or clearances, so a snapshot holds each duration's
histogram instead: one figure per hub, classification and number of whole days (the category), its value
the people whose wait was that long. Like every count, a person the figures do not count (under a
restriction, measures.counted_people) is left out. Medians are worked out when the figures are read, over the records
the viewer's clearance covers and the hubs they are shown (figures.py), exactly as a median of the
people's own durations would be. Everything is counted in the month the decision or agreement was made."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from marsoc.nominals.models import MembershipChange
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.models import Agreement, Plan

from .measures import Count_, counted, end_of_day

DECISION_DAYS = "decision_days"  # referrals decided in the month; category: days since the referral
AGREEMENT_DAYS = "agreement_days"  # plans first agreed in the month; category: days since the plan began
AGENCY_DAYS = "agency_days"  # agencies' agreements in the month; category: "agency type:days"
DURATIONS = (DECISION_DAYS, AGREEMENT_DAYS)
UNDECIDED = (MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT)


def histogram(values: Iterable[tuple[int, str, int, str]], measure: str) -> list[Count_]:
    """(person, classification, hub, category) -> people per hub, classification and category; one
    person counts once per category."""
    seen: dict[tuple[int, str, str], set[int]] = defaultdict(set)
    for person, classification, hub, category in values:
        seen[(hub, classification, category)].add(person)
    return [Count_(hub, measure, cat, cls, len(p)) for (hub, cls, cat), p in seen.items()]


def timing_counts(start: date, end: date) -> list[Count_]:
    return [*decision_counts(start, end), *agreement_counts(start, end), *agency_counts(start, end)]


def decision_counts(start: date, end: date) -> list[Count_]:
    """People whose referral was decided in the month (adopted, or exited before adoption): whole days
    from the latest referral before the decision to the decision; a person decided twice in a month
    counts once, by the last decision."""
    decisions = (
        counted(
            MembershipChange.objects.filter(effective_date__gte=start, effective_date__lte=end), "nominal_id"
        )
        .filter(
            Q(to_state=MembershipState.ADOPTED)
            | Q(to_state=MembershipState.EXITED, from_state__in=[*UNDECIDED, ""])
        )
        .order_by("nominal_id", "effective_date", "id")
        .values_list("nominal_id", "effective_date", "nominal__classification", "nominal__owner_hub_id")
    )
    last: dict[int, tuple[date, str, int]] = {}
    for nominal_id, day, classification, hub in decisions:
        last[nominal_id] = (day, classification, hub)
    referrals: dict[int, list[date]] = defaultdict(list)
    for nominal_id, day in MembershipChange.objects.filter(
        nominal_id__in=list(last), to_state=MembershipState.REFERRED, effective_date__lte=end
    ).values_list("nominal_id", "effective_date"):
        referrals[nominal_id].append(day)
    rows = []
    for nominal_id, (day, classification, hub) in last.items():
        before = [r for r in referrals[nominal_id] if r <= day]
        if before:
            rows.append((nominal_id, classification, hub, str((day - max(before)).days)))
    return histogram(rows, DECISION_DAYS)


def _days(later: datetime, earlier: datetime) -> int:
    return max(0, (timezone.localdate(later) - timezone.localdate(earlier)).days)


def _month_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return end_of_day(start - timedelta(days=1)), end_of_day(end)


def agreement_counts(start: date, end: date) -> list[Count_]:
    """Plans first jointly agreed in the month: whole days from the plan's start to that agreement."""
    after, before = _month_bounds(start, end)
    plans = counted(Plan.objects.filter(first_agreed_at__gt=after, first_agreed_at__lte=before), "nominal_id")
    plans = plans.values_list(
        "nominal_id", "nominal__classification", "nominal__owner_hub_id", "created_at", "first_agreed_at"
    )
    rows = [
        (n, cls, hub, str(_days(agreed, created)))
        for n, cls, hub, created, agreed in plans
        if agreed is not None
    ]
    return histogram(rows, AGREEMENT_DAYS)


def agency_counts(start: date, end: date) -> list[Count_]:
    """Each acting agency's agreement given in the month: whole days from the request for agreement to
    it, by the agency's type. A person whose plan an agency type agreed more than once in the month
    counts once, by the longest wait."""
    after, before = _month_bounds(start, end)
    agreements = counted(
        Agreement.objects.filter(
            agreed_at__gt=after, agreed_at__lte=before, version__requested_at__isnull=False
        ),
        "version__plan__nominal_id",
    ).values_list(
        "version__plan__nominal_id",
        "version__plan__nominal__classification",
        "version__plan__nominal__owner_hub_id",
        "agency__agency_type",
        "version__requested_at",
        "agreed_at",
    )
    longest: dict[tuple[int, str, int, str], int] = {}
    for nominal_id, cls, hub, agency_type, requested, agreed in agreements:
        if requested is None:  # narrowed by the filter; keeps the type checker honest
            continue
        key = (nominal_id, cls, hub, agency_type)
        longest[key] = max(longest.get(key, 0), _days(agreed, requested))
    rows = [(n, cls, hub, f"{kind}:{days}") for (n, cls, hub, kind), days in longest.items()]
    return histogram(rows, AGENCY_DAYS)
