"""Deconfliction and requests for access to hidden records."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.intelligence.agreements import (
    agreement_refusals,
)

from ..models import (
    AccessRequest,
    IntelItem,
    SharingAgreement,
)
from ..vocabulary import (
    AgreementStatus,
    RequestStatus,
    SanitisationStatus,
)
from .dissemination import item_disseminate

# --- deconfliction and access requests ------------------------------------------------------------------


def deconfliction_log(*, actor: User, query: str, hub_name: str, nominal_ids: Sequence[int]) -> None:
    """Telling someone that another agency holds an interest discloses that fact: log it (s.62)."""
    audit_record(
        actor=actor,
        action=AuditAction.INTEL_DECONFLICTION_HIT,
        justification="Deconfliction: another agency holds an interest",
        recipients=[actor.display_label],
        details={"query": query, "owner_hub": hub_name},
        subject_ids=list(nominal_ids),
    )


def access_request_create(*, actor: User, query: str, hub_id: int, reason: str) -> list[AccessRequest]:
    """Ask the owner hub for what it holds on the people a search matched. The server works the hits
    out again, so the requester never handles a reference to a record they may not see."""
    from ..selectors import deconfliction

    if actor.agency_id is None:
        raise PermissionDenied("Only a user of an agency can request access")
    notice = next((n for n in deconfliction(actor=actor, query=query) if n.hub_id == hub_id), None)
    if notice is None:
        raise NotFoundOrForbidden("no interest to request")
    if len(reason.strip()) < 3:
        raise ValidationFailed({"reason": "Give the reason you need this intelligence"})
    with transaction.atomic():
        requests = [
            AccessRequest.objects.create(
                nominal_id=n,
                owner_hub_id=hub_id,
                requested_by=actor,
                requester_agency_id=actor.agency_id,
                reason=reason.strip(),
                requested_at=timezone.now(),
            )
            for n in notice.nominal_ids
        ]
        audit_record(
            actor=actor,
            action=AuditAction.INTEL_ACCESS_REQUEST_CREATE,
            object_id=",".join(str(r.pk) for r in requests),
            justification=reason.strip(),
            details={"owner_hub": notice.hub_name, "query": query},
            subject_ids=list(notice.nominal_ids),
        )
    return requests


@dataclass(frozen=True)
class AccessDecision:
    disclosed: int
    consent_requested: int


def access_request_decide(*, actor: User, request: AccessRequest, grant: bool, reason: str) -> AccessDecision:
    """The owner hub's manager grants (each item an agreement in force allows is disseminated, C items
    through the originator's consent) or refuses, always with a reason."""
    if not access.may(actor, "access_request.decide", request.owner_hub_id):
        raise NotFoundOrForbidden(f"access request {request.pk}")
    if request.status != RequestStatus.PENDING:
        raise ValidationFailed({"decision": "This request has already been decided"})
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the decision"})
    disclosed = consent = 0
    with transaction.atomic():
        if grant:
            items = IntelItem.objects.filter(
                owner_hub_id=request.owner_hub_id,
                subjects__nominal_id=request.nominal_id,
                restricted=False,
                erased_at__isnull=True,
                sanitisation_status__in=["", SanitisationStatus.APPROVED],
            ).distinct()
            agreements = list(
                SharingAgreement.objects.filter(status=AgreementStatus.IN_FORCE).prefetch_related(
                    "parties", "purposes", "categories"
                )
            )
            for item in items:
                if not access.may(actor, "intel_item.view", item):
                    continue
                fit = next(
                    (a for a in agreements if not agreement_refusals(a, item, request.requester_agency_id)),
                    None,
                )
                if fit is None:
                    continue
                outcome = item_disseminate(
                    actor=actor,
                    item=item,
                    recipient_agency_id=request.requester_agency_id,
                    agreement_id=fit.pk,
                    purpose=f"Access request: {request.reason}",
                )
                disclosed += outcome.disclosure is not None
                consent += outcome.consent_request is not None
            if disclosed + consent == 0:
                raise ValidationFailed(
                    {"decision": "No agreement in force lets this hub share these items with the requester"}
                )
        request.status = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason.strip()
        request.save()
        audit_about(
            actor,
            AuditAction.INTEL_ACCESS_REQUEST_GRANTED if grant else AuditAction.INTEL_ACCESS_REQUEST_REFUSED,
            request,
            object_type="access_request",
            justification=reason.strip(),
            details={"disclosed": disclosed, "consent_requested": consent},
        )
    return AccessDecision(disclosed, consent)
