"""Writes for scoring methods: loading a candidate, activating it, installing the shipped default and
queueing a dry run of a candidate over the cohort."""

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import ValidationFailed
from marsoc.core.guards import require_or_refuse

from ..method import MethodError, MethodSpec, load_method
from ..models import MethodDryRun, MethodStatus, ReviewInterval, ScoringMethod
from .dry_run_recovery import dry_run_enqueue


def active_method() -> ScoringMethod:
    method = ScoringMethod.objects.filter(status=MethodStatus.ACTIVE).first()
    if method is None:
        raise ValidationFailed(
            {"method": "No scoring method is active: a national analyst must activate one"}
        )
    return method


def _store_candidate(spec: MethodSpec, text: str, *, loaded_by: User | None = None) -> ScoringMethod:
    """A method file, checked (`spec`), stored as it was loaded as a candidate method."""
    return ScoringMethod.objects.create(
        code=spec.code,
        version=spec.version,
        name=spec.name,
        description=spec.description,
        source_text=text,
        fingerprint=spec.fingerprint,
        status=MethodStatus.CANDIDATE,
        loaded_by=loaded_by,
    )


def method_load(*, actor: User, text: str) -> ScoringMethod:
    """Load a method file as a candidate. A version already loaded with other content is refused."""
    require_or_refuse(actor, "method.manage", refusal="Only the national team can load scoring methods")
    try:
        spec = load_method(text)
    except MethodError as exc:
        raise ValidationFailed({"method_file": list(exc.problems)}) from exc
    existing = ScoringMethod.objects.filter(code=spec.code, version=spec.version).first()
    if existing is not None:
        if existing.fingerprint == spec.fingerprint:
            return existing  # the same file again: nothing to do
        raise ValidationFailed(
            {
                "method_file": f"{spec.code} version {spec.version} is already loaded with different content: "
                "give the changed method a new version number"
            }
        )
    with transaction.atomic():
        method = _store_candidate(spec, text, loaded_by=actor)
        audit_about(
            actor, AuditAction.METHOD_LOAD, method, details={"code": spec.code, "version": spec.version}
        )
    return method


def method_activate(*, actor: User, method: ScoringMethod, rationale: str) -> ScoringMethod:
    require_or_refuse(actor, "method.manage", refusal="Only the national team can activate a scoring method")
    if not rationale.strip():
        raise ValidationFailed({"rationale": "Enter why this method is being adopted"})
    with transaction.atomic():
        ScoringMethod.objects.filter(status=MethodStatus.ACTIVE).update(status=MethodStatus.RETIRED)
        method.status = MethodStatus.ACTIVE
        method.activated_at = timezone.now()
        method.save(update_fields=["status", "activated_at"])
        audit_about(actor, AuditAction.METHOD_ACTIVATE, method, justification=rationale.strip())
    return method


DEFAULT_REVIEW_INTERVALS = {"1": 91, "2": 182, "3": 365, "4": 365}


def method_install_default() -> ScoringMethod:
    """Make sure the shipped default method exists (active if nothing else is) with review intervals."""
    from ..method import DEFAULT_METHOD_FILE

    text = DEFAULT_METHOD_FILE.read_text(encoding="utf-8")
    spec = load_method(text)
    method = ScoringMethod.objects.filter(code=spec.code, version=spec.version).first()
    if method is None:
        method = _store_candidate(spec, text)
    if not ScoringMethod.objects.filter(status=MethodStatus.ACTIVE).exists():
        ScoringMethod.objects.filter(pk=method.pk).update(
            status=MethodStatus.ACTIVE, activated_at=timezone.now()
        )
        method.refresh_from_db()
    for tier, days in DEFAULT_REVIEW_INTERVALS.items():
        ReviewInterval.objects.get_or_create(tier_code=tier, defaults={"interval_days": days})
    return method


# ------------------------------------------------------------------------------ method dry runs


def dry_run_request(*, actor: User, candidate: ScoringMethod) -> MethodDryRun:
    """Queue a re-scoring of the whole cohort with `candidate`; the worker does the work."""

    require_or_refuse(actor, "method.manage", refusal="Only the national team can run a method dry run")
    if candidate.status == MethodStatus.RETIRED:
        raise ValidationFailed(
            {"method": "A retired method cannot be dry-run: load it again as a new version"}
        )
    with transaction.atomic():
        run = MethodDryRun.objects.create(candidate=candidate, requested_by=actor)
        audit_about(
            actor,
            AuditAction.METHOD_DRY_RUN_REQUEST,
            run,
            justification="Re-score every current assessment with a candidate method before adopting it",
            details={"candidate": f"{candidate.code} v{candidate.version}"},
        )
    # Enqueued after the row is committed so the worker can always find it.
    dry_run_enqueue(run.pk)
    run.refresh_from_db()
    return run
