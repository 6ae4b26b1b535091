"""Pages for assessment and prioritisation. Thin: parse, call selectors and services, render."""

from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from marsoc.accounts.models import User
from marsoc.accounts.selectors import all_hubs, regional_hubs
from marsoc.assessment.vocabulary import ResultsView
from marsoc.core import access
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.core.forms import apply_service_errors
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page, query_without_page, send_export, sort_links, uploaded_text
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from . import services
from .equality import CHARACTERISTICS
from .forms import (
    AssessmentForm,
    AssignAssessorsForm,
    CalibrationExerciseForm,
    CalibrationScoreForm,
    EqualityFilterForm,
    MethodUploadForm,
    PopulationEditForm,
    PopulationUploadForm,
    PriorityFilterForm,
    TierDecisionForm,
    VignetteForm,
)
from .method.differences import method_differences
from .models import CalibrationStatus, PriorityStatus, ScoringMethod
from .selectors import (
    COHORTS,
    PRIORITY_SORT,
    EqualityOptions,
    EqualityReport,
    ExerciseAccess,
    ExerciseResults,
    PriorityFilters,
    access_assessment_by_id,
    access_exercise_by_id,
    active_method_or_none,
    assessment_history,
    calibration_assessor_candidates,
    calibration_exercises,
    dry_run_by_id,
    dry_run_changes,
    dry_run_explain,
    dry_runs_for,
    equality_report,
    exercise_progress,
    exercise_results,
    methods_visible,
    own_sheet,
    own_sheets,
    priority_page,
    reference_populations,
    reviews_due,
    top_factor_labels,
)


def _filters(request: HttpRequest) -> tuple[PriorityFilterForm, PriorityFilters]:
    form = PriorityFilterForm(request.GET or None)
    form.is_valid()
    d = getattr(form, "cleaned_data", {})
    return form, PriorityFilters(
        hub_id=d["hub"].pk if d.get("hub") else None,
        tier=d.get("tier") or "",
        phase=d.get("phase") or "",
        establishment_id=d["establishment"].pk if d.get("establishment") else None,
        release_within_days=d.get("release_within"),
    )


def _tier_label(status: PriorityStatus) -> str:
    return status.decided_tier or status.computed_tier


@login_required
def priority(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "priority.view")
    form, filters = _filters(request)
    sorting = sort_links(request, PRIORITY_SORT, default_key="rank")
    page = priority_page(actor=actor, filters=filters, number=request.GET.get("page"), sort=sorting.sort)
    labels = top_factor_labels(page.object_list)
    for row in page.object_list:
        row.factor_labels = labels.get(row.pk, "")  # type: ignore[attr-defined]
    services.priority_list_consult(
        actor=actor, nominal_ids=[s.nominal_id for s in page.object_list], filters=filters, surface="page"
    )
    return render(
        request,
        "assessment/priority.html",
        {
            "form": form,
            "page": page,
            "sorting": sorting,
            "query_string": query_without_page(request),
            "national": access.may(actor, "priority.national"),
        },
    )


@login_required
def priority_export(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "priority.view") or fmt not in ("csv", "xlsx"):
        raise Http404("Not available")
    _form, filters = _filters(request)
    return send_export(services.priority_export(actor=actor, filters=filters, fmt=fmt))


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "priority.view")
    rows = reviews_due(actor=actor)
    services.reviews_consult(actor=actor, nominal_ids=[r.status.nominal_id for r in rows], surface="page")
    return render(
        request,
        "assessment/reviews.html",
        {
            "overdue": [r for r in rows if r.overdue],
            "due": [r for r in rows if not r.overdue],
        },
    )


def _saved(
    request: HttpRequest, form: Any, save: Callable[[], Any], success: str, page: str
) -> HttpResponse | None:
    """Call `save`: once saved, `success` (its `{}` naming what was saved) and on to `page` for it; a
    ValidationFailed goes on the form's fields instead, and None says to show the form again."""
    try:
        saved = save()
    except ValidationFailed as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, success.format(saved))
    return redirect(page, pk=saved.pk)


@login_required
def method_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "method.view")
    form = MethodUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        access.require(actor, "method.manage")
        text = uploaded_text(request, form, "method_file", limit=1_000_000, what="method file")
        if text is not None:
            load = partial(services.method_load, actor=actor, text=text)
            if done := _saved(request, form, load, "{} loaded as a candidate", "assessment:method_detail"):
                return done
    return render(
        request,
        "assessment/methods.html",
        {
            "methods": methods_visible(),
            "form": form,
            "can_manage": access.may(actor, "method.manage"),
        },
    )


@login_required
def method_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "method.view")
    method = get_object_or_404(ScoringMethod, pk=pk)
    spec = services.method_spec(method)
    if request.method == "POST":
        access.require(actor, "method.manage")
        try:
            services.method_activate(actor=actor, method=method, rationale=request.POST.get("rationale", ""))
        except ValidationFailed as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        else:
            messages.success(request, f"{method} is now the active method")
        return redirect("assessment:method_detail", pk=method.pk)
    factors_by_group = [(g, [f for f in spec.factors if f.group == g.code]) for g in spec.groups]
    return render(
        request,
        "assessment/method_detail.html",
        {
            "method": method,
            "spec": spec,
            "factors_by_group": factors_by_group,
            "can_manage": access.may(actor, "method.manage"),
            "dry_runs": dry_runs_for(method)[:5] if access.may(actor, "method.manage") else [],
        },
    )


@nominal_page("assessments")
def nominal_assessments(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "assessment.view", nominal)
    return render(
        request,
        "assessment/history.html",
        {
            "nominal": nominal,
            "assessments": assessment_history(actor=actor, nominal=nominal),
            "decisions": nominal.tier_decisions.select_related("decided_by", "assessment"),
            "can_assess": access.may(actor, "assessment.submit", nominal),
            "can_decide": access.may(actor, "tier.decide", nominal),
        },
    )


@nominal_page("assessment_new")
def assessment_new(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "assessment.submit", nominal)
    try:
        method = services.active_method()
    except ValidationFailed as exc:
        raise Http404("No active method") from exc
    spec = services.method_spec(method)
    form = AssessmentForm(request.POST or None, spec=spec)
    return form_page(
        request,
        form,
        lambda d: services.assessment_submit(
            actor=actor,
            nominal=nominal,
            levels=form.levels(),
            grades=form.grades(),
            evidence=form.evidence(),
            summary=d.get("summary") or "",
        ),
        success=lambda a: f"Assessment submitted: score {a.score}, tier {a.tier_code}",
        done=lambda a: reverse("assessment:detail", kwargs={"pk": nominal.pk, "assessment_id": a.pk}),
        template="assessment/assessment_form.html",
        context={"nominal": nominal, "method": method},
    )


@nominal_page("assessment_detail")
def assessment_detail(
    request: HttpRequest, nominal: Nominal, purpose: str, assessment_id: int
) -> HttpResponse:
    actor = _actor(request)
    assessment = access_assessment_by_id(actor=actor, assessment_id=assessment_id)
    if assessment.nominal_id != nominal.pk:
        raise Http404("No such assessment")
    spec = services.method_spec(assessment.method)
    names = {f.code: f.name for f in spec.factors}
    breakdown = [
        item | {"name": names.get(item["code"], item["code"])}
        for item in assessment.breakdown.get("breakdown", [])
    ]
    ranked = sorted(breakdown, key=lambda f: (-float(f.get("contribution", 0)), f.get("code", "")))
    evidence = {f.factor_code: f for f in assessment.factor_scores.all()}
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "nominal": nominal,
            "assessment": assessment,
            "breakdown": breakdown,
            "drivers": ranked[:5],
            "evidence": evidence,
            "can_decide": access.may(actor, "tier.decide", nominal) and assessment.is_current,
        },
    )


@nominal_page("tier_decision")
def tier_decision(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "tier.decide", nominal)
    current = nominal.assessments.filter(is_current=True).select_related("method").first()
    if current is None:
        messages.error(request, "Assess the person before deciding a tier")
        return redirect("assessment:history", pk=nominal.pk)
    spec = services.method_spec(current.method)
    tiers = [(t.code, f"{t.name}{' (computed)' if t.code == current.tier_code else ''}") for t in spec.tiers]
    form = TierDecisionForm(request.POST or None, tiers=tiers, initial={"decided_tier": current.tier_code})
    return form_page(
        request,
        form,
        lambda d: services.tier_decide(
            actor=actor,
            nominal=nominal,
            decided_tier=d.get("decided_tier") or "",
            rationale=d.get("rationale") or "",
        ),
        success="The tier decision has been recorded",
        done=reverse("assessment:history", args=[nominal.pk]),
        template="assessment/tier_decision.html",
        context={"nominal": nominal, "current": current},
    )


# ------------------------------------------------------------------------------ method dry runs

DRY_RUN_PAGE = 25
DIRECTIONS = {"up": "Higher priority", "down": "Lower priority", "other": "Tier not in the candidate"}


@login_required
def method_dry_runs(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry runs of one method; POST queues a new one on the worker."""
    actor = _actor(request)
    access.require(actor, "method.manage")
    method = get_object_or_404(ScoringMethod, pk=pk)
    if request.method == "POST":
        try:
            run = services.dry_run_request(actor=actor, candidate=method)
        except ValidationFailed as exc:
            messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
            return redirect("assessment:method_detail", pk=method.pk)
        messages.success(request, "The dry run is queued: this page shows it when the worker has finished")
        return redirect("assessment:dry_run", run_id=run.pk)
    return render(request, "assessment/dry_runs.html", {"method": method, "runs": dry_runs_for(method)})


@login_required
def dry_run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    actor = _actor(request)
    run = dry_run_by_id(actor=actor, run_id=run_id)
    if not run.finished and services.dry_runs_recover():
        run.refresh_from_db()  # its worker had stopped: it is queued again (or failed)
    direction = request.GET.get("direction", "")
    direction = direction if direction in DIRECTIONS else ""
    hub_raw = request.GET.get("hub", "")
    hub_id = int(hub_raw) if hub_raw.isdigit() and len(hub_raw) < 10 else None
    page = Paginator(
        dry_run_changes(actor=actor, run=run, direction=direction, hub_id=hub_id), DRY_RUN_PAGE
    ).get_page(request.GET.get("page"))
    rows = dry_run_explain(run, list(page.object_list))
    services.dry_run_consult(
        actor=actor,
        run=run,
        nominal_ids=[r.change.nominal_id for r in rows],
        details={"direction": direction, "hub": hub_id, "page": page.number},
        surface="page",
    )
    active = active_method_or_none()
    differences = (
        method_differences(services.method_spec(active), services.method_spec(run.candidate))
        if active is not None and active.pk != run.candidate_id
        else []
    )
    tiers = sorted({*run.transitions, *(t for row in run.transitions.values() for t in row)})
    matrix = [(old, [run.transitions.get(old, {}).get(new, 0) for new in tiers]) for old in tiers]
    return render(
        request,
        "assessment/dry_run.html",
        {
            "run": run,
            "active": active,
            "differences": differences,
            "tiers": tiers,
            "matrix": matrix,
            "page": page,
            "rows": rows,
            "direction": direction,
            "directions": DIRECTIONS,
            "hub_id": hub_id,
            "hubs": all_hubs(),
            "query_string": query_without_page(request),
        },
    )


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring (aggregates only: never a name, counts under 5 withheld)
# ---------------------------------------------------------------------------------------------------------


def _equality_scopes(actor: User) -> list[tuple[str, str]]:
    hubs = regional_hubs()
    if not access.may(actor, "equality.every_hub"):
        hubs = hubs.filter(pk=actor.hub_id or 0)
    return [("national", "National (all hubs)")] + [(str(h.pk), h.name) for h in hubs]


def _equality_request(
    request: HttpRequest,
) -> tuple[User, EqualityFilterForm, EqualityOptions, str, EqualityReport]:
    """What the equality page and its export share: the actor (who must be allowed to see equality
    figures), the filters chosen, the scope shown and the report."""
    actor = _actor(request)
    access.require(actor, "equality.view")
    form = EqualityFilterForm(
        request.GET or None,
        scopes=_equality_scopes(actor),
        cohorts=COHORTS,
        populations=reference_populations(),
    )
    form.is_valid()
    d = getattr(form, "cleaned_data", {})  # only the fields that passed; a bad one falls back to its default
    options = EqualityOptions(
        cohort=d.get("cohort") or "adopted",
        tier=d.get("tier") or "",
        population_id=d["population"].pk if d.get("population") else None,
        threshold=d.get("threshold"),
    )
    report = equality_report(actor=actor, options=options)
    return actor, form, options, d.get("scope") or "national", report


def _options_details(options: EqualityOptions, scope: str) -> dict[str, object]:
    return {
        "scope": scope,
        "cohort": options.cohort,
        "tier": options.tier,
        "population": options.population_id,
        "threshold": str(options.threshold) if options.threshold is not None else None,
    }


@login_required
def equality(request: HttpRequest) -> HttpResponse:
    actor, form, options, scope, report = _equality_request(request)
    selected = report.scope(scope) or report.scopes[0]
    services.equality_report_consult(
        actor=actor, details=_options_details(options, selected.key), surface="page"
    )
    return render(
        request,
        "assessment/equality.html",
        {
            "form": form,
            "report": report,
            "selected": selected,
            "query_string": request.GET.urlencode(),
            "can_manage": access.may(actor, "population.manage"),
        },
    )


EQUALITY_COLUMNS = [
    "scope",
    "characteristic",
    "group",
    "count",
    "share_of_recorded_pct",
    "reference_share_pct",
    "relative_rate_index",
    "ci95_lower",
    "ci95_upper",
    "flagged",
    "cohort",
    "tier",
    "as_of",
    "reference_population",
    "flag_threshold",
]


def _equality_rows(report: EqualityReport) -> list[list[object]]:
    # Every row says what was counted and against what, so a row copied elsewhere still reads correctly.
    context = [
        report.options.cohort,
        report.options.tier or "any",
        report.as_of.isoformat(),
        report.population.name if report.population else "",
        str(report.threshold),
    ]
    rows: list[list[object]] = []
    for scope in report.scopes:
        rows.append([scope.label, "cohort", "total", scope.total_shown, *[""] * 6, *context])
        for table in scope.tables:
            for r in table.rows:
                rows.append(
                    [
                        scope.label,
                        table.code,
                        r.label,
                        r.shown,
                        f"{r.share:.1f}" if r.share is not None else "",
                        f"{r.reference_share:.1f}" if r.reference_share is not None else "",
                        f"{r.rate.rri:.2f}" if r.rate else "",
                        f"{r.rate.lower:.2f}" if r.rate else "",
                        f"{r.rate.upper:.2f}" if r.rate else "",
                        "yes" if r.flagged else "",
                        *context,
                    ]
                )
            rows.append(
                [scope.label, table.code, "Not recorded", table.not_recorded_shown, *[""] * 6, *context]
            )
    return rows


@login_required
def equality_export(request: HttpRequest) -> HttpResponse:
    actor, _form, options, _scope, report = _equality_request(request)
    rows = _equality_rows(report)
    services.equality_export_record(
        actor=actor,
        details={
            **_options_details(options, "all"),
            "scopes": [s.label for s in report.scopes],
            "rows": len(rows),
        },
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    content = csv_text(EQUALITY_COLUMNS, rows).encode("utf-8")
    return send_export(ExportFile(content, CSV_TYPE, f"marsoc-equality-{stamp}.csv"))


@login_required
def population_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "equality.view")
    can_manage = access.may(actor, "population.manage")
    form = PopulationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404("Not available")
        text = uploaded_text(
            request, form, "population_file", limit=200_000, what="reference population file"
        )
        if text is not None:
            load = partial(
                services.reference_population_load,
                actor=actor,
                text=text,
                make_default=bool(request.POST.get("make_default")),
            )
            if done := _saved(request, form, load, "{} loaded", "assessment:population_detail"):
                return done
    services.population_consult(actor=actor, population=None, surface="page")
    return render(
        request,
        "assessment/populations.html",
        {"populations": reference_populations(), "form": form, "can_manage": can_manage},
    )


@login_required
def population_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "equality.view")
    population = get_object_or_404(reference_populations(), pk=pk)
    can_manage = access.may(actor, "population.manage")
    shares = {(s.characteristic, s.group): s.share for s in population.shares.all()}
    initial: dict[str, object] = {
        "name": population.name,
        "source": population.source,
        "source_url": population.source_url,
        "year": population.year,
        "flag_threshold": population.flag_threshold,
    }
    for (characteristic, group), value in shares.items():
        initial[f"{characteristic}__{group}"] = value
    form = PopulationEditForm(
        request.POST if request.method == "POST" else None, initial=initial, characteristics=CHARACTERISTICS
    )
    if request.method == "POST":
        if not can_manage:
            raise Http404("Not available")
        if form.is_valid():
            d = form.cleaned_data
            update = partial(
                services.reference_population_update,
                actor=actor,
                population=population,
                name=d.get("name") or "",
                source=d.get("source") or "",
                source_url=d.get("source_url") or "",
                year=d.get("year") or 0,
                flag_threshold=d.get("flag_threshold") or Decimal(0),
                shares=form.shares(),
            )
            if done := _saved(request, form, update, "{} updated", "assessment:population_detail"):
                return done
    services.population_consult(actor=actor, population=population, surface="page")
    sections = [
        (
            c,
            [(label, shares.get((c.code, g))) for g, label in c.groups],
            next((s for s in population.shares.all() if s.characteristic == c.code), None),
        )
        for c in CHARACTERISTICS
    ]
    return render(
        request,
        "assessment/population_detail.html",
        {"population": population, "sections": sections, "form": form, "can_manage": can_manage},
    )


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------


def _exercise(actor: User, pk: int) -> ExerciseAccess:
    return access_exercise_by_id(actor=actor, exercise_id=pk)


@login_required
def calibration_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "calibration.list")
    exercises = list(calibration_exercises(actor=actor).annotate(vignette_count=Count("vignettes")))
    sheets = own_sheets(actor=actor, exercise_ids=[e.pk for e in exercises])
    return render(
        request,
        "assessment/calibration_list.html",
        {
            "rows": [(e, sheets.get(e.pk)) for e in exercises],
            "can_manage": access.may(actor, "calibration.manage"),
        },
    )


@login_required
def calibration_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "calibration.manage")
    return form_page(
        request,
        CalibrationExerciseForm(request.POST or None),
        lambda d: services.calibration_create(
            actor=actor,
            name=d.get("name") or "",
            description=d.get("description") or "",
            opens_on=d.get("opens_on"),
            closes_on=d.get("closes_on"),
        ),
        success=lambda exercise: f"{exercise.name} set up as a draft: add vignettes and assessors",
        done=lambda exercise: reverse("assessment:calibration_detail", args=[exercise.pk]),
        template="assessment/calibration_new.html",
        context={},
    )


@login_required
def calibration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    seen = _exercise(actor, pk)
    exercise = seen.exercise
    vignettes = list(exercise.vignettes.order_by("position"))
    own = own_sheet(seen.sheet) if seen.sheet else {}
    spec = services.method_spec(exercise.method)
    factor_count = len(spec.factors)
    own_rows = [(v, own.get(v.pk), len(own[v.pk].levels) if v.pk in own else 0) for v in vignettes]
    return render(
        request,
        "assessment/calibration_detail.html",
        {
            "exercise": exercise,
            "access": seen,
            "vignettes": vignettes,
            "own_rows": own_rows,
            "factor_count": factor_count,
            "progress": exercise_progress(exercise) if seen.can_manage else [],
            "all_scored": bool(vignettes)
            and all(v.pk in own and own[v.pk].score is not None for v in vignettes),
        },
    )


@login_required
def calibration_vignette_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    seen = _exercise(actor, pk)
    if not seen.can_manage or seen.exercise.status != CalibrationStatus.DRAFT:
        raise Http404("Not available")
    form = VignetteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            vignette = services.calibration_vignette_add(
                actor=actor,
                exercise=seen.exercise,
                title=d.get("title") or "",
                narrative=d.get("narrative") or "",
                confirm_invented=bool(d.get("confirm_invented")),
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Vignette {vignette.position} added")
            if "add_another" in request.POST:
                return redirect("assessment:calibration_vignette_add", pk=pk)
            return redirect("assessment:calibration_detail", pk=pk)
    return render(
        request, "assessment/calibration_vignette_form.html", {"form": form, "exercise": seen.exercise}
    )


@login_required
def calibration_assessors(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    seen = _exercise(actor, pk)
    exercise = seen.exercise
    if not seen.can_manage or exercise.status == CalibrationStatus.CLOSED:
        raise Http404("Not available")
    assigned = exercise_progress(exercise)
    candidates = calibration_assessor_candidates().exclude(pk__in=[a.assessor_id for a in assigned])
    form = AssignAssessorsForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        remove = request.POST.get("remove")
        if remove:
            target = next((a.assessor for a in assigned if str(a.assessor_id) == remove), None)
            if target is None:
                raise Http404("Not assigned")
            try:
                services.calibration_unassign(actor=actor, exercise=exercise, assessor=target)
            except PermissionDenied as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"{target} removed")
            return redirect("assessment:calibration_assessors", pk=pk)
        if form.is_valid():
            try:
                created = services.calibration_assign(
                    actor=actor, exercise=exercise, assessors=list(form.cleaned_data.get("assessors") or [])
                )
            except ValidationFailed as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, f"{len(created)} assessor(s) assigned")
                return redirect("assessment:calibration_assessors", pk=pk)
    return render(
        request,
        "assessment/calibration_assessors.html",
        {"form": form, "exercise": exercise, "assigned": assigned},
    )


@login_required
@require_POST
def calibration_status(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    seen = _exercise(actor, pk)
    if not seen.can_manage:
        raise Http404("Not available")
    action = request.POST.get("action", "")
    try:
        if action == "open":
            services.calibration_open(actor=actor, exercise=seen.exercise)
            messages.success(request, "The exercise is open: assessors can score it")
        elif action == "close":
            services.calibration_close(actor=actor, exercise=seen.exercise)
            messages.success(request, "The exercise is closed: the results are ready")
        else:
            messages.error(request, "Choose whether to open or close the exercise")
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("assessment:calibration_detail", pk=pk)


@login_required
def calibration_score(request: HttpRequest, pk: int, vignette_id: int) -> HttpResponse:
    """One vignette of the assessor's own sheet. Nothing here shows anybody else's scores."""
    actor = _actor(request)
    seen = _exercise(actor, pk)
    exercise = seen.exercise
    if seen.sheet is None or exercise.status != CalibrationStatus.OPEN:
        raise Http404("Not available")
    vignettes = list(exercise.vignettes.order_by("position"))
    vignette = next((v for v in vignettes if v.pk == vignette_id), None)
    if vignette is None:
        raise Http404("No such vignette")
    spec = services.method_spec(exercise.method)
    existing = own_sheet(seen.sheet).get(vignette.pk)
    initial = {f"level_{code}": level for code, level in (existing.levels if existing else {}).items()}
    locked = seen.sheet.is_submitted or not seen.can_score
    form = CalibrationScoreForm(request.POST or None, spec=spec, initial=initial)
    following = next((v for v in vignettes if v.position > vignette.position), None)
    if request.method == "POST" and form.is_valid():
        try:
            services.calibration_scores_save(
                actor=actor, exercise=exercise, responses={vignette.pk: form.levels()}
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except services.SheetLocked as exc:
            form.add_error(None, str(exc))
        else:
            missing = sum(1 for v in form.levels().values() if v is None)
            messages.success(
                request,
                f"Vignette {vignette.position} saved"
                + (f": {missing} factor(s) still to score" if missing else ""),
            )
            if "next" in request.POST and following is not None:
                return redirect("assessment:calibration_score", pk=pk, vignette_id=following.pk)
            return redirect("assessment:calibration_detail", pk=pk)
    return render(
        request,
        "assessment/calibration_score.html",
        {
            "form": form,
            "exercise": exercise,
            "vignette": vignette,
            "vignettes": vignettes,
            "following": following,
            "locked": locked,
            "sheet": seen.sheet,
        },
    )


@login_required
def calibration_submit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    seen = _exercise(actor, pk)
    exercise = seen.exercise
    if seen.sheet is None or exercise.status != CalibrationStatus.OPEN:
        raise Http404("Not available")
    problems: list[str] = []
    if request.method == "POST":
        try:
            services.calibration_sheet_submit(actor=actor, exercise=exercise)
        except ValidationFailed as exc:
            problems = [m for ms in exc.errors.values() for m in ms]
        except services.SheetLocked as exc:
            problems = [str(exc)]
        else:
            messages.success(request, "Your scores have been submitted. Thank you")
            return redirect("assessment:calibration_detail", pk=pk)
    own = own_sheet(seen.sheet)
    rows = [(v, own.get(v.pk)) for v in exercise.vignettes.order_by("position")]
    return render(
        request,
        "assessment/calibration_submit.html",
        {"exercise": exercise, "rows": rows, "sheet": seen.sheet, "problems": problems},
    )


def _results(request: HttpRequest, pk: int) -> tuple[User, ExerciseResults]:
    actor = _actor(request)
    seen = _exercise(actor, pk)
    if seen.results_view is None:
        raise Http404("Not available")
    spec = services.method_spec(seen.exercise.method)
    return actor, exercise_results(seen=seen, actor=actor, spec=spec)


@login_required
def calibration_results(request: HttpRequest, pk: int) -> HttpResponse:
    actor, data = _results(request, pk)
    services.calibration_results_consult(actor=actor, data=data)
    vignettes = {v.pk: v for v in data.vignettes}
    return render(
        request,
        "assessment/calibration_results.html",
        {
            "data": data,
            "exercise": data.exercise,
            "vignettes_by_id": vignettes,
            "disagreements": [(vignettes[d.vignette_id], d) for d in data.results.disagreements],
            "medians": [(v, data.results.national_median.get(v.pk)) for v in data.vignettes],
            "rows": [(r, [r.scores.get(v.pk) for v in data.vignettes]) for r in data.rows],
            "can_export": data.view in (ResultsView.FULL, ResultsView.HUB),
        },
    )


@login_required
def calibration_results_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor, data = _results(request, pk)
    if data.view not in (ResultsView.FULL, ResultsView.HUB):
        raise Http404("Not available")
    rows = calibration_csv_rows(data)
    services.calibration_results_export(actor=actor, data=data, rows=len(rows))
    content = csv_text(CALIBRATION_CSV_COLUMNS, rows).encode("utf-8")
    return send_export(ExportFile(content, CSV_TYPE, f"marsoc-calibration-{data.exercise.pk}.csv"))


CALIBRATION_CSV_COLUMNS = ["section", "measure", "hub", "assessor", "vignette", "factor", "value"]


def _fmt(value: float | None, places: int = 3) -> str:
    return "" if value is None else f"{value:.{places}f}"


def calibration_csv_rows(data: ExerciseResults) -> list[list[str]]:
    """The results in long form (one figure per row), ready for a pivot table."""
    r = data.results
    position = {v.pk: str(v.position) for v in data.vignettes}
    out = [["agreement", "alpha_interval", "", "", "", "overall (scores)", _fmt(r.overall_alpha)]]
    out += [["agreement", "alpha_interval", "", "", "", f.code, _fmt(f.alpha)] for f in r.factors]
    out += [
        ["national_median", "score", "", "", position[v], "", _fmt(m, 1)]
        for v, m in r.national_median.items()
    ]
    for h in r.hub_offsets:
        out.append(["hub_offset", "mean", h.hub, "", "", "", _fmt(h.mean_offset, 2)])
        out += [
            ["hub_offset", "vignette", h.hub, "", position[v], "", _fmt(o, 1)]
            for v, o in h.by_vignette.items()
        ]
    for d in r.disagreements:
        out.append(["disagreement", "score_sd", "", "", position[d.vignette_id], "", _fmt(d.spread, 2)])
        out += [
            ["disagreement", "factor_sd", "", "", position[d.vignette_id], f.code, _fmt(f.spread)]
            for f in d.drivers
        ]
    for row in data.rows:
        for v in data.vignettes:
            if v.pk in row.scores:
                out.append(
                    ["rating", "score", row.hub, row.label, position[v.pk], "", _fmt(row.scores[v.pk], 1)]
                )
                out += [
                    ["rating", "level", row.hub, row.label, position[v.pk], code, str(level)]
                    for code, level in sorted(row.levels[v.pk].items())
                ]
    return out
