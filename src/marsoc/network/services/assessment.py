"""Group assessments: the OCG method (data, network/methods/) scored on the assessment engine, written and
audited here (a services module of its own: the network services were growing long); the group priority
list; and a dry run of a candidate method over every current group assessment."""

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.assessment.method import MethodError, MethodSpec, ScoringError, load_method, score
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed, refused_in_context

from ..models import GroupAssessment, OrganisedCrimeGroup

METHOD_FILE = Path(__file__).parent.parent / "methods" / "marsoc-ocg-v1.toml"


@lru_cache(maxsize=1)
def group_method() -> MethodSpec:
    """The group method in force (the file is the method; its fingerprint goes on every assessment)."""
    return load_method(METHOD_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def group_assessment_submit(
    *,
    actor: User,
    group: OrganisedCrimeGroup,
    levels: Mapping[str, int],
    grades: Mapping[str, str] | None = None,
    rationale: str,
) -> GroupAssessment:
    locked = OrganisedCrimeGroup.objects.select_for_update().filter(pk=group.pk).first()
    if locked is None or not access.is_visible(actor, "ocg", locked):
        raise NotFoundOrForbidden("group")
    access.require(actor, "ocg.edit", locked, hide=False)
    spec = group_method()
    errors: dict[str, list[str]] = {}
    if not rationale.strip():
        errors["rationale"] = ["Enter why the group is scored as it is"]
    try:
        result = score(spec, levels, grades or {})
    except ScoringError as exc:
        errors["levels"] = [refused_in_context(m) for m in list(exc.problems)]
    if errors:
        raise ValidationFailed(errors)
    stored = result.as_dict()
    for row, factor in zip(stored["breakdown"], result.breakdown, strict=True):
        row |= {"name": factor.name, "max_level": factor.max_level}  # for readers of the stored result
    GroupAssessment.objects.filter(group=locked, current=True).update(current=False)
    made = GroupAssessment.objects.create(
        group=locked,
        method_code=result.method_code,
        method_version=result.method_version,
        method_fingerprint=result.method_fingerprint,
        levels=dict(levels),
        grades=dict(grades or {}),
        score=result.score,
        band=result.tier.code,
        band_name=result.tier.name,
        confidence=result.confidence,
        result=stored,
        rationale=rationale.strip(),
        assessed_by=actor,
        assessed_at=timezone.now(),
    )
    audit_about(
        actor,
        AuditAction.OCG_ASSESS,
        locked,
        object_type="ocg",
        details={
            "score": made.score,
            "band": made.band,
            "method": f"{made.method_code} v{made.method_version}",
        },
    )
    return made


def group_priority(*, actor: Actor, hub_id: int | None = None) -> QuerySet[GroupAssessment]:
    """The current assessments of the groups the actor may see, highest score first (the group priority
    list beside the individual one); `hub_id` slices it by owner hub."""
    groups = access.visible(actor, "ocg", OrganisedCrimeGroup.objects.all())
    rows = GroupAssessment.objects.filter(current=True, group__in=groups.values("pk"))
    if hub_id is not None:
        rows = rows.filter(group__owner_hub_id=hub_id)
    return rows.select_related("group", "group__owner_hub").order_by("-score", "group__name")


def current_assessment(*, group: OrganisedCrimeGroup) -> GroupAssessment | None:
    """For a group the caller already fetched through the façade."""
    return group.assessments.filter(current=True).first()


@dataclass(frozen=True)
class DryRunRow:
    group: OrganisedCrimeGroup
    old_score: float
    old_band: str
    new_score: float
    new_band: str
    drivers: tuple[str, ...]  # the candidate's top factors for this group

    @property
    def changed(self) -> bool:
        return self.old_band != self.new_band


def group_method_dry_run(*, actor: User, candidate_text: str) -> list[DryRunRow]:
    """Every current group assessment the actor may see, re-scored with a candidate method: who would change
    band and why. Nothing is saved but the audit entry; a candidate that does not load, or cannot score an
    assessment's levels, is refused with every problem named."""
    if not access.may(actor, "ocg.method_dry_run"):
        raise NotFoundOrForbidden("dry run")
    try:
        candidate = load_method(candidate_text)
    except MethodError as exc:
        raise ValidationFailed({"method": list(exc.problems)}) from exc
    rows: list[DryRunRow] = []
    problems: list[str] = []
    for current in group_priority(actor=actor):
        try:
            result = score(candidate, current.levels, current.grades)
        except ScoringError as exc:
            problems += [f"{current.group.reference}: {p}" for p in exc.problems]
            continue
        rows.append(
            DryRunRow(
                current.group,
                current.score,
                current.band,
                result.score,
                result.tier.code,
                tuple(f.name for f in result.top_factors()),
            )
        )
    if problems:
        raise ValidationFailed({"method": problems})
    audit_record(
        actor=actor,
        action=AuditAction.OCG_METHOD_DRY_RUN,
        object_type="ocg_method",
        details={"candidate": f"{candidate.code} v{candidate.version}", "groups": len(rows)},
    )
    return rows


def group_priority_consult(*, actor: User, rows: list[GroupAssessment], hub_id: int | None) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.OCG_PRIORITY,
        object_type="ocg_priority",
        surface="group priority list",
        details={"shown": [r.group_id for r in rows], "hub": hub_id},
    )
