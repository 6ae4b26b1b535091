"""Recording information-sharing agreements and changing their status."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.vocabulary import (
    Classification,
)

from ..models import (
    AgreementCategory,
    AgreementPurpose,
    SharingAgreement,
)
from ..vocabulary import (
    AgreementStatus,
    DataCategory,
    OnwardSharing,
    ProcessingPurpose,
)

# --- agreements ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementInput:
    reference: str
    title: str
    party_ids: Sequence[int]
    legal_gateway: str
    purposes: Sequence[str]
    data_categories: Sequence[str]
    max_classification: str
    onward_sharing: str
    retention: str
    starts_on: date | None
    ends_on: date | None = None


def _validate_agreement(data: AgreementInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.reference.strip():
        errors["reference"] = "Enter the agreement reference"
    elif len(data.reference) > 30:
        errors["reference"] = "The reference must be 30 characters or fewer"
    elif SharingAgreement.objects.filter(reference=data.reference.strip()).exists():
        errors["reference"] = "An agreement with this reference already exists"
    if not data.title.strip():
        errors["title"] = "Enter the title"
    parties = set(data.party_ids)
    if len(parties) < 2:
        errors["parties"] = "Select at least two parties"
    elif Agency.objects.filter(pk__in=parties).count() != len(parties):
        errors["parties"] = "Select agencies from the list"
    if not data.legal_gateway.strip():
        errors["legal_gateway"] = "Enter the legal gateway (the power that makes sharing lawful)"
    if not data.purposes:
        errors["purposes"] = "Select at least one purpose"
    elif any(p not in ProcessingPurpose.values for p in data.purposes):
        errors["purposes"] = "Select purposes from the list"
    if not data.data_categories:
        errors["data_categories"] = "Select at least one category of data"
    elif any(c not in DataCategory.values for c in data.data_categories):
        errors["data_categories"] = "Select categories from the list"
    if data.max_classification not in Classification.values:
        errors["max_classification"] = "Select the maximum classification"
    if data.onward_sharing not in OnwardSharing.values:
        errors["onward_sharing"] = "Select the onward-sharing rule"
    if not data.retention.strip():
        errors["retention"] = "Enter the retention rule"
    if data.starts_on is None:
        errors["starts_on"] = "Enter the start date"
    elif data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    return errors


def agreement_create(*, actor: User, data: AgreementInput) -> SharingAgreement:
    if not access.may(actor, "agreement.manage"):
        raise PermissionDenied("Only a national hub manager can record agreements")
    errors = _validate_agreement(data)
    if errors:
        raise ValidationFailed(errors)
    assert data.starts_on is not None
    with transaction.atomic():
        agreement = SharingAgreement.objects.create(
            reference=data.reference.strip(),
            title=data.title.strip(),
            legal_gateway=data.legal_gateway.strip(),
            max_classification=data.max_classification,
            onward_sharing=data.onward_sharing,
            retention=data.retention.strip(),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            status=AgreementStatus.DRAFT,
            created_by=actor,
        )
        agreement.parties.set(sorted(set(data.party_ids)))
        AgreementPurpose.objects.bulk_create(
            [AgreementPurpose(agreement=agreement, code=p) for p in sorted(set(data.purposes))]
        )
        AgreementCategory.objects.bulk_create(
            [AgreementCategory(agreement=agreement, code=c) for c in sorted(set(data.data_categories))]
        )
        _status_change(actor, agreement, "", AgreementStatus.DRAFT, "Recorded")
        audit_about(
            actor,
            AuditAction.INTEL_AGREEMENT_CREATE,
            agreement,
            justification="Information-sharing agreement recorded",
            details={"reference": agreement.reference},
        )
    return agreement


def _status_change(
    actor: User, agreement: SharingAgreement, from_status: str, to_status: str, reason: str
) -> None:
    """The agreement's history keeps every change of status, its first (to draft) included."""
    agreement.status_changes.create(
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        changed_by=actor,
        changed_at=timezone.now(),
    )


AGREEMENT_TRANSITIONS: dict[str, set[str]] = {
    AgreementStatus.DRAFT: {AgreementStatus.IN_FORCE, AgreementStatus.ENDED},
    AgreementStatus.IN_FORCE: {AgreementStatus.SUSPENDED, AgreementStatus.ENDED},
    AgreementStatus.SUSPENDED: {AgreementStatus.IN_FORCE, AgreementStatus.ENDED},
    AgreementStatus.ENDED: set(),
}


def agreement_set_status(*, actor: User, agreement: SharingAgreement, to_status: str, reason: str) -> None:
    """Bring into force, suspend, reinstate or end. Access through the agreement follows at once,
    because the policy reads the status on every request."""
    if not access.may(actor, "agreement.manage"):
        raise PermissionDenied("Only a national hub manager can change an agreement")
    errors: dict[str, str] = {}
    if to_status not in AGREEMENT_TRANSITIONS.get(agreement.status, set()):
        errors["to_status"] = (
            f"An agreement that is {agreement.get_status_display().lower()} cannot become that"
        )
    if not reason.strip():
        errors["reason"] = "Give the reason for the change"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        from_status = locked.status
        locked.status = to_status
        if to_status == AgreementStatus.ENDED and (
            locked.ends_on is None or locked.ends_on > timezone.localdate()
        ):
            locked.ends_on = timezone.localdate()
        locked.save(update_fields=["status", "ends_on"])
        _status_change(actor, locked, from_status, to_status, reason.strip())
        audit_about(
            actor,
            AuditAction.INTEL_AGREEMENT_STATUS,
            locked,
            justification=reason.strip(),
            details={"from": from_status, "to": to_status},
        )
    agreement.refresh_from_db()
