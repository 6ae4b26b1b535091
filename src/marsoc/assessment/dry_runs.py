"""The method dry run's work, carried out by the task worker (tasks.method_dry_run_task): re-score every
current assessment with the candidate method. Services ask for a run; this module does it."""

from decimal import Decimal
from pathlib import Path

from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from marsoc.core.jobs import file_lock, lock_path
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState

from .method import MethodSpec, ScoringError
from .method.scoring import score_only
from .models import (
    DryRunChange,
    DryRunStatus,
    FactorScore,
    MethodDryRun,
    PriorityStatus,
)
from .specs import method_spec

DRY_RUN_BATCH = 5000


def _tier_rank(spec: MethodSpec, code: str) -> int | None:
    for position, tier in enumerate(spec.tiers):  # highest first
        if tier.code == code:
            return position
    return None


def dry_run_lock_path(run_id: int) -> Path:
    return lock_path(f"dry-run-{run_id}")


def dry_run_execute(run_id: int) -> MethodDryRun:
    """Re-score every current assessment with the candidate method (the task body; also callable directly).

    Levels stream from the database in assessment order, so memory stays flat at any cohort size; only
    people whose computed tier changes are stored row by row, the rest are counted. Nothing about any
    person is changed. A failure marks the run failed with the reason and stores no partial rows.

    The worker holds the run's lock (core.jobs) while it works, so a run left "running" with its lock
    free has lost its worker: services.dry_runs_recover queues it again. A second task for the same
    run finds the lock taken and leaves the run alone.
    """
    with file_lock(dry_run_lock_path(run_id)) as mine:
        if not mine:
            return MethodDryRun.objects.get(pk=run_id)
        return _execute(run_id)


def _execute(run_id: int) -> MethodDryRun:
    run = MethodDryRun.objects.select_related("candidate").get(pk=run_id)
    if run.finished:
        return run  # a redelivered task must not run it twice (an interrupted run left no rows: redo it)
    MethodDryRun.objects.filter(pk=run.pk).update(
        status=DryRunStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1
    )
    spec = method_spec(run.candidate)
    try:
        with transaction.atomic():
            outcome = _rescore_all(run, spec)
            MethodDryRun.objects.filter(pk=run.pk).update(
                status=DryRunStatus.DONE, finished_at=timezone.now(), **outcome
            )
    except (OperationalError, InterfaceError):
        raise  # the database went away: the run stays "running" and is recovered once it is back
    except Exception as exc:  # recorded for the analyst; the run holds no partial results
        MethodDryRun.objects.filter(pk=run.pk).update(
            status=DryRunStatus.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"
        )
        raise
    run.refresh_from_db()
    return run


def _rescore_all(run: MethodDryRun, spec: MethodSpec) -> dict[str, object]:
    statuses = {
        assessment_id: (nominal_id, old_score, computed, decided)
        for assessment_id, nominal_id, old_score, computed, decided in PriorityStatus.objects.values_list(
            "assessment_id", "nominal_id", "score", "computed_tier", "decided_tier"
        )
    }
    factor_codes = [f.code for f in spec.factors]
    levels_stream = (
        FactorScore.objects.filter(assessment_id__in=PriorityStatus.objects.values("assessment_id"))
        .order_by("assessment_id")
        .values_list("assessment_id", "factor_code", "level")
        .iterator(chunk_size=DRY_RUN_BATCH * 20)
    )
    transitions: dict[str, dict[str, int]] = {}
    changes: list[DryRunChange] = []
    rescored = incomplete = 0
    total_abs_change = Decimal(0)

    def finish(assessment_id: int, levels: dict[str, int]) -> None:
        nonlocal rescored, incomplete, total_abs_change
        nominal_id, old_score, old_tier, decided = statuses.pop(assessment_id)
        missing = [code for code in factor_codes if code not in levels]
        for code in missing:
            levels[code] = 0
        if missing:
            incomplete += 1
        try:
            new_value, new_tier = score_only(spec, {c: levels[c] for c in factor_codes})
        except ScoringError as exc:  # name the person so the analyst can see what the formula cannot take
            raise ScoringError(
                [f"assessment {assessment_id} of nominal {nominal_id}: {p}" for p in exc.problems]
            ) from exc
        new_score = Decimal(str(new_value))
        rescored += 1
        total_abs_change += abs(new_score - old_score)
        row = transitions.setdefault(old_tier, {})
        row[new_tier.code] = row.get(new_tier.code, 0) + 1
        if new_tier.code != old_tier:
            old_rank, new_rank = _tier_rank(spec, old_tier), _tier_rank(spec, new_tier.code)
            direction = (
                "other"
                if old_rank is None
                else "up"
                if new_rank is not None and new_rank < old_rank
                else "down"
            )
            changes.append(
                DryRunChange(
                    dry_run=run,
                    nominal_id=nominal_id,
                    assessment_id=assessment_id,
                    old_score=old_score,
                    old_tier=old_tier,
                    decided_tier=decided,
                    new_score=new_score,
                    new_tier=new_tier.code,
                    direction=direction,
                    missing_factors=missing,
                )
            )
            if len(changes) >= DRY_RUN_BATCH:
                DryRunChange.objects.bulk_create(changes)
                changes.clear()

    current: int | None = None
    levels: dict[str, int] = {}
    for assessment_id, code, level in levels_stream:
        if assessment_id != current:
            if current is not None:
                finish(current, levels)
            current, levels = assessment_id, {}
        levels[code] = level
    if current is not None:
        finish(current, levels)
    for assessment_id in list(statuses):  # a current assessment with no factor rows: all factors missing
        finish(assessment_id, {})
    DryRunChange.objects.bulk_create(changes)
    assessed = PriorityStatus.objects.values("nominal_id")
    not_assessed = (
        Nominal.objects.filter(
            membership_state__in=[MembershipState.UNDER_ASSESSMENT, MembershipState.ADOPTED]
        )
        .exclude(pk__in=assessed)
        .count()
    )
    changed = sum(n for old, row in transitions.items() for new, n in row.items() if new != old)
    return {
        "rescored": rescored,
        "changed": changed,
        "incomplete": incomplete,
        "not_assessed": not_assessed,
        "transitions": transitions,
        "mean_abs_change": (total_abs_change / rescored).quantize(Decimal("0.01")) if rescored else None,
    }
