"""Writes for linkage: linkage runs, clerical decisions, merges and their undoing; the feed imports
(staging, validating and committing) are in services/imports.py and named here too. Each write
audits in its own transaction."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import (
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
    refused_in_context,
)
from marsoc.core.jobs import file_lock, task_waiting
from marsoc.core.processing import off_message, switched_on
from marsoc.core.records import create_audited, save_audited

from .. import engine
from ..mapping import GENERIC_FIELDS
from ..models import (
    PENDING_RUN_STATUSES,
    CandidatePair,
    FeedImport,
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
from ..prior import TrainingError
from .imports import BATCH, MAX_ATTEMPTS, _interrupted, staging_dir

# The feed-import services, named here as well so that callers have one services module for linkage.
from .imports import _enqueue as _enqueue
from .imports import _save_progress as _save_progress
from .imports import feed_import_process as feed_import_process
from .imports import feed_import_request as feed_import_request
from .imports import feed_import_task as feed_import_task
from .imports import feed_stage as feed_stage
from .imports import import_is_running as import_is_running
from .imports import import_lock as import_lock
from .imports import imports_recover as imports_recover


def thresholds() -> engine.Thresholds:
    configured = getattr(settings, "LINKAGE_THRESHOLDS", {})
    return engine.Thresholds(
        auto_link=float(configured.get("auto_link", engine.DEFAULT_AUTO_LINK)),
        review=float(configured.get("review", engine.DEFAULT_REVIEW)),
    )


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
