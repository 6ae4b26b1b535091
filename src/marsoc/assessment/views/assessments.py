"""One person's assessments: the history, a new assessment, one assessment and the tier decision."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from marsoc.core import access
from marsoc.core.errors import ValidationFailed
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from .. import services
from ..forms import AssessmentForm, TierDecisionForm
from ..selectors import access_assessment_by_id, assessment_history


@nominal_page("assessments")
def nominal_assessments(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "assessment.view", nominal)
    return render(
        request,
        "assessment/history.html",
        {
            "nominal": nominal,
            "assessments": assessment_history(actor=actor, nominal=nominal),
            "decisions": nominal.tier_decisions.select_related("decided_by", "assessment"),
            "can_assess": access.may(actor, "assessment.submit", nominal),
            "can_decide": access.may(actor, "tier.decide", nominal),
        },
    )


@nominal_page("assessment_new")
def assessment_new(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "assessment.submit", nominal)
    try:
        method = services.active_method()
    except ValidationFailed as exc:
        raise Http404("No active method") from exc
    spec = services.method_spec(method)
    form = AssessmentForm(request.POST or None, spec=spec)
    return form_page(
        request,
        form,
        lambda d: services.assessment_submit(
            actor=actor,
            nominal=nominal,
            levels=form.levels(),
            grades=form.grades(),
            evidence=form.evidence(),
            summary=d.get("summary") or "",
        ),
        success=lambda a: f"Assessment submitted: score {a.score}, tier {a.tier_code}",
        done=lambda a: reverse("assessment:detail", kwargs={"pk": nominal.pk, "assessment_id": a.pk}),
        template="assessment/assessment_form.html",
        context={"nominal": nominal, "method": method},
    )


@nominal_page("assessment_detail")
def assessment_detail(
    request: HttpRequest, nominal: Nominal, purpose: str, assessment_id: int
) -> HttpResponse:
    actor = _actor(request)
    assessment = access_assessment_by_id(actor=actor, assessment_id=assessment_id)
    if assessment.nominal_id != nominal.pk:
        raise Http404("No such assessment")
    spec = services.method_spec(assessment.method)
    names = {f.code: f.name for f in spec.factors}
    breakdown = [
        item | {"name": names.get(item["code"], item["code"])}
        for item in assessment.breakdown.get("breakdown", [])
    ]
    ranked = sorted(breakdown, key=lambda f: (-float(f.get("contribution", 0)), f.get("code", "")))
    evidence = {f.factor_code: f for f in assessment.factor_scores.all()}
    return render(
        request,
        "assessment/assessment_detail.html",
        {
            "nominal": nominal,
            "assessment": assessment,
            "breakdown": breakdown,
            "drivers": ranked[:5],
            "evidence": evidence,
            "can_decide": access.may(actor, "tier.decide", nominal) and assessment.is_current,
        },
    )


@nominal_page("tier_decision")
def tier_decision(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "tier.decide", nominal)
    current = nominal.assessments.filter(is_current=True).select_related("method").first()
    if current is None:
        messages.error(request, "Assess the person before deciding a tier")
        return redirect("assessment:history", pk=nominal.pk)
    spec = services.method_spec(current.method)
    tiers = [(t.code, f"{t.name}{' (computed)' if t.code == current.tier_code else ''}") for t in spec.tiers]
    form = TierDecisionForm(request.POST or None, tiers=tiers, initial={"decided_tier": current.tier_code})
    return form_page(
        request,
        form,
        lambda d: services.tier_decide(
            actor=actor,
            nominal=nominal,
            decided_tier=d.get("decided_tier") or "",
            rationale=d.get("rationale") or "",
        ),
        success="The tier decision has been recorded",
        done=reverse("assessment:history", args=[nominal.pk]),
        template="assessment/tier_decision.html",
        context={"nominal": nominal, "current": current},
    )
