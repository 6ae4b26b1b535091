"""Equality monitoring and the reference populations it compares against."""

from decimal import Decimal
from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.accounts.selectors import regional_hubs
from marsoc.core import access
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.core.web import actor as _actor
from marsoc.core.web import send_export, uploaded_text

from .. import services
from ..equality import CHARACTERISTICS
from ..forms import EqualityFilterForm, PopulationEditForm, PopulationUploadForm
from ..selectors import COHORTS, EqualityOptions, EqualityReport, equality_report, reference_populations
from .common import _saved

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
