"""MoPI review of everything held about a person, and erasure (DPA 2018 s.47(1), MoPI). Erasure removes
every record every app holds about the person (core.subjects: each app's eraser for what a cascade from
the nominal would miss, then the nominal and everything that cascades from it), keeps the audit entries
s.62 requires, audits the erasure itself and names the agencies to be told (s.48(4))."""

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.errors import ValidationFailed
from marsoc.core.subjects import holdings
from marsoc.nominals.models import Nominal

from ..models import PersonReview, RecordGroup
from ..selectors import disclosures_of, restriction_of, review_years, years_after
from .common import audit_person, figures_follow, require_person

OUTCOMES = ("retain", "erase")


def person_review(
    *, actor: User, nominal: Nominal, group: str, outcome: str, reason: str
) -> PersonReview | None:
    """Retain (the reason recorded, as MoPI requires; next review from the group) or erase."""
    require_person(actor, "rights.manage", nominal)
    errors: dict[str, str] = {}
    if group not in RecordGroup.values:
        errors["group"] = "Select the MoPI group"
    if outcome not in OUTCOMES:
        errors["outcome"] = "Select retain or erase"
    if not reason.strip():
        errors["reason"] = "Give the reason for the decision (MoPI requires every decision to be recorded)"
    if errors:
        raise ValidationFailed(errors)
    if outcome == "erase":
        person_erase(actor=actor, nominal=nominal, reason=reason)
        return None
    today = timezone.localdate()
    with transaction.atomic():
        review = PersonReview.objects.create(
            nominal=nominal,
            record_group=group,
            reason=reason.strip(),
            next_review=years_after(today, review_years()[group]),
            decided_by=actor,
            decided_at=timezone.now(),
        )
        details = {"group": group, "next_review": str(review.next_review)}
        audit_person(
            actor, AuditAction.RIGHTS_RETAIN, nominal.pk, justification=reason.strip(), details=details
        )
    return review


def person_erase(*, actor: User, nominal: Nominal, reason: str) -> dict[str, int]:
    """Remove every record about the person; returns the rows removed by holding (for the audit entry)."""
    require_person(actor, "rights.manage", nominal)
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the erasure"})
    pk, reference = nominal.pk, nominal.reference
    with transaction.atomic():
        told = [r.agency.name for r in disclosures_of(nominal, nominal.created_at.date())]
        if restriction_of(nominal) is None:  # a restricted person's part already left the figures
            figures_follow(actor, pk, count=False, why="A person's records erased (MoPI review)")
        removed: dict[str, int] = {}
        # Higher apps first: their records may point at a lower app's (a link at an intelligence item).
        for holding in reversed(holdings()):
            if holding.erase is not None:
                removed[holding.name] = holding.erase(nominal)
        _count, by_model = Nominal.objects.filter(pk=pk).delete()
        removed["cascade"] = sum(by_model.values())
        details = {"reference": reference, "removed": removed}
        audit_person(
            actor,
            AuditAction.RIGHTS_ERASE,
            pk,
            justification=reason.strip(),
            recipients=told,
            details=details,
        )
    return removed
