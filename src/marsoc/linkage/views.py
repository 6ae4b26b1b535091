"""Pages for feed imports, the clerical review queue and resolved people. Thin: parse, call
selectors and services, render."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from marsoc.accounts.models import User
from marsoc.accounts.selectors import hub_choices
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.forms import apply_service_errors
from marsoc.core.web import actor as _actor

from . import records, services
from .explain import plain_explanation
from .forms import DecisionForm, ImportForm
from .mapping import built_in_mappings, load_mapping
from .models import RunStatus
from .selectors import (
    SHOWN_FIELDS,
    access_import_by_id,
    access_merge,
    access_pair_by_id,
    access_person,
    comparison_rows,
    imports_visible,
    quarantine_of,
    review_queue,
    runs_state,
)


def _require_linkage(actor: User) -> None:
    access.require(actor, "linkage.use")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_linkage(actor)
    # An import or run whose worker stopped is queued again, not shown as running for ever.
    services.imports_recover()
    services.runs_recover()
    return render(
        request,
        "linkage/home.html",
        {
            "imports": imports_visible(actor)[:20],
            "queue_count": review_queue(actor).count(),
            "model": services.current_model(),
            "runs": runs_state(),
            "may_import": access.may(actor, "feed_import.create"),
            "may_run": access.may(actor, "linkage.run"),
        },
    )


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "feed_import.create")
    hubs = hub_choices(actor)
    form = ImportForm(
        request.POST or None, request.FILES or None, hubs=hubs, initial={"owner_hub": actor.hub_id}
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "upload"
            with open(path, "wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                feed_import = services.feed_import_request(
                    actor=actor,
                    source_path=path,
                    filename=upload.name,
                    mapping=load_mapping(built_in_mappings()[form.cleaned_data["mapping"]]),
                    source_agency=form.cleaned_data["source_agency"],
                    owner_hub=form.cleaned_data["owner_hub"],
                    classification=form.cleaned_data["classification"],
                )
            except PermissionDenied:
                form.add_error("owner_hub", "You may not import feeds for this hub")
            except ValidationFailed as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, "The file is staged: it is validated and committed on the task worker"
                )
                return redirect("linkage:import", import_id=feed_import.pk)
    return render(request, "linkage/import_new.html", {"form": form})


@login_required
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    actor = _actor(request)
    feed_import = access_import_by_id(actor, import_id)
    if not feed_import.finished and services.imports_recover():
        feed_import.refresh_from_db()  # its worker had stopped: it is queued again (or failed)
    page = Paginator(quarantine_of(actor, feed_import), 50).get_page(request.GET.get("page"))
    if page.object_list:
        # Quarantined rows hold personal data as the partner sent it.
        records.linkage_consult(
            actor=actor,
            action=AuditAction.LINKAGE_IMPORT_REPORT,
            object_type="feed_import",
            object_id=feed_import.pk,
            details={"rows": [q.row_number for q in page.object_list]},
        )
    return render(
        request,
        "linkage/import_detail.html",
        {"feed_import": feed_import, "page": page, "finished": feed_import.finished},
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    _require_linkage(actor)
    page = Paginator(review_queue(actor), 50).get_page(request.GET.get("page"))
    pairs = list(page.object_list)
    records.linkage_consult(
        actor=actor,
        action=AuditAction.LINKAGE_REVIEW_LIST,
        details={"pairs": [p.pk for p in pairs]},
    )
    return render(request, "linkage/queue.html", {"page": page, "pairs": pairs})


@login_required
def pair_review(request: HttpRequest, pair_id: int) -> HttpResponse:
    actor = _actor(request)
    _require_linkage(actor)
    pair = access_pair_by_id(actor, pair_id)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pair_decide(actor=actor, pair_id=pair.pk, decision=form.cleaned_data["decision"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Your decision is recorded")
            return redirect("linkage:queue")
    records.linkage_consult(
        actor=actor,
        action=AuditAction.LINKAGE_PAIR_VIEW,
        object_type="candidate_pair",
        object_id=pair.pk,
        details={"left": pair.left_id, "right": pair.right_id},
    )
    explanation = plain_explanation(list(pair.explanation))
    return render(
        request,
        "linkage/pair.html",
        {"pair": pair, "rows": comparison_rows(pair), "explanation": explanation, "form": form},
    )


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = _actor(request)
    _require_linkage(actor)
    view = access_person(actor, person_id)
    records.linkage_consult(
        actor=actor,
        action=AuditAction.LINKAGE_PERSON_VIEW,
        object_type="person",
        object_id=view.person.pk,
        details={"records": [r.pk for r in view.records], "hidden": view.hidden},
    )
    merges = [
        (
            m,
            m.undone_at is None
            and access.may(actor, "linkage.undo_merge", view.records)
            and view.hidden == 0,
        )
        for m in view.merges
    ]
    return render(
        request,
        "linkage/person.html",
        {"view": view, "fields": SHOWN_FIELDS, "merges": merges},
    )


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    actor = _actor(request)
    _require_linkage(actor)
    try:
        merge = access_merge(actor, merge_id)
        services.merge_undo(actor=actor, merge_id=merge.pk)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("linkage:person", person_id=merge.survivor_id)
    messages.success(request, "The merge is undone: both people and their records are as they were before it")
    return redirect("linkage:person", person_id=merge.survivor_id)


@login_required
@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "linkage.run")
    try:
        run = services.run_request(actor=actor)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
        return redirect("linkage:home")
    if run.status == RunStatus.QUEUED:
        messages.success(
            request, f"Linkage run {run.pk} is queued on the task worker; this page shows how it goes"
        )
    elif run.status == RunStatus.FAILED:
        messages.error(request, f"Linkage run {run.pk} failed: {run.error}")
    else:
        messages.success(request, f"Linkage run {run.pk}: {run.get_status_display().lower()}")
    return redirect("linkage:home")
