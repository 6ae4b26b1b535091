"""Writes of the reporting app: building monthly snapshots, and recording that a report was shown.

Reports are aggregates: the audit entry records the report and its parameters (period, hubs shown), no
person as a subject, since no person is shown."""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record

from .measures import add_months, month_counts, month_end, month_start
from .models import Figure, Snapshot


@transaction.atomic
def snapshot_build(*, month: date, today: date | None = None) -> Snapshot:
    """Build (or rebuild) one month's snapshot from the records; the work of the system, not of a user."""
    today = today or timezone.localdate()
    month = month_start(month)
    if month > today:
        raise ValueError(f"{month:%B %Y} has not started")
    counts = month_counts(month, today)
    snapshot, _ = Snapshot.objects.update_or_create(
        month=month, defaults={"built_at": timezone.now(), "complete": month_end(month) < today}
    )
    snapshot.figures.all().delete()
    Figure.objects.bulk_create(
        [
            Figure(
                snapshot=snapshot,
                hub_id=c.hub_id,
                measure=c.measure,
                category=c.category,
                classification=c.classification,
                value=c.value,
            )
            for c in counts
            if c.value
        ],
        batch_size=2000,
    )
    audit_record(
        actor=None,
        action=AuditAction.REPORT_SNAPSHOT_BUILD,
        object_type="reporting_snapshot",
        object_id=snapshot.pk,
        justification="Monthly figures for the Delivery Board (aggregates)",
        details={"month": month.isoformat(), "complete": snapshot.complete, "figures": len(counts)},
    )
    return snapshot


def snapshots_refresh(
    *, months: int = 24, today: date | None = None, rebuild: bool = False
) -> list[Snapshot]:
    """Incremental: build the months of the last `months` that have no complete snapshot, and the
    running month; a complete month is kept as it was built (so its trend survives later edits) unless
    `rebuild`."""
    today = today or timezone.localdate()
    current = month_start(today)
    complete = set(Snapshot.objects.filter(complete=True).values_list("month", flat=True))
    built = []
    for n in range(months - 1, -1, -1):
        month = add_months(current, -n)
        if rebuild or month not in complete:
            built.append(snapshot_build(month=month, today=today))
    return built


def snapshots_reset() -> None:
    """Remove every snapshot (the demo's reset, with the records they were built from)."""
    Snapshot.objects.all().delete()


def report_view_record(*, actor: User, report: str, parameters: dict[str, Any], surface: str) -> None:
    """A Board report was shown (aggregates, no person)."""
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_VIEW,
        object_type="report",
        object_id=report,
        surface=surface,
        justification="Delivery Board reporting (aggregates, no personal data)",
        details={"report": report, **parameters},
    )
