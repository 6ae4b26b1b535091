"""Board report pages. Thin: the façade decides who may read them, selectors scope and suppress, the
service records that a report was shown."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from marsoc.core import access
from marsoc.core.web import actor as _actor

from . import services
from .periods import KINDS, MONTH, PeriodError, latest_complete, parse_period
from .report import dashboard as build_dashboard
from .selectors import report_viewer


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "reporting.view"):
        raise Http404("No such page")
    today = timezone.localdate()
    error = ""
    try:
        period = parse_period(request.GET.get("period"), request.GET.get("at"), today)
    except PeriodError as exc:
        error = str(exc)
        period = latest_complete(MONTH, today)
    viewer = report_viewer(actor=actor)
    board = build_dashboard(viewer=viewer, period=period)
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
            "previous": period.previous,
            "next": None if period.start >= latest_complete(period.kind, today).start else period.following,
        },
        status=400 if error else 200,
    )
