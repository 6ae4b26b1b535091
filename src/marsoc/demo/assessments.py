"""Synthetic assessments and tier decisions for demonstration data, scored by the active method."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.assessment.method import ScoreResult, score
from marsoc.assessment.models import (
    Assessment,
    FactorScore,
    MethodDryRun,
    PriorityStatus,
    ReviewInterval,
    TierDecision,
)
from marsoc.assessment.populations import install_default_population
from marsoc.assessment.services import (
    active_method,
    dry_run_execute,
    method_install_default,
    method_load,
    method_spec,
)
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState

GRADES = ["1A", "1B", "2A", "2B", "2C", "3C", "3D"]
# Scoring keeps every factor's contribution (a few ms each), so large runs assess a sample.
DEFAULT_LIMIT = 1000


def generate_assessments(*, seed: int, limit: int = DEFAULT_LIMIT) -> dict[str, int]:
    rng = random.Random(seed * 7919)
    method_install_default()
    install_default_population()  # the equality report's comparison (a flushed test database lacks it)
    method = active_method()
    spec = method_spec(method)
    intervals = dict(ReviewInterval.objects.values_list("tier_code", "interval_days"))
    assessors: dict[int, list[User]] = {}
    managers: dict[int, list[User]] = {}
    for user in User.objects.filter(role_grants__role__in=[Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST]):
        if user.hub_id is None:
            continue
        assessors.setdefault(user.hub_id, []).append(user)
        if Role.HUB_MANAGER in user.role_codes:
            managers.setdefault(user.hub_id, []).append(user)
    national = User.objects.filter(username="national.manager").first()
    candidates = list(
        Nominal.objects.filter(
            membership_state__in=[MembershipState.UNDER_ASSESSMENT, MembershipState.ADOPTED]
        )
        .order_by("id")
        .values_list("id", "owner_hub_id", "membership_state")[:limit]
    )
    now = timezone.now()
    assessments: list[tuple[Assessment, ScoreResult, str, int, datetime]] = []
    decisions: list[TierDecision] = []
    statuses: list[PriorityStatus] = []
    factor_rows: list[FactorScore] = []
    for nominal_id, hub_id, state in candidates:
        severity = rng.random()  # one latent level per person keeps the factors plausibly related
        levels = {
            f.code: max(0, min(f.max_level, round(severity * f.max_level + rng.gauss(0, 0.9))))
            for f in spec.factors
        }
        grades = {f.code: rng.choice(GRADES) for f in spec.factors if rng.random() < 0.85}
        result = score(spec, levels, grades)
        submitted = now - timedelta(days=rng.randint(1, 200))
        assessor = (
            rng.choice(assessors.get(hub_id) or [national]) if (assessors.get(hub_id) or national) else None
        )
        if assessor is None:
            continue
        assessment = Assessment.of_result(
            result,
            nominal_id=nominal_id,
            method=method,
            assessor=assessor,
            submitted_at=submitted,
            summary="Synthetic assessment for demonstration.",
        )
        assessments.append((assessment, result, state, hub_id, submitted))
    with transaction.atomic():
        Assessment.objects.bulk_create([a for a, *_ in assessments], batch_size=1000)
        for assessment, result, state, hub_id, submitted in assessments:
            factor_rows.extend(
                FactorScore(
                    assessment=assessment,
                    factor_code=f.code,
                    level=f.level,
                    grade=f.grade or "",
                    evidence="Synthetic evidence note.",
                    contribution=Decimal(str(f.contribution)),
                )
                for f in result.breakdown
            )
            decided = ""
            decided_at = None
            decider = (
                rng.choice(managers.get(hub_id) or [national]) if (managers.get(hub_id) or national) else None
            )
            if state == MembershipState.ADOPTED and decider is not None and rng.random() < 0.85:
                decided = result.tier.code
                if rng.random() < 0.1:  # managers sometimes depart from the computed tier, with reasons
                    decided = str(min(4, max(1, int(result.tier.code) + rng.choice([-1, 1]))))
                decided_at = submitted + timedelta(days=rng.randint(0, 14))
                decisions.append(
                    TierDecision(
                        nominal_id=assessment.nominal_id,
                        assessment=assessment,
                        computed_tier=result.tier.code,
                        decided_tier=decided,
                        decided_by=decider,
                        decided_at=decided_at,
                        rationale="Agreed at the hub meeting."
                        if decided == result.tier.code
                        else "Departs from the computed tier: the hub holds context the factors do not capture (synthetic).",
                    )
                )
            tier = decided or result.tier.code
            review_from = (decided_at or submitted).date()
            statuses.append(
                PriorityStatus(
                    nominal_id=assessment.nominal_id,
                    assessment=assessment,
                    score=assessment.score,
                    computed_tier=result.tier.code,
                    decided_tier=decided,
                    decided_at=decided_at,
                    next_review_due=review_from + timedelta(days=intervals.get(tier, 182)),
                )
            )
        FactorScore.objects.bulk_create(factor_rows, batch_size=5000)
        TierDecision.objects.bulk_create(decisions, batch_size=2000)
        PriorityStatus.objects.bulk_create(statuses, batch_size=2000)
    dry_runs = generate_method_draft()
    return {"assessments": len(assessments), "tier_decisions": len(decisions), "dry_runs": dry_runs}


def draft_method_text() -> str:
    """A draft v2 of the default method for the demonstration (and the re-scoring benchmark): capability
    weighs more and tier 1 starts at 55, so a first-time user can see what a dry run shows."""
    from marsoc.assessment.method import DEFAULT_METHOD_FILE

    text = DEFAULT_METHOD_FILE.read_text(encoding="utf-8")
    changed = (
        text.replace("version = 1", "version = 2", 1)
        .replace('name = "MARSOC priority method v1"', 'name = "MARSOC priority method v2 (draft)"', 1)
        .replace("* (0.7 + 0.3 * max(capability, custody))", "* (0.6 + 0.4 * max(capability, custody))", 1)
        .replace("min = 60\nmax = 100", "min = 55\nmax = 100", 1)
        .replace("min = 40\nmax = 60", "min = 40\nmax = 55", 1)
    )
    if changed.count("0.6 + 0.4") != 1 or "min = 55\nmax = 100" not in changed:
        raise RuntimeError("the default method file changed: update draft_method_text()")
    return changed


def generate_method_draft() -> int:
    """Load the draft v2 as a candidate and dry-run it (in process: the demo must show it at once)."""
    analyst = User.objects.filter(username="national.analyst").first()
    if analyst is None:
        return 0
    candidate = method_load(actor=analyst, text=draft_method_text())
    if candidate.dry_runs.filter(status="done").exists():
        return 0
    run = MethodDryRun.objects.create(candidate=candidate, requested_by=analyst)
    dry_run_execute(run.pk)
    return 1
