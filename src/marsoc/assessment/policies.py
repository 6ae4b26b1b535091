"""Rules for assessments, tiers, the priority list, methods, equality monitoring and calibration,
registered with the access façade.

Nobody sees an assessment of a person they cannot see. Partner officers see the core record only
(scores are the hubs' working judgements), so assessments are for hub staff and the national team.
"""

from django.db.models import Q

from marsoc.core import access
from marsoc.core.access import NOTHING, Decision, Facts
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import can_view_nominal

from .models import CalibrationAssignment, CalibrationStatus
from .vocabulary import ResultsView


@access.rule("priority.view")
def sees_priorities(f: Facts) -> bool:
    return f.hub_staff or f.national_analyst


@access.resource("priority_nominal")
def priority_reach(f: Facts) -> Q:
    """Nominals whose assessments the actor may see: the nominal scope, without partner-only reach."""
    if f.sees_every_hub:
        return access.scope_of(f, "nominal")
    if f.hub_staff and f.hub_id is not None:
        return access.scope_of(f, "nominal") & Q(owner_hub_id=f.hub_id)
    return NOTHING


@access.resource("assessment", classification_field="")
def assessment_reach(f: Facts) -> Q:
    """Assessments of the people whose assessments the actor may see (resource priority_nominal)."""
    return Q(nominal__in=Nominal.objects.filter(access.scope_of(f, "priority_nominal")))


@access.rule("assessment.view")
def can_view_assessments(f: Facts, nominal: Nominal) -> bool:
    if not (f.national_analyst or (f.hub_staff and f.reaches_hub(nominal.owner_hub_id))):
        return False
    return can_view_nominal(f, nominal)


@access.rule("assessment.submit")
def can_assess(f: Facts, nominal: Nominal) -> bool:
    return f.hub_staff and f.reaches_hub(nominal.owner_hub_id) and can_view_nominal(f, nominal)


@access.rule("tier.decide")
def can_decide_tier(f: Facts, nominal: Nominal) -> bool:
    """A named hub manager decides (DPA 2018 s.49-50: the score alone decides nothing)."""
    return f.manages(nominal.owner_hub_id) and can_view_nominal(f, nominal)


@access.rule("priority.national")
def sees_national_priorities(f: Facts) -> bool:
    """The national list (every hub) rather than one hub's."""
    return f.national_reach


@access.rule("method.manage")
def can_manage_methods(f: Facts) -> bool:
    return f.national_analyst or f.national_manager


@access.rule("method.view")
def can_view_methods(f: Facts) -> bool:
    return sees_priorities(f)


# --- Equality monitoring: aggregates only, never a person ------------------------------------------------
# Hub officers and partner officers do casework; monitoring the cohort's composition is for the people who
# answer for it (hub managers), analyse it (analysts), and govern it (the national team and the Board).


def _equality_hub_role(f: Facts) -> bool:
    return f.manager or f.analyst


@access.rule("equality.view")
def can_view_equality(f: Facts) -> bool:
    """Equality reports (aggregates, small counts withheld). Inspectors and administrators: no."""
    if f.national_analyst or f.board:
        return True
    return _equality_hub_role(f) and (f.national_team or f.hub_id is not None)


@access.rule("equality.every_hub")
def equality_sees_every_hub(f: Facts) -> bool:
    """National analysts, the national team's managers and analysts, and Board members see every hub;
    a hub's managers and analysts see their own hub and the national picture."""
    return f.national_analyst or f.board or (f.national_team and _equality_hub_role(f))


@access.rule("equality.view_hub")
def can_view_equality_hub(f: Facts, hub_id: int) -> bool:
    if not can_view_equality(f):
        return False
    return equality_sees_every_hub(f) or f.hub_id == hub_id


@access.rule("population.manage")
def can_manage_reference_populations(f: Facts) -> bool:
    """The reference figures are a national statistical choice: national analysts and national managers."""
    return can_manage_methods(f)


# --- Calibration ------------------------------------------------------------------------------------------
# The national team runs exercises; assigned hub staff score them blind. Nobody sees a score or a result
# before the exercise closes. After it closes: the national team sees every assessor's scores by name (to
# give feedback and plan training); hub managers see the aggregate results and their own hub's assessors
# by name, never another hub's individuals; an assessor sees the aggregates and their own scores.
# Vignettes are invented cases, but an assessor's scores are personal data about that assessor.


@access.rule("calibration.manage")
def can_manage_calibration(f: Facts) -> bool:
    """National analysts and national managers create, set up, open and close exercises."""
    return can_manage_methods(f)


@access.rule("calibration.assessor")
def can_be_calibration_assessor(f: Facts) -> bool:
    return f.hub_staff and f.hub_id is not None


@access.rule("calibration.list")
def sees_calibration(f: Facts) -> bool:
    return can_manage_calibration(f) or f.hub_staff


@access.resource("calibration_exercise", classification_field="", case_only=False)
def exercise_reach(f: Facts) -> Q:
    """Exercises the actor may open: all for those who run calibration; otherwise those they are assigned
    to once opened, and for hub managers every closed one."""
    if can_manage_calibration(f):
        return Q()
    if not sees_calibration(f):
        return NOTHING
    assigned = CalibrationAssignment.objects.filter(assessor_id=f.actor_id).values("exercise_id")
    mine = Q(pk__in=assigned) & ~Q(status=CalibrationStatus.DRAFT)
    if f.manager:
        mine |= Q(status=CalibrationStatus.CLOSED)
    return mine


@access.rule("calibration.view")
def can_view_exercise(f: Facts, *, status: str, assigned: bool) -> bool:
    if can_manage_calibration(f):
        return True
    if status == "draft":
        return False
    if assigned and can_be_calibration_assessor(f):
        return True
    return status == "closed" and f.manager


@access.rule("calibration.score")
def can_score_exercise(f: Facts, *, status: str, assigned: bool) -> bool:
    """Only an assigned assessor, only while the exercise is open."""
    return status == "open" and assigned and can_be_calibration_assessor(f)


@access.rule("calibration.results")
def calibration_results(f: Facts, *, status: str, assigned: bool) -> Decision:
    """No results before the exercise closes (blind), and none for anyone outside the exercise; the
    condition says how far the results go (ResultsView)."""
    if status != "closed":
        return Decision(False, "The results are shown when the exercise closes")
    if can_manage_calibration(f):
        return Decision(True, condition=ResultsView.FULL)
    if f.manager and f.hub_id is not None:
        return Decision(True, condition=ResultsView.HUB)
    if assigned and can_be_calibration_assessor(f):
        return Decision(True, condition=ResultsView.OWN)
    return Decision(False, "You are not part of this exercise")


@access.rule("calibration.export")
def can_export_calibration(f: Facts, *, status: str, assigned: bool) -> bool:
    return calibration_results(f, status=status, assigned=assigned).condition in (
        ResultsView.FULL,
        ResultsView.HUB,
    )
