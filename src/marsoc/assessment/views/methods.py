"""Assessment methods: the list (and uploading a candidate), one method (and activating it) and its
dry runs."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from marsoc.accounts.selectors import all_hubs
from marsoc.core import access
from marsoc.core.errors import ValidationFailed
from marsoc.core.web import actor as _actor
from marsoc.core.web import query_without_page, uploaded_text

from .. import services
from ..forms import MethodUploadForm
from ..method.differences import method_differences
from ..models import ScoringMethod
from ..selectors import (
    active_method_or_none,
    dry_run_by_id,
    dry_run_changes,
    dry_run_explain,
    dry_runs_for,
    methods_visible,
)
from .common import _saved


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
