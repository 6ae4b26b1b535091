"""The national priority list, its export and the reviews due."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from marsoc.core import access
from marsoc.core.web import actor as _actor
from marsoc.core.web import query_without_page, send_export, sort_links

from .. import services
from ..forms import PriorityFilterForm
from ..models import PriorityStatus
from ..selectors import PRIORITY_SORT, PriorityFilters, priority_page, reviews_due, top_factor_labels


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
