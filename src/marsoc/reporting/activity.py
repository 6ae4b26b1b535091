"""The raw monthly counts beyond the cohort itself: outcomes, reviews, intelligence sharing, the equality
picture and data quality. Like measures.py, every count is of distinct people, by the owner hub and the
classification of the record counted, and nothing here is shown to anyone before suppression.

Flows (outcomes, disclosures, access requests) are counted in the month they happened; stocks (reviews in
date, ethnicity of the adopted cohort, missing identifiers) as at the month's last day."""

from datetime import date, timedelta

from django.db.models import Case, CharField, Exists, OuterRef, Subquery, Value, When

from marsoc.assessment.equality import NOT_RECORDED, ethnicity_group
from marsoc.assessment.models import Assessment, ReviewInterval
from marsoc.intelligence.models import AccessRequest, Disclosure, SummaryDisclosure
from marsoc.nominals.models import Identifier, IdentifierTypes, Nominal
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.vocabulary import OutcomeStatus

from .breakdowns import breakdown_counts
from .group_figures import group_outcome_counts
from .measures import (
    OUTCOME_PATHS,
    Count_,
    cohort_counts,
    counted,
    end_of_day,
    month_end,
    outcomes_between,
    rows_of,
    state_at,
)
from .timings import timing_counts

OUTCOME_VALIDATED = "outcome_validated"  # people with a validated outcome; category: the rating
OUTCOME_CLAIM = "outcome_claim"  # people with an outcome claimed; category: where the claim stands
REVIEW = "review"  # people assessed; category: in date / overdue at the month's end
REVIEW_IN_DATE, REVIEW_OVERDUE = "in_date", "overdue"
SHARED_SUMMARY = "shared_summary"  # people whose summary was disclosed; category: recipient agency type
SHARED_ITEM = "shared_item"  # people named in an item disclosed; category: recipient agency type
ACCESS_REQUEST = "access_request"  # people asked about after a deconfliction hit; category: the outcome
ETHNICITY = "ethnicity"  # people adopted at the month's end; category: the census group
IDENTIFIERS = "identifiers"  # people in the cohort at the month's end; category: PNC ID held or not
HAS_PNC, NO_PNC = "has_pnc", "no_pnc"
IN_COHORT = (MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT, MembershipState.ADOPTED)


def month_counts(month: date, today: date) -> list[Count_]:
    """Every raw count of one month (up to `today` if the month is still running)."""
    start, end = month, min(month_end(month), today)
    return [
        *cohort_counts(month, today),
        *outcome_counts(start, end),
        *group_outcome_counts(start, end),
        *review_counts(end),
        *sharing_counts(start, end),
        *ethnicity_counts(end),
        *identifier_counts(end),
        *timing_counts(start, end),
        *breakdown_counts(start, end),
    ]


def outcome_counts(start: date, end: date) -> list[Count_]:
    outcomes = outcomes_between(start, end)
    hub, classification, person = OUTCOME_PATHS
    return [
        *rows_of(
            outcomes.filter(status=OutcomeStatus.VALIDATED),
            OUTCOME_VALIDATED,
            hub,
            classification,
            "rating",
            person=person,
        ),
        *rows_of(outcomes, OUTCOME_CLAIM, hub, classification, "status", person=person),
    ]


def review_counts(end: date) -> list[Count_]:
    """People whose latest assessment by the month's end was, on that day, still within its tier's
    review interval (in date) or past it (overdue)."""
    latest = Assessment.objects.filter(nominal=OuterRef("pk"), submitted_at__lte=end_of_day(end)).order_by(
        "-submitted_at", "-id"
    )
    people = Nominal.objects.annotate(
        assessed_at=Subquery(latest.values("submitted_at")[:1]),
        assessed_tier=Subquery(latest.values("tier_code")[:1]),
    ).exclude(assessed_at=None)
    whens = [
        When(
            assessed_tier=tier,
            assessed_at__lt=end_of_day(end - timedelta(days=days)),
            then=Value(REVIEW_OVERDUE),
        )
        for tier, days in ReviewInterval.objects.values_list("tier_code", "interval_days")
    ]
    people = people.annotate(review=Case(*whens, default=Value(REVIEW_IN_DATE), output_field=CharField()))
    return list(rows_of(people, REVIEW, "owner_hub_id", "classification", "review"))


def sharing_counts(start: date, end: date) -> list[Count_]:
    after, before = end_of_day(start - timedelta(days=1)), end_of_day(end)
    summaries = SummaryDisclosure.objects.filter(disclosed_at__gt=after, disclosed_at__lte=before)
    items = Disclosure.objects.filter(disclosed_at__gt=after, disclosed_at__lte=before)
    requests = AccessRequest.objects.filter(requested_at__gt=after, requested_at__lte=before)
    return [
        *rows_of(
            summaries,
            SHARED_SUMMARY,
            "nominal__owner_hub_id",
            "classification",
            "recipient_agency__agency_type",
            person="nominal_id",
        ),
        *rows_of(
            items,
            SHARED_ITEM,
            "item__subjects__nominal__owner_hub_id",
            "item__classification",
            "recipient_agency__agency_type",
            person="item__subjects__nominal_id",
        ),
        *rows_of(
            requests,
            ACCESS_REQUEST,
            "nominal__owner_hub_id",
            "nominal__classification",
            "status",
            person="nominal_id",
        ),
    ]


def ethnicity_counts(end: date) -> list[Count_]:
    """The adopted cohort at the month's end by census ethnic group (self-defined, else officer-defined),
    as the equality report groups it."""
    adopted = counted(Nominal.objects.annotate(state_then=state_at(end))).filter(
        state_then=MembershipState.ADOPTED
    )
    totals: dict[tuple[int, str, str], int] = {}
    rows = adopted.values_list("owner_hub_id", "classification", "ethnicity_self", "ethnicity_officer")
    for hub_id, classification, self_code, officer_code in rows.order_by():
        group = ethnicity_group(self_code, officer_code)[0]
        key = (hub_id, classification, group or NOT_RECORDED)
        totals[key] = totals.get(key, 0) + 1
    return [Count_(hub, ETHNICITY, group, cls, n) for (hub, cls, group), n in totals.items()]


def identifier_counts(end: date) -> list[Count_]:
    """People in the cohort at the month's end with and without a PNC ID (the key identifier every
    partner matches on). Identifiers have no history: a completed month keeps what it was built with."""
    pnc = Identifier.objects.filter(nominal=OuterRef("pk"), id_type=IdentifierTypes.PNC)
    people = (
        Nominal.objects.annotate(state_then=state_at(end))
        .filter(state_then__in=IN_COHORT)
        .annotate(
            pnc=Case(When(Exists(pnc), then=Value(HAS_PNC)), default=Value(NO_PNC), output_field=CharField())
        )
    )
    return list(rows_of(people, IDENTIFIERS, "owner_hub_id", "classification", "pnc"))
