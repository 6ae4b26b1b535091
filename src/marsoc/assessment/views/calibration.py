"""Calibration exercises: setting one up, scoring it blind and its results."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from marsoc.accounts.models import User
from marsoc.assessment.vocabulary import ResultsView
from marsoc.core import access
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.core.forms import apply_service_errors
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page, send_export

from .. import services
from ..forms import AssignAssessorsForm, CalibrationExerciseForm, CalibrationScoreForm, VignetteForm
from ..models import CalibrationStatus
from ..selectors import (
    ExerciseAccess,
    ExerciseResults,
    access_exercise_by_id,
    calibration_assessor_candidates,
    calibration_exercises,
    exercise_progress,
    exercise_results,
    own_sheet,
    own_sheets,
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
