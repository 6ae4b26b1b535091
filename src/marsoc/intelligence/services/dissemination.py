"""Disseminating items under agreements, with the originator's consent where needed."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.intelligence.agreements import (
    agreement_refusals,
)

from ..models import (
    ConsentRequest,
    Disclosure,
    IntelItem,
    SharingAgreement,
    SummaryDisclosure,
)
from ..vocabulary import (
    OnwardSharing,
    RequestStatus,
)

# --- dissemination ------------------------------------------------------------------------------------


def _onward_rule(actor: Actor, item: IntelItem) -> str | None:
    """The most generous onward-sharing rule among agreements under which the actor's agency holds it."""
    if actor.agency_id is None:
        return None
    rules = set(
        Disclosure.objects.filter(item=item, recipient_agency_id=actor.agency_id).values_list(
            "agreement__onward_sharing", flat=True
        )
    )
    for rule in (OnwardSharing.PARTIES, OnwardSharing.ORIGINATOR_CONSENT, OnwardSharing.NONE):
        if rule in rules:
            return rule
    return None


@dataclass(frozen=True)
class ShareOutcome:
    disclosure: Disclosure | None
    consent_request: ConsentRequest | None


def _disclose(
    *, actor: User, item: IntelItem, recipient: Agency, agreement: SharingAgreement, purpose: str, via: str
) -> Disclosure:
    disclosure = Disclosure.objects.create(
        item=item,
        recipient_agency=recipient,
        agreement=agreement,
        purpose=purpose,
        conditions=list(item.conditions or []),
        disclosed_by=actor,
        disclosed_at=timezone.now(),
    )
    audit_about(
        actor,
        AuditAction.INTEL_ITEM_DISCLOSE,
        item,
        surface=via,
        justification=purpose,
        recipients=[recipient.name],
        details={
            "agreement": agreement.reference,
            "grade": item.grade_label,
            "classification": item.classification,
            "conditions": list(item.conditions or []),
        },
        subject_ids=list(item.subjects.values_list("nominal_id", flat=True)),
    )
    return disclosure


def _consent_request(
    *,
    actor: User,
    item: IntelItem,
    recipient: Agency,
    agreement: SharingAgreement,
    purpose: str,
    summary: SummaryDisclosure | None = None,
) -> ConsentRequest:
    """Ask the originator to consent to a share of a C item (they decide on the requests page)."""
    request = ConsentRequest.objects.create(
        item=item,
        summary=summary,
        recipient_agency=recipient,
        agreement=agreement,
        purpose=purpose,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    details = {"recipient": recipient.name, "agreement": agreement.reference}
    if summary is not None:
        details["summary"] = summary.reference
    audit_about(actor, AuditAction.INTEL_ITEM_CONSENT_REQUEST, item, justification=purpose, details=details)
    return request


def item_disseminate(
    *, actor: User, item: IntelItem, recipient_agency_id: int | None, agreement_id: int | None, purpose: str
) -> ShareOutcome:
    """Share an item with an agency under an agreement. The policy checks the agreement, classification
    and handling; a C item shared by anyone but its originator becomes a consent request to them."""
    if not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    decision = access.decide(actor, "intel_item.share", item, onward_rule=_onward_rule(actor, item))
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    errors: dict[str, str | list[str]] = {}
    recipient = Agency.objects.filter(pk=recipient_agency_id or 0).first()
    agreement = SharingAgreement.objects.filter(pk=agreement_id or 0).first()
    if recipient is None:
        errors["recipient"] = "Select the agency to share with"
    elif recipient.pk == item.originating_agency_id:
        errors["recipient"] = "The originating agency already holds this item"
    if agreement is None:
        errors["agreement"] = "Select the agreement that allows this sharing"
    elif recipient is not None:
        refusals = agreement_refusals(agreement, item, recipient.pk)
        if refusals:
            errors["agreement"] = refusals
    if len(purpose.strip()) < 3:
        errors["purpose"] = "Give the purpose of the disclosure"
    if errors:
        raise ValidationFailed(errors)
    assert recipient is not None and agreement is not None
    with transaction.atomic():
        if decision.needs_consent:
            request = _consent_request(
                actor=actor, item=item, recipient=recipient, agreement=agreement, purpose=purpose.strip()
            )
            return ShareOutcome(None, request)
        return ShareOutcome(
            _disclose(
                actor=actor,
                item=item,
                recipient=recipient,
                agreement=agreement,
                purpose=purpose.strip(),
                via="share",
            ),
            None,
        )


def consent_decide(*, actor: User, request: ConsentRequest, grant: bool, reason: str) -> Disclosure | None:
    item = request.item
    if not access.may(actor, "intel_item.originator", item) or not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"consent request {request.pk}")
    if request.status != RequestStatus.PENDING:
        raise ValidationFailed({"decision": "This request has already been decided"})
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the decision"})
    if grant:
        refusals = agreement_refusals(request.agreement, item, request.recipient_agency_id)
        if refusals:
            raise ValidationFailed({"decision": refusals})
    with transaction.atomic():
        request.status = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason.strip()
        request.save()
        if not grant:
            audit_about(actor, AuditAction.INTEL_ITEM_CONSENT_REFUSED, item, justification=reason.strip())
            return None
        return _disclose(
            actor=actor,
            item=item,
            recipient=request.recipient_agency,
            agreement=request.agreement,
            purpose=request.purpose,
            via="consent",
        )
