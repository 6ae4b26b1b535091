"""Pages for data-subject rights. Thin: the façade decides (selectors fetch through it), the services
validate, write and audit."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from marsoc.core import access
from marsoc.core.errors import PermissionDenied
from marsoc.core.subjects import ReviewedKind, reviewed_kind
from marsoc.core.web import actor as _actor
from marsoc.core.web import form_page, send_export
from marsoc.nominals.models import Nominal
from marsoc.nominals.views import nominal_page

from . import services
from .forms import (
    AcknowledgeForm,
    CorrectionForm,
    ExtendForm,
    IdentityForm,
    LiftForm,
    RecordForm,
    RequestForm,
    RestrictForm,
    ReviewForm,
)
from .selectors import (
    access_notice_by_id,
    access_request_by_id,
    hub_staff_for,
    open_notices,
    person_requests,
    record_of,
    record_queue,
    record_reviews,
    rectifications_of,
    requests_for,
    restriction_of,
    restrictions_managed,
    review_due,
    review_queue,
)


def _form(
    request: HttpRequest, form: object, save: object, *, done: str, title: str, button: str, **context: object
) -> HttpResponse:
    return form_page(
        request,
        form,
        save,  # type: ignore[arg-type]
        success=f"{title}: saved",
        done=done,
        template="rights/form.html",
        context={"title": title, "button": button, "back": done.split("#")[0], **context},
    )


def home(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "rights.home")
    requests = list(requests_for(actor=actor)[:200])
    restrictions = list(restrictions_managed(actor=actor))
    notices = list(open_notices(actor=actor)[:200])
    reviews = review_queue(actor=actor)[:200]
    records = record_queue(actor=actor)[:200]
    people = {r.nominal_id for r in requests} | {r.nominal_id for r in restrictions}
    people |= {n.rectification.nominal_id for n in notices} | {d.nominal.pk for d in reviews}
    people |= {d.nominal.pk for d in records if d.nominal is not None}
    services.rights_home_consult(actor=actor, nominal_ids=sorted(people))
    return render(
        request,
        "rights/home.html",
        {
            "requests": requests,
            "restrictions": restrictions,
            "notices": notices,
            "reviews": reviews,
            "record_reviews": records,
        },
    )


def _require_person(request: HttpRequest, nominal: Nominal) -> None:
    if not access.may(_actor(request), "rights.view_person", nominal):
        raise Http404("No such page")


@nominal_page("rights")
def person(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    _require_person(request, nominal)
    actor = _actor(request)
    return render(
        request,
        "rights/person.html",
        {
            "nominal": nominal,
            "requests": person_requests(nominal=nominal),
            "restriction": restriction_of(nominal),
            "rectifications": rectifications_of(nominal),
            "review": review_due(nominal),
            "records": record_reviews(nominal),
            "may_manage": access.may(actor, "rights.manage", nominal.owner_hub_id),
            "person_tab": "rights",
        },
    )


@nominal_page("rights_request_new")
def request_new(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    _require_person(request, nominal)
    actor = _actor(request)
    form = RequestForm(request.POST or None)
    created: list[int] = []

    def save(d: dict[str, object]) -> None:
        created.append(
            services.request_record(
                actor=actor, nominal=nominal, requester=str(d.get("requester") or ""),
                address=str(d.get("address") or ""), received_on=d.get("received_on"),  # type: ignore[arg-type]
            ).pk
        )  # fmt: skip

    response = _form(
        request, form, save, done=reverse("rights:person", args=[nominal.pk]),
        title="Record a subject access request", button="Record the request", nominal=nominal,
    )  # fmt: skip
    return redirect("rights:request", pk=created[0]) if created else response


def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    sar = access_request_by_id(actor=actor, request_id=pk)
    services.request_consult(actor=actor, request=sar)
    records = list(sar.records.all())
    for r in records:
        r.cleared = access.may(actor, "clearance.covers", r.classification) if r.classification else True  # type: ignore[attr-defined]
    return render(
        request,
        "rights/request.html",
        {
            "sar": sar,
            "records": records,
            "approval": access.decide(actor, "rights.approve", sar),
            "waiting": sum(1 for r in records if r.partner and r.consulted_on is None),
            "withheld": sum(1 for r in records if r.exemption),
        },
    )


def request_identity(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    sar = access_request_by_id(actor=actor, request_id=pk)
    return _form(
        request, IdentityForm(request.POST or None),
        lambda d: services.request_identity(actor=actor, request=sar, evidence=d.get("evidence") or ""),
        done=reverse("rights:request", args=[pk]), title="Check the requester's identity", button="Save", sar=sar,
    )  # fmt: skip


def request_extend(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    sar = access_request_by_id(actor=actor, request_id=pk)
    return _form(
        request, ExtendForm(request.POST or None),
        lambda d: services.request_extend(actor=actor, request=sar, to=d.get("to"), reason=d.get("reason") or ""),
        done=reverse("rights:request", args=[pk]), title="Extend the deadline", button="Extend", sar=sar,
    )  # fmt: skip


def _post_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    actor = _actor(request)
    sar = access_request_by_id(actor=actor, request_id=pk)
    try:
        if step == "search":
            found = services.request_search(actor=actor, request=sar)
            messages.success(request, f"{found} records found")
        else:
            services.request_approve(actor=actor, request=sar)
            messages.success(request, "Response approved for release")
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("rights:request", pk=pk)


@require_POST
def request_search(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, "search")


@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _post_step(request, pk, "approve")


def record_decide(request: HttpRequest, pk: int, record_id: int) -> HttpResponse:
    actor = _actor(request)
    sar = access_request_by_id(actor=actor, request_id=pk)
    record = sar.records.filter(pk=record_id).first()
    if record is None:
        raise Http404("No such record")
    initial = {
        "exemption": record.exemption, "reason": record.exemption_reason,
        "consulted_on": record.consulted_on, "consultation_note": record.consultation_note,
    }  # fmt: skip
    form = RecordForm(request.POST or None, initial=initial, partner=record.partner)
    return _form(
        request, form,
        lambda d: services.record_decide(
            actor=actor, record=record, exemption=d.get("exemption") or "", reason=d.get("reason") or "",
            consulted_on=d.get("consulted_on"), consultation_note=d.get("consultation_note") or "",
        ),
        done=reverse("rights:request", args=[pk]) + f"#record-{record.pk}",
        title=f"{record.section}: {record.reference}", button="Save", sar=sar, record=record,
    )  # fmt: skip


def request_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    actor = _actor(request)
    sar = access_request_by_id(actor=actor, request_id=pk)
    try:
        return send_export(services.request_export(actor=actor, request=sar, fmt=fmt))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return redirect("rights:request", pk=pk)


@nominal_page("rights_restrict")
def restrict(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "rights.manage", nominal.owner_hub_id)
    done = reverse("rights:person", args=[nominal.pk])
    current = restriction_of(nominal)
    if current is not None:
        return _form(
            request, LiftForm(request.POST or None),
            lambda d: services.person_unrestrict(actor=actor, restriction=current, reason=d.get("reason") or ""),
            done=done, title="Lift the restriction", button="Lift the restriction", nominal=nominal,
        )  # fmt: skip
    staff = [(u.pk, u.get_full_name() or u.username) for u in hub_staff_for(nominal).exclude(pk=actor.pk)]
    return _form(
        request, RestrictForm(request.POST or None, staff=staff),
        lambda d: services.person_restrict(
            actor=actor, nominal=nominal, reason=d.get("reason") or "", review_on=d.get("review_on"),
            manager_ids=[int(i) for i in d.get("managers") or []],
        ),
        done=done, title="Restrict processing of this person", button="Restrict", nominal=nominal,
    )  # fmt: skip


@nominal_page("rights_correction")
def correction(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    _require_person(request, nominal)
    actor = _actor(request)
    return _form(
        request, CorrectionForm(request.POST or None),
        lambda d: services.rectification_record(
            actor=actor, nominal=nominal, what=d.get("what") or "", reason=d.get("reason") or "",
            since=d.get("since"),
        ),
        done=reverse("rights:person", args=[nominal.pk]), title="Record a correction and tell its recipients",
        button="Record and tell the recipients", nominal=nominal,
    )  # fmt: skip


def notice_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    notice = access_notice_by_id(actor=actor, notice_id=pk)
    access.require(actor, "rights.handle", notice.rectification.nominal.owner_hub_id)
    return _form(
        request, AcknowledgeForm(request.POST or None),
        lambda d: services.notice_acknowledge(actor=actor, notice=notice, by_whom=d.get("by_whom") or ""),
        done=reverse("rights:home"), title=f"Acknowledgement from {notice.agency.name}", button="Save",
    )  # fmt: skip


@nominal_page("rights_review")
def review(request: HttpRequest, nominal: Nominal, purpose: str) -> HttpResponse:
    actor = _actor(request)
    access.require(actor, "rights.manage", nominal.owner_hub_id)
    due = review_due(nominal)
    form = ReviewForm(request.POST or None, initial={"group": due.group})
    return _form(
        request, form,
        lambda d: services.person_review(
            actor=actor, nominal=nominal, group=d.get("group") or "", outcome=d.get("outcome") or "",
            reason=d.get("reason") or "",
        ),
        done=reverse("rights:home"), title="Review the records held about this person (MoPI)",
        button="Record the decision", nominal=nominal, due=due,
    )  # fmt: skip


def _record_form(
    request: HttpRequest, kind: ReviewedKind, record_id: int, nominal: Nominal | None, hub_id: int
) -> HttpResponse:
    actor = _actor(request)
    due = record_of(kind, record_id, nominal=nominal, hub_id=hub_id)
    if due is None:
        raise Http404("No such page")
    outcomes = [("retain", "Retain, and review again")]
    if not due.why_kept:
        outcomes.append(("erase", "Erase this record"))
    form = ReviewForm(request.POST or None, initial={"group": due.group})
    form.fields["outcome"].choices = outcomes  # type: ignore[attr-defined]
    done = reverse("rights:person", args=[nominal.pk]) if nominal is not None else reverse("rights:home")
    return _form(
        request, form,
        lambda d: services.record_review(
            actor=actor, kind=kind, record_id=record_id, nominal=nominal, group=d.get("group") or "",
            outcome=d.get("outcome") or "", reason=d.get("reason") or "",
        ),
        done=done, title=f"Review this record (MoPI): {kind.label.lower()}", button="Record the decision",
        nominal=nominal, record_due=due,
    )  # fmt: skip


@nominal_page("rights_record_review")
def record_review(
    request: HttpRequest, nominal: Nominal, purpose: str, kind: str, record_id: int
) -> HttpResponse:
    found = reviewed_kind(kind)
    if found is None or not access.may(_actor(request), "rights.manage", nominal.owner_hub_id):
        raise Http404("No such page")
    return _record_form(request, found, record_id, nominal, nominal.owner_hub_id)


def partner_review(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """A record about nobody in the cohort (a partner record matching no nominal): the hub's managers."""
    actor = _actor(request)
    found = reviewed_kind(kind)
    if found is None or actor.hub_id is None or not access.may(actor, "rights.manage", actor.hub_id):
        raise Http404("No such page")
    return _record_form(request, found, record_id, None, actor.hub_id)
