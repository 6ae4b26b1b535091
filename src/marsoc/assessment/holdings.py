"""What the assessment app holds about a person, for subject access and erasure (core.subjects)."""

from collections.abc import Iterator

from marsoc.core.subjects import HeldRecord, held, holds, not_about_a_person, person_paths
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
