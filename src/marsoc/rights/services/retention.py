"""MoPI review of everything held about a person, and of single records, and erasure (DPA 2018 s.47(1),
MoPI). Erasing a person removes every record every app holds about them (core.subjects: each app's
eraser for what a cascade from the nominal would miss, then the nominal and everything that cascades from
it); erasing one record runs its kind's eraser (the record and what is derived from it). Both keep the
audit entries s.62 requires, audit the erasure itself, name the agencies to be told (s.48(4)) and take the
person's part out of the Board's kept figures (a record erased: the part counted again without it)."""

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.subjects import ReviewedKind, holdings
from marsoc.nominals.models import Nominal

from ..models import PersonReview, RecordGroup, RecordReview
from ..selectors import disclosures_of, record_of, restriction_of, review_years, years_after
from .common import Checks, audit_person, figures_follow, require_person, required_text

OUTCOMES = ("retain", "erase")


def _check_decision(group: str, outcome: str, reason: str, *, why_kept: str = "") -> str:
    """The decision's errors named by field (ValidationFailed), else its reason, trimmed."""
    checks = Checks()
    if group not in RecordGroup.values:
        checks.fail("group", "Select the MoPI group")
    if outcome not in OUTCOMES:
        checks.fail("outcome", "Select retain or erase")
    elif outcome == "erase" and why_kept:
        checks.fail("outcome", f"This record cannot be erased on its own: {why_kept}")
    reason = checks.text(
        "reason", reason, "Give the reason for the decision (MoPI requires every decision to be recorded)"
    )
    checks.done()
    return reason


def _told(nominal: Nominal) -> list[str]:
    return [r.agency.name for r in disclosures_of(nominal, nominal.created_at.date())]


def person_review(
    *, actor: User, nominal: Nominal, group: str, outcome: str, reason: str
) -> PersonReview | None:
    """Retain (the reason recorded, as MoPI requires; next review from the group) or erase."""
    require_person(actor, "rights.manage", nominal)
    reason = _check_decision(group, outcome, reason)
    if outcome == "erase":
        person_erase(actor=actor, nominal=nominal, reason=reason)
        return None
    with transaction.atomic():
        review = PersonReview.objects.create(
            nominal=nominal,
            record_group=group,
            reason=reason,
            next_review=years_after(timezone.localdate(), review_years()[group]),
            decided_by=actor,
            decided_at=timezone.now(),
        )
        details = {"group": group, "next_review": str(review.next_review)}
        audit_person(actor, AuditAction.RIGHTS_RETAIN, nominal.pk, justification=reason, details=details)
    return review


def person_erase(*, actor: User, nominal: Nominal, reason: str) -> dict[str, int]:
    """Remove every record about the person; returns the rows removed by holding (for the audit entry)."""
    require_person(actor, "rights.manage", nominal)
    reason = required_text("reason", reason, "Give the reason for the erasure")
    pk, reference = nominal.pk, nominal.reference
    with transaction.atomic():
        told = _told(nominal)
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
            justification=reason,
            recipients=told,
            details=details,
        )
    return removed


def record_review(
    *,
    actor: User,
    kind: ReviewedKind,
    record_id: int,
    nominal: Nominal | None,
    group: str,
    outcome: str,
    reason: str,
) -> RecordReview | None:
    """Retain one record (reason and next review recorded) or erase it with what is derived from it.
    `nominal` is the person it is about; None for a record about nobody in the cohort, which is the work
    of a manager of the hub holding it."""
    if nominal is not None:
        require_person(actor, "rights.manage", nominal)
        hub_id = nominal.owner_hub_id
    elif actor.hub_id is not None and access.may(actor, "rights.manage", actor.hub_id):
        hub_id = actor.hub_id
    else:
        raise NotFoundOrForbidden(f"{kind.key} {record_id}")
    due = record_of(kind, record_id, nominal=nominal, hub_id=hub_id)
    if due is None:
        raise NotFoundOrForbidden(f"{kind.key} {record_id}")
    reason = _check_decision(group, outcome, reason, why_kept=due.why_kept if outcome == "erase" else "")
    details: dict[str, object] = {"kind": kind.key, "record": record_id, "record_described": due.description}
    with transaction.atomic():
        if outcome == "retain":
            review = RecordReview.objects.create(
                kind=kind.key, record_id=record_id, nominal=nominal, owner_hub_id=hub_id, record_group=group,
                reason=reason, next_review=years_after(timezone.localdate(), review_years()[group]),
                decided_by=actor, decided_at=timezone.now(),
            )  # fmt: skip
            kind.retained(due.record, review.next_review)  # an app's own review date follows
            details |= {"group": group, "next_review": str(review.next_review)}
            _audit_record_decision(actor, nominal, record_id, erased=False, reason=reason, details=details)
            return review
        counted = nominal is not None and restriction_of(nominal) is None
        if counted:
            assert nominal is not None
            figures_follow(actor, nominal.pk, count=False, why="A record erased (MoPI review): recounted")
        assert kind.erase is not None  # why_kept said so
        details["removed"] = kind.erase(due.record)
        RecordReview.objects.filter(kind=kind.key, record_id=record_id).delete()
        if counted:
            assert nominal is not None
            figures_follow(actor, nominal.pk, count=True, why="A record erased (MoPI review): recounted")
        _audit_record_decision(actor, nominal, record_id, erased=True, reason=reason, details=details)
    return None


def _audit_record_decision(
    actor: User,
    nominal: Nominal | None,
    record_id: int,
    *,
    erased: bool,
    reason: str,
    details: dict[str, object],
) -> None:
    if nominal is not None:
        action = AuditAction.RIGHTS_RECORD_ERASE if erased else AuditAction.RIGHTS_RECORD_RETAIN
        told = _told(nominal) if erased else []
        audit_person(actor, action, nominal.pk, justification=reason, recipients=told, details=details)
        return
    action = AuditAction.RIGHTS_PARTNER_ERASE if erased else AuditAction.RIGHTS_PARTNER_RETAIN
    audit_record(actor=actor, action=action, object_id=record_id, justification=reason, details=details)
