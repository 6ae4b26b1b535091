"""Reads for assessment, scoped by the policy before anything is counted, ranked or exported."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from marsoc.accounts.models import Hub
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.vocabulary import classifications_up_to
from marsoc.nominals.lifecycle import RELEASE_WINDOW
from marsoc.nominals.models import CustodyEvent, Nominal
from marsoc.nominals.selectors import phase_expression, phase_filter
from marsoc.nominals.vocabulary import CustodyEventType, MembershipState, Phase

from .equality import (
    AGE,
    DEFAULT_THRESHOLD,
    ETHNICITY,
    ETHNICITY_BASIS,
    NATIONAL,
    NOT_RECORDED,
    RELIGION,
    REPORTED,
    SEX,
    TOTAL,
    Key,
    Reference,
    ScopeReport,
    age_band_cutoffs,
    build_scope_tables,
    complete_counts,
    ethnicity_group,
    religion_group,
    sex_group,
    suppress_table,
)
from .models import Assessment, PriorityStatus, ReferencePopulation, ScoringMethod
from .policies import can_view_assessments, can_view_equality, can_view_equality_hub, priority_scope

# Custody events that call for a fresh look at the person's priority.
TRIGGER_EVENTS = (CustodyEventType.TRANSFER, CustodyEventType.RECALL, CustodyEventType.RELEASE)


@dataclass(frozen=True)
class PriorityFilters:
    hub_id: int | None = None
    tier: str = ""
    phase: str = ""
    establishment_id: int | None = None
    release_within_days: int | None = None


def priority_list(
    *, actor: Actor, filters: PriorityFilters, today: date | None = None
) -> QuerySet[PriorityStatus]:
    """One national ranking (highest score first); hub staff get their hub's slice of the same order."""
    today = today or timezone.localdate()
    scoped = Nominal.objects.filter(priority_scope(actor))
    qs = PriorityStatus.objects.filter(nominal__in=scoped)
    if filters.hub_id:
        qs = qs.filter(nominal__owner_hub_id=filters.hub_id)
    if filters.tier:
        qs = qs.filter(Q(decided_tier=filters.tier) | Q(decided_tier="", computed_tier=filters.tier))
    if filters.phase:
        qs = qs.filter(nominal__in=Nominal.objects.filter(phase_filter(filters.phase, today)))
    if filters.establishment_id:
        qs = qs.filter(nominal__current_establishment_id=filters.establishment_id)
    if filters.release_within_days is not None:
        qs = qs.filter(
            nominal__expected_release_date__gte=today,
            nominal__expected_release_date__lte=today + timedelta(days=filters.release_within_days),
        )
    return (
        qs.select_related("nominal", "nominal__owner_hub", "nominal__current_establishment", "assessment")
        .annotate(phase=phase_expression(today, prefix="nominal__"))
        .order_by("-score", "nominal_id")
    )


def access_assessment_by_id(*, actor: Actor, assessment_id: int) -> Assessment:
    assessment = (
        Assessment.objects.select_related("nominal", "nominal__owner_hub", "method", "assessor")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None or not can_view_assessments(actor, assessment.nominal):
        raise NotFoundOrForbidden(f"assessment {assessment_id}")
    return assessment


def assessment_history(*, actor: Actor, nominal: Nominal) -> QuerySet[Assessment]:
    if not can_view_assessments(actor, nominal):
        return Assessment.objects.none()
    return nominal.assessments.select_related("method", "assessor").order_by("-submitted_at", "-id")


@dataclass(frozen=True)
class ReviewRow:
    status: PriorityStatus
    reasons: tuple[str, ...]
    overdue: bool


def reviews_due(*, actor: Actor, today: date | None = None, horizon_days: int = 14) -> list[ReviewRow]:
    """Reviews due within `horizon_days` or overdue, and those triggered by custody events since the
    current assessment (transfer, recall, release) or by entering the 6-month release window."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    window_start = today + RELEASE_WINDOW
    event_since = CustodyEvent.objects.filter(
        nominal_id=OuterRef("nominal_id"),
        event_type__in=TRIGGER_EVENTS,
        recorded_at__gt=OuterRef("assessment__submitted_at"),
    )
    qs = (
        PriorityStatus.objects.filter(nominal__in=Nominal.objects.filter(priority_scope(actor)))
        .annotate(event_trigger=Exists(event_since))
        .filter(
            Q(next_review_due__lte=today + timedelta(days=horizon_days))
            | Q(event_trigger=True)
            | Q(nominal__expected_release_date__lte=window_start, nominal__expected_release_date__gte=today)
        )
        .select_related("nominal", "nominal__owner_hub", "assessment")
        .order_by("next_review_due", "nominal_id")
    )
    rows = []
    for status in qs:
        reasons = []
        if status.next_review_due <= today:
            reasons.append(f"Scheduled review overdue since {status.next_review_due:%d %b %Y}")
        elif status.next_review_due <= today + timedelta(days=horizon_days):
            reasons.append(f"Scheduled review due {status.next_review_due:%d %b %Y}")
        if getattr(status, "event_trigger", False):
            reasons.append("Custody event since the last assessment (transfer, recall or release)")
        release = status.nominal.expected_release_date
        if release is not None and today <= release <= window_start:
            window_opened = datetime.combine(release - RELEASE_WINDOW, time.min, tzinfo=tz)
            if status.assessment.submitted_at < window_opened:
                reasons.append(
                    f"Release due {release:%d %b %Y}: not assessed since the 6-month window opened"
                )
        if reasons:
            rows.append(
                ReviewRow(
                    status,
                    tuple(reasons),
                    overdue=status.next_review_due < today
                    or len(reasons) > 1
                    or not reasons[0].startswith("Scheduled review due"),
                )
            )
    return rows


def methods_visible() -> QuerySet[ScoringMethod]:
    return ScoringMethod.objects.all().order_by("code", "-version")


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring: counts by GROUP BY in the database, turned into a report by `equality.py`
# ---------------------------------------------------------------------------------------------------------

COHORTS = {
    "adopted": "Adopted cohort members",
    "active": "Everyone referred, under assessment or adopted (not exited)",
}
_COHORT_STATES = {
    "adopted": [MembershipState.ADOPTED],
    "active": [MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT, MembershipState.ADOPTED],
}


@dataclass(frozen=True)
class EqualityOptions:
    cohort: str = "adopted"
    tier: str = ""  # "" = every tier (and people not yet assessed)
    population_id: int | None = None
    threshold: Decimal | None = None  # None = the population's own threshold


@dataclass(frozen=True)
class EqualityReport:
    options: EqualityOptions
    population: ReferencePopulation | None
    threshold: Decimal
    as_of: date
    scopes: list[ScopeReport]  # national first, then each hub the actor may see

    @property
    def cohort_label(self) -> str:
        return COHORTS[self.options.cohort]

    def scope(self, key: str) -> ScopeReport | None:
        return next((s for s in self.scopes if s.key == key), None)


def reference_populations() -> QuerySet[ReferencePopulation]:
    """Public aggregate figures: anyone who may see an equality report may see them all."""
    return ReferencePopulation.objects.select_related("hub").prefetch_related("shares")


def default_population() -> ReferencePopulation | None:
    return reference_populations().filter(hub__isnull=True, is_default=True).first()


def _reference(population: ReferencePopulation) -> Reference:
    shares: dict[str, dict[str, float]] = {}
    sources: dict[str, str] = {}
    approximate: dict[str, bool] = {}
    for share in population.shares.all():
        shares.setdefault(share.characteristic, {})[share.group] = float(share.share)
        sources[share.characteristic] = share.source
        approximate[share.characteristic] = approximate.get(share.characteristic, False) or share.approximate
    return Reference(total=population.population, shares=shares, sources=sources, approximate=approximate)


def _equality_base(actor: Actor, options: EqualityOptions) -> QuerySet[Nominal]:
    # Every hub is counted (the national figures need them all, and a hub's figures are suppressed the
    # same way whoever looks), but only records within the viewer's clearance: a SECRET record must not
    # show up as one more, as on the Board's home-page counts.
    qs = Nominal.objects.filter(
        classification__in=classifications_up_to(actor.clearance),
        membership_state__in=_COHORT_STATES[options.cohort],
    )
    if options.tier:
        qs = qs.filter(
            Q(priority__decided_tier=options.tier)
            | Q(priority__decided_tier="", priority__computed_tier=options.tier)
        )
    return qs


def _age_case(today: date) -> Case:
    whens = [When(date_of_birth__lte=cutoff, then=Value(band)) for cutoff, band in age_band_cutoffs(today)]
    return Case(*whens, default=Value("under 18"), output_field=CharField())


def equality_counts(*, actor: Actor, options: EqualityOptions, today: date) -> dict[str, dict[Key, int]]:
    """(hub id as text, group) → count for every reported characteristic.

    One GROUP BY over the cohort by hub and every characteristic's raw codes (a few thousand combinations
    at most, however large the cohort): one scan instead of one per characteristic. The codes are mapped
    onto the reported groups here."""
    rows = (
        _equality_base(actor, options)
        .annotate(band=_age_case(today))
        .values_list("owner_hub_id", "ethnicity_self", "ethnicity_officer", "sex", "religion", "band")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[str, dict[Key, int]] = {c.code: defaultdict(int) for c in REPORTED}
    for hub_id, self_code, officer_code, sex, religion, band, n in rows:
        hub_key = str(hub_id)
        group, basis = ethnicity_group(self_code, officer_code)
        counts[ETHNICITY.code][(hub_key, group)] += n
        counts[ETHNICITY_BASIS.code][(hub_key, basis)] += n
        counts[SEX.code][(hub_key, sex_group(sex))] += n
        counts[RELIGION.code][(hub_key, religion_group(religion))] += n
        counts[AGE.code][(hub_key, band)] += n
    return {code: dict(cells) for code, cells in counts.items()}


def equality_report(*, actor: Actor, options: EqualityOptions, today: date | None = None) -> EqualityReport:
    """The equality report for every scope `actor` may see: national first, then hubs.

    Counts under 5 are withheld, and more where needed so none can be worked out from the totals (see
    `equality.suppress_table`); shares, indices and flags are never given for a withheld count."""
    if not can_view_equality(actor):
        raise NotFoundOrForbidden("equality report")
    if options.cohort not in COHORTS:
        raise ValueError(f"cohort must be one of {', '.join(COHORTS)}")
    today = today or timezone.localdate()
    population = (
        reference_populations().filter(pk=options.population_id).first()
        if options.population_id
        else default_population()
    )
    threshold = options.threshold or (population.flag_threshold if population else DEFAULT_THRESHOLD)
    reference = _reference(population) if population else None
    hubs = list(Hub.objects.order_by("name"))
    raw = equality_counts(actor=actor, options=options, today=today)
    hub_keys = [str(h.pk) for h in hubs]
    counts: dict[str, dict[Key, int]] = {}
    withheld: dict[str, set[Key]] = {}
    for characteristic in REPORTED:
        groups = [g for g, _ in characteristic.groups] + [NOT_RECORDED]
        counts[characteristic.code] = complete_counts(raw[characteristic.code], hub_keys, groups)
        withheld[characteristic.code] = suppress_table(counts[characteristic.code], hub_keys, groups)

    def scope_report(key: str, label: str) -> ScopeReport:
        # The cohort size is the same in every table; one of them is enough to decide if it is shown.
        total = counts[SEX.code].get((key, TOTAL), 0)
        hidden = any((key, TOTAL) in withheld[c.code] for c in REPORTED)
        tables = build_scope_tables(
            counts=counts, withheld=withheld, scope=key, reference=reference, threshold=float(threshold)
        )
        return ScopeReport(key=key, label=label, total=None if hidden else total, tables=tables)

    scopes = [scope_report(NATIONAL, "National (all hubs)")]
    for hub in hubs:
        if hub.is_national and not counts[SEX.code].get((str(hub.pk), TOTAL)):
            continue  # the national team rarely owns records itself; no empty row for it
        if can_view_equality_hub(actor, hub.pk):
            scopes.append(scope_report(str(hub.pk), hub.name))
    return EqualityReport(
        options=options, population=population, threshold=Decimal(threshold), as_of=today, scopes=scopes
    )


__all__ = ["Phase", "PriorityFilters", "ReviewRow", "priority_list", "reviews_due"]
