"""Reads for assessment, scoped by the policy before anything is counted, ranked or exported."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import Coalesce, NullIf, RowNumber
from django.utils import timezone

from marsoc.accounts.models import Hub, User
from marsoc.assessment.vocabulary import ResultsView
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.dates import short_date
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.sorting import Sort, SortOrder
from marsoc.nominals.lifecycle import RELEASE_WINDOW
from marsoc.nominals.models import CustodyEvent, Nominal
from marsoc.nominals.selectors import nominal_phase, phase_filter
from marsoc.nominals.vocabulary import CustodyEventType, MembershipState, Phase

from .calibration import CalibrationResults, Rating, calibration_results
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
from .method import MethodSpec, score
from .models import (
    Assessment,
    CalibrationAssignment,
    CalibrationExercise,
    CalibrationResponse,
    CalibrationVignette,
    DryRunChange,
    FactorScore,
    MethodDryRun,
    PriorityStatus,
    ReferencePopulation,
    ScoringMethod,
)
from .specs import factor_names, method_spec

# Custody events that call for a fresh look at the person's priority.
TRIGGER_EVENTS = (CustodyEventType.TRANSFER, CustodyEventType.RECALL, CustodyEventType.RELEASE)


PRIORITY_RELATED = ("nominal", "nominal__owner_hub", "nominal__current_establishment", "assessment")


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
    scoped = Nominal.objects.filter(access.scope(actor, "priority_nominal"))
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
    # The phase of the rows shown is worked out in Python (priority_row_phase): as an SQL CASE it was
    # computed for every row in scope before the sort.
    return qs.select_related(*PRIORITY_RELATED).order_by("-score", "nominal_id")


# The priority list's sortable columns (the page's headings); every order ends with the person's id. The
# list's own order is the ranking (highest score first), which "rank" names.
PRIORITY_SORT = SortOrder(
    {
        "rank": ("-score",),
        "name": ("nominal__family_name", "nominal__given_names"),
        "hub": ("nominal__owner_hub__name",),
        "score": ("score",),
        "tier": (Coalesce(NullIf("decided_tier", Value("")), "computed_tier"),),
        "confidence": ("assessment__confidence_band",),
        "assessed": ("assessment__submitted_at",),
    },
    tiebreak="nominal_id",
    first_descending=frozenset({"score", "assessed"}),
)


def priority_page(
    *,
    actor: Actor,
    filters: PriorityFilters,
    number: int | str | None,
    per_page: int = 50,
    today: date | None = None,
    sort: Sort | None = None,
) -> Page[PriorityStatus]:
    """One page of the priority list, in the order of `sort` (a PRIORITY_SORT column) or ranked. The
    ranking is sorted on the narrow status rows alone and only the page's rows are joined to the person,
    assessment, hub and establishment: sorting the joined rows of a whole hub cost most of a deep page's
    time on PostgreSQL. Each row carries its `rank` in the ranking (its position in the filtered list by
    score), whatever the order shown."""
    ranked = priority_list(actor=actor, filters=filters, today=today)
    sort = sort or Sort()
    if sort.key:
        position = Window(RowNumber(), order_by=[F("score").desc(), F("nominal_id").asc()])
        ordered = ranked.annotate(rank=position).order_by(*PRIORITY_SORT.order_by(sort))
        sorted_page = Paginator(ordered.values_list("pk", "rank"), per_page).get_page(number)
        page: Page[Any] = sorted_page
        ranks = dict(sorted_page.object_list)
    else:
        page = Paginator(ranked.values_list("pk", flat=True), per_page).get_page(number)
        start = (page.number - 1) * per_page
        ranks = {pk: start + i for i, pk in enumerate(page.object_list, start=1)}
    rows = {s.pk: s for s in ranked.model.objects.filter(pk__in=ranks).select_related(*PRIORITY_RELATED)}
    shown: Page[PriorityStatus] = page
    shown.object_list = [rows[pk] for pk in ranks if pk in rows]
    for row in shown.object_list:
        row.rank = ranks[row.pk]  # type: ignore[attr-defined]
    return shown


def top_factor_labels(statuses: Iterable[PriorityStatus]) -> dict[int, str]:
    """Each row's top factors by the names its method gives them (the codes are for machines)."""
    rows = list(statuses)
    methods = {m.pk: m for m in ScoringMethod.objects.filter(pk__in={s.assessment.method_id for s in rows})}
    return {
        s.pk: "; ".join(factor_names(methods[s.assessment.method_id], list(s.assessment.top_factors)))
        for s in rows
    }


def priority_row_phase(status: PriorityStatus, today: date | None = None) -> str:
    return nominal_phase(status.nominal, today).value


def access_assessment_by_id(*, actor: Actor, assessment_id: int) -> Assessment:
    qs = Assessment.objects.select_related("nominal", "nominal__owner_hub", "method", "assessor")
    return access.fetch(actor, "assessment", qs, assessment_id)


def assessment_history(*, actor: Actor, nominal: Nominal) -> QuerySet[Assessment]:
    if not access.may(actor, "assessment.view", nominal):
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
        PriorityStatus.objects.filter(
            nominal__in=Nominal.objects.filter(access.scope(actor, "priority_nominal"))
        )
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
            reasons.append(f"Scheduled review overdue since {short_date(status.next_review_due)}")
        elif status.next_review_due <= today + timedelta(days=horizon_days):
            reasons.append(f"Scheduled review due {short_date(status.next_review_due)}")
        if getattr(status, "event_trigger", False):
            reasons.append("Custody event since the last assessment (transfer, recall or release)")
        release = status.nominal.expected_release_date
        if release is not None and today <= release <= window_start:
            window_opened = datetime.combine(release - RELEASE_WINDOW, time.min, tzinfo=tz)
            if status.assessment.submitted_at < window_opened:
                reasons.append(
                    f"Release due {short_date(release)}: not assessed since the 6-month window opened"
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
    qs = Nominal.objects.filter(access.scope(actor, "nominal_aggregate")).filter(
        membership_state__in=_COHORT_STATES[options.cohort]
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
    if not access.may(actor, "equality.view"):
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
        if access.may(actor, "equality.view_hub", hub.pk):
            scopes.append(scope_report(str(hub.pk), hub.name))
    return EqualityReport(
        options=options, population=population, threshold=Decimal(threshold), as_of=today, scopes=scopes
    )


__all__ = ["Phase", "PriorityFilters", "ReviewRow", "priority_list", "reviews_due"]


# ------------------------------------------------------------------------------ method dry runs


def dry_runs_for(method: ScoringMethod) -> QuerySet[MethodDryRun]:
    return MethodDryRun.objects.filter(candidate=method).select_related("requested_by")


def dry_run_by_id(*, actor: Actor, run_id: int) -> MethodDryRun:
    """Dry runs are the national team's working papers (they rank the whole cohort)."""
    run = MethodDryRun.objects.select_related("candidate", "requested_by").filter(pk=run_id).first()
    if run is None or not access.may(actor, "method.manage"):
        raise NotFoundOrForbidden(f"dry run {run_id}")
    return run


def dry_run_changes(
    *, actor: Actor, run: MethodDryRun, direction: str = "", hub_id: int | None = None
) -> QuerySet[DryRunChange]:
    """People whose computed tier would change, limited to those the actor may see (clearance)."""
    qs = run.changes.filter(nominal__in=Nominal.objects.filter(access.scope(actor, "priority_nominal")))
    if direction:
        qs = qs.filter(direction=direction)
    if hub_id:
        qs = qs.filter(nominal__owner_hub_id=hub_id)
    return qs.select_related("nominal", "nominal__owner_hub").order_by("-new_score", "nominal_id")


@dataclass(frozen=True)
class ChangeExplanation:
    change: DryRunChange
    now_top: list[str]  # the factors that drove the current score (names, from the stored assessment)
    candidate_top: list[tuple[str, float]]  # (factor name, contribution) under the candidate
    threshold: str  # the tier boundary crossed, in words
    missing: list[str] = field(default_factory=list)  # the candidate's factors not assessed (names)


def dry_run_explain(run: MethodDryRun, changes: list[DryRunChange]) -> list[ChangeExplanation]:
    """Why each shown person moves: the candidate's breakdown for them and the boundary they cross.

    The full breakdown costs about 2 ms a person, so it is worked out only for the rows on the page."""
    spec = method_spec(run.candidate)
    levels: dict[int, dict[str, int]] = {}
    for assessment_id, code, level in FactorScore.objects.filter(
        assessment_id__in=[c.assessment_id for c in changes]
    ).values_list("assessment_id", "factor_code", "level"):
        levels.setdefault(assessment_id, {})[code] = level
    stored = Assessment.objects.filter(pk__in=[c.assessment_id for c in changes]).values_list(
        "id", "top_factors", "method_id"
    )
    methods = {m.pk: m for m in ScoringMethod.objects.filter(pk__in={m for _, _, m in stored})}
    stored_top = {pk: factor_names(methods[m], list(top or [])) for pk, top, m in stored}
    candidate_names = {f.code: f.name for f in spec.factors}
    out = []
    for change in changes:
        known = levels.get(change.assessment_id, {})
        result = score(spec, {f.code: known.get(f.code, 0) for f in spec.factors})
        new_tier = spec.tier(change.new_tier)
        if change.direction == "up":
            threshold = f"reaches {new_tier.name} (from {format(new_tier.min, 'g')} under the candidate)"
        else:
            threshold = f"falls to {new_tier.name} (below {format(new_tier.max, 'g')} under the candidate)"
        out.append(
            ChangeExplanation(
                change=change,
                now_top=stored_top.get(change.assessment_id, []),
                candidate_top=[(f.name, f.contribution) for f in result.top_factors(3)],
                threshold=threshold,
                missing=[candidate_names.get(c, c) for c in change.missing_factors or []],
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseAccess:
    """An exercise as one actor may reach it: their own sheet (if assigned) and what they may do."""

    exercise: CalibrationExercise
    sheet: CalibrationAssignment | None
    can_manage: bool
    can_score: bool
    results_view: str | None

    @property
    def assigned(self) -> bool:
        return self.sheet is not None


def calibration_exercises(*, actor: Actor) -> QuerySet[CalibrationExercise]:
    """The exercises `actor` may see: all for the national team; otherwise the open and closed ones they
    are assigned to, and (for hub managers) every closed one."""
    qs = CalibrationExercise.objects.select_related("method", "created_by")
    return access.visible(actor, "calibration_exercise", qs)


def access_exercise_by_id(*, actor: Actor, exercise_id: int) -> ExerciseAccess:
    """One exercise, or NotFoundOrForbidden (the same for a missing one and one out of reach)."""
    qs = CalibrationExercise.objects.select_related("method", "created_by")
    exercise = access.fetch(actor, "calibration_exercise", qs, exercise_id)
    sheet = CalibrationAssignment.objects.filter(exercise=exercise, assessor_id=actor.pk).first()
    assigned = sheet is not None
    if not access.may(actor, "calibration.view", status=exercise.status, assigned=assigned):
        raise NotFoundOrForbidden(f"calibration exercise {exercise_id}")
    results = access.decide(actor, "calibration.results", status=exercise.status, assigned=assigned)
    return ExerciseAccess(
        exercise=exercise,
        sheet=sheet,
        can_manage=access.may(actor, "calibration.manage"),
        can_score=access.may(actor, "calibration.score", status=exercise.status, assigned=assigned),
        results_view=results.condition if results.allowed else None,
    )


def exercise_progress(exercise: CalibrationExercise) -> list[CalibrationAssignment]:
    """Who is assigned and whether they have submitted: never their scores (the exercise is blind)."""
    return list(
        exercise.assignments.select_related("assessor", "hub").order_by("hub__name", "assessor__username")
    )


def own_sheet(sheet: CalibrationAssignment) -> dict[int, CalibrationResponse]:
    """The assessor's own responses, by vignette id."""
    return {r.vignette_id: r for r in sheet.responses.all()}


def calibration_assessor_candidates() -> QuerySet[User]:
    """People who may be assigned: active hub staff with a hub (manager, officer or analyst)."""
    return (
        User.objects.filter(access.holders_q("hub_staff"))
        .filter(is_active=True, is_service_account=False, hub__isnull=False)
        .select_related("hub", "agency")
        .distinct()
        .order_by("hub__is_national", "hub__name", "last_name", "username")
    )


@dataclass(frozen=True)
class ResultRow:
    """One submitted sheet in the results: who (when the viewer may know), hub, and scores by vignette."""

    assessor_id: int
    label: str
    hub: str
    scores: dict[int, float]
    levels: dict[int, dict[str, int]]


@dataclass(frozen=True)
class ExerciseResults:
    exercise: CalibrationExercise
    spec: MethodSpec
    view: str
    vignettes: list[CalibrationVignette]
    results: CalibrationResults
    rows: list[ResultRow]  # the individual sheets the viewer may see by name
    submitted: int
    assigned: int


def exercise_results(*, seen: ExerciseAccess, actor: Actor, spec: MethodSpec) -> ExerciseResults:
    """Results of a closed exercise from the submitted sheets only, trimmed to what the viewer may see."""
    view = seen.results_view
    if view is None:
        raise NotFoundOrForbidden(f"calibration results {seen.exercise.pk}")
    exercise = seen.exercise
    vignettes = list(exercise.vignettes.order_by("position"))
    sheets = list(
        exercise.assignments.select_related("assessor", "hub").order_by("hub__name", "assessor__username")
    )
    submitted = [s for s in sheets if s.submitted_at is not None]
    responses = CalibrationResponse.objects.filter(assignment__in=submitted, score__isnull=False).values_list(
        "assignment_id", "vignette_id", "levels", "score"
    )
    sheet_by_id = {s.pk: s for s in submitted}
    ratings = []
    per_sheet: dict[int, tuple[dict[int, float], dict[int, dict[str, int]]]] = {
        s.pk: ({}, {}) for s in submitted
    }
    for assignment_id, vignette_id, levels, value in responses:
        if value is None:  # narrowed by the filter; keeps the type checker honest
            continue
        sheet = sheet_by_id[assignment_id]
        ratings.append(
            Rating(
                assessor_id=sheet.assessor_id,
                hub=sheet.hub.name,
                vignette_id=vignette_id,
                levels={k: int(v) for k, v in levels.items()},
                score=float(value),
            )
        )
        per_sheet[assignment_id][0][vignette_id] = float(value)
        per_sheet[assignment_id][1][vignette_id] = {k: int(v) for k, v in levels.items()}
    results = calibration_results(spec, [v.pk for v in vignettes], ratings)

    def shown(sheet: CalibrationAssignment) -> bool:
        if view == ResultsView.FULL:
            return True
        if view == ResultsView.HUB:
            return sheet.hub_id == actor.hub_id
        return sheet.assessor_id == actor.pk

    rows = [
        ResultRow(
            assessor_id=s.assessor_id,
            label=f"{s.assessor.get_full_name() or s.assessor.username} ({s.assessor.username})",
            hub=s.hub.name,
            scores=per_sheet[s.pk][0],
            levels=per_sheet[s.pk][1],
        )
        for s in submitted
        if shown(s)
    ]
    return ExerciseResults(
        exercise=exercise,
        spec=spec,
        view=view,
        vignettes=vignettes,
        results=results,
        rows=rows,
        submitted=len(submitted),
        assigned=len(sheets),
    )


# --- small reads for pages and the API ---------------------------------------------------------------


def method_by_id(method_id: int) -> ScoringMethod | None:
    """A scoring method (methods are reference data: who may see them is "method.view")."""
    return ScoringMethod.objects.filter(pk=method_id).first() if 0 < method_id <= 2**63 - 1 else None


def active_method_or_none() -> ScoringMethod | None:
    return ScoringMethod.objects.filter(status="active").first()


def tier_codes() -> list[str]:
    """The tier codes a priority list can be filtered by: the active method's."""
    method = active_method_or_none()
    return [t.code for t in method_spec(method).tiers] if method else []


def assessment_with_method(assessment_id: int) -> Assessment:
    """An assessment the caller has just written (it passed the access rule on the way in)."""
    return Assessment.objects.select_related("method", "assessor").get(pk=assessment_id)


def own_sheets(
    *, actor: Actor, exercise_ids: list[int], count_scored: bool = False
) -> dict[int, CalibrationAssignment]:
    """The actor's own score sheets in these exercises, by exercise (with `scored`: how many scores)."""
    qs = CalibrationAssignment.objects.filter(assessor_id=actor.pk, exercise_id__in=exercise_ids)
    if count_scored:
        qs = qs.annotate(scored=Count("responses", filter=Q(responses__score__isnull=False)))
    return {s.exercise_id: s for s in qs}


def sheet_with_score_count(sheet_id: int) -> tuple[CalibrationAssignment, int]:
    """A sheet read back after saving, with how many scores it holds."""
    sheet = CalibrationAssignment.objects.get(pk=sheet_id)
    return sheet, CalibrationResponse.objects.filter(assignment=sheet, score__isnull=False).count()


def population_exists(population_id: int) -> bool:
    return ReferencePopulation.objects.filter(pk=population_id).exists()
