"""The working day's audit: opening a queue shows people (a consultation of each), exporting a chronology
discloses one person's record to a file (a disclosure, with the person as subject)."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.nominals.models import Nominal

from .chronology import chronology_for
from .queues import Queue, WorkItem

CHRONOLOGY_HEADER = ["When", "What", "Entry", "Detail", "Who", "Agency"]


def work_queue_consult(*, actor: Actor, queue: Queue, items: list[WorkItem], total: int) -> None:
    """Record that the actor opened a queue, with every person it showed as a subject."""
    shown = sorted({i.nominal_id for i in items if i.nominal_id is not None})
    audit_record(
        actor=actor,
        action=AuditAction.WORK_QUEUE_VIEW,
        object_id=queue.key,
        justification=f"Work queue: {queue.label}",
        details={"rows": len(items), "total": total},
        subject_ids=shown,
        surface="page",
    )


@transaction.atomic
def chronology_export(
    *,
    actor: Actor,
    nominal: Nominal,
    purpose: str,
    kinds: set[str] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> ExportFile:
    """The chronology as CSV (cells through the one sanitiser), recorded as a disclosure of the person."""
    if not access.may(actor, "chronology.view", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")
    entries = chronology_for(actor=actor, nominal=nominal, kinds=kinds, date_from=date_from, date_to=date_to)
    rows = [
        [
            timezone.localtime(e.at).strftime("%d/%m/%Y %H:%M"),
            e.kind_label,
            e.title,
            e.detail,
            e.who,
            e.agency,
        ]
        for e in entries
    ]
    audit_about(
        actor,
        AuditAction.CHRONOLOGY_EXPORT,
        nominal,
        justification=purpose,
        details={
            "entries": len(rows),
            "kinds": sorted(kinds or []),
            "from": date_from.isoformat() if date_from else "",
            "to": date_to.isoformat() if date_to else "",
        },
        subject_ids=[nominal.pk],
        surface="page",
    )
    return ExportFile(
        content=csv_text(CHRONOLOGY_HEADER, rows).encode("utf-8"),
        content_type=CSV_TYPE,
        filename=f"chronology-{nominal.reference}.csv",
    )


def hub_rollup_consult(*, actor: Actor, hubs: int) -> None:
    """The national roll-up shows counts only (no person), but reading the hubs' workload is recorded."""
    audit_record(
        actor=actor,
        action=AuditAction.HUB_ROLLUP_VIEW,
        details={"hubs": hubs},
        surface="home",
    )
