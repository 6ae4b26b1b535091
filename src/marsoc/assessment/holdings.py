"""What the assessment app holds about a person, for subject access and erasure (core.subjects)."""

from collections.abc import Iterator

from marsoc.core.subjects import (
    HeldRecord,
    held,
    holds,
    not_about_a_person,
    person_paths,
    reviewed,
)
from marsoc.nominals.models import Nominal

from .models import Assessment, DryRunChange, FactorScore, PriorityStatus, TierDecision

person_paths("priority_nominal", "pk")
person_paths("assessment", "nominal")
not_about_a_person("calibration_exercise", "invented vignettes, never a nominal")


@holds("assessments and tiers", models=[Assessment, FactorScore, TierDecision, PriorityStatus, DryRunChange])
def assessments(nominal: Nominal) -> Iterator[HeldRecord]:
    for a in Assessment.objects.filter(nominal=nominal).select_related("method").order_by("id"):
        yield held("Assessments", a, exclude=("nominal", "superseded_by"))
        for s in a.factor_scores.all().order_by("id"):
            yield held("Factor scores", s, exclude=("assessment",), reference=f"Assessment {a.pk}")
    for d in TierDecision.objects.filter(nominal=nominal).order_by("id"):
        yield held("Tier decisions", d)
    for p in PriorityStatus.objects.filter(nominal=nominal):
        yield held("Priority", p)
    for c in DryRunChange.objects.filter(nominal=nominal).order_by("id"):
        yield held("Scoring method trials", c, exclude=("nominal", "dry_run", "assessment"))


def _erase_assessment(a: Assessment) -> int:
    """An earlier assessment, its factor scores and the tier decisions and method trials made on it."""
    Assessment.objects.filter(superseded_by=a).update(superseded_by=a.superseded_by_id)
    removed = TierDecision.objects.filter(assessment=a).delete()[0]
    return removed + Assessment.objects.filter(pk=a.pk).delete()[0]


def _assessment_kept(a: Assessment) -> str:
    if a.is_current or PriorityStatus.objects.filter(assessment=a).exists():
        return "The person's tier rests on this assessment: it goes only with the person's whole record"
    return ""


reviewed(
    key="assessment",
    label="Assessment",
    records=lambda n: Assessment.objects.filter(nominal=n).order_by("submitted_at", "id"),
    dates=lambda a: [a.submitted_at],
    describe=lambda a: f"Assessment of {a.submitted_at:%d/%m/%Y}: {a.tier_name}",
    erase=_erase_assessment,
    kept_because=_assessment_kept,
)
