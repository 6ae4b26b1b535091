"""Feed imports: staging a partner's extract, validating it (problems listed, bad rows quarantined),
committing its records, and putting right an import whose worker stopped. Each write audits in its
own transaction."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from marsoc.accounts.models import Agency, Hub, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import (
    Conflict,
    PermissionDenied,
    ValidationFailed,
)
from marsoc.core.jobs import fail_stale_task, file_lock, task_waiting
from marsoc.core.processing import off_message, switched_on
from marsoc.core.records import save_audited
from marsoc.core.vocabulary import Classification

from ..feeds import (
    MAX_PROBLEMS,
    FileBroken,
    Problem,
    content_hash,
    formula_problems,
    shown,
    storable,
    validate_row,
)
from ..mapping import FIELDS, Mapping, MappingError, mapping_from_dict
from ..models import (
    UNFINISHED_STATUSES,
    FeedImport,
    ImportStatus,
    LinkageRun,
    QuarantinedRow,
    SourceRecord,
    SourceRecordVersion,
)
from ..readers import file_sha256, read_rows

BATCH = 1_000
PROGRESS_EVERY = 5_000
MAX_ATTEMPTS = 3  # a file that stops the worker this many times is failed, not tried for ever
# What a source record stores of a mapped row: every field but its key and the evaluation-only truth.
RECORD_FIELDS = tuple(f for f in FIELDS if f not in ("source_key", "truth"))
ProgressFn = Callable[[FeedImport], None]
logger = logging.getLogger(__name__)


def staging_dir() -> Path:
    path = Path(getattr(settings, "LINKAGE_STAGING_DIR", Path(settings.VAR_DIR) / "imports"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def feed_stage(
    *,
    actor: User | None,
    source_path: Path,
    filename: str,
    mapping: Mapping,
    source_agency: Agency,
    owner_hub: Hub,
    classification: str = Classification.OFFICIAL_SENSITIVE,
) -> FeedImport:
    """Keep a copy of the file and record the import as staged. Nothing is read yet."""
    if actor is not None and not (
        access.may(actor, "feed_import.create_for_hub", owner_hub.pk)
        or access.may(actor, "feed_import.push", owner_hub.pk, source_agency.pk)
    ):
        raise PermissionDenied("You may not import feeds for this hub")
    if actor is not None and not access.may(actor, "clearance.covers", classification):
        # The import is then out of the actor's own reach ("feed_import.view"): say so now.
        raise ValidationFailed({"classification": "This classification is above your clearance"})
    digest = file_sha256(source_path)
    target = staging_dir() / f"{digest[:16]}-{Path(filename).name[-80:]}"
    if not target.exists():
        shutil.copyfile(source_path, target)
    with transaction.atomic():
        _refuse_if_feed_busy(source_agency)
        feed_import = FeedImport.objects.create(
            source_agency=source_agency,
            owner_hub=owner_hub,
            classification=classification,
            filename=Path(filename).name[:255],
            staged_path=str(target),
            file_sha256=digest,
            mapping_name=mapping.name,
            mapping=mapping.as_dict(),
            created_by=actor,
        )
        audit_about(
            actor,
            AuditAction.LINKAGE_IMPORT_STAGE,
            feed_import,
            details={
                "file": feed_import.filename,
                "sha256": digest,
                "mapping": mapping.name,
                "agency": source_agency.code,
            },
        )
    return feed_import


def _refuse_if_feed_busy(source_agency: Agency) -> None:
    """One import of a feed (a source agency's records) at a time: two commits of one feed would race
    on the same source keys. The agency's row is locked for the rest of the caller's transaction, so
    two requests at once are told apart here, not by a unique-key failure mid-commit."""
    Agency.objects.select_for_update().filter(pk=source_agency.pk).exists()
    running = (
        FeedImport.objects.filter(source_agency=source_agency, status__in=UNFINISHED_STATUSES)
        .select_related("created_by")
        .order_by("id")
        .first()
    )
    if running is None:
        return
    who = "the system"
    if running.created_by is not None:
        who = running.created_by.get_full_name() or running.created_by.username
    when = timezone.localtime(running.created_at)
    raise Conflict(
        f"An import of this feed ({source_agency.name}) is already running (started by {who} at "
        f"{when:%H:%M} on {when.day} {when:%B %Y}: import {running.pk} of {running.filename}, "
        f"{running.get_status_display().lower()}). Wait for it to finish, then import the file again."
    )


@dataclass
class _Pass:
    rows: int = 0
    valid: int = 0
    row_problems: list[tuple[int, str, dict[str, str], list[Problem]]] | None = None
    file_problems: list[Problem] | None = None
    # Rows kept with optional fields left empty (their warnings, for the validation report).
    row_warnings: list[tuple[int, str, dict[str, str], list[Problem]]] | None = None
    warned: int = 0


def _validate_pass(feed_import: FeedImport, mapping: Mapping, progress: ProgressFn | None) -> _Pass:
    """Stream the file once: file-level faults (which reject it whole) and row-level faults."""
    result = _Pass(row_problems=[], file_problems=[], row_warnings=[])
    assert result.row_problems is not None and result.file_problems is not None
    assert result.row_warnings is not None
    seen: dict[bytes, int] = {}  # 8-byte digests of keys: a million keys in tens of megabytes
    key_column = mapping.source_column("source_key") or "source_key"
    try:
        for row_number, row in read_rows(feed_import.staged_path, mapping):
            result.rows = row_number
            formula = formula_problems(row_number, row)
            if formula:
                result.file_problems.extend(formula)
            key = (row.get(key_column) or "").strip()
            if key:
                digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
                if digest in seen:
                    result.file_problems.append(
                        Problem(
                            row_number,
                            key_column,
                            shown(key),
                            f"Key {key} is used again (first in row {seen[digest]})",
                        )
                    )
                else:
                    seen[digest] = row_number
            checked = validate_row(row_number, row, mapping)
            if checked.problems:
                if len(result.row_problems) < MAX_PROBLEMS:
                    result.row_problems.append((row_number, checked.key, row, checked.problems))
                else:
                    result.row_problems.append((row_number, checked.key, {}, checked.problems[:1]))
            else:
                result.valid += 1
                if checked.warnings:
                    result.warned += 1
                    if len(result.row_warnings) < MAX_PROBLEMS:
                        result.row_warnings.append((row_number, checked.key, row, checked.warnings))
            if progress and row_number % PROGRESS_EVERY == 0:
                feed_import.rows_read = row_number
                progress(feed_import)
    except FileBroken as broken:
        result.file_problems.append(broken.problem)
    except (LookupError, OSError) as error:
        result.file_problems.append(Problem(0, "", "", f"The file cannot be read: {error}"))
    return result


def _quarantine(
    feed_import: FeedImport,
    rows: Iterable[tuple[int, str, dict[str, str], list[Problem]]],
    *,
    kept: bool = False,
) -> int:
    batch = [
        QuarantinedRow(
            feed_import=feed_import,
            row_number=row_number,
            source_key=key[:100],
            raw={k: shown(v) for k, v in raw.items()},
            problems=[p.as_dict() for p in problems],
            kept=kept,
        )
        for row_number, key, raw, problems in rows
    ]
    QuarantinedRow.objects.bulk_create(batch, batch_size=BATCH)
    return len(batch)


def _record_values(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: fields[name] for name in RECORD_FIELDS}


def _data_json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()}


def _commit_pass(feed_import: FeedImport, mapping: Mapping) -> Counter[str]:
    """Read the file again and write the good rows: new, changed (old content kept) or unchanged."""
    counts: Counter[str] = Counter()
    pending: list[tuple[str, dict[str, Any], str]] = []

    def flush() -> None:
        keys = [key for key, _, _ in pending]
        existing = {
            r.source_key: r
            for r in SourceRecord.objects.filter(
                source_agency_id=feed_import.source_agency_id, source_key__in=keys
            )
        }
        new, changed, versions = [], [], []
        for key, values, digest in pending:
            record = existing.get(key)
            if record is None:
                new.append(
                    SourceRecord(
                        source_agency_id=feed_import.source_agency_id,
                        owner_hub_id=feed_import.owner_hub_id,
                        classification=feed_import.classification,
                        source_key=key,
                        content_hash=digest,
                        first_import=feed_import,
                        last_import=feed_import,
                        **values,
                    )
                )
            elif record.content_hash == digest:
                counts["unchanged"] += 1
            else:
                versions.append(
                    SourceRecordVersion(
                        record=record,
                        feed_import=feed_import,
                        data=_data_json({name: getattr(record, name) for name in RECORD_FIELDS}),
                        content_hash=record.content_hash,
                    )
                )
                for name, value in values.items():
                    setattr(record, name, value)
                record.content_hash = digest
                record.last_import = feed_import
                changed.append(record)
        SourceRecord.objects.bulk_create(new, batch_size=BATCH)
        SourceRecordVersion.objects.bulk_create(versions, batch_size=BATCH)
        if changed:
            SourceRecord.objects.bulk_update(
                changed, [*RECORD_FIELDS, "content_hash", "last_import"], batch_size=BATCH
            )
        counts["new"] += len(new)
        counts["updated"] += len(changed)
        pending.clear()

    for row_number, row in read_rows(feed_import.staged_path, mapping):
        checked = validate_row(row_number, row, mapping)
        if checked.problems:
            continue
        values = _record_values(checked.fields)
        pending.append((checked.key, values, content_hash(values)))
        if len(pending) >= BATCH:
            flush()
    if pending:
        flush()
    return counts


def _save_progress(feed_import: FeedImport) -> None:
    FeedImport.objects.filter(pk=feed_import.pk).update(rows_read=feed_import.rows_read)


def _lock_path(import_id: int) -> Path:
    folder = staging_dir() / "locks"
    folder.mkdir(exist_ok=True)
    return folder / f"import-{import_id}.lock"


def import_lock(import_id: int) -> contextlib.AbstractContextManager[bool]:
    """The import's lock (see `core.jobs.file_lock`): whoever processes an import holds it. The lock files
    sit beside the staged files, which every worker and web process must share anyway."""
    return file_lock(_lock_path(import_id))


def import_is_running(import_id: int) -> bool:
    with import_lock(import_id) as taken:
        return not taken


def feed_import_process(import_id: int, *, progress: ProgressFn | None = _save_progress) -> FeedImport:
    """Validate then commit a staged import, holding its lock. The commit is one transaction, so an
    import whose worker stops is never half committed; `imports_recover` then finds it (its lock is
    free) and queues it again, and writing the same rows twice changes nothing. If another process
    holds the lock (the task was queued twice), this one leaves the import to it."""
    with import_lock(import_id) as taken:
        if not taken:
            return FeedImport.objects.get(pk=import_id)
        agency_id = FeedImport.objects.values_list("source_agency_id", flat=True).get(pk=import_id)
        # Staging refuses a second import of a feed; this holds even for imports staged before that
        # rule, or resumed by hand: one feed's commits never overlap.
        with file_lock(_feed_lock_path(agency_id), wait=True):
            try:
                done = _process(import_id, progress)
            except (OperationalError, InterfaceError):
                # The database went away (a restart): nothing of this pass is kept, and the import is
                # recovered (queued again) once a worker can reach the database again.
                raise
            except Exception as error:
                logger.exception("import %s failed", import_id)
                done = _fail(import_id, error)
    if done.finished:
        _lock_path(import_id).unlink(missing_ok=True)
    return done


def _feed_lock_path(agency_id: int) -> Path:
    folder = staging_dir() / "locks"
    folder.mkdir(exist_ok=True)
    return folder / f"feed-{agency_id}.lock"


def _fail(import_id: int, error: Exception) -> FeedImport:
    """Store why the import failed (its real cause, shown on its page) instead of leaving it
    unfinished for recovery to retry and, after three tries, blame the worker."""
    feed_import = FeedImport.objects.get(pk=import_id)
    stage = STAGE_WORDS.get(ImportStatus(feed_import.status), "")
    cause = storable(f"{type(error).__name__}: {error}".strip())[:1000]
    error_text = (
        f"The import stopped with an error {stage} and nothing was imported (the commit is all or "
        f"nothing). The error was: {cause}. Tell the service team, quoting import {feed_import.pk}."
    )
    with transaction.atomic():
        return save_audited(
            None,
            AuditAction.LINKAGE_IMPORT_FAIL,
            feed_import,
            {"status": ImportStatus.FAILED, "error": error_text, "finished_at": timezone.now()},
            details={"file": feed_import.filename, "stage": stage, "error": cause},
        )


def _process(import_id: int, progress: ProgressFn | None) -> FeedImport:
    feed_import = FeedImport.objects.get(pk=import_id)
    if feed_import.finished:
        return feed_import
    try:
        mapping = mapping_from_dict(feed_import.mapping)
    except MappingError as error:
        return _reject(feed_import, str(error), [])
    feed_import.status = ImportStatus.VALIDATING
    feed_import.attempts += 1
    FeedImport.objects.filter(pk=feed_import.pk).update(
        status=ImportStatus.VALIDATING, attempts=F("attempts") + 1
    )
    QuarantinedRow.objects.filter(feed_import=feed_import).delete()  # a rerun starts the report afresh
    checked = _validate_pass(feed_import, mapping, progress)
    assert checked.file_problems is not None and checked.row_problems is not None
    feed_import.rows_read = checked.rows
    if checked.file_problems:
        first = checked.file_problems[0]
        where = f"row {first.row}" if first.row else "the header"
        message = f"The file was rejected and nothing was imported. First problem ({where}): {first.reason}"
        if len(checked.file_problems) > 1:
            message += f" ({len(checked.file_problems)} problems in all)"
        by_row: dict[int, list[Problem]] = defaultdict(list)
        for problem in checked.file_problems[:MAX_PROBLEMS]:
            by_row[problem.row].append(problem)
        return _reject(
            feed_import, message, [(row, "", {}, problems) for row, problems in sorted(by_row.items())]
        )
    feed_import.rows_valid = checked.valid
    feed_import.rows_quarantined = len(checked.row_problems)
    feed_import.rows_warned = checked.warned
    feed_import.warnings = []
    if checked.rows == 0:
        feed_import.warnings.append(
            "The file holds no records (only a header, or nothing between the brackets): nothing was "
            "imported. If the extract should hold records, ask the partner to send it again."
        )
    FeedImport.objects.filter(pk=feed_import.pk).update(
        status=ImportStatus.COMMITTING,
        rows_read=checked.rows,
        rows_valid=checked.valid,
        rows_quarantined=len(checked.row_problems),
        rows_warned=checked.warned,
    )
    with transaction.atomic():
        _quarantine(feed_import, checked.row_problems)
        _quarantine(feed_import, checked.row_warnings or [], kept=True)
        counts = _commit_pass(feed_import, mapping)
        feed_import.rows_new = counts["new"]
        feed_import.rows_updated = counts["updated"]
        feed_import.rows_unchanged = counts["unchanged"]
        feed_import.status = ImportStatus.COMMITTED
        feed_import.finished_at = timezone.now()
        feed_import.save(
            update_fields=[
                "status",
                "finished_at",
                "warnings",
                "rows_read",
                "rows_valid",
                "rows_quarantined",
                "rows_warned",
                "rows_new",
                "rows_updated",
                "rows_unchanged",
            ]
        )
        audit_about(
            feed_import.created_by,
            AuditAction.LINKAGE_IMPORT_COMMIT,
            feed_import,
            details={
                "file": feed_import.filename,
                "new": counts["new"],
                "updated": counts["updated"],
                "unchanged": counts["unchanged"],
                "quarantined": feed_import.rows_quarantined,
                "kept_with_warnings": feed_import.rows_warned,
            },
        )
    return feed_import


def _reject(
    feed_import: FeedImport, message: str, rows: list[tuple[int, str, dict[str, str], list[Problem]]]
) -> FeedImport:
    with transaction.atomic():
        _quarantine(feed_import, rows)
        feed_import.status = ImportStatus.REJECTED
        feed_import.error = message
        feed_import.rows_quarantined = len(rows)
        feed_import.finished_at = timezone.now()
        feed_import.save(update_fields=["status", "error", "rows_read", "rows_quarantined", "finished_at"])
        audit_about(
            feed_import.created_by,
            AuditAction.LINKAGE_IMPORT_REJECT,
            feed_import,
            details={"file": feed_import.filename, "reason": message},
        )
    return feed_import


def feed_import_request(**kwargs: Any) -> FeedImport:
    """Stage the file and queue validation and commit on the task worker."""
    feed_import = feed_stage(**kwargs)
    transaction.on_commit(lambda: _enqueue(feed_import.pk))
    return feed_import


@task()
def feed_import_task(import_id: int) -> str:
    """Validate and commit one staged import on the worker. If the worker stops during it, the next
    worker to start (or the import's page) finds it and queues it again: see imports_recover. With
    identity resolution switched off it does nothing (the import waits, staged; core/processing.py)."""
    if not switched_on("linkage"):
        return off_message("linkage")
    return feed_import_process(import_id).status


def _enqueue(import_id: int) -> None:
    result = feed_import_task.enqueue(import_id)
    FeedImport.objects.filter(pk=import_id).update(task_id=str(result.id)[:64])


def _waiting(feed_import: FeedImport) -> bool:
    """A staged import that a worker will still pick up (or is picking up this moment)."""
    return task_waiting(feed_import.task_id, feed_import.created_at)


STAGE_WORDS = {
    ImportStatus.STAGED: "before it started",
    ImportStatus.VALIDATING: "while validating",
    ImportStatus.COMMITTING: "while committing",
}


def imports_recover(*, requeue: bool = True) -> list[FeedImport]:
    """Find imports whose worker stopped (crash, restart, `kill -9`) and put them right: an import
    left validating or committing whose lock nobody holds, or one staged whose task is gone. The
    database has already rolled back the stopped commit (one transaction), so nothing of it is
    stored; the import is set back to staged and queued again (`requeue`), or failed with nothing
    imported once it has stopped a worker MAX_ATTEMPTS times. Each recovery is written in the import's
    `interruptions` (shown on its page) and audited.

    Cheap (one query, then a lock test per unfinished import), so it runs when the worker starts,
    when an import page or the linkage home page is shown, and from `marsoc import_feed --resume`."""
    unfinished = FeedImport.objects.filter(
        status__in=[ImportStatus.STAGED, ImportStatus.VALIDATING, ImportStatus.COMMITTING]
    ).order_by("id")
    recovered: list[FeedImport] = []
    to_queue: list[int] = []
    for candidate in unfinished:
        if candidate.status == ImportStatus.STAGED and _waiting(candidate):
            continue
        with import_lock(candidate.pk) as taken:
            if not taken:
                continue  # a worker is at it
            feed_import = FeedImport.objects.get(pk=candidate.pk)  # as it is now, under the lock
            if feed_import.finished or (feed_import.status == ImportStatus.STAGED and _waiting(feed_import)):
                continue
            if _recover(feed_import, requeue=requeue):
                to_queue.append(feed_import.pk)
            recovered.append(feed_import)
    # Queued after the locks are released: with the immediate backend the task runs here and now.
    for import_id in to_queue:
        _enqueue(import_id)
    return recovered


def _interrupted(record: FeedImport | LinkageRun, entry: dict[str, Any], doing: str, what: str) -> None:
    """The worker stopped while `doing` the import or run: fail its stale task, saying so and what became
    of it, and note the interruption on the record (the caller saves it, with its audit entry)."""
    fail_stale_task(
        record.task_id,
        f"The worker stopped {doing} {what} {record.pk} (found {entry['at']}); "
        f"the {what.split()[-1]} was {entry['action']}.",
    )
    record.interruptions = [*record.interruptions, entry]


def _recover(feed_import: FeedImport, *, requeue: bool) -> bool:
    """Record the interruption; True if the import should be queued again."""
    stage = ImportStatus(feed_import.status)
    now = timezone.now()
    give_up = feed_import.attempts >= MAX_ATTEMPTS
    action = "failed" if give_up else ("queued again" if requeue else "resumed by import_feed --resume")
    entry = {
        "at": now.isoformat(),
        "stage": stage.value,
        "rows_read": feed_import.rows_read,
        "action": action,
    }
    _interrupted(feed_import, entry, STAGE_WORDS[stage], "import")
    with transaction.atomic():
        fields = ["interruptions", "status"]
        if give_up:
            feed_import.status = ImportStatus.FAILED
            feed_import.error = (
                f"The worker stopped {feed_import.attempts} times while processing this file (the last time "
                f"{STAGE_WORDS[stage]}, after {feed_import.rows_read:,} rows), so it was not tried again. "
                "Nothing was imported. Check the file (its size, or a row that upsets the reader) and import "
                "it again."
            )
            feed_import.finished_at = now
            fields += ["error", "finished_at"]
        else:
            feed_import.status = ImportStatus.STAGED
        feed_import.save(update_fields=fields)
        audit_about(
            None,
            AuditAction.LINKAGE_IMPORT_FAIL if give_up else AuditAction.LINKAGE_IMPORT_REQUEUE,
            feed_import,
            object_type="feed_import",
            details={"file": feed_import.filename, **entry, "attempts": feed_import.attempts},
        )
    if give_up:
        _lock_path(feed_import.pk).unlink(missing_ok=True)
    return requeue and not give_up
