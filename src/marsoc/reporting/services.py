"""Writes of the reporting app: building monthly snapshots, and recording that a report was shown.

Reports are aggregates: the audit entry records the report and its parameters (period, hubs shown), no
person as a subject, since no person is shown."""

import hashlib
import json
from dataclasses import asdict
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.exports import CSV_TYPE, XLSX_TYPE, ExportFile

from .activity import month_counts
from .documents import pack_pdf, report_csv, report_xlsx
from .measures import add_months, month_end, month_start, only
from .models import BuiltDashboard, Figure, PackCommentary, Snapshot
from .periods import Period
from .report import Dashboard, dashboard
from .selectors import Viewer


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
    # A figure is a count as it stood, kept in the snapshot (the same fields by the same names).
    Figure.objects.bulk_create(
        [Figure(snapshot=snapshot, **asdict(c)) for c in counts if c.value], batch_size=2000
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


@transaction.atomic
def figures_recount(*, actor: User | None, people: QuerySet[Any, Any], add: bool, why: str) -> int:
    """Take the part `people` (a queryset of nominal ids) play in every kept snapshot off its figures (a
    person restricted or about to be erased: DPA 2018 s.47, restricted records leave reports), or put it
    back (a restriction lifted). A month is not rebuilt (a completed month keeps what it was built
    with): only these people's part of each cell changes, counted from their records as they stand, as at
    the day the month was built. Kept dashboards are dropped, so the next view draws them afresh. Returns
    the cells changed."""
    changed = 0
    snapshots = list(Snapshot.objects.select_for_update().order_by("month"))
    for snapshot in snapshots:
        as_of = max(
            snapshot.month, min(month_end(snapshot.month), timezone.localtime(snapshot.built_at).date())
        )
        with only(people):
            counts = [c for c in month_counts(snapshot.month, as_of) if c.value]
        for c in counts:
            cell: dict[str, Any] = {
                "snapshot": snapshot,
                "hub_id": c.hub_id,
                "measure": c.measure,
                "category": c.category,
                "classification": c.classification,
            }
            figure = Figure.objects.filter(**cell).first()
            if add:
                value = c.value + (figure.value if figure is not None else 0)
                Figure.objects.update_or_create(**cell, defaults={"value": value})
            elif figure is not None and figure.value > c.value:
                Figure.objects.filter(pk=figure.pk).update(value=figure.value - c.value)
            elif figure is not None:
                figure.delete()
            changed += 1
    BuiltDashboard.objects.all().delete()
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_FIGURES_RECOUNT,
        object_id="",
        justification=why,
        details={"added": add, "snapshots": len(snapshots), "cells": changed},
    )
    return changed


def snapshots_reset() -> None:
    """Remove every snapshot (the demo's reset, with the records they were built from)."""
    Snapshot.objects.all().delete()
    BuiltDashboard.objects.all().delete()


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


def snapshots_version() -> str:
    """Names the snapshots as they stand: any month built or rebuilt changes it."""
    found = Snapshot.objects.aggregate(n=Count("id"), last=Max("built_at"))
    return f"{found['n']}:{found['last'].isoformat() if found['last'] else '-'}"


def dashboard_key(viewer: Viewer, period: Period) -> str:
    """What decides a dashboard's content: the hubs shown and shown exactly, the façade's scope of
    the figures this viewer may count (their clearance), and the period."""
    scope = repr(access.scope(viewer.actor, "report_figure"))
    # The national team's dashboard names groups: their reach over groups decides that table.
    if access.may(viewer.actor, "reporting.named_groups"):
        scope += " groups:" + repr(access.scope(viewer.actor, "ocg"))
    parts = [sorted(h.code for h in viewer.shown), sorted(viewer.exact), scope, period.kind, period.at]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def dashboard_for(*, viewer: Viewer, period: Period) -> Dashboard:
    """The dashboard from the last build for the same snapshots and the same reach, else built now and
    kept (drawing the charts is the slow part; the snapshots themselves are built by the worker)."""
    key, version = dashboard_key(viewer, period), snapshots_version()
    kept = BuiltDashboard.objects.filter(key=key, version=version).values_list("payload", flat=True).first()
    if kept is not None:
        return Dashboard.from_data(kept)
    built = dashboard(viewer=viewer, period=period)
    try:
        with transaction.atomic():
            BuiltDashboard.objects.update_or_create(
                key=key,
                defaults={"version": version, "payload": built.to_data(), "built_at": timezone.now()},
            )
    except IntegrityError:  # another request kept the same one a moment earlier
        pass
    return built


FORMATS = {
    "pdf": ("application/pdf", "pack"),
    "xlsx": (XLSX_TYPE, "figures"),
    "csv": (CSV_TYPE, "figures"),
}


def report_export(*, viewer: Viewer, period: Period, fmt: str, surface: str) -> ExportFile:
    """The quarterly pack (PDF) or the period's figures (XLSX, CSV) for this viewer, recorded as a
    disclosure of aggregates (no person is in them)."""
    content_type, kind = FORMATS[fmt]
    board = dashboard_for(viewer=viewer, period=period)
    today = timezone.localdate()
    if fmt == "pdf":
        content = pack_pdf(board, built_on=today, commentary=pack_commentary(period))
    elif fmt == "xlsx":
        content = report_xlsx(board)
    else:
        content = report_csv(board)
    audit_record(
        actor=viewer.actor,
        action=AuditAction.REPORT_EXPORT,
        object_type="report",
        object_id=f"board-{kind}",
        surface=surface,
        justification="Delivery Board reporting (aggregates, no personal data)",
        details={
            "report": f"board-{kind}",
            "format": fmt,
            "period": period.kind,
            "at": period.at,
            "hubs": [h.code for h in viewer.shown],
            "bytes": len(content),
        },
    )
    name = f"marsoc-board-{kind}-{period.kind}-{period.at}.{fmt}"
    return ExportFile(content, content_type, name)


def dashboards_warm(*, today: date | None = None) -> int:
    """Build, once per distinct reach, the dashboards of the latest complete month and quarter for
    everyone who may read reports, so the first page view after a refresh reads a kept one. Run by the
    worker after the snapshots (who may read is the façade's answer, asked of each active user)."""
    from .periods import MONTH, QUARTER, latest_complete
    from .selectors import report_viewer

    today = today or timezone.localdate()
    periods = [latest_complete(MONTH, today), latest_complete(QUARTER, today)]
    version, seen, built = snapshots_version(), set(), 0
    for user in User.objects.filter(is_active=True, is_service_account=False).order_by("pk"):
        if not access.may(user, "reporting.view"):
            continue
        viewer = report_viewer(actor=user)
        for period in periods:
            key = dashboard_key(viewer, period)
            if key in seen:
                continue
            seen.add(key)
            if not BuiltDashboard.objects.filter(key=key, version=version).exists():
                dashboard_for(viewer=viewer, period=period)
                built += 1
    return built


COMMENTARY_LIMIT = 4000


class CommentaryError(ValueError):
    """Commentary that cannot be saved; the message names the field and the reason."""


def pack_commentary(period: Period) -> PackCommentary | None:
    return PackCommentary.objects.filter(quarter=period.start).select_related("updated_by").first()


@transaction.atomic
def pack_commentary_save(*, actor: User, quarter: Period, summary: str) -> PackCommentary:
    """The national team's commentary for a quarter's pack (replacing what was there), audited."""
    access.require(actor, "reporting.comment")
    text = summary.strip()
    if not text:
        raise CommentaryError("Commentary: enter what the Board should know about the quarter")
    if len(text) > COMMENTARY_LIMIT:
        raise CommentaryError(
            f"Commentary: keep it to {COMMENTARY_LIMIT:,} characters (it has {len(text):,})"
        )
    saved, _ = PackCommentary.objects.update_or_create(
        quarter=quarter.start, defaults={"summary": text, "updated_by": actor, "updated_at": timezone.now()}
    )
    audit_record(
        actor=actor,
        action=AuditAction.REPORT_COMMENTARY,
        object_type="report",
        object_id=f"board-pack-{quarter.at}",
        surface="reporting commentary",
        justification="Commentary of the Delivery Board pack (aggregates, no personal data)",
        details={"quarter": quarter.at, "characters": len(text)},
    )
    return saved
