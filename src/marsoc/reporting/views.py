"""Board report pages. Thin: the façade decides who may read them, selectors scope and suppress, the
service records that a report was shown."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from marsoc.core import access
from marsoc.core.web import actor as _actor

from . import services
from .periods import KINDS, MONTH, QUARTER, Period, PeriodError, latest_complete, parse_period
from .selectors import report_viewer


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "reporting.view")
    today = timezone.localdate()
    error = ""
    try:
        period = parse_period(request.GET.get("period"), request.GET.get("at"), today)
    except PeriodError as exc:
        error = str(exc)
        period = latest_complete(MONTH, today)
    viewer = report_viewer(actor=actor)
    board = services.dashboard_for(viewer=viewer, period=period)
    services.report_view_record(
        actor=actor,
        report="dashboard",
        parameters={
            "period": period.kind,
            "at": period.at,
            "hubs": [h.code for h in viewer.shown],
            "snapshot_months": len(board.months),
        },
        surface="reporting dashboard",
    )
    return render(
        request,
        "reporting/dashboard.html",
        {
            "board": board,
            "viewer": viewer,
            "error": error,
            "kinds": KINDS,
            "pack": _pack_period(period, today),
            "equality": access.may(actor, "equality.view"),
            "may_comment": access.may(actor, "reporting.comment"),
            "previous": period.previous,
            "next": None if period.start >= latest_complete(period.kind, today).start else period.following,
        },
        status=400 if error else 200,
    )


def _export_period(request: HttpRequest, fmt: str) -> Period:
    """The quarter of a pack (the latest complete one unless `at` names another); the period of an
    export as on the dashboard. A bad parameter answers 400 naming it."""
    kind = QUARTER if fmt == "pdf" else request.GET.get("period")
    return parse_period(kind, request.GET.get("at"), timezone.localdate())


@login_required
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "reporting.view")
    try:
        period = _export_period(request, fmt)
    except PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    viewer = report_viewer(actor=actor)
    file = services.report_export(viewer=viewer, period=period, fmt=fmt, surface="reporting " + fmt)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def _pack_period(period: Period, today: date) -> Period:
    """The quarter a pack link offers: the one shown, or the latest complete quarter for a month."""
    if period.kind == QUARTER:
        return period
    return latest_complete(QUARTER, today)


@login_required
def commentary(request: HttpRequest) -> HttpResponse:
    """The national team writes the commentary of a quarter's pack (the latest complete quarter unless
    `at` names another) before it is issued."""
    actor = _actor(request)
    access.require(actor, "reporting.comment")
    try:
        quarter = parse_period(QUARTER, request.GET.get("at"), timezone.localdate())
    except PeriodError as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    kept = services.pack_commentary(quarter)
    text, error = (kept.summary if kept else ""), ""
    if request.method == "POST":
        text = request.POST.get("summary", "")
        try:
            services.pack_commentary_save(actor=actor, quarter=quarter, summary=text)
        except services.CommentaryError as exc:
            error = str(exc)
        else:
            return redirect(f"{reverse('reporting:dashboard')}?period=quarter&at={quarter.at}#downloads")
    return render(
        request,
        "reporting/commentary.html",
        {"quarter": quarter, "text": text, "error": error, "kept": kept, "limit": services.COMMENTARY_LIMIT},
        status=400 if error else 200,
    )
