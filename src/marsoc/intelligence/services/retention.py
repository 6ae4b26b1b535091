"""MoPI retention review, restriction (DPA 2018 s.47) and subject access (s.45)."""

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.nominals.models import Nominal

from ..models import (
    IntelItem,
    RetentionDecision,
)
from .items import audit_item, review_due_for

# --- retention (MoPI) and restriction (DPA 2018 s.47) ---------------------------------------------------


def item_review_decide(*, actor: User, item: IntelItem, outcome: str, reason: str) -> RetentionDecision:
    """Retain (reason recorded, next review set by the record group) or delete (the content is erased;
    the row stays as a tombstone, and the erasure is audited)."""
    if not access.may(actor, "retention.review", item.owner_hub_id) or item.erased_at is not None:
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    errors: dict[str, str] = {}
    if outcome not in RetentionDecision.Outcome.values:
        errors["outcome"] = "Select retain or delete"
    if not reason.strip():
        errors["reason"] = (
            "Give the reason for the decision (MoPI requires every retain decision to be recorded)"
        )
    if errors:
        raise ValidationFailed(errors)
    today = timezone.localdate()
    with transaction.atomic():
        next_review = review_due_for(item.record_group, today) if outcome == "retain" else None
        decision = RetentionDecision.objects.create(
            item=item,
            outcome=outcome,
            reason=reason.strip(),
            next_review=next_review,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if outcome == "retain":
            item.review_due = next_review
            item.save(update_fields=["review_due"])
            details = {"next_review": str(next_review)}
            audit_item(
                actor, AuditAction.INTEL_ITEM_RETAIN, item, justification=reason.strip(), details=details
            )
        else:
            item.text = ""
            item.conditions = []
            item.legacy_source = item.legacy_intelligence = item.legacy_handling = ""
            item.erased_at = timezone.now()
            item.review_due = None
            item.save()
            item.disclosures.all().delete()
            item.consent_requests.all().delete()
            audit_item(actor, AuditAction.INTEL_ITEM_ERASE, item, justification=reason.strip())
    return decision


def item_restrict(*, actor: User, item: IntelItem, restricted: bool, reason: str) -> None:
    """Restriction of processing: the record is kept but leaves search, lists and sharing."""
    if not access.may(actor, "intel_item.restrict", item) or not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason (for example the data subject's request)"})
    with transaction.atomic():
        item.restricted = restricted
        item.save(update_fields=["restricted"])
        action = AuditAction.INTEL_ITEM_RESTRICT if restricted else AuditAction.INTEL_ITEM_UNRESTRICT
        audit_item(actor, action, item, object_type="intel_item", justification=reason.strip())


def subject_access_export(*, actor: User, nominal: Nominal, rows: list[list[str]]) -> ExportFile:
    """DPA 2018 s.45: the rows the hub holds on a person (from the selector), as CSV, recorded as a
    disclosure to the manager answering the request and, after exemption review, to the data subject."""
    if not access.may(actor, "subject_access.export", nominal.owner_hub_id):
        raise NotFoundOrForbidden(f"subject access {nominal.pk}")
    audit_about(
        actor,
        AuditAction.INTEL_SUBJECT_ACCESS_EXPORT,
        nominal,
        justification="Subject access request (DPA 2018 s.45)",
        recipients=[actor.display_label, "the data subject (after exemption review)"],
        details={"rows": len(rows)},
        subject_ids=[nominal.pk],
    )
    content = csv_text(["section", "field", "value", "exemption review"], rows).encode("utf-8")
    return ExportFile(content, CSV_TYPE, f"subject-access-{nominal.reference}.csv")
