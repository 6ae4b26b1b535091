"""Pages for grants and claims. Thin: the selectors scope what is read, the services decide and audit."""

from dataclasses import fields, replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from marsoc.accounts.models import User
from marsoc.assessment.services import equality_report_consult
from marsoc.core import access
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.forms import apply_service_errors
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page, send_export

from . import services
from .deadlines import decision_deadline
from .forms import (
    ActualsForm,
    ActualsImportForm,
    ApproveForm,
    ClaimNewForm,
    DecisionForm,
    DpiaForm,
    DpiaMoveForm,
    EqualityForm,
    PaymentForm,
    ReasonForm,
    ReconcileForm,
    SignOffForm,
)
from .models import Claim, DecisionRecord, Grant
from .pdf import decision_form_pdf, grant_figures_pdf, invoice_pdf
from .register import public_agreements, public_decision_by_id, public_decisions
from .selectors import (
    AgreementRow,
    RegisterRow,
    access_agreement_for_sign_off,
    access_claim_by_id,
    access_decision_by_id,
    access_dpia_by_id,
    access_grant_by_id,
    claimable_quarters,
    decision_list,
    decision_part2_for,
    dpia_next_statuses,
    equality_flags,
    governance_agreements,
    governance_register,
    grant_list,
    grant_summary,
    has_part2,
    unsigned_party_choices,
)


def _grant(request: HttpRequest, pk: int) -> Grant:
    return access_grant_by_id(actor=_actor(request), grant_id=pk)


def _claim(request: HttpRequest, pk: int) -> Claim:
    return access_claim_by_id(actor=_actor(request), claim_id=pk)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
def grants(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "funding.view")
    return render(request, "funding/grants.html", {"grants": list(grant_list(actor=actor))})


@login_required
def grant_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    grant = _grant(request, pk)
    summary = grant_summary(grant=grant)
    services.grant_view_record(actor=actor, grant=grant, surface="grant page")
    return render(
        request,
        "funding/grant.html",
        {
            "grant": grant,
            "summary": summary,
            "can_prepare": access.may(actor, "claim.prepare", grant)
            and bool(claimable_quarters(grant=grant, today=summary.today)),
        },
    )


@login_required
def grant_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    grant = _grant(request, pk)
    content = grant_figures_pdf(grant_summary(grant=grant))
    services.grant_export_record(actor=actor, grant=grant, surface="grant figures PDF")
    return _pdf(content, f"{grant.reference.replace(' ', '-')}-figures.pdf")


@login_required
def grant_quarters(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    grant = _grant(request, pk)
    return send_export(services.grant_quarters_export(actor=_actor(request), grant=grant, fmt=fmt))


@login_required
def claim_new(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    grant = _grant(request, pk)
    access.require(actor, "claim.prepare", grant)
    form = ClaimNewForm(request.POST or None, quarters=claimable_quarters(grant=grant))
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.claim_prepare(actor=actor, grant=grant, number=form.cleaned_data["number"])
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Draft claim prepared for quarter {claim.number}")
            return redirect("funding:claim", pk=claim.pk)
    return render(request, "funding/claim_new.html", {"grant": grant, "form": form})


def _claim_context(request: HttpRequest, claim: Claim, **extra: Any) -> dict[str, Any]:
    actor = _actor(request)
    edit = access.decide(actor, "claim.edit", claim)
    check = access.decide(actor, "claim.check", claim)
    finance = access.decide(actor, "claim.finance", claim)
    return {
        "claim": claim,
        "grant": claim.grant,
        "lines": list(claim.lines.all()),
        "remaining": services.remaining_after(claim),
        "can_edit": edit.allowed,
        "can_check": check.allowed and claim.state == "draft",
        "check_refusal": "" if check.allowed or not edit.allowed else check.reason,
        "can_return": access.may(actor, "claim.prepare", claim.grant) and claim.state == "checked",
        "can_submit": finance.allowed and claim.state == "checked",
        "can_pay": finance.allowed and claim.state == "submitted",
        "can_reconcile": finance.allowed and claim.state == "paid",
        "reason_form": extra.pop("reason_form", ReasonForm()),
        "payment_form": extra.pop("payment_form", PaymentForm()),
        "reconcile_form": extra.pop("reconcile_form", ReconcileForm()),
        **extra,
    }


@login_required
def claim_detail(request: HttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk)
    return render(request, "funding/claim.html", _claim_context(request, claim))


@login_required
def claim_actuals(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    claim = _claim(request, pk)
    decision = access.decide(actor, "claim.edit", claim)
    if not decision.allowed:
        if access.may(actor, "claim.prepare", claim.grant):
            messages.info(request, decision.reason)
            return redirect("funding:claim", pk=claim.pk)
        raise Http404("No such page")
    form = ActualsForm(request.POST or None, claim=claim)
    upload = ActualsImportForm()
    if request.method == "POST" and "file" in request.FILES:
        upload = ActualsImportForm(request.POST, request.FILES)
        form = ActualsForm(claim=claim)
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                result = services.claim_import_actuals(
                    actor=actor, claim=claim, content=file.read(), filename=file.name or ""
                )
            except ValidationFailed as exc:
                apply_service_errors(upload, exc)
            else:
                if result.changed:
                    messages.success(request, f"Actual costs imported from {result.rows} rows")
                else:
                    messages.info(request, "This file had already been imported: nothing changed")
                return redirect("funding:claim", pk=claim.pk)
    elif request.method == "POST" and form.is_valid():
        try:
            services.claim_set_actuals(
                actor=actor, claim=claim, actuals=form.actuals(), explanation=form.cleaned_data["explanation"]
            )
        except ValidationFailed as exc:
            apply_service_errors(
                form, exc, {f"post.{line.post_id}": f"post_{line.post_id}" for line in claim.lines.all()}
            )
        else:
            messages.success(request, "Actual costs saved")
            return redirect("funding:claim", pk=claim.pk)
    return render(request, "funding/claim_actuals.html", {"claim": claim, "form": form, "upload": upload})


@login_required
@require_POST
def claim_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The claim's moves: recompute, check, return, submit, paid, reconcile (forms on the claim page)."""
    actor = _actor(request)
    claim = _claim(request, pk)
    extra: dict[str, Any] = {}
    try:
        if action == "recompute":
            services.claim_recompute(actor=actor, claim=claim)
            done = "Eligible cost computed again from the posts"
        elif action == "check":
            services.claim_check(actor=actor, claim=claim)
            done = "Claim checked"
        elif action == "return":
            form = ReasonForm(request.POST)
            extra["reason_form"] = form
            if not form.is_valid():
                raise ValidationFailed({"reason": "Say why the claim is going back to draft"})
            services.claim_return(actor=actor, claim=claim, reason=form.cleaned_data["reason"])
            done = "Claim returned to draft"
        elif action == "submit":
            services.claim_submit(actor=actor, claim=claim)
            done = "Claim submitted: the invoice is ready"
        elif action == "paid":
            payment = PaymentForm(request.POST)
            extra["payment_form"] = payment
            if not payment.is_valid():
                raise ValidationFailed({k: [str(m) for m in v] for k, v in payment.errors.items()})
            services.claim_record_payment(
                actor=actor,
                claim=claim,
                paid_on=payment.cleaned_data.get("paid_on"),
                paid_pence=payment.cleaned_data.get("paid_amount"),
            )
            done = "Payment recorded"
        elif action == "reconcile":
            note = ReconcileForm(request.POST)
            extra["reconcile_form"] = note
            if not note.is_valid():
                raise ValidationFailed({k: [str(m) for m in v] for k, v in note.errors.items()})
            services.claim_reconcile(actor=actor, claim=claim, note=note.cleaned_data.get("note", ""))
            done = "Claim reconciled"
        else:
            raise Http404("No such action")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("funding:claim", pk=claim.pk)
    except ValidationFailed as exc:
        for form in extra.values():
            if not form.errors:  # a form's own errors are already on it
                apply_service_errors(form, exc)
        context = _claim_context(request, _claim(request, pk), **extra)
        context["action_errors"] = [m for msgs in exc.errors.values() for m in msgs]
        return render(request, "funding/claim.html", context, status=422)
    messages.success(request, done)
    return redirect("funding:claim", pk=claim.pk)


@login_required
def claim_invoice(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    claim = _claim(request, pk)
    content = invoice_pdf(claim)
    services.claim_invoice_record(actor=actor, claim=claim, surface="invoice PDF")
    name = claim.invoice_number or f"draft-claim-Q{claim.number}"
    return _pdf(content, f"{name}.pdf")


# --- decision records ------------------------------------------------------------------------------------
def _decision(request: HttpRequest, pk: int) -> DecisionRecord:
    return access_decision_by_id(actor=_actor(request), decision_id=pk)


@login_required
def decisions(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "decision.view")
    today = timezone.localdate()
    rows = [(d, decision_deadline(d, today)) for d in decision_list(actor=actor)]
    return render(
        request,
        "funding/decisions.html",
        {"rows": rows, "can_draft": access.may(actor, "decision.draft")},
    )


@login_required
def decisions_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The decisions the caller reads, Part 1 facts only, as CSV or XLSX (audited as a disclosure)."""
    actor = _actor(request)
    if fmt not in ("csv", "xlsx") or not access.may(actor, "decision.view"):
        raise Http404("No such page")
    rows = list(decision_list(actor=actor).prefetch_related("grants"))
    return send_export(services.decisions_export(actor=actor, decisions=rows, fmt=fmt))


@login_required
def decision_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "decision.draft")
    grants_open = {g.pk: g for g in grant_list(actor=actor) if g.decision_id is None}
    form = DecisionForm(request.POST or None, grants=[(pk, str(g)) for pk, g in grants_open.items()])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        part2 = None
        if (
            (data.get("part2_body") or "").strip()
            or data.get("part2_exemption")
            or data.get("part2_rationale")
        ):
            part2 = services.Part2Input(
                body=data.get("part2_body") or "",
                exemption=data.get("part2_exemption") or "",
                rationale=data.get("part2_rationale") or "",
            )
        try:
            decision = services.decision_draft(
                actor=actor,
                data=replace(
                    _input(services.DecisionInput, data),
                    part2=part2,
                    grant=grants_open.get(data["grant"]) if data.get("grant") else None,
                ),
            )
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Decision {decision.reference} drafted")
            return redirect("funding:decision", pk=decision.pk)
    return render(request, "funding/decision_new.html", {"form": form})


def _decision_context(request: HttpRequest, decision: DecisionRecord, **extra: Any) -> dict[str, Any]:
    actor = _actor(request)
    part2 = decision_part2_for(actor=actor, decision=decision)
    approve = access.decide(actor, "decision.approve", decision)
    return {
        "decision": decision,
        "declarations": list(decision.declarations.all()),
        "part2": part2,
        "has_part2": has_part2(decision),
        "deadline": decision_deadline(decision, timezone.localdate()),
        "can_declare": access.may(actor, "decision.declare", decision),
        "can_approve": approve.allowed,
        "approve_refusal": approve.reason
        if access.may(actor, "decision.part2") and not approve.allowed
        else "",
        "can_publish": access.may(actor, "decision.publish", decision),
        "approve_form": extra.pop("approve_form", ApproveForm()),
        **extra,
    }


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    decision = _decision(request, pk)
    context = _decision_context(request, decision)
    services.decision_view_record(
        actor=actor, decision=decision, part2=context["part2"] is not None, surface="decision page"
    )
    return render(request, "funding/decision.html", context)


@login_required
@require_POST
def decision_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Tick a declaration, approve or publish (forms on the decision page)."""
    actor = _actor(request)
    decision = _decision(request, pk)
    extra: dict[str, Any] = {}
    try:
        if action == "declare":
            services.decision_declare(actor=actor, decision=decision, kind=request.POST.get("kind", ""))
            done = "Declaration ticked"
        elif action == "approve":
            form = ApproveForm(request.POST)
            extra["approve_form"] = form
            form.is_valid()
            services.decision_approve(
                actor=actor,
                decision=decision,
                interest_declaration=form.cleaned_data.get("interest_declaration", ""),
                confirmed=bool(form.cleaned_data.get("confirmed")),
            )
            done = "Decision approved"
        elif action == "publish":
            decision = services.decision_publish(actor=actor, decision=decision)
            done = (
                f"Part 1 will appear on the public register on {decision.deferred_until:%-d %B %Y}"
                if decision.deferred_until and decision.deferred_until > timezone.localdate()
                else "Part 1 is published on the public register"
            )
        else:
            raise Http404("No such action")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("funding:decision", pk=decision.pk)
    except ValidationFailed as exc:
        context = _decision_context(request, _decision(request, pk), **extra)
        context["action_errors"] = [m for msgs in exc.errors.values() for m in msgs]
        return render(request, "funding/decision.html", context, status=422)
    messages.success(request, done)
    return redirect("funding:decision", pk=decision.pk)


@login_required
def decision_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    decision = _decision(request, pk)
    content = decision_form_pdf(decision, has_part2=has_part2(decision))
    services.decision_form_record(actor=actor, decision=decision, surface="decision form PDF")
    return _pdf(content, f"{decision.reference.replace(' ', '-')}-decision.pdf")


# --- the public register (no sign-in) --------------------------------------------------------------------
def public_register(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "funding/register.html",
        {"decisions": list(public_decisions()), "agreements": list(public_agreements())},
    )


def public_decision(request: HttpRequest, pk: int) -> HttpResponse:
    decision = public_decision_by_id(decision_id=pk)  # a record not on the register answers 404
    return render(request, "funding/register_decision.html", {"decision": decision})


def _register(actor: User, surface: str) -> tuple[list[RegisterRow], list[AgreementRow]]:
    """The register's assessments (prompted by today's equality monitoring) and agreements."""
    rows = governance_register(actor=actor, flags=equality_flags(actor=actor))
    if access.may(actor, "equality.view"):  # the register read today's equality figures for its prompt
        equality_report_consult(actor=actor, details={"scope": "national"}, surface=surface)
    return rows, governance_agreements(actor=actor)


@login_required
def governance_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The governance register as CSV or XLSX (audited as a disclosure)."""
    actor = _actor(request)
    if fmt not in ("csv", "xlsx") or not access.may(actor, "governance.view"):
        raise Http404("No such page")
    rows, agreements = _register(actor, f"governance register {fmt.upper()}")
    return send_export(services.governance_export(actor=actor, rows=rows, agreements=agreements, fmt=fmt))


@login_required
def governance(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "governance.view")
    rows, agreements = _register(actor, "governance register")
    services.governance_view_record(actor=actor, surface="governance register")
    return render(
        request,
        "funding/governance.html",
        {
            "rows": rows,
            "agreements": agreements,
            "can_sign_off": access.may(actor, "agreement.manage"),
            "can_manage": access.may(actor, "governance.manage"),
        },
    )


def _input(cls: Any, data: dict[str, Any]) -> Any:
    """A service's input dataclass from a form's cleaned data (a text left empty is "")."""
    return cls(**{f.name: data.get(f.name) or ("" if f.type is str else None) for f in fields(cls)})


def _governance_form(
    request: HttpRequest, form: Any, save: Any, *, success: str, **context: Any
) -> HttpResponse:
    return form_page(
        request,
        form,
        save,
        success=success,
        done=reverse("funding:governance"),
        template="funding/governance_form.html",
        context=context,
    )


@login_required
def agreement_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    agreement = access_agreement_for_sign_off(actor=actor, agreement_id=pk)
    return _governance_form(
        request,
        SignOffForm(request.POST or None, parties=unsigned_party_choices(agreement=agreement)),
        lambda d: services.agreement_sign_off(
            actor=actor, agreement=agreement, data=_input(services.SignOffInput, d)
        ),
        success=f"Sign-off of {agreement.reference} recorded",
        heading=f"Record a party's sign-off of {agreement.reference}",
        caption=agreement.title,
        intro="The agreement is in force only once every party has signed it and its dates cover today.",
        submit="Record the sign-off",
    )


# The two "record" pages: (form, service, its input, the message, the heading).
ASSESSMENT_PAGES: dict[str, tuple[Any, Any, Any, str, str]] = {
    "dpia": (
        DpiaForm,
        services.dpia_record,
        services.DpiaInput,
        "Data protection impact assessment recorded as initiated",
        "Record a data protection impact assessment",
    ),
    "equality": (
        EqualityForm,
        services.eia_record_version,
        services.EqualityInput,
        "Equality impact assessment version recorded",
        "Record an equality impact assessment version",
    ),
}


@login_required
def assessment_new(request: HttpRequest, kind: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "governance.manage")
    form_class, service, input_class, success, heading = ASSESSMENT_PAGES[kind]
    initial = {"reference": request.GET.get("reference", "")[:40]}  # the next version of an EIA
    return _governance_form(
        request,
        form_class(request.POST or None, initial=initial),
        lambda d: service(actor=actor, data=_input(input_class, d)),
        success=success,
        heading=heading,
        submit="Record",
    )


@login_required
def dpia_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    dpia = access_dpia_by_id(actor=actor, dpia_id=pk)
    return _governance_form(
        request,
        DpiaMoveForm(request.POST or None, statuses=dpia_next_statuses(dpia=dpia)),
        lambda d: services.dpia_move(actor=actor, dpia=dpia, data=_input(services.DpiaMoveInput, d)),
        success=f"{dpia.reference} moved on",
        heading=f"Move {dpia.reference} on",
        caption=f"{dpia.title}: {dpia.get_status_display().lower()}",
        intro=f"Risks recorded: {dpia.risks}",
        submit="Save",
    )
