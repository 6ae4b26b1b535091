"""Corrections to a person's data and the recipients told of them (DPA 2018 s.46, s.48(4)-(5)): every
agency the audit log records as given the person's data since the data was wrong gets a notice, tracked
until it acknowledges."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied
from marsoc.nominals.models import Nominal

from ..models import NoticeKind, RecipientNotice, Rectification
from ..selectors import disclosures_of
from .common import Checks, audit_person, require_person, required_text


def notify_recipients(
    *, actor: User, nominal: Nominal, kind: str, what: str, reason: str, since: date
) -> tuple[Rectification, list[str]]:
    """A Rectification with one notice per agency given the data since `since`, and their names.
    Called inside the caller's transaction, which audits it."""
    rectification = Rectification.objects.create(
        nominal=nominal,
        kind=kind,
        what=what,
        reason=reason,
        since=since,
        recorded_by=actor,
        recorded_at=timezone.now(),
    )
    recipients = disclosures_of(nominal, since)
    RecipientNotice.objects.bulk_create(
        RecipientNotice(
            rectification=rectification,
            agency=r.agency,
            disclosures=r.event_ids,
            last_disclosed_at=r.last_at,
            recorded_by=actor,
        )
        for r in recipients
    )
    return rectification, [r.agency.name for r in recipients]


def rectification_record(
    *, actor: User, nominal: Nominal, what: str, reason: str, since: date | None
) -> Rectification:
    """Record that the person's data was corrected (the correction itself is made on the record's own
    page, which keeps its history) and tell every agency that was given it."""
    require_person(actor, "rights.handle", nominal)
    checks = Checks()
    what = checks.text("what", what, "Say which record and what was corrected")
    reason = checks.text("reason", reason, "Give the reason for the correction")
    checks.past(
        "since", since, missing="Enter the date from which the data was wrong",
        future="The date must be today or in the past",
    )  # fmt: skip
    checks.done()
    assert since is not None
    with transaction.atomic():
        rectification, told = notify_recipients(
            actor=actor, nominal=nominal, kind=NoticeKind.RECTIFICATION, what=what, reason=reason, since=since
        )
        details = {"what": what, "since": str(since)}
        audit_person(
            actor,
            AuditAction.RIGHTS_RECTIFY,
            nominal.pk,
            justification=reason,
            recipients=told,
            details=details,
        )
    return rectification


def notice_acknowledge(*, actor: User, notice: RecipientNotice, by_whom: str) -> None:
    nominal = notice.rectification.nominal
    if not access.may(actor, "rights.handle", nominal.owner_hub_id):
        raise NotFoundOrForbidden(f"notice {notice.pk}")
    if notice.acknowledged_at is not None:
        raise PermissionDenied("The acknowledgement is already recorded")
    by_whom = required_text("by_whom", by_whom, "Enter who acknowledged it at the agency")
    with transaction.atomic():
        notice.acknowledged_at, notice.acknowledged_by = timezone.now(), by_whom
        notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
        details = {"agency": notice.agency.name, "by": by_whom}
        audit_person(actor, AuditAction.RIGHTS_NOTICE_ACK, nominal.pk, details=details)
