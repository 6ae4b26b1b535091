"""Pages for plans, outcomes, orders, tasking meetings, the catalogue, alerts and reports.
Thin: parse, call selectors and services, render. Person-level pages go through `nominal_page` (access
check, stated purpose, consultation record); the others check the plans policy and write their own
audit record."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from marsoc.accounts.models import User
from marsoc.accounts.selectors import agency_people
from marsoc.core import access
from marsoc.core.dates import long_date
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.core.forms import apply_service_errors
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page, send_export
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import access_nominal_by_id, nominal_phase
from marsoc.nominals.views import nominal_page
from marsoc.nominals.vocabulary import Phase

from . import agenda as agenda_layout
from . import alerts, claims, pdf, records, reports, services
from .forms import (
    ActionForm,
    ActionUpdateForm,
    AgreeForm,
    AttendanceForm,
    BreachForm,
    ClaimsForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    ObjectiveForm,
    OrderForm,
    OutcomeForm,
    PlanCreateForm,
    ReportFilterForm,
    TacticForm,
)
from .models import Meeting, Plan
from .selectors import (
    access_action_by_id,
    access_meeting_by_id,
    access_order_by_id,
    catalogue_entries,
    meeting_agenda,
    meeting_record,
    meetings_visible,
    plan_for,
    tactic_by_id,
)
from .selectors import agency_actions as agency_actions_of
from .services import meetings as meeting_writes
from .services import orders
from .vocabulary import LifeArea, Strand


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _plan_or_404(actor: User, nominal: Nominal) -> Plan:
    plan = plan_for(actor=actor, nominal=nominal)
    if plan is None:
        raise Http404("No plan")
    return plan


def _officers(nominal: Nominal) -> list[User]:
    return list(agency_people())


def _plan_form(
    request: HttpRequest,
    nominal: Nominal,
    form: Any,
    save: Callable[[dict[str, Any]], object],
    *,
    success: str,
    heading: str,
    submit: str,
    intro: str = "",
) -> HttpResponse:
    """A form on the person's plan (plans/form.html) that returns to the plan once saved."""
    context = {"nominal": nominal, "heading": heading, "submit": submit}
    return form_page(
        request,
        form,
        save,
        success=success,
        done=reverse("plans:plan", args=[nominal.pk]),
        template="plans/form.html",
        context={**context, "intro": intro} if intro else context,
    )


# ---------------------------------------------------------------- the plan page


@nominal_page("plan")
def plan(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    current_plan = plan_for(actor=actor, nominal=nominal)
    context: dict[str, Any] = {
        "nominal": nominal,
        "plan": current_plan,
        "phase": nominal_phase(nominal),
        "can_edit": access.may(actor, "plan.edit", nominal),
        "can_manage_orders": access.may(actor, "plan.manage_orders", nominal),
        "orders": nominal.orders.prefetch_related("breaches"),
        # Tiers are the hubs' working judgements: shown to those who may see assessments, not partners.
        "tiers": reports.tier_history(nominal) if access.may(actor, "assessment.view", nominal) else None,
        "can_report_breach": access.may(actor, "plan.manage_orders", nominal)
        or access.may(actor, "plan.act_for_agency", nominal, actor.agency_id or 0),
    }
    if current_plan is not None:
        version = current_plan.current_version
        assert version is not None
        actions = list(
            current_plan.actions.select_related("tactic", "agency", "officer").prefetch_related("outcomes")
        )
        for action in actions:
            action.may_act = access.may(actor, "plan.act_for_agency", nominal, action.agency_id)  # type: ignore[attr-defined]
        agreed_ids = set(version.agreements.values_list("agency_id", flat=True))
        context.update(
            {
                "state": services.plan_state(current_plan),
                "version": version,
                "agreements": version.agreements.select_related("agency", "representative"),
                "participating": sorted({a["agency"] for a in version.snapshot.get("actions", [])}),
                "agreed_version": current_plan.agreed_version,
                "objectives": current_plan.objectives.all(),
                "actions": actions,
                "versions": current_plan.versions.order_by("-number"),
                "can_agree": version.requested_at is not None
                and access.may(actor, "plan.agree", nominal, version.participating_agency_ids)
                and actor.agency_id not in agreed_ids,
            }
        )
    return render(request, "plans/plan.html", context)


@nominal_page("plan_create")
def plan_create(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "plan.edit", nominal)
    form = PlanCreateForm(
        request.POST or None, officers=_officers(nominal), initial={"owner_agency": actor.agency_id}
    )
    return _plan_form(
        request,
        nominal,
        form,
        lambda d: services.plan_create(
            actor=actor,
            nominal=nominal,
            owner_agency_id=_int(d.get("owner_agency")),
            owner_officer_id=_int(d.get("owner_officer")),
        ),
        success="Plan created as a draft",
        heading="Create a disruption plan",
        submit="Create plan",
    )


@nominal_page("plan_objective_add")
def objective_add(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "plan.edit", nominal)
    current = _plan_or_404(actor, nominal)
    form = ObjectiveForm(request.POST or None)
    return _plan_form(
        request,
        nominal,
        form,
        lambda d: services.objective_add(actor=actor, plan=current, text=d.get("text") or ""),
        success="Objective added",
        heading="Add an objective",
        submit="Add objective",
    )


@nominal_page("plan_action_add")
def action_add(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    """The rule is evaluated once a request: by the service when the form is sent and valid, else here
    before the form is shown (issue 12: it was asked in the view and twice more in the service)."""
    actor = _actor(request)
    current = _plan_or_404(actor, nominal)
    meeting = None
    meeting_id = _int(request.GET.get("meeting") or request.POST.get("meeting"))
    if meeting_id is not None:
        meeting = access_meeting_by_id(actor=actor, meeting_id=meeting_id)
        if meeting.hub_id != nominal.owner_hub_id:
            raise Http404("No such meeting")
    form = ActionForm(
        request.POST or None, objectives=list(current.objectives.all()), officers=_officers(nominal)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.action_add(
                actor=actor,
                plan=current,
                tactic_id=_int(d.get("tactic")),
                agency_id=_int(d.get("agency")),
                officer_id=_int(d.get("officer")),
                objective_id=_int(d.get("objective")),
                due_date=d.get("due_date"),
                notes=d.get("notes") or "",
                meeting=meeting,
                target_group=d.get("target_group") or "",
            )
        except PermissionDenied as exc:
            raise Http404("Not available") from exc
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Action added")
            if meeting is not None:
                return redirect("plans:meeting", meeting_id=meeting.pk)
            return redirect("plans:plan", pk=nominal.pk)
    elif not access.may(actor, "plan.edit", nominal):
        raise Http404("Not available")
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "nominal": nominal,
            "heading": "Add an action",
            "submit": "Add action",
            "intro": f"The person is {nominal_phase(nominal).label.lower()}: choose a tool that applies in that phase.",
            "hidden": {"meeting": meeting.pk} if meeting else {},
        },
    )


@nominal_page("plan_action")
def action_update(request: HttpRequest, nominal: Nominal, purpose: str, action_id: int) -> HttpResponse:
    actor = _actor(request)
    action = access_action_by_id(actor=actor, nominal=nominal, action_id=action_id)
    if not (
        access.may(actor, "plan.edit", nominal)
        or access.may(actor, "plan.act_for_agency", nominal, action.agency_id)
    ):
        raise Http404("Not available")
    form = ActionUpdateForm(request.POST or None, initial={"status": action.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                actor=actor,
                action=action,
                status=form.cleaned_data["status"],
                notes=form.cleaned_data.get("notes") or "",
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Action updated")
            return redirect("plans:plan", pk=nominal.pk)
    return render(
        request,
        "plans/form.html",
        {
            "form": form,
            "nominal": nominal,
            "heading": f"Update action: {action.tactic.name}",
            "submit": "Save",
            "intro": f"{action.agency.name}, due {long_date(action.due_date)}.",
        },
    )


@require_POST
@nominal_page("plan_request_agreement")
def request_agreement(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "plan.edit", nominal)
    current = _plan_or_404(actor, nominal)
    try:
        version = services.plan_request_agreement(actor=actor, plan=current)
    except ValidationFailed as exc:
        messages.error(request, " ".join(m for ms in exc.errors.values() for m in ms))
    else:
        messages.success(
            request, f"The participating agencies have been asked to agree version {version.number}"
        )
    return redirect("plans:plan", pk=nominal.pk)


@nominal_page("plan_agree")
def agree(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    current = _plan_or_404(actor, nominal)
    version = current.current_version
    assert version is not None
    form = AgreeForm(request.POST or None, initial={"version": version.number})
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_agree(
                actor=actor,
                plan=current,
                version_number=form.cleaned_data.get("version"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc, {"version": "note"})
        else:
            messages.success(
                request,
                f"You have agreed version {version.number} for {actor.agency.name if actor.agency else 'your agency'}",
            )
            return redirect("plans:plan", pk=nominal.pk)
    return render(
        request, "plans/agree.html", {"form": form, "nominal": nominal, "plan": current, "version": version}
    )


@nominal_page("plan_outcome")
def outcome_claim(request: HttpRequest, nominal: Nominal, purpose: str, action_id: int) -> HttpResponse:
    actor = _actor(request)
    action = access_action_by_id(actor=actor, nominal=nominal, action_id=action_id)
    form = OutcomeForm(request.POST or None)
    return _plan_form(
        request,
        nominal,
        form,
        lambda d: services.outcome_claim(
            actor=actor,
            action=action,
            occurred_on=d.get("occurred_on"),
            rating=d.get("rating") or "",
            justification=d.get("justification") or "",
            group_effect=d.get("group_effect") or "",
        ),
        success="Outcome claimed: the hub will validate it at the tasking meeting",
        heading="Record a disruption outcome",
        submit="Claim outcome",
        intro=f"Action: {action.tactic.name} by {action.agency.name}.",
    )


@nominal_page("order_add")
def order_add(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "plan.manage_orders", nominal)
    form = OrderForm(request.POST or None)
    return _plan_form(
        request,
        nominal,
        form,
        lambda d: orders.order_record(
            actor=actor,
            nominal=nominal,
            order_type=d.get("order_type") or "",
            start_date=d.get("start_date"),
            end_date=d.get("end_date"),
            conditions=d.get("conditions") or "",
        ),
        success="Order recorded",
        heading="Record an order or conditions in force",
        submit="Record order",
    )


@nominal_page("order_breach")
def breach_add(request: HttpRequest, nominal: Nominal, purpose: str, order_id: int) -> HttpResponse:
    actor = _actor(request)
    order = access_order_by_id(actor=actor, nominal=nominal, order_id=order_id)
    if not (
        access.may(actor, "plan.manage_orders", nominal)
        or access.may(actor, "plan.act_for_agency", nominal, actor.agency_id or 0)
    ):
        raise Http404("Not available")
    form = BreachForm(request.POST or None)
    return _plan_form(
        request,
        nominal,
        form,
        lambda d: orders.order_breach_report(
            actor=actor, order=order, occurred_on=d.get("occurred_on"), details=d.get("details") or ""
        ),
        success="Breach reported",
        heading=f"Report a breach of the {order.get_order_type_display()}",
        submit="Report breach",
    )


# ---------------------------------------------------------------- catalogue


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "catalogue.view")
    tactics = list(catalogue_entries())
    phases = dict(Phase.choices)
    for t in tactics:
        t.phase_labels = ", ".join(phases.get(p, p) for p in t.phases)  # type: ignore[attr-defined]
    return render(
        request,
        "plans/catalogue.html",
        {
            "tactics": tactics,
            "can_manage": access.may(actor, "catalogue.manage"),
            "areas": dict(LifeArea.choices),
            "strands": dict(Strand.choices),
        },
    )


@login_required
def tactic_edit(request: HttpRequest, tactic_id: int | None = None) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "catalogue.manage")
    tactic = None
    if tactic_id is not None:
        tactic = tactic_by_id(tactic_id)
        if tactic is None:
            raise Http404("No such entry")
    initial = (
        {
            "code": tactic.code,
            "name": tactic.name,
            "agency_type": tactic.agency_type,
            "legal_basis": tactic.legal_basis,
            "life_area": tactic.life_area,
            "strand": tactic.strand,
            "phases": tactic.phases,
            "description": tactic.description,
        }
        if tactic
        else {}
    )
    form = TacticForm(request.POST or None, initial=initial)
    if tactic is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if tactic is not None and request.POST.get("retire") in ("retire", "reinstate"):
                services.tactic_retire(
                    actor=actor,
                    tactic=tactic,
                    retire=request.POST["retire"] == "retire",
                    reason=d.get("reason") or "",
                )
            else:
                services.tactic_save(
                    actor=actor,
                    tactic=tactic,
                    reason=d.get("reason") or "",
                    data=services.TacticInput(
                        code=(tactic.code if tactic else d.get("code") or ""),
                        name=d.get("name") or "",
                        agency_type=d.get("agency_type") or "",
                        legal_basis=d.get("legal_basis") or "",
                        life_area=d.get("life_area") or "",
                        strand=d.get("strand") or "",
                        phases=list(d.get("phases") or []),
                        description=d.get("description") or "",
                    ),
                )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Catalogue updated")
            return redirect("plans:catalogue")
    return render(request, "plans/tactic_form.html", {"form": form, "tactic": tactic})


# ---------------------------------------------------------------- meetings


@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "meeting.list")
    form = MeetingForm(request.POST or None, initial={"hub": actor.hub_id})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = meeting_writes.meeting_schedule(
                actor=actor,
                hub_id=d["hub"].pk if d.get("hub") else None,
                held_on=d.get("held_on"),
                title=d.get("title") or "",
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Meeting scheduled")
            return redirect("plans:meeting", meeting_id=meeting.pk)
    return render(
        request,
        "plans/meetings.html",
        {
            "meetings": meetings_visible(actor=actor)[:100],
            "form": form,
            "can_schedule": bool(actor.hub_id) and access.may(actor, "meeting.run", actor.hub_id or 0),
        },
    )


def _meeting_post(request: HttpRequest, actor: User, meeting: Meeting) -> dict[str, Any]:
    """Handle one of the meeting page's forms; return the bound forms (with any errors) to show."""
    which = request.POST.get("form", "")
    forms: dict[str, Any] = {}
    form: Any
    try:
        if which == "attendance":
            form = AttendanceForm(request.POST)
            forms["attendance_form"] = form
            if form.is_valid():
                meeting_writes.meeting_attendance_add(
                    actor=actor,
                    meeting=meeting,
                    agency_id=_int(form.cleaned_data.get("agency")),
                    attendee=form.cleaned_data.get("attendee") or "",
                )
                return {}
        elif which == "decision":
            form = DecisionForm(request.POST)
            forms["decision_form"] = form
            if form.is_valid():
                nominal_id = form.cleaned_data.get("nominal")
                nominal = None
                if nominal_id:
                    try:
                        nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
                    except NotFoundOrForbidden:
                        raise ValidationFailed({"nominal": "Select a person managed by this hub"}) from None
                meeting_writes.meeting_decision_add(
                    actor=actor, meeting=meeting, text=form.cleaned_data.get("text") or "", nominal=nominal
                )
                return {}
        elif which == "minutes":
            form = MinutesForm(request.POST)
            forms["minutes_form"] = form
            if form.is_valid():
                meeting_writes.meeting_minutes_save(
                    actor=actor,
                    meeting=meeting,
                    minutes=form.cleaned_data.get("minutes") or "",
                    held=bool(form.cleaned_data.get("held")),
                )
                return {}
        elif which == "claims":
            form = ClaimsForm(meeting_agenda(actor=actor, meeting=meeting).unvalidated, request.POST)
            forms["claims_form"] = form
            if form.is_valid():
                claims.claims_decide(actor=actor, meeting=meeting, decisions=form.decisions())
                return {}
        else:
            raise Http404("Unknown form")
    except ValidationFailed as exc:
        apply_service_errors(next(iter(forms.values())), exc)
    return forms


@login_required
def meeting(request: HttpRequest, meeting_id: int) -> HttpResponse:
    actor = _actor(request)
    current = access_meeting_by_id(actor=actor, meeting_id=meeting_id)
    may_run = access.may(actor, "meeting.run", current.hub_id)
    bound: dict[str, Any] = {}
    if request.method == "POST":
        if not may_run:
            raise Http404("Not available")
        try:
            bound = _meeting_post(request, actor, current)
        except PermissionDenied as exc:
            raise Http404("Not available") from exc
        if not bound:
            messages.success(request, "Meeting record updated")
            return redirect("plans:meeting", meeting_id=current.pk)
    agenda = meeting_agenda(actor=actor, meeting=current)
    record = meeting_record(actor=actor, meeting=current)
    records.meeting_consult(
        actor=actor, meeting=current, nominal_ids={*agenda.nominal_ids(), *record.nominal_ids()}
    )
    return render(
        request,
        "plans/meeting.html",
        {
            "meeting": current,
            "agenda": agenda,
            "may_run": may_run,
            "attendance": current.attendance.select_related("agency"),
            "decisions": record.decisions,
            "decided": record.decided_outcomes,
            "attendance_form": bound.get("attendance_form") or AttendanceForm(),
            "decision_form": bound.get("decision_form") or DecisionForm(),
            "minutes_form": bound.get("minutes_form")
            or MinutesForm(initial={"minutes": current.minutes, "held": current.status == "held"}),
            "claims_form": bound.get("claims_form") or ClaimsForm(agenda.unvalidated),
            "compact": agenda_layout.compact(agenda),
            "people": agenda_layout.by_person(agenda),
            "marking": pdf.document_marking(agenda.nominal_ids()),
            "error_form": next(iter(bound.values()), None),
        },
    )


def _meeting_or_404(actor: User, meeting_id: int) -> Meeting:
    return access_meeting_by_id(actor=actor, meeting_id=meeting_id)


# The meeting's documents: what each is drawn from, how it is drawn, and why it is disclosed (s.62).
MEETING_DOCUMENTS: dict[str, tuple[Callable[..., Any], Callable[[Meeting, Any], bytes], str]] = {
    "pack": (meeting_agenda, pdf.meeting_pack_pdf, "Meeting pack for the tasking and coordination meeting"),
    "minutes": (meeting_record, pdf.meeting_minutes_pdf, "Minutes of the tasking and coordination meeting"),
}


def _meeting_document(request: HttpRequest, meeting_id: int, kind: str) -> HttpResponse:
    """Send the meeting pack or the minutes as a PDF, recorded as a disclosure to the person downloading
    it (s.62)."""
    actor = _actor(request)
    current = _meeting_or_404(actor, meeting_id)
    select, draw, justification = MEETING_DOCUMENTS[kind]
    source = select(actor=actor, meeting=current)
    content = draw(current, source)
    records.meeting_pdf_disclose(
        actor=actor, meeting=current, kind=kind, justification=justification, nominal_ids=source.nominal_ids()
    )
    return send_export(ExportFile(content, "application/pdf", f"marsoc-meeting-{current.pk}-{kind}.pdf"))


meeting_pack = login_required(partial(_meeting_document, kind="pack"))
meeting_minutes = login_required(partial(_meeting_document, kind="minutes"))


# ---------------------------------------------------------------- alerts


@login_required
def agency_actions(request: HttpRequest) -> HttpResponse:
    """The actions the actor's agency owns, kept in view when a person's agreement lapses (by reference)."""
    actor = _actor(request)
    access.require(actor, "agency_actions.view")
    rows = agency_actions_of(actor=actor)
    records.agency_actions_consult(
        actor=actor, nominal_ids={r.action.plan.nominal_id for r in rows}, surface="page"
    )
    return render(request, "plans/agency_actions.html", {"rows": rows})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "alerts.view")
    rows = alerts.inbox(actor=actor)
    if request.method == "POST":
        rows.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("plans:inbox")
    shown = list(rows.select_related("nominal")[:200])
    records.inbox_consult(
        actor=actor, nominal_ids={a.nominal_id for a in shown if a.nominal_id}, surface="page"
    )
    return render(request, "plans/inbox.html", {"alerts": shown})


# ---------------------------------------------------------------- reports

DIMENSIONS = [
    ("agency", "Agency"),
    ("tactic", "Tactic"),
    ("rating", "Rating"),
    ("hub", "Hub"),
    ("month", "Month"),
]


def _report_filters(request: HttpRequest) -> tuple[ReportFilterForm, reports.ReportFilters]:
    form = ReportFilterForm(request.GET or None)
    form.is_valid()
    d = getattr(form, "cleaned_data", {})
    return form, reports.ReportFilters(start=d.get("start"), end=d.get("end"))


@login_required
def report(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "plan_reports.view")
    form, filters = _report_filters(request)
    charts = [(label, key, reports.disruptions_by(actor, filters, key)) for key, label in DIMENSIONS]
    records.report_consult(actor=actor)
    return render(
        request,
        "plans/reports.html",
        {
            "form": form,
            "charts": charts,
            "agreement": reports.time_to_first_agreement(actor),
            "overdue": reports.overdue_by_agency(actor),
            "query": request.GET.urlencode(),
        },
    )


@login_required
def report_export(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "plan_reports.view")
    _form, filters = _report_filters(request)
    rows: list[list[object]] = []
    for key, _label in DIMENSIONS:
        rows += [
            [f"disruptions_by_{key}", bar.label, bar.count]
            for bar in reports.disruptions_by(actor, filters, key)
        ]
    rows += [["overdue_actions_by_agency", bar.label, bar.count] for bar in reports.overdue_by_agency(actor)]
    rows += [
        ["median_days_adoption_to_first_agreed_plan", row.hub, row.median_days]
        for row in reports.time_to_first_agreement(actor)
    ]
    records.report_export_record(actor=actor)
    content = csv_text(["table", "label", "count"], rows).encode("utf-8")
    return send_export(ExportFile(content, CSV_TYPE, f"marsoc-plan-reports-{timezone.now():%Y%m%d}.csv"))
