"""Pages of the working day: a queue (/work/<key>/) and a person's chronology. Thin: the selectors decide
what is shown, the services audit it."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from marsoc.core.web import actor as _actor
from marsoc.core.web import send_export
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from . import services
from .chronology import kinds_offered
from .forms import ChronologyFilterForm
from .selectors import chronology_for, queue_by_key, queue_items


@login_required
def queue(request: HttpRequest, key: str) -> HttpResponse:
    actor = _actor(request)
    found = queue_by_key(actor, key)
    if found is None:
        raise Http404("No such queue")
    items, total = queue_items(actor=actor, queue=found)
    services.work_queue_consult(actor=actor, queue=found, items=items, total=total)
    return render(request, "workday/queue.html", {"queue": found, "items": items, "total": total})


def _filters(form: ChronologyFilterForm) -> dict[str, object]:
    if not form.is_valid():
        data = {k: v for k, v in getattr(form, "cleaned_data", {}).items()}
    else:
        data = form.cleaned_data
    return {
        "kinds": set(data.get("kind") or []) or None,
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }


@nominal_page("chronology")
def chronology(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    form = ChronologyFilterForm(request.GET or None)
    filters = _filters(form)
    entries = chronology_for(actor=_actor(request), nominal=nominal, **filters)  # type: ignore[arg-type]
    return render(
        request,
        "workday/chronology.html",
        {
            "nominal": nominal,
            "form": form,
            "entries": entries,
            "kinds": kinds_offered(),
            "query_string": request.GET.urlencode(),
        },
    )


@nominal_page("chronology_export")
def chronology_csv(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    filters = _filters(ChronologyFilterForm(request.GET or None))
    export = services.chronology_export(actor=_actor(request), nominal=nominal, purpose=purpose, **filters)  # type: ignore[arg-type]
    return send_export(export)
