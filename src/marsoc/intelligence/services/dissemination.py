"""Disseminating items under agreements, with the originator's consent where needed."""

from dataclasses import dataclass
from typing import Any

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
from .items import audit_item

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


@dataclass(frozen=True)
class Share:
    """Where a share goes, under which agreement and why: a disclosure of an item, a request for its
    originator's consent and a nominal summary record the same three."""

    recipient: Agency
    agreement: SharingAgreement
    purpose: str

    def fields(self) -> dict[str, Any]:
        return {"recipient_agency": self.recipient, "agreement": self.agreement, "purpose": self.purpose}


def choice_errors(
    errors: dict[str, str | list[str]],
    recipient: Agency | None,
    agreement: SharingAgreement | None,
    *,
    holder_id: int | None,
    holder_says: str,
) -> None:
    """The two choices every share makes, when left out; a recipient that already holds what is shared
    (the agency `holder_id`) is refused with `holder_says`. The caller checks the agreement itself."""
    if recipient is None:
        errors["recipient"] = "Select the agency to share with"
    elif recipient.pk == holder_id:
        errors["recipient"] = holder_says
    if agreement is None:
        errors["agreement"] = "Select the agreement that allows this sharing"


def _disclose(*, actor: User, item: IntelItem, share: Share, via: str) -> Disclosure:
    conditions = list(item.conditions or [])
    disclosure = Disclosure.objects.create(
        item=item, **share.fields(), conditions=conditions, disclosed_by=actor, disclosed_at=timezone.now()
    )
    audit_item(
        actor,
        AuditAction.INTEL_ITEM_DISCLOSE,
        item,
        surface=via,
        justification=share.purpose,
        recipients=[share.recipient.name],
        details={
            "agreement": share.agreement.reference,
            "grade": item.grade_label,
            "classification": item.classification,
            "conditions": conditions,
        },
    )
    return disclosure


def _consent_request(
    *, actor: User, item: IntelItem, share: Share, summary: SummaryDisclosure | None = None
) -> ConsentRequest:
    """Ask the originator to consent to a share of a C item (they decide on the requests page)."""
    request = ConsentRequest.objects.create(
        item=item, summary=summary, **share.fields(), requested_by=actor, requested_at=timezone.now()
    )
    details = {"recipient": share.recipient.name, "agreement": share.agreement.reference}
    if summary is not None:
        details["summary"] = summary.reference
    audit_about(
        actor, AuditAction.INTEL_ITEM_CONSENT_REQUEST, item, justification=share.purpose, details=details
    )
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
    originator = "The originating agency already holds this item"
    choice_errors(errors, recipient, agreement, holder_id=item.originating_agency_id, holder_says=originator)
    if agreement is not None and recipient is not None:
        refusals = agreement_refusals(agreement, item, recipient.pk)
        if refusals:
            errors["agreement"] = refusals
    if len(purpose.strip()) < 3:
        errors["purpose"] = "Give the purpose of the disclosure"
    if errors:
        raise ValidationFailed(errors)
    assert recipient is not None and agreement is not None
    share = Share(recipient, agreement, purpose.strip())
    with transaction.atomic():
        if decision.needs_consent:
            return ShareOutcome(None, _consent_request(actor=actor, item=item, share=share))
        return ShareOutcome(_disclose(actor=actor, item=item, share=share, via="share"), None)


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
        share = Share(request.recipient_agency, request.agreement, request.purpose)
        return _disclose(actor=actor, item=item, share=share, via="consent")
