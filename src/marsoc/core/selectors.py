"""Reads of the audit log, for inspectors only."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from marsoc.core import access

from .actor import Actor
from .errors import NotFoundOrForbidden
from .models import AuditEvent, AuditVerification


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    nominal_id: int | None = None
    operation: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_event_list(*, actor: Actor, filters: AuditFilters) -> QuerySet[AuditEvent]:
    if not access.may(actor, "audit.read"):
        raise NotFoundOrForbidden("audit log")
    qs = AuditEvent.objects.all()
    if filters.username:
        # actor_label starts with the username as recorded at the time.
        qs = qs.filter(actor_label__startswith=f"{filters.username} (")
    if filters.nominal_id is not None:
        qs = qs.filter(
            Q(nominal_id=filters.nominal_id) | Q(subjects__nominal_id=filters.nominal_id)
        ).distinct()
    if filters.operation:
        qs = qs.filter(operation=filters.operation)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return qs.order_by("-id")


def recent_verifications(*, actor: Actor, limit: int = 5) -> QuerySet[AuditVerification]:
    """The latest checks of the chain, for the inspector's page."""
    if not access.may(actor, "audit.read"):
        return AuditVerification.objects.none()
    return AuditVerification.objects.select_related("requested_by")[:limit]
