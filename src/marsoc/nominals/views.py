"""Pages for nominals. Thin: parse the request, ask the selectors and services, render.

Every page that shows personal data writes a consultation record; opening a record needs a purpose,
asked once per nominal per session (the purpose gate of core.web).
"""

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms import Form, ModelChoiceField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from marsoc.accounts.selectors import hub_choices, officers_for
from marsoc.core import access
from marsoc.core.errors import ValidationFailed
from marsoc.core.forms import apply_service_errors
from marsoc.core.web import PurposeGate, form_page, query_without_page, sort_links
from marsoc.core.web import actor as _actor
from marsoc.nominals.vocabulary import ALLOWED_TRANSITIONS

from . import services
from .forms import (
    AliasForm,
    CohortFilterForm,
    CustodyEventForm,
    EditForm,
    EndParticipationForm,
    IdentifierForm,
    MembershipForm,
    ParticipationForm,
    ReferForm,
)
from .lifecycle import derive_custody
from .models import PERSONAL_DETAILS, Nominal
from .selectors import (
    COHORT_SORT,
    CohortFilters,
    access_nominal_by_id,
    active_participation,
    nominal_list,
    nominal_phase,
    nominal_viewers,
)
from .vocabulary import MembershipState, Phase

# Access check, purpose gate and consultation record for every page about one nominal.
GATE = PurposeGate(
    session_key="marsoc_purposes",
    fetch=lambda actor, pk: access_nominal_by_id(actor=actor, nominal_id=pk),
    consult=services.nominal_consult,
    record_arg="nominal",
    ask_url="nominals:purpose",
    home_url="nominals:detail",
)
nominal_page = GATE.page
purpose = login_required(GATE.purpose_view)


@login_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "cohort.view")
    form = CohortFilterForm(request.GET or None)
    form.is_valid()  # invalid fields are reported and left out; the valid ones still apply
    data = getattr(form, "cleaned_data", {})
    # Unsorted, a search lists the best match first (no heading is marked sorted), else by name.
    sorting = sort_links(request, COHORT_SORT, default_key="" if data.get("q") else "name")
    filters = CohortFilters(
        query=data.get("q") or "",
        hub_id=data["hub"].pk if data.get("hub") else None,
        phase=data.get("phase") or "",
        membership_state=data.get("state") or "",
        establishment_id=data["establishment"].pk if data.get("establishment") else None,
        sort=sorting.sort.param,
    )
    paginator = Paginator(nominal_list(actor=actor, filters=filters), 50)
    page = paginator.get_page(request.GET.get("page"))
    labels = dict(Phase.choices)
    detail_url = reverse("nominals:detail", args=[0]).replace("/0/", "/{}/")
    today = timezone.localdate()
    for row in page.object_list:
        row.phase = nominal_phase(row, today).value  # type: ignore[attr-defined]
        row.phase_label = labels.get(row.phase, "")  # type: ignore[attr-defined]
        row.url = detail_url.format(row.pk)  # type: ignore[attr-defined]  # one reverse() per page, not per row
    services.nominal_list_consult(
        actor=actor,
        nominal_ids=[n.pk for n in page.object_list],
        purpose="Cohort list",
        surface="page",
        query={k: str(v) for k, v in asdict(filters).items() if v not in (None, "")},
    )
    template = "nominals/_results.html" if request.headers.get("HX-Request") else "nominals/list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "query_string": query_without_page(request),
            "sorting": sorting,
            "can_refer": access.may(actor, "nominal.refer"),
            "phase_choices": Phase.choices,
        },
    )


@nominal_page("profile")
def detail(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    events = list(nominal.custody_events.select_related("establishment", "recorded_by"))
    custody = derive_custody(events)
    context = {
        "nominal": nominal,
        "purpose": purpose,
        "phase": nominal_phase(nominal),
        "identifiers": nominal.identifiers.all(),
        "aliases": nominal.aliases.all(),
        "events": events,
        "episodes": custody.episodes,
        "membership_changes": nominal.membership_changes.select_related("changed_by"),
        "participations": nominal.participations.select_related("agency").order_by(
            "ended_at", "agency__name"
        ),
        "can_edit": access.may(actor, "nominal.edit", nominal),
        # Hub staff and national analysts also work with assessments (partners see the core record only).
        "hub_working": access.may(actor, "nominal.hub_work", nominal),
        "can_manage_participation": access.may(actor, "nominal.manage_participation", nominal),
        "membership_targets": [
            MembershipState(s)
            for s in ALLOWED_TRANSITIONS[nominal.membership_state]
            if access.may(actor, "nominal.change_membership", nominal, s)
        ],
        "viewers": nominal_viewers(actor=actor, nominal=nominal)
        if access.may(actor, "nominal.see_viewers", nominal)
        else None,
        "today": timezone.localdate(),
    }
    return render(request, "nominals/detail.html", context)


def _person_input(data: dict[str, Any]) -> services.NominalInput:
    return services.NominalInput(
        given_names=(data.get("given_names") or "").strip(),
        family_name=(data.get("family_name") or "").strip(),
        date_of_birth=data.get("date_of_birth"),
        sex=data.get("sex") or "",
        data_subject_category=data.get("data_subject_category") or "",
        owner_hub_id=data["owner_hub"].pk if data.get("owner_hub") else None,
        ethnicity_self=data.get("ethnicity_self") or "NS",
        ethnicity_officer=data.get("ethnicity_officer") or "IC9",
        nationality=(data.get("nationality") or "").strip(),
        religion=data.get("religion") or "",
        classification=data.get("classification") or "OFFICIAL-SENSITIVE",
        lead_officer_id=data["lead_officer"].pk if data.get("lead_officer") else None,
    )


@login_required
def refer(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "nominal.refer")
    form = ReferForm(
        request.POST or None,
        hubs=hub_choices(actor),
        officers=officers_for(actor),
        initial={"owner_hub": actor.hub_id if not actor.is_national else None},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            nominal = services.nominal_refer(
                actor=actor,
                data=_person_input(data),
                identifiers=[
                    ("PNC", data["pnc"]),
                    ("CRO", data["cro"]),
                    ("NOMIS", data["nomis"]),
                    ("CRN", data["crn"]),
                ],
                rationale=data.get("rationale") or "",
            )
        except ValidationFailed as exc:
            apply_service_errors(
                form,
                exc,
                {
                    "identifier_pnc": "pnc",
                    "identifier_cro": "cro",
                    "identifier_nomis": "nomis",
                    "identifier_crn": "crn",
                },
            )
        else:
            GATE.remember(request, nominal.pk, "Case management of this person: recording a referral")
            messages.success(request, f"{nominal.full_name} has been referred ({nominal.reference})")
            return redirect("nominals:detail", pk=nominal.pk)
    return render(request, "nominals/refer.html", {"form": form})


@nominal_page("edit")
def edit(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "nominal.edit", nominal)
    initial = {f: getattr(nominal, f) for f in PERSONAL_DETAILS}
    initial |= {"owner_hub": nominal.owner_hub_id, "lead_officer": nominal.lead_officer_id}
    form = EditForm(
        request.POST or None,
        initial=initial,
        hubs=hub_choices(actor, include=nominal.owner_hub_id),
        officers=officers_for(actor),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.nominal_update(
                actor=actor,
                nominal=nominal,
                data=_person_input(form.cleaned_data),
                reason=form.cleaned_data.get("reason") or "",
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The record has been updated")
            return redirect("nominals:detail", pk=nominal.pk)
    return render(request, "nominals/edit.html", {"form": form, "nominal": nominal})


def _simple_action(
    request: HttpRequest,
    nominal: Nominal,
    form: Any,
    template: str,
    action: Callable[[dict[str, Any]], object],
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    return form_page(
        request,
        form,
        action,
        success=success,
        done=reverse("nominals:detail", args=[nominal.pk]),
        template=template,
        context={"nominal": nominal, **(extra or {})},
    )


def _arguments(form: Any, **renamed: str) -> dict[str, Any]:
    """The form's fields as a service's keyword arguments: a record chosen from a list as its id
    (`agency` gives `agency_id`); `renamed` where the service names a field otherwise (`value="raw"`)."""
    arguments: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if isinstance(field, ModelChoiceField):
            arguments[f"{name}_id"] = value.pk if value else None
        else:
            arguments[renamed.get(name, name)] = value
    return arguments


def _change_view(
    surface: str,
    form_class: type[Form],
    service: Callable[..., object],
    success: str,
    *,
    rule: str = "nominal.edit",
    **renamed: str,
) -> Callable[..., HttpResponse]:
    """The page making one change to a nominal with one form, for an actor `rule` allows:
    `service(actor=, nominal=, <the form's fields>)`, shown by the template nominals/<surface>.html."""

    @nominal_page(surface)
    def page(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
        actor = _actor(request)
        access.require(actor, rule, nominal)
        form = form_class(request.POST or None)
        return _simple_action(
            request,
            nominal,
            form,
            f"nominals/{surface}.html",
            lambda d: service(actor=actor, nominal=nominal, **_arguments(form, **renamed)),
            success,
        )

    return page


identifier_add = _change_view(
    "identifier_add", IdentifierForm, services.identifier_add, "The identifier has been added", value="raw"
)
alias_add = _change_view("alias_add", AliasForm, services.alias_add, "The alias has been added")
custody_event_add = _change_view(
    "custody_event_add",
    CustodyEventForm,
    services.custody_event_record,
    "The custody event has been recorded",
)
participation_add = _change_view(
    "participation_add",
    ParticipationForm,
    services.participation_add,
    "The agency has been added",
    rule="nominal.manage_participation",
)


@nominal_page("membership_change")
def membership_change(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    targets = [
        s
        for s in ALLOWED_TRANSITIONS[nominal.membership_state]
        if access.may(actor, "nominal.change_membership", nominal, s)
    ]
    if not targets:
        raise Http404("Not available")
    form = MembershipForm(request.POST or None)
    form.fields["to_state"].choices = [(s, MembershipState(s).label) for s in targets]  # type: ignore[attr-defined]
    return _simple_action(
        request,
        nominal,
        form,
        "nominals/membership_change.html",
        lambda d: services.membership_change(actor=actor, nominal=nominal, **_arguments(form)),
        "The cohort membership has been changed",
    )


@nominal_page("participation_end")
def participation_end(
    request: HttpRequest, nominal: Nominal, purpose: str, participation_id: int
) -> HttpResponse:
    access.require(_actor(request), "nominal.manage_participation", nominal)
    participation = active_participation(nominal=nominal, participation_id=participation_id)
    if participation is None:
        raise Http404("No such participation")
    return _simple_action(
        request,
        nominal,
        EndParticipationForm(request.POST or None),
        "nominals/participation_end.html",
        lambda d: services.participation_end(
            actor=_actor(request), participation=participation, reason=d.get("reason") or ""
        ),
        f"{participation.agency.name} no longer takes part",
        {"participation": participation},
    )
