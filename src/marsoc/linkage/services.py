"""Writes for linkage: staging, validating and committing feed imports; linkage runs; clerical
decisions; merges and their undoing. Each write audits in its own transaction."""

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
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
    refused_in_context,
)
from marsoc.core.jobs import fail_stale_task, file_lock, task_waiting
from marsoc.core.processing import off_message, switched_on
from marsoc.core.records import create_audited, save_audited
from marsoc.core.vocabulary import Classification

from . import engine
from .feeds import (
    MAX_PROBLEMS,
    FileBroken,
    Problem,
    content_hash,
    file_sha256,
    formula_problems,
    read_rows,
    shown,
    storable,
    validate_row,
)
from .mapping import FIELDS, GENERIC_FIELDS, Mapping, MappingError, mapping_from_dict
from .models import (
    PENDING_RUN_STATUSES,
    UNFINISHED_STATUSES,
    CandidatePair,
    FeedImport,
    ImportStatus,
    LinkageModel,
    LinkageRun,
    Merge,
    PairStatus,
    Person,
    QuarantinedRow,
    RunStatus,
    SourceRecord,
    SourceRecordVersion,
)
from .prior import TrainingError

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


def thresholds() -> engine.Thresholds:
    configured = getattr(settings, "LINKAGE_THRESHOLDS", {})
    return engine.Thresholds(
        auto_link=float(configured.get("auto_link", engine.DEFAULT_AUTO_LINK)),
        review=float(configured.get("review", engine.DEFAULT_REVIEW)),
    )


# ---------------------------------------------------------------- imports


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


# ---------------------------------------------------------------- linkage


def _engine_record(r: SourceRecord) -> engine.EngineRecord:
    return engine.EngineRecord(
        id=r.pk,
        given_names=r.given_names,
        family_name=r.family_name,
        aliases=tuple(r.aliases or ()),
        date_of_birth=r.date_of_birth,
        sex=r.sex,
        postcode=r.postcode,
        pnc=r.pnc,
        cro=r.cro,
        nomis=r.nomis,
        crn=r.crn,
        **{name: getattr(r, name) for name in GENERIC_FIELDS},
        source=str(r.source_agency_id),
    )


def current_model() -> LinkageModel | None:
    return LinkageModel.objects.first()


def model_train(
    *, actor: User | None, seed: int = 1, limits: engine.Thresholds | None = None
) -> LinkageModel:
    if actor is not None and not access.may(actor, "linkage.run"):
        raise PermissionDenied("You may not train the linkage model")
    records = [_engine_record(r) for r in SourceRecord.objects.all().iterator(chunk_size=BATCH)]
    if len(records) < 50:
        raise ValidationFailed({"records": "At least 50 source records are needed to train a model"})
    try:
        trained = engine.train(records, seed=seed)
    except TrainingError as error:  # no evidence to estimate λ from: said, never a silent fallback
        raise ValidationFailed({"records": str(error)}) from error
    limits = limits or thresholds()
    with transaction.atomic():
        last = LinkageModel.objects.select_for_update().first()
        version = (last.version + 1) if last else 1
        fields = {
            "version": version,
            "splink_version": str(trained.summary["splink_version"]),
            "settings_json": trained.settings,
            "training_summary": trained.summary,
            "auto_link_threshold": limits.auto_link,
            "review_threshold": limits.review,
        }
        details = {"version": version, **trained.summary}
        return create_audited(actor, AuditAction.LINKAGE_MODEL_TRAIN, LinkageModel, fields, details=details)


def _live_person(person_id: int, cache: dict[int, int]) -> int:
    """Follow merged_into to the surviving person (cached per run)."""
    if person_id in cache:
        return cache[person_id]
    person = Person.objects.get(pk=person_id)
    seen = [person_id]
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
        seen.append(person.pk)
    for pid in seen:
        cache[pid] = person.pk
    return person.pk


def _run_lock_path(name: str = "linkage-run") -> Path:
    """`linkage-run`: held by whichever run is linking (one at a time). `linkage-run-<id>`: held by
    the task working on that run, from before it waits its turn to the end, so recovery can tell a
    live run (even one waiting behind another) from one whose worker stopped."""
    folder = staging_dir() / "locks"
    folder.mkdir(exist_ok=True)
    return folder / f"{name}.lock"


def linkage_run(*, actor: User | None, model: LinkageModel | None = None) -> LinkageRun:
    """Deterministic links, Splink scores and people's decisions into clusters; keep every existing
    person id where its records still belong together; queue the uncertain pairs for review; record
    the run.

    One run at a time: each holds the run lock (a second waits for the first), so two runs never
    renumber the same people at once. Everything a run writes is one transaction: a run that stops
    writes nothing. Runs asked for in the web UI go through `run_request` and `run_process`.
    `actor` None is the task worker carrying out a run someone asked for."""
    if actor is not None and not access.may(actor, "linkage.run"):
        raise PermissionDenied("You may not run identity resolution")
    with file_lock(_run_lock_path(), wait=True):
        return _linkage_run(actor=actor, model=model, run=None)


def _linkage_run(*, actor: User | None, model: LinkageModel | None, run: LinkageRun | None) -> LinkageRun:
    model = model or current_model() or model_train(actor=actor)
    limits = engine.Thresholds(auto_link=model.auto_link_threshold, review=model.review_threshold)
    records = {r.pk: r for r in SourceRecord.objects.all().iterator(chunk_size=BATCH)}
    decided = CandidatePair.objects.exclude(status=PairStatus.PENDING).values_list(
        "left_id", "right_id", "status"
    )
    matches = [(a, b) for a, b, s in decided if s == PairStatus.MATCH]
    apart = [(a, b) for a, b, s in decided if s == PairStatus.NOT_MATCH]
    clusters, scored, det = engine.link_records(
        [_engine_record(r) for r in records.values()],
        model.settings_json,
        limits,
        decided_match=matches,
        decided_apart=apart,
    )
    with transaction.atomic():
        if run is None:
            run = LinkageRun.objects.create(model=model, started_by=actor)
        run.model = model
        run.status = RunStatus.FINISHED
        summary = _apply_clusters(run, records, clusters.cluster_of, actor)
        summary.update(_queue_pairs(run, scored, clusters.cluster_of))
        summary.update(
            {
                "records": len(records),
                "deterministic_links": len(det),
                # links refused by a "not a match", two different identifiers of one kind or
                # dates of birth years apart
                "refused_links": len(clusters.blocked),
                # above auto-link on date of birth, sex or address alone: sent to review instead
                "weak_evidence_pairs": sum(
                    1 for p in scored if p.probability >= limits.auto_link and not p.identity_evidence
                ),
            }
        )
        run.summary = summary
        run.finished_at = timezone.now()
        # Only what the run decides: the task id may have been stored since the run was read.
        run.save(update_fields=["model", "status", "summary", "finished_at"])
        audit_about(actor, AuditAction.LINKAGE_RUN, run, details={"model_version": model.version, **summary})
    return run


def run_request(*, actor: User) -> LinkageRun:
    """Queue a linkage run on the task worker, recorded from now so that the linkage page can show
    it waiting, running, finished or failed. Refused while another run is queued or running (a run
    covers every record). The check and the new run happen under a lock, so a double click queues
    one run, not two."""
    with file_lock(_run_lock_path("linkage-run-request"), wait=True), transaction.atomic():
        pending = LinkageRun.objects.filter(status__in=PENDING_RUN_STATUSES).first()
        if pending is not None:
            raise ValidationFailed(
                {
                    "run": refused_in_context(
                        f"Linkage run {pending.pk} is already {pending.get_status_display().lower()} "
                        f"(asked for at {timezone.localtime(pending.started_at):%H:%M}); it covers every record"
                    )
                }
            )
        run = LinkageRun.objects.create(status=RunStatus.QUEUED, started_by=actor, queued_at=timezone.now())
    _enqueue_run(run.pk)
    run.refresh_from_db()
    return run


@task()
def linkage_run_task(run_id: int | None = None) -> str:
    """Run a queued linkage run (run_request) on the worker; returns its status. If the worker stops
    during it, the next worker to start (or the linkage page) queues it again: runs_recover. Without
    a run id (a task queued by an earlier version), a run is recorded when it finishes. With identity
    resolution switched off it does nothing (core/processing.py)."""
    if not switched_on("linkage"):
        return off_message("linkage")
    if run_id is None:
        return str(linkage_run(actor=None).status)
    return str(run_process(run_id).status)


def _enqueue_run(run_id: int) -> None:
    result = linkage_run_task.enqueue(run_id)
    LinkageRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])


def run_process(run_id: int) -> LinkageRun:
    """The task worker's side of `run_request`. Too little data to train on fails the run with the
    reason; a run already finished or failed, or being worked on by another task (its task queued
    twice), is left as it is."""
    with file_lock(_run_lock_path(f"linkage-run-{run_id}")) as mine:
        if not mine:
            return LinkageRun.objects.get(pk=run_id)
        with file_lock(_run_lock_path(), wait=True):
            run = LinkageRun.objects.get(pk=run_id)
            if run.status not in PENDING_RUN_STATUSES:
                return run
            LinkageRun.objects.filter(pk=run_id).update(status=RunStatus.RUNNING, attempts=F("attempts") + 1)
            run.refresh_from_db()
            try:
                return _linkage_run(actor=run.started_by, model=None, run=run)
            except ValidationFailed as exc:
                _run_failed(run, " ".join(m for ms in exc.errors.values() for m in ms))
                return run
            except (OperationalError, InterfaceError):
                raise  # the database went away: the run is recovered (queued again) once it is back
            except Exception as exc:
                # Said on the page, not left "running" for recovery to mistake for a stopped worker;
                # raised again so that the task, too, is marked failed with its traceback.
                said = " ".join(str(exc).split())[:500]
                _run_failed(
                    run,
                    f"The run stopped with an error; no links were changed ({type(exc).__name__}: {said}).",
                )
                raise


def _run_failed(run: LinkageRun, reason: str) -> None:
    run.status = RunStatus.FAILED
    run.error = reason
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def runs_recover() -> list[LinkageRun]:
    """Runs whose worker stopped — marked running, or queued with their task lost, while no task
    holds the run's own lock — are queued again, or failed after MAX_ATTEMPTS interruptions. A
    stopped run wrote nothing (one transaction), so running it again is safe. Each recovery is
    written in the run's `interruptions` and audited. Runs when the worker starts and when the
    linkage page is shown; cheap when nothing is pending (one query)."""
    recovered: list[LinkageRun] = []
    to_queue: list[int] = []
    for candidate in LinkageRun.objects.filter(status__in=PENDING_RUN_STATUSES).order_by("id"):
        with file_lock(_run_lock_path(f"linkage-run-{candidate.pk}")) as free:
            if not free:
                continue  # a task has it: linking, or waiting for the run in progress
            run = LinkageRun.objects.get(pk=candidate.pk)
            if run.status not in PENDING_RUN_STATUSES:
                continue
            if run.status == RunStatus.QUEUED and task_waiting(run.task_id, run.queued_at or run.started_at):
                continue
            recovered.append(_run_interrupted(run))
            if run.status == RunStatus.QUEUED:
                to_queue.append(run.pk)
    # Queued after the locks are released: with the immediate backend the task runs here and now.
    for run_id in to_queue:
        _enqueue_run(run_id)
    return recovered


def _run_interrupted(run: LinkageRun) -> LinkageRun:
    now = timezone.now()
    give_up = run.attempts >= MAX_ATTEMPTS or len(run.interruptions) >= MAX_ATTEMPTS
    entry = {"at": now.isoformat(), "stage": run.status, "action": "failed" if give_up else "queued again"}
    doing = "while running" if run.status == RunStatus.RUNNING else "before starting"
    _interrupted(run, entry, doing, "linkage run")
    with transaction.atomic():
        if give_up:
            run.status = RunStatus.FAILED
            run.finished_at = now
            run.error = (
                f"This run was interrupted {max(run.attempts, len(run.interruptions))} times (its worker stopped, or its task was "
                "lost), so it was not tried again. No links were changed (a run is written in one "
                "transaction). Run linkage again; if it stops again, the worker's log says why (often memory)."
            )
        else:
            # A fresh wait for the new task, so that a second recovery does not queue it twice.
            run.status, run.task_id, run.queued_at = RunStatus.QUEUED, "", now
        run.save(update_fields=["interruptions", "status", "finished_at", "error", "task_id", "queued_at"])
        audit_about(
            None,
            AuditAction.LINKAGE_RUN_FAIL if give_up else AuditAction.LINKAGE_RUN_REQUEUE,
            run,
            object_type="linkage_run",
            details={**entry, "attempts": run.attempts},
        )
    return run


def _apply_clusters(
    run: LinkageRun, records: dict[int, SourceRecord], cluster_of: dict[int, int], actor: User | None
) -> dict[str, Any]:
    live: dict[int, int] = {}
    members: dict[int, list[int]] = defaultdict(list)
    for rid, label in cluster_of.items():
        members[label].append(rid)
    # Which existing people each cluster holds records of, and how many.
    holdings: dict[int, Counter[int]] = {}
    for label, rids in members.items():
        held = [records[r].person_id for r in rids]
        holdings[label] = Counter(_live_person(pid, live) for pid in held if pid is not None)
    claimed: set[int] = set()
    chosen: dict[int, int] = {}
    # Biggest clusters choose first: a person keeps its id where most of its records went.
    for label in sorted(members, key=lambda lb: (-len(members[lb]), lb)):
        options = sorted(
            ((n, pid) for pid, n in holdings[label].items() if pid not in claimed),
            key=lambda t: (-t[0], t[1]),
        )
        if options:
            chosen[label] = options[0][1]
            claimed.add(options[0][1])
    # New people in one statement, in label order so their ids follow the records' order.
    unclaimed = sorted(label for label in members if label not in chosen)
    created = Person.objects.bulk_create([Person() for _ in unclaimed], batch_size=BATCH)
    chosen.update({label: person.pk for label, person in zip(unclaimed, created, strict=True)})
    new_people = len(created)
    merges = 0
    changed: list[SourceRecord] = []
    for label, rids in members.items():
        survivor = chosen[label]
        absorbed = [pid for pid in holdings[label] if pid != survivor and pid not in claimed]
        for pid in sorted(absorbed):
            # Every record of the absorbed person went into this cluster: a merge, recorded so it can be undone.
            group = SourceRecord.objects.filter(person_id__in=[survivor, pid]).values_list("pk", "person_id")
            merge = Merge.objects.create(
                survivor_id=survivor,
                absorbed_id=pid,
                run=run,
                snapshot={"records": {str(r): p for r, p in group}, "pair": None},
                merged_by=actor,
            )
            Person.objects.filter(pk=pid).update(merged_into_id=survivor)
            claimed.add(pid)
            live[pid] = survivor
            merges += 1
            audit_about(
                actor,
                AuditAction.LINKAGE_MERGE,
                merge,
                details={"survivor": survivor, "absorbed": pid, "run": run.pk, "automatic": True},
            )
        for rid in rids:
            record = records[rid]
            if record.person_id != survivor:
                record.person_id = survivor
                changed.append(record)
    SourceRecord.objects.bulk_update(changed, ["person"], batch_size=BATCH)
    return {
        "people_created": new_people,
        "merges": merges,
        "records_moved": len(changed),
        "clusters": len(members),
    }


def _queue_pairs(
    run: LinkageRun, scored: list[engine.ScoredPair], cluster_of: dict[int, int]
) -> dict[str, Any]:
    """Scored pairs whose records ended in different clusters go to review — those between the
    thresholds, and those above auto-link whose link was refused (two different identifiers of one
    kind, dates of birth years apart, a "not a match" elsewhere in the chain, or no name or
    identifier agreeing: the weak-evidence rule, engine.auto_links); a pair already
    decided keeps its decision (the record of who decided stays)."""
    known = {(a, b): s for a, b, s in CandidatePair.objects.values_list("left_id", "right_id", "status")}
    fresh = []
    for pair in scored:
        if cluster_of[pair.left] == cluster_of[pair.right]:
            continue
        if (pair.left, pair.right) in known:
            continue
        fresh.append(
            CandidatePair(
                left_id=pair.left,
                right_id=pair.right,
                match_probability=pair.probability,
                match_weight=pair.weight,
                explanation=list(pair.explanation),
                run=run,
            )
        )
    CandidatePair.objects.bulk_create(fresh, batch_size=BATCH)
    return {"queued_for_review": len(fresh)}


# ---------------------------------------------------------------- review and merges


def _snapshot(pair: CandidatePair | None, person_ids: Iterable[int]) -> dict[str, Any]:
    group = SourceRecord.objects.filter(person_id__in=list(person_ids)).values_list("pk", "person_id")
    return {
        "records": {str(r): p for r, p in group},
        "pair": None
        if pair is None
        else {
            "status": pair.status,
            "decided_by": pair.decided_by_id,
            "decided_at": pair.decided_at.isoformat() if pair.decided_at else None,
        },
    }


def pair_decide(*, actor: User, pair_id: int, decision: str) -> CandidatePair:
    """Record a clerical decision. "Match" merges the two people (reversibly); "not a match" is
    respected by every later run; "unsure" leaves the pair for someone else."""
    if decision not in (PairStatus.MATCH, PairStatus.NOT_MATCH, PairStatus.UNSURE):
        raise ValidationFailed({"decision": "Select match, not a match or unsure"})
    with transaction.atomic():
        pair = (
            CandidatePair.objects.select_for_update()
            .select_related("left", "right")
            .filter(pk=pair_id)
            .first()
        )
        if pair is None or not access.may(actor, "linkage.review", pair.left, pair.right):
            raise NotFoundOrForbidden()
        if pair.status not in (PairStatus.PENDING, PairStatus.UNSURE):
            raise ValidationFailed({"decision": refused_in_context("This pair has already been decided")})
        left_person, right_person = pair.left.person_id, pair.right.person_id
        snapshot = _snapshot(pair, [p for p in (left_person, right_person) if p is not None])
        save_audited(
            actor,
            AuditAction.LINKAGE_PAIR_DECIDE,
            pair,
            {"status": decision, "decided_by": actor, "decided_at": timezone.now()},
            details={"decision": decision, "left": pair.left_id, "right": pair.right_id},
        )
        if decision == PairStatus.MATCH and left_person and right_person and left_person != right_person:
            survivor, absorbed = sorted((left_person, right_person))
            merge = Merge.objects.create(
                survivor_id=survivor, absorbed_id=absorbed, pair=pair, snapshot=snapshot, merged_by=actor
            )
            SourceRecord.objects.filter(person_id=absorbed).update(person_id=survivor)
            Person.objects.filter(pk=absorbed).update(merged_into_id=survivor)
            audit_about(
                actor,
                AuditAction.LINKAGE_MERGE,
                merge,
                details={"survivor": survivor, "absorbed": absorbed, "pair": pair.pk, "automatic": False},
            )
    return pair


def merge_undo(*, actor: User, merge_id: int) -> Merge:
    """Put back exactly what the merge changed: each record's person, the absorbed person, and the
    decision on the pair that caused it. Only the latest merge into a person can be undone, so the
    snapshot still describes the records involved."""
    with transaction.atomic():
        merge = Merge.objects.select_for_update().filter(pk=merge_id, undone_at__isnull=True).first()
        if merge is None:
            raise NotFoundOrForbidden()
        record_ids = [int(r) for r in merge.snapshot["records"]]
        records = list(SourceRecord.objects.filter(pk__in=record_ids))
        if not access.may(actor, "linkage.undo_merge", records):
            raise NotFoundOrForbidden()
        later = Merge.objects.filter(
            survivor_id=merge.survivor_id, undone_at__isnull=True, pk__gt=merge.pk
        ).exists()
        current = set(SourceRecord.objects.filter(person_id=merge.survivor_id).values_list("pk", flat=True))
        if later or current != set(record_ids):
            raise ValidationFailed(
                {"merge": "Later changes involve these records: undo the later merges first"}
            )
        for record in records:
            record.person_id = merge.snapshot["records"][str(record.pk)]
        SourceRecord.objects.bulk_update(records, ["person"])
        Person.objects.filter(pk=merge.absorbed_id).update(merged_into=None)
        if merge.pair_id is not None and merge.snapshot.get("pair"):
            prior = merge.snapshot["pair"]
            CandidatePair.objects.filter(pk=merge.pair_id).update(
                status=prior["status"],
                decided_by_id=prior["decided_by"],
                decided_at=prior["decided_at"],
            )
        merge.undone_by = actor
        merge.undone_at = timezone.now()
        merge.save(update_fields=["undone_by", "undone_at"])
        audit_about(
            actor,
            AuditAction.LINKAGE_UNMERGE,
            merge,
            details={"survivor": merge.survivor_id, "absorbed": merge.absorbed_id, "records": len(records)},
        )
    return merge


def linkage_reset() -> None:
    """Remove every import, record, person, pair and merge (demo resets only; the audit log stays)."""
    with transaction.atomic():
        Merge.objects.all().delete()
        CandidatePair.objects.all().delete()
        SourceRecordVersion.objects.all().delete()
        QuarantinedRow.objects.all().delete()
        SourceRecord.objects.all().delete()
        Person.objects.update(merged_into=None)
        Person.objects.all().delete()
        LinkageRun.objects.all().delete()
        LinkageModel.objects.all().delete()
        FeedImport.objects.all().delete()


def people_for_unlinked() -> int:
    """Give every record without a person its own (before any model exists). Returns how many."""
    orphans = list(SourceRecord.objects.filter(person__isnull=True))
    for record in orphans:
        record.person = Person.objects.create()
    SourceRecord.objects.bulk_update(orphans, ["person"], batch_size=BATCH)
    return len(orphans)
