"""Rectification of items (DPA 2018 s.46)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed

from ..models import (
    IntelItem,
    ItemRevision,
)
from .items import audit_item, review_due_for, validate_content

# --- rectification (DPA 2018 s.46) ----------------------------------------------------------------------

RECTIFIABLE_FIELDS = (
    "text",
    "intelligence_date",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "conditions",
)


@dataclass(frozen=True)
class RectifyInput:
    text: str
    intelligence_date: date | None
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    conditions: Sequence[str] = ()


def _snapshot(item: IntelItem) -> dict[str, object]:
    return {
        "text": item.text,
        "intelligence_date": item.intelligence_date.isoformat(),
        "source_evaluation": item.source_evaluation,
        "intelligence_assessment": item.intelligence_assessment,
        "handling_code": item.handling_code,
        "conditions": list(item.conditions or []),
    }


def item_rectify(*, actor: User, item: IntelItem, data: RectifyInput, reason: str) -> ItemRevision:
    """Correct an item's text, date or grade. The version it replaces is kept as an ItemRevision (who,
    when, why) and the change is audited as an alteration; the same validation as recording applies."""
    if not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    if not access.may(actor, "intel_item.rectify", item):
        raise PermissionDenied("Only the owner hub or the originating agency can correct this item")
    text = data.text.strip()
    errors = validate_content(data, text)
    if not reason.strip():
        errors["reason"] = "Give the reason for the correction (for example the data subject's request)"
    if errors:
        raise ValidationFailed(errors)
    assert data.intelligence_date is not None
    new = {
        "text": text,
        "intelligence_date": data.intelligence_date.isoformat(),
        "source_evaluation": data.source_evaluation,
        "intelligence_assessment": data.intelligence_assessment,
        "handling_code": data.handling_code,
        "conditions": sorted(set(data.conditions)),
    }
    with transaction.atomic():
        locked = IntelItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(locked)
        changed = [f for f in RECTIFIABLE_FIELDS if before[f] != new[f]]
        if not changed:
            raise ValidationFailed(
                {"text": "Change the text, date or grade: nothing differs from the record"}
            )
        locked.text = text
        locked.intelligence_date = data.intelligence_date
        locked.source_evaluation = data.source_evaluation
        locked.intelligence_assessment = data.intelligence_assessment
        locked.handling_code = data.handling_code
        locked.conditions = new["conditions"]
        fields = list(RECTIFIABLE_FIELDS)
        # The review date follows the date of the intelligence until a MoPI review has set it.
        if "intelligence_date" in changed and not locked.retention_decisions.exists():
            locked.review_due = review_due_for(locked.record_group, data.intelligence_date)
            fields.append("review_due")
        locked.save(update_fields=fields)
        revision = ItemRevision.objects.create(
            item=locked,
            previous=before,
            changed_fields=changed,
            reason=reason.strip(),
            changed_by=actor,
            changed_at=timezone.now(),
        )
        audit_item(
            actor,
            AuditAction.INTEL_ITEM_RECTIFY,
            locked,
            justification=reason.strip(),
            # Field names and grades only: the superseded text stays in the revision, not the log.
            details={
                "changed": changed,
                "revision": revision.pk,
                "grade_before": revision.previous_grade_label,
                "grade_after": locked.grade_label,
            },
        )
    item.refresh_from_db()
    return revision
