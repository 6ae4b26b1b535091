"""Pages for intelligence and sharing agreements. Thin: parse, ask the selectors and services, render.

Opening an item needs a purpose (asked once per item per session) and writes a consultation record;
lists, searches and exports record what they showed; a deconfliction hit is logged as a disclosure."""

from collections.abc import Callable
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from marsoc.accounts.selectors import hub_choices
from marsoc.core import access
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.forms import apply_service_errors
from marsoc.core.vocabulary import classification_rank
from marsoc.core.web import PurposeGate, form_page, query_without_page, send_export, sort_links
from marsoc.core.web import actor as _actor
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import access_nominal_by_id, people_search
from marsoc.nominals.views import nominal_page

from . import services
from .agreements import agreement_not_in_force
from .forms import (
    AccessRequestForm,
    AgreementForm,
    AgreementStatusForm,
    DecisionForm,
    ItemForm,
    RectifyForm,
    RestrictForm,
    ReviewForm,
    SanitiseForm,
    SearchForm,
    ShareForm,
    SummaryChoicesForm,
    SummaryShareForm,
)
from .models import IntelItem, SummaryDisclosure
from .selectors import (
    ITEM_SORT,
    ItemFilters,
    access_agreement_by_id,
    access_item_by_id,
    access_requests_for,
    access_summary_by_id,
    agreement_list,
    agreements_for_sharing,
    agreements_for_summary,
    consent_requests_for,
    deconfliction,
    item_list,
    person_items,
    result_details,
    review_queue,
    sanitisations_for,
    search_page,
    subject_access_rows,
    summary_consent_requests,
    summary_items,
    summary_list,
)
from .services import AGREEMENT_TRANSITIONS, PART_LABELS
from .vocabulary import AgreementStatus, HandlingCondition, ProcessingPurpose, SanitisationStatus

View = Callable[..., HttpResponse]
# The one-form pages about an item (correct, review, restrict): one template, a title and a button.
_item_form = partial(form_page, template="intelligence/simple_form.html")
EXPORT_LIMIT = 5000

# Access check, purpose gate and consultation record for pages about one item, and one summary.
ITEM_GATE = PurposeGate(
    session_key="marsoc_intel_purposes",
    fetch=lambda actor, pk: access_item_by_id(actor=actor, item_id=pk),
    consult=services.item_consult,
    record_arg="item",
    ask_url="intelligence:purpose",
    home_url="intelligence:detail",
)
SUMMARY_GATE = PurposeGate(
    session_key="marsoc_summary_purposes",
    fetch=lambda actor, pk: access_summary_by_id(actor=actor, summary_id=pk),
    consult=services.summary_consult,
    record_arg="summary",
    ask_url="intelligence:summary_purpose",
    home_url="intelligence:summary",
)
item_page = ITEM_GATE.page
purpose = login_required(ITEM_GATE.purpose_view)
summary_purpose = login_required(SUMMARY_GATE.purpose_view)


def _search(request: HttpRequest) -> tuple[SearchForm, str, ItemFilters]:
    """The search, the filters beside it and the column sorted by, from the query string; a field that
    is not valid is reported on the form and left out, the others still apply."""
    form = SearchForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    filters = ItemFilters(
        hub_id=data["hub"].pk if data.get("hub") else None,
        classification=data.get("classification") or "",
        sort=ITEM_SORT.parse(request.GET.get("sort")),
    )
    # A search longer than the field allows is cut short (and the form says so), never dropped.
    return form, (request.GET.get("q") or "")[:100].strip(), filters


def _applied(filters: ItemFilters) -> dict[str, str]:
    applied = {"hub": str(filters.hub_id or ""), "classification": filters.classification}
    return {k: v for k, v in {**applied, "sort": filters.sort.param}.items() if v}


@login_required
def item_search(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "intelligence.view")
    form, query, filters = _search(request)
    page = search_page(actor=actor, query=query, page=request.GET.get("page"), filters=filters)
    people = people_search(actor=actor, query=query) if query else []
    notices = deconfliction(actor=actor, query=query) if query else []
    details = result_details(actor=actor, items=list(page.object_list), query=query)
    for item in page.object_list:
        item.detail = details[item.pk]  # type: ignore[attr-defined]
    # The people each result names are subjects of the entry already (search_consult adds every item's).
    services.search_consult(
        actor=actor,
        query=query,
        items=list(page.object_list),
        people_ids=[m.nominal.pk for m in people],
        interests=[(n.hub_name, n.nominal_ids) for n in notices],
        surface="page",
        filters=_applied(filters),
    )
    # Unsorted, a search lists the best match first (no heading marked sorted), else the newest first.
    sorting = sort_links(request, ITEM_SORT, default_key="" if query else "date", default_descending=True)
    return render(
        request,
        "intelligence/list.html",
        {
            "form": form,
            "page": page,
            "query": query,
            "query_string": query_without_page(request),
            "sorting": sorting,
            "notices": notices,
            "people": people,
            "can_record": access.may(actor, "intel_item.record"),
            "can_review": access.may(actor, "retention.review"),
        },
    )


@login_required
def item_export(request: HttpRequest) -> HttpResponse:
    """CSV of the search results as the list shows them (the same scope, filters and order); a disclosure
    to the person exporting."""
    actor = _actor(request)
    access.require(actor, "intelligence.view")
    _form, query, filters = _search(request)
    rows = list(item_list(actor=actor, query=query, filters=filters)[:EXPORT_LIMIT])
    return send_export(services.item_export(actor=actor, items=rows))


@login_required
def item_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "intel_item.record")
    initial: dict[str, Any] = {"owner_hub": actor.hub_id, "record_group": "3"}
    if request.GET.get("nominal", "").isdigit():
        initial["subjects"] = f"MH{int(request.GET['nominal']):07d}"
    form = ItemForm(request.POST or None, hubs=hub_choices(actor), initial=initial)
    if request.method == "POST" and form.is_valid():
        ids, problem = form.subject_ids()
        if problem:
            form.add_error("subjects", problem)
        else:
            d = form.cleaned_data
            category = d.get("data_subject_category") or ""
            try:
                item = services.item_record(
                    actor=actor,
                    data=services.ItemInput(
                        text=d.get("text") or "",
                        intelligence_date=d.get("intelligence_date"),
                        owner_hub_id=d["owner_hub"].pk if d.get("owner_hub") else None,
                        classification=d.get("classification") or "",
                        source_evaluation=d.get("source_evaluation") or "",
                        intelligence_assessment=d.get("intelligence_assessment") or "",
                        handling_code=d.get("handling_code") or "",
                        conditions=d.get("conditions") or [],
                        purpose=d.get("purpose") or "",
                        data_category=d.get("data_category") or "",
                        record_group=d.get("record_group") or "3",
                        legacy_source=d.get("legacy_source") or "",
                        legacy_intelligence=d.get("legacy_intelligence") or "",
                        legacy_handling=d.get("legacy_handling") or "",
                        subjects=[(n, category) for n in ids],
                    ),
                )
            except ValidationFailed as exc:
                if not category and "subjects" in exc.errors:
                    exc.errors["data_subject_category"] = ["Select their data-subject category"]
                    exc.errors.pop("subjects")
                apply_service_errors(form, exc)
            else:
                ITEM_GATE.remember(request, item.pk, "Intelligence development: recording an item")
                messages.success(request, f"Intelligence recorded as {item.reference} {item.grade_label}")
                return redirect("intelligence:detail", pk=item.pk)
    return render(request, "intelligence/item_form.html", {"form": form})


@item_page("detail")
def item_detail(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    actor = _actor(request)
    subjects = list(item.subjects.select_related("nominal"))
    for s in subjects:
        s.can_open = access.may(actor, "nominal.view", s.nominal)  # type: ignore[attr-defined]
    owner = access.may(actor, "intel_item.owner_side", item)
    condition_text = dict(HandlingCondition.choices)
    return render(
        request,
        "intelligence/detail.html",
        {
            "item": item,
            "purpose": purpose,
            "subjects": subjects,
            "conditions": [(c, condition_text.get(c, c)) for c in item.conditions or []],
            "owner_side": owner,
            "disclosures": item.disclosures.select_related("recipient_agency", "agreement", "disclosed_by")
            if owner
            else [],
            "versions": item.sanitised_versions.all() if owner else [],
            "can_share": access.decide(
                actor, "intel_item.share", item, onward_rule=services._onward_rule(actor, item)
            ).allowed,
            "can_sanitise": access.decide(actor, "intel_item.sanitise", item).allowed,
            "can_restrict": access.may(actor, "intel_item.restrict", item) and item.erased_at is None,
            "can_rectify": access.may(actor, "intel_item.rectify", item),
            "revisions": item.revisions.select_related("changed_by") if owner else [],
            "can_approve": item.sanitisation_status == SanitisationStatus.PENDING
            and item.sanitised_from is not None
            and access.may(actor, "intel_item.originator", item.sanitised_from),
        },
    )


@item_page("share")
def item_share(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    actor = _actor(request)
    decision = access.decide(actor, "intel_item.share", item, onward_rule=services._onward_rule(actor, item))
    if not decision.allowed:
        raise Http404("Not available")
    form = ShareForm(request.POST or None, agreements=agreements_for_sharing(item=item))
    condition_text = dict(HandlingCondition.choices)
    return form_page(
        request,
        form,
        lambda d: services.item_disseminate(
            actor=actor,
            item=item,
            recipient_agency_id=d["recipient"].pk if d.get("recipient") else None,
            agreement_id=d["agreement"].pk if d.get("agreement") else None,
            purpose=d.get("purpose") or "",
        ),
        success=lambda outcome: (
            "The originator has been asked to consent to this disclosure"
            if outcome.consent_request is not None
            else f"Shared with {form.cleaned_data['recipient'].name}"
        ),
        done=reverse("intelligence:detail", args=[item.pk]),
        template="intelligence/share.html",
        context={
            "item": item,
            "needs_consent": decision.needs_consent,
            "conditions": [(c, condition_text.get(c, c)) for c in item.conditions or []],
        },
    )


@item_page("rectify")
def item_rectify(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    """Correct the text, date or grade (DPA 2018 s.46); the replaced version is kept in the history."""
    actor = _actor(request)
    access.require(actor, "intel_item.rectify", item)
    initial = {
        "text": item.text,
        "intelligence_date": item.intelligence_date,
        "source_evaluation": item.source_evaluation,
        "intelligence_assessment": item.intelligence_assessment,
        "handling_code": item.handling_code,
        "conditions": list(item.conditions or []),
    }
    return _item_form(
        request,
        RectifyForm(request.POST or None, initial=initial),
        lambda d: services.item_rectify(
            actor=actor,
            item=item,
            data=services.RectifyInput(
                text=d.get("text") or "",
                intelligence_date=d.get("intelligence_date"),
                source_evaluation=d.get("source_evaluation") or "",
                intelligence_assessment=d.get("intelligence_assessment") or "",
                handling_code=d.get("handling_code") or "",
                conditions=d.get("conditions") or [],
            ),
            reason=d.get("reason") or "",
        ),
        success=f"{item.reference} corrected; the previous version is kept in its history",
        done=reverse("intelligence:detail", args=[item.pk]),
        context={"item": item, "title": f"Correct {item.reference}", "button": "Save the correction"},
    )


@item_page("sanitise")
def item_sanitise(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    actor = _actor(request)
    decision = access.decide(actor, "intel_item.sanitise", item)
    if not decision.allowed:
        raise Http404("Not available")

    def save(d: dict[str, Any]) -> IntelItem:
        version = services.item_sanitise(
            actor=actor, item=item, text=d.get("text") or "", classification=d.get("classification") or ""
        )
        ITEM_GATE.remember(request, version.pk, purpose)  # the new version opens for the same purpose
        return version

    return form_page(
        request,
        SanitiseForm(request.POST or None, initial={"classification": item.classification}),
        save,
        success="Sanitised version sent to the originator for approval"
        if decision.needs_approval
        else "Sanitised version created",
        done=lambda version: reverse("intelligence:detail", args=[version.pk]),
        template="intelligence/sanitise.html",
        context={"item": item, "needs_approval": decision.needs_approval},
    )


@item_page("sanitisation_decision")
def sanitisation_decide(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    actor = _actor(request)
    if not (
        item.sanitisation_status == SanitisationStatus.PENDING
        and item.sanitised_from is not None
        and access.may(actor, "intel_item.originator", item.sanitised_from)
    ):
        raise Http404("Not available")
    return _decision_page(
        request,
        lambda grant, reason: services.sanitisation_decide(
            actor=actor, version=item, approve=grant, reason=reason
        ),
        title=f"Approve sanitised version {item.reference}",
        success="Decision recorded",
        done=reverse("intelligence:detail", args=[item.pk]),
        item=item,
    )


def _decision_page(
    request: HttpRequest,
    decide: Callable[[bool, str], Any],
    *,
    title: str,
    success: str | Callable[[Any], str],
    done: str,
    **context: Any,
) -> HttpResponse:
    """The grant-or-refuse pages (a sanitised version, consent to share, an access request): one form,
    one template; `decide(grant, reason)` calls the service."""
    return form_page(
        request,
        DecisionForm(request.POST or None),
        lambda d: decide(d["decision"] == "grant", d.get("reason") or ""),
        success=success,
        done=done,
        template="intelligence/decision.html",
        context={"title": title, **context},
    )


@login_required
def requests_inbox(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "intelligence.view")
    return render(
        request,
        "intelligence/requests.html",
        {
            "consents": consent_requests_for(actor=actor),
            "sanitisations": sanitisations_for(actor=actor),
            "access_requests": access_requests_for(actor=actor),
        },
    )


@login_required
def consent_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _actor(request)
    consent = next((r for r in consent_requests_for(actor=actor) if r.pk == request_id), None)
    if consent is None:
        raise Http404("No such request")
    return _decision_page(
        request,
        lambda grant, reason: services.consent_decide(
            actor=actor, request=consent, grant=grant, reason=reason
        ),
        title=f"Consent to share {consent.item.reference} with {consent.recipient_agency.name}",
        success="Decision recorded",
        done=reverse("intelligence:requests"),
        consent=consent,
    )


@login_required
@require_POST
def access_request_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "intelligence.view")
    form = AccessRequestForm(request.POST)
    if not form.is_valid():
        raise Http404("No such interest")
    try:
        services.access_request_create(
            actor=actor,
            query=form.cleaned_data["q"],
            hub_id=form.cleaned_data["hub"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except (ValidationFailed, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Your request has been sent to the owning hub")
    return redirect(f"{reverse('intelligence:list')}?{urlencode({'q': form.cleaned_data['q']})}")


@login_required
def access_request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    actor = _actor(request)
    access = access_requests_for(actor=actor).filter(pk=request_id).first()
    if access is None:
        raise Http404("No such request")
    return _decision_page(
        request,
        lambda grant, reason: services.access_request_decide(
            actor=actor, request=access, grant=grant, reason=reason
        ),
        title=f"Access request from {access.requester_agency.name}",
        success=lambda result: (
            f"Decision recorded: {result.disclosed} item(s) shared, {result.consent_requested} sent to the originator"
        ),
        done=reverse("intelligence:requests"),
        access=access,
    )


# --- agreements ---------------------------------------------------------------------------------------


@login_required
def agreements(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "agreement.list")
    return render(
        request,
        "intelligence/agreements.html",
        {"agreements": agreement_list(actor=actor), "can_manage": access.may(actor, "agreement.manage")},
    )


@login_required
def agreement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    agreement = access_agreement_by_id(actor=actor, agreement_id=pk)
    manage = access.may(actor, "agreement.manage")
    targets = sorted(AGREEMENT_TRANSITIONS.get(agreement.status, set())) if manage else []
    form = AgreementStatusForm(request.POST or None)
    form.fields["to_status"].choices = [(s, AgreementStatus(s).label) for s in targets]  # type: ignore[attr-defined]
    if request.method == "POST" and not manage:
        raise Http404("Not available")
    return form_page(
        request,
        form,
        lambda d: services.agreement_set_status(
            actor=actor, agreement=agreement, to_status=d.get("to_status") or "", reason=d.get("reason") or ""
        ),
        # Read after the change: the message names the new status.
        success=lambda _: f"The agreement is now {agreement.get_status_display().lower()}",
        done=reverse("intelligence:agreement", args=[agreement.pk]),
        template="intelligence/agreement_detail.html",
        context={
            "agreement": agreement,
            "targets": targets,
            "changes": agreement.status_changes.select_related("changed_by"),
            "not_in_force": agreement_not_in_force(agreement),
        },
    )


def _agreement_input(d: dict[str, Any]) -> services.AgreementInput:
    return services.AgreementInput(
        reference=d.get("reference") or "",
        title=d.get("title") or "",
        party_ids=[a.pk for a in d.get("parties") or []],
        legal_gateway=d.get("legal_gateway") or "",
        purposes=d.get("purposes") or [],
        data_categories=d.get("data_categories") or [],
        max_classification=d.get("max_classification") or "",
        onward_sharing=d.get("onward_sharing") or "",
        retention=d.get("retention") or "",
        starts_on=d.get("starts_on"),
        ends_on=d.get("ends_on"),
    )


@login_required
def agreement_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "agreement.manage")
    return form_page(
        request,
        AgreementForm(request.POST or None),
        lambda d: services.agreement_create(actor=actor, data=_agreement_input(d)),
        success=lambda agreement: f"Agreement {agreement.reference} recorded as a draft",
        done=lambda agreement: reverse("intelligence:agreement", args=[agreement.pk]),
        template="intelligence/agreement_form.html",
        context={},
    )


# --- retention, restriction and subject access ----------------------------------------------------------


@login_required
def retention_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "retention.review")
    items = list(review_queue(actor=actor)[:200])
    services.item_list_consult(
        actor=actor, items=items, purpose="MoPI retention review", surface="retention", query={}
    )
    return render(request, "intelligence/retention.html", {"items": items})


@item_page("review")
def item_review(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "retention.review", item.owner_hub_id) or item.erased_at is not None:
        raise Http404("Not available")
    return _item_form(
        request,
        ReviewForm(request.POST or None),
        lambda d: services.item_review_decide(
            actor=actor, item=item, outcome=d.get("outcome") or "", reason=d.get("reason") or ""
        ),
        success=f"Review of {item.reference} recorded",
        done=reverse("intelligence:retention"),
        context={"item": item, "title": f"Review {item.reference} (MoPI)", "button": "Record decision"},
    )


@item_page("restrict")
def item_restrict(request: HttpRequest, item: IntelItem, purpose: str) -> HttpResponse:
    actor = _actor(request)
    if not access.may(actor, "intel_item.restrict", item) or item.erased_at is not None:
        raise Http404("Not available")
    title = ("Lift the restriction on " if item.restricted else "Restrict processing of ") + item.reference
    was_restricted = item.restricted
    return _item_form(
        request,
        RestrictForm(request.POST or None),
        lambda d: services.item_restrict(
            actor=actor, item=item, restricted=not was_restricted, reason=d.get("reason") or ""
        ),
        success="Restriction " + ("recorded" if not was_restricted else "lifted"),
        done=reverse("intelligence:detail", args=[item.pk]),
        context={"item": item, "title": title, "button": "Confirm"},
    )


@login_required
def subject_access(request: HttpRequest, nominal_id: int) -> HttpResponse:
    """DPA 2018 s.45: everything this hub holds on a person, as CSV, items marked for exemption review."""
    actor = _actor(request)
    nominal = access_nominal_by_id(actor=actor, nominal_id=nominal_id)
    access.require(actor, "subject_access.export", nominal.owner_hub_id)
    rows = subject_access_rows(actor=actor, nominal=nominal)
    return send_export(services.subject_access_export(actor=actor, nominal=nominal, rows=rows))


# --- nominal summaries -------------------------------------------------------------------------------------


def _conditions_of(item: IntelItem) -> list[tuple[str, str]]:
    text = dict(HandlingCondition.choices)
    return [(c, text.get(c, c)) for c in item.conditions or []]


@nominal_page("intelligence")
def person_intelligence(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    """A person's intelligence context: the items about them the user may see, the summaries about
    them the user may see, and (for the owner hub's managers and officers) sharing a summary."""
    actor = _actor(request)
    access.require(actor, "intelligence.view")
    items = list(person_items(actor=actor, nominal_id=nominal.pk)[:200])
    summaries = list(summary_list(actor=actor, nominal_id=nominal.pk)[:100])
    services.item_list_consult(
        actor=actor, items=items, purpose=purpose, surface="person", query={"nominal": str(nominal.pk)}
    )
    services.summary_list_consult(actor=actor, summaries=summaries, purpose=purpose, surface="person")
    return render(
        request,
        "intelligence/person.html",
        {
            "nominal": nominal,
            "purpose": purpose,
            "items": items,
            "summaries": summaries,
            "can_share_summary": access.may(actor, "summary.share", nominal),
            "can_record": access.may(actor, "intel_item.record"),
        },
    )


def _choices_form(plan: services.SummaryPlan, data: Any = None) -> SummaryChoicesForm:
    def label(item: IntelItem) -> str:
        return (
            f"{item.reference} {item.grade_label} · {item.classification} · {item.intelligence_date:%d %b %Y}"
        )

    return SummaryChoicesForm(
        data,
        parts=[(p, PART_LABELS[p]) for p in plan.allowed_parts],
        items=[(str(i.pk), label(i)) for i in plan.disclose],
        consent_items=[(str(i.pk), label(i)) for i in plan.consent],
        initial={"parts": plan.allowed_parts, "items": [str(i.pk) for i in plan.disclose]},
    )


@nominal_page("summary_share")
def summary_share(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    """Share a nominal summary in two steps: choose the recipient, agreement and purpose; then a preview
    shows exactly what would go (and, to the sharer only, what is left out and why) before it is shared.
    The service works everything out again on sharing; nothing is trusted from the preview."""
    actor = _actor(request)
    access.require(actor, "summary.share", nominal)
    form = SummaryShareForm(request.POST or None, agreements=agreements_for_summary(actor=actor))
    action = request.POST.get("action", "")
    if request.method == "POST" and form.is_valid() and action in ("preview", "share"):
        d = form.cleaned_data
        args: dict[str, Any] = {
            "recipient_agency_id": d["recipient"].pk if d.get("recipient") else None,
            "agreement_id": d["agreement"].pk if d.get("agreement") else None,
            "purpose": d.get("purpose") or "",
            "reason": d.get("reason") or "",
        }
        try:
            plan = services.summary_plan(actor=actor, nominal=nominal, **args)
        except ValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            choices = _choices_form(plan, request.POST if action == "share" else None)
            if action == "share" and choices.is_valid():
                parts, item_ids, consent_ids = choices.chosen()
                try:
                    summary = services.summary_disclose(
                        actor=actor,
                        nominal=nominal,
                        choices=services.SummaryChoices(parts, item_ids, consent_ids),
                        **args,
                    )
                except ValidationFailed as exc:
                    apply_service_errors(choices, exc)
                else:
                    SUMMARY_GATE.remember(request, summary.pk, purpose)
                    asked = len(summary.record.get("consent_requested", []))
                    messages.success(
                        request,
                        f"Summary {summary.reference} shared with {plan.recipient.name}"
                        + (f"; {asked} item(s) sent to the originator for consent" if asked else ""),
                    )
                    return redirect("intelligence:summary", pk=summary.pk)
            shown = plan.disclose + plan.consent
            services.item_list_consult(
                actor=actor,
                items=shown,
                purpose=purpose,
                surface="summary_preview",
                query={"nominal": str(nominal.pk)},
            )
            parts_shown = plan.allowed_parts
            ticked = {str(v) for v in choices["items"].value() or []}
            return render(
                request,
                "intelligence/summary_preview.html",
                {
                    "form": form,
                    "choices": choices,
                    "plan": plan,
                    "nominal": nominal,
                    "identity": plan.identity if "identity" in parts_shown else None,
                    "status": plan.status if "status" in parts_shown else None,
                    "part_refusals": [(PART_LABELS[p], r) for p, r in plan.part_refusals.items()],
                    "disclose": [(i, _conditions_of(i), str(i.pk) in ticked) for i in plan.disclose],
                    "consent": [(i, _conditions_of(i), choices[f"consent_{i.pk}"]) for i in plan.consent],
                    "classification": plan.classification_of(parts_shown, plan.disclose),
                    "purpose_label": ProcessingPurpose(plan.purpose).label,
                },
            )
    return render(request, "intelligence/summary_share.html", {"form": form, "nominal": nominal})


@login_required
def summaries(request: HttpRequest) -> HttpResponse:
    """Summaries received by the user's agency (while their agreements allow) and, for hub staff,
    those their hub disclosed."""
    actor = _actor(request)
    access.require(actor, "intelligence.view")
    paginator = Paginator(summary_list(actor=actor), 50)
    page = paginator.get_page(request.GET.get("page"))
    services.summary_list_consult(
        actor=actor, summaries=list(page.object_list), purpose="Nominal summaries", surface="page"
    )
    return render(request, "intelligence/summaries.html", {"page": page})


@SUMMARY_GATE.page("page")
def summary_detail(request: HttpRequest, summary: SummaryDisclosure, purpose: str) -> HttpResponse:
    """One summary as disclosed. The recipient sees what went (and the items it may still open); the
    disclosing hub also sees what was left out, withheld or sent for consent."""
    actor = _actor(request)
    items = summary_items(actor=actor, summary=summary)
    owner = access.may(actor, "summary.owner_side", summary)
    marks = [summary.classification] + [i.classification for i in items]
    return render(
        request,
        "intelligence/summary_detail.html",
        {
            "summary": summary,
            "purpose": purpose,
            "identity": summary.snapshot.get("identity"),
            "status": summary.snapshot.get("status"),
            "items": [(i, _conditions_of(i)) for i in items],
            "marking": max(marks, key=classification_rank),
            "owner_side": owner,
            "record": summary.record if owner else {},
            "consent_requests": summary_consent_requests(summary=summary) if owner else [],
            "can_open_person": access.may(actor, "nominal.view", summary.nominal),
            "purpose_label": ProcessingPurpose(summary.purpose).label,
        },
    )
