"""Writes for assessment: submitting assessments, deciding tiers and reference populations here; loading
and activating methods in `methods.py`, calibration exercises in `calibration.py` (both importable from
this package, as are the records of reading in `records.py`).

Each checks the policy, validates, writes and audits in one transaction; bad input saves nothing.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Hub, User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import ValidationFailed, refused_in_context
from marsoc.core.guards import require_on_nominal, require_or_refuse
from marsoc.nominals.models import Nominal

from ..dry_runs import dry_run_execute
from ..equality import CHARACTERISTICS, PopulationFileError, check_shares, parse_population
from ..method import ScoreResult, ScoringError, score
from ..models import (
    Assessment,
    FactorScore,
    PriorityStatus,
    ReferencePopulation,
    ReferenceShare,
    ReviewInterval,
    TierDecision,
)
from ..populations import store_population
from ..specs import method_spec
from .calibration import (
    SheetLocked,
    calibration_assign,
    calibration_close,
    calibration_create,
    calibration_open,
    calibration_results_consult,
    calibration_results_export,
    calibration_scores_save,
    calibration_sheet_submit,
    calibration_unassign,
    calibration_vignette_add,
    identifier_like,
)
from .methods import active_method, dry_run_request, method_activate, method_install_default, method_load

DEFAULT_REVIEW_DAYS = 182


def _review_due(tier: str, from_day: date) -> date:
    interval = ReviewInterval.objects.filter(tier_code=tier).values_list("interval_days", flat=True).first()
    return from_day + timedelta(days=interval or DEFAULT_REVIEW_DAYS)


def assessment_submit(
    *,
    actor: User,
    nominal: Nominal,
    levels: Mapping[str, int | None],
    grades: Mapping[str, str] | None = None,
    evidence: Mapping[str, str] | None = None,
    summary: str = "",
) -> Assessment:
    """Score, store (immutable) and make current; the previous assessment is superseded, never changed."""
    require_on_nominal(actor, "assessment.submit", nominal, refusal="You cannot assess this person")
    method = active_method()
    spec = method_spec(method)
    errors: dict[str, str] = {}
    clean_levels: dict[str, int] = {}
    for factor in spec.factors:
        value = levels.get(factor.code)
        if value is None:
            errors[f"level_{factor.code}"] = refused_in_context(f"Score {factor.name.lower()}")
        else:
            clean_levels[factor.code] = value
    clean_grades = {k: v.strip().upper() for k, v in (grades or {}).items() if v and v.strip()}
    if errors:
        raise ValidationFailed(errors)
    try:
        result: ScoreResult = score(spec, clean_levels, clean_grades)
    except ScoringError as exc:
        raise ValidationFailed({"levels": [refused_in_context(m) for m in exc.problems]}) from exc
    now = timezone.now()
    with transaction.atomic():
        previous = Assessment.objects.select_for_update().filter(nominal=nominal, is_current=True).first()
        if previous is not None:
            Assessment.objects.filter(pk=previous.pk).update(is_current=False)
        assessment = Assessment.of_result(
            result, nominal=nominal, method=method, assessor=actor, submitted_at=now, summary=summary.strip()
        )
        assessment.save()
        if previous is not None:
            Assessment.objects.filter(pk=previous.pk).update(superseded_by=assessment)
        FactorScore.objects.bulk_create(
            [
                FactorScore(
                    assessment=assessment,
                    factor_code=f.code,
                    level=f.level,
                    evidence=(evidence or {}).get(f.code, "").strip(),
                    grade=f.grade or "",
                    contribution=Decimal(str(f.contribution)),
                )
                for f in result.breakdown
            ]
        )
        status = PriorityStatus.objects.filter(nominal=nominal).first()
        decided = status.decided_tier if status else ""
        PriorityStatus.objects.update_or_create(
            nominal=nominal,
            defaults={
                "assessment": assessment,
                "score": assessment.score,
                "computed_tier": result.tier.code,
                "decided_tier": decided,
                "next_review_due": _review_due(decided or result.tier.code, now.date()),
            },
        )
        audit_about(
            actor,
            AuditAction.ASSESSMENT_SUBMIT,
            assessment,
            justification="Assessment of priority",
            details={
                "method": f"{method.code} v{method.version}",
                "score": str(assessment.score),
                "tier": result.tier.code,
                "supersedes": previous.pk if previous else None,
            },
        )
    return assessment


def tier_decide(*, actor: User, nominal: Nominal, decided_tier: str, rationale: str) -> TierDecision:
    """The tier that counts, decided by a named hub manager; may differ from the computed tier."""
    require_on_nominal(actor, "tier.decide", nominal, refusal="Only a hub manager can decide a tier")
    current = Assessment.objects.filter(nominal=nominal, is_current=True).select_related("method").first()
    if current is None:
        raise ValidationFailed(
            {"decided_tier": refused_in_context("Assess the person before deciding a tier")}
        )
    spec = method_spec(current.method)
    errors: dict[str, str] = {}
    if decided_tier not in {t.code for t in spec.tiers}:
        errors["decided_tier"] = refused_in_context("Select a tier")
    if not rationale.strip():
        errors["rationale"] = "Enter the rationale for this decision"
    elif decided_tier != current.tier_code and len(rationale.strip()) < 20:
        errors["rationale"] = refused_in_context(
            "Explain in more detail why the decision differs from the computed tier"
        )
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        decision = TierDecision.objects.create(
            nominal=nominal,
            assessment=current,
            computed_tier=current.tier_code,
            decided_tier=decided_tier,
            rationale=rationale.strip(),
            decided_by=actor,
            decided_at=now,
        )
        PriorityStatus.objects.filter(nominal=nominal).update(
            decided_tier=decided_tier, decided_at=now, next_review_due=_review_due(decided_tier, now.date())
        )
        audit_about(
            actor,
            AuditAction.TIER_DECIDE,
            decision,
            justification=rationale.strip(),
            details={"computed": current.tier_code, "decided": decided_tier, "disagrees": decision.disagrees},
        )
    return decision


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring: reference populations
# ---------------------------------------------------------------------------------------------------------


def reference_population_load(*, actor: User, text: str, make_default: bool = False) -> ReferencePopulation:
    """Load (or replace, by code) a reference population from its file; nothing is saved if it is wrong."""
    require_or_refuse(
        actor, "population.manage", refusal="Only the national team can change reference populations"
    )
    try:
        spec = parse_population(text, Hub.objects.values_list("code", flat=True))
    except PopulationFileError as exc:
        raise ValidationFailed({"population_file": [p.strip() for p in str(exc).split(";")]}) from exc
    with transaction.atomic():
        population = store_population(
            spec,
            population_model=ReferencePopulation,
            share_model=ReferenceShare,
            hub_model=Hub,
            updated_by_id=actor.pk,
            make_default=make_default,
        )
        audit_about(
            actor,
            AuditAction.EQUALITY_POPULATION_LOAD,
            population,
            justification="Reference population for equality monitoring (public aggregate figures)",
            details={"code": spec.code, "scope": spec.scope, "default": make_default},
        )
    return population


def reference_population_update(
    *,
    actor: User,
    population: ReferencePopulation,
    name: str,
    source: str,
    source_url: str,
    year: int,
    flag_threshold: Decimal,
    shares: Mapping[str, Mapping[str, Decimal]],
) -> ReferencePopulation:
    """Correct a population's figures. Shares must cover every group and add up to 100 per characteristic."""
    require_or_refuse(
        actor, "population.manage", refusal="Only the national team can change reference populations"
    )
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Enter a name"]
    if not source.strip():
        errors["source"] = ["Enter the source of the figures"]
    if not 1900 <= year <= 2100:
        errors["year"] = ["Enter a year between 1900 and 2100"]
    if not Decimal(1) <= flag_threshold <= Decimal(10):
        errors["flag_threshold"] = ["Enter a threshold between 1 and 10"]
    for characteristic in CHARACTERISTICS:
        problems = check_shares(characteristic, shares.get(characteristic.code, {}))
        if problems:
            errors[characteristic.code] = problems
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        before = {
            (s.characteristic, s.group): str(s.share)
            for s in ReferenceShare.objects.filter(population=population)
        }
        population.name, population.source, population.source_url = name.strip(), source.strip(), source_url
        population.year, population.flag_threshold, population.updated_by = year, flag_threshold, actor
        population.save()
        changed = {}
        for characteristic in CHARACTERISTICS:
            for group, value in shares[characteristic.code].items():
                if before.get((characteristic.code, group)) != str(value):
                    changed[f"{characteristic.code}.{group}"] = [
                        before.get((characteristic.code, group)),
                        str(value),
                    ]
                ReferenceShare.objects.update_or_create(
                    population=population,
                    characteristic=characteristic.code,
                    group=group,
                    defaults={"share": value},
                )
        audit_about(
            actor,
            AuditAction.EQUALITY_POPULATION_UPDATE,
            population,
            justification="Reference population for equality monitoring (public aggregate figures)",
            details={"changed": changed, "flag_threshold": str(flag_threshold)},
        )
    return population


from .dry_run_recovery import dry_run_enqueue, dry_runs_recover  # noqa: E402

# The records of reading (consultations and exports) live beside the writes.
from .records import (  # noqa: E402
    EQUALITY_JUSTIFICATION,
    dry_run_consult,
    equality_export_record,
    equality_report_consult,
    population_consult,
    priority_export,
    priority_list_consult,
    reviews_consult,
)

__all__ = [
    "EQUALITY_JUSTIFICATION",
    "SheetLocked",
    "active_method",
    "calibration_assign",
    "calibration_close",
    "calibration_create",
    "calibration_open",
    "calibration_results_consult",
    "calibration_results_export",
    "calibration_scores_save",
    "calibration_sheet_submit",
    "calibration_unassign",
    "calibration_vignette_add",
    "dry_run_consult",
    "dry_run_enqueue",
    "dry_run_execute",
    "dry_run_request",
    "dry_runs_recover",
    "equality_export_record",
    "equality_report_consult",
    "identifier_like",
    "method_activate",
    "method_install_default",
    "method_load",
    "method_spec",
    "population_consult",
    "priority_export",
    "priority_list_consult",
    "reviews_consult",
]
