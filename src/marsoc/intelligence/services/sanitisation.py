"""Sanitised versions of items for wider dissemination."""

from django.db import transaction

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.vocabulary import (
    Classification,
    classifications_up_to,
)

from ..models import (
    IntelItem,
    ItemSubject,
)
from ..vocabulary import (
    HandlingCode,
    SanitisationStatus,
)

# --- sanitisation -------------------------------------------------------------------------------------

# What a sanitised version keeps of its original as it is: where it came from, its date and grade, and
# what it is held for (so it is reviewed with the original).
KEPT_FROM_ORIGINAL = (
    "owner_hub_id",
    "originating_agency_id",
    "originating_officer_id",
    "intelligence_date",
    "source_evaluation",
    "intelligence_assessment",
    "purpose",
    "data_category",
    "record_group",
    "review_due",
)


def item_sanitise(*, actor: User, item: IntelItem, text: str, classification: str) -> IntelItem:
    """A sanitised version for wider dissemination, linked to the original, with its own classification.
    S1 (or P): a user of the originating agency, at once. S2: approved by the originator first."""
    if not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    decision = access.decide(actor, "intel_item.sanitise", item)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the sanitised text"
    elif text.strip() == item.text.strip():
        errors["text"] = "The sanitised text must differ from the original"
    if classification not in Classification.values:
        errors["classification"] = "Select a classification"
    elif classification not in classifications_up_to(item.classification):
        errors["classification"] = "A sanitised version cannot be classified above the original"
    if errors:
        raise ValidationFailed(errors)
    status = SanitisationStatus.PENDING if decision.needs_approval else SanitisationStatus.APPROVED
    with transaction.atomic():
        version = IntelItem.objects.create(
            **{field: getattr(item, field) for field in KEPT_FROM_ORIGINAL},
            text=text.strip(),
            recorded_by=actor,
            classification=classification,
            # The sanitised version is made for wider dissemination: lawful sharing permitted.
            handling_code=HandlingCode.P,
            conditions=[],
            sanitised_from=item,
            sanitisation_status=status,
        )
        ItemSubject.objects.bulk_create(
            [
                ItemSubject(
                    item=version, nominal_id=s.nominal_id, data_subject_category=s.data_subject_category
                )
                for s in item.subjects.all()
            ]
        )
        audit_about(
            actor,
            AuditAction.INTEL_ITEM_SANITISE,
            version,
            justification="Sanitised version for wider dissemination",
            details={"original": item.pk, "status": status, "classification": classification},
        )
    return version


def sanitisation_decide(*, actor: User, version: IntelItem, approve: bool, reason: str) -> None:
    original = version.sanitised_from
    if original is None or version.sanitisation_status != SanitisationStatus.PENDING:
        raise ValidationFailed({"decision": "There is no pending sanitised version to decide"})
    if not access.may(actor, "intel_item.originator", original) or not access.may(
        actor, "intel_item.view", original
    ):
        raise NotFoundOrForbidden(f"intel item {version.pk}")
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the decision"})
    with transaction.atomic():
        version.sanitisation_status = SanitisationStatus.APPROVED if approve else SanitisationStatus.REFUSED
        version.save(update_fields=["sanitisation_status"])
        audit_about(
            actor,
            AuditAction.INTEL_ITEM_SANITISATION_APPROVED
            if approve
            else AuditAction.INTEL_ITEM_SANITISATION_REFUSED,
            version,
            object_type="intel_item",
            justification=reason.strip(),
            details={"original": original.pk},
        )
