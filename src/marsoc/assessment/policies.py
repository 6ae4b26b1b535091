"""Who may assess, decide tiers, see the priority list and manage methods.

Builds on the nominal policy: nobody sees an assessment of a person they cannot see. Partner officers see
the core record only (scores are the hubs' working judgements), so assessments are for hub staff and the
national team.
"""

from django.db.models import Q

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import HUB_STAFF_ROLES, NOTHING, can_view_nominal, nominal_scope

ASSESSOR_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST})


def _roles(actor: Actor) -> frozenset[str]:
    return actor.role_codes


def _hub_reach(actor: Actor, nominal: Nominal) -> bool:
    return actor.is_national or actor.hub_id == nominal.owner_hub_id


def sees_priorities(actor: Actor) -> bool:
    return bool(_roles(actor) & (HUB_STAFF_ROLES | {Role.NATIONAL_ANALYST}))


def priority_scope(actor: Actor) -> Q:
    """Nominals whose assessments `actor` may see: the nominal scope, without partner-only reach."""
    roles = _roles(actor)
    if Role.NATIONAL_ANALYST in roles or (actor.is_national and roles & HUB_STAFF_ROLES):
        return nominal_scope(actor)
    if roles & HUB_STAFF_ROLES and actor.hub_id is not None:
        return nominal_scope(actor) & Q(owner_hub_id=actor.hub_id)
    return NOTHING


def can_view_assessments(actor: Actor, nominal: Nominal) -> bool:
    if not can_view_nominal(actor, nominal):
        return False
    roles = _roles(actor)
    return Role.NATIONAL_ANALYST in roles or (bool(roles & HUB_STAFF_ROLES) and _hub_reach(actor, nominal))


def can_assess(actor: Actor, nominal: Nominal) -> bool:
    return (
        can_view_nominal(actor, nominal)
        and bool(_roles(actor) & ASSESSOR_ROLES)
        and _hub_reach(actor, nominal)
    )


def can_decide_tier(actor: Actor, nominal: Nominal) -> bool:
    """A named hub manager decides (DPA 2018 s.49-50: the score alone decides nothing)."""
    return (
        can_view_nominal(actor, nominal) and Role.HUB_MANAGER in _roles(actor) and _hub_reach(actor, nominal)
    )


def can_manage_methods(actor: Actor) -> bool:
    roles = _roles(actor)
    return Role.NATIONAL_ANALYST in roles or (actor.is_national and Role.HUB_MANAGER in roles)


def can_view_methods(actor: Actor) -> bool:
    return sees_priorities(actor)


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring: aggregates only, never a person
# ---------------------------------------------------------------------------------------------------------

# Hub officers and partner officers do casework; monitoring the cohort's composition is for the people who
# answer for it (hub managers), analyse it (analysts), and govern it (the national team and the Board).
EQUALITY_HUB_ROLES = frozenset({Role.HUB_MANAGER, Role.ANALYST})


def can_view_equality(actor: Actor) -> bool:
    """Equality reports (aggregates, small counts withheld). Inspectors and administrators: no."""
    roles = _roles(actor)
    if Role.NATIONAL_ANALYST in roles or Role.BOARD_MEMBER in roles:
        return True
    return bool(roles & EQUALITY_HUB_ROLES) and (actor.is_national or actor.hub_id is not None)


def equality_sees_every_hub(actor: Actor) -> bool:
    """National analysts, the national team's managers and analysts, and Board members see every hub;
    a hub's managers and analysts see their own hub and the national picture."""
    roles = _roles(actor)
    return (
        Role.NATIONAL_ANALYST in roles
        or Role.BOARD_MEMBER in roles
        or (actor.is_national and bool(roles & EQUALITY_HUB_ROLES))
    )


def can_view_equality_hub(actor: Actor, hub_id: int) -> bool:
    if not can_view_equality(actor):
        return False
    return equality_sees_every_hub(actor) or actor.hub_id == hub_id


def can_manage_reference_populations(actor: Actor) -> bool:
    """The reference figures are a national statistical choice: national analysts and national managers."""
    return can_manage_methods(actor)


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------
# The national team runs exercises; assigned hub staff score them blind. Nobody sees a score or a result
# before the exercise closes. After it closes: the national team sees every assessor's scores by name (to
# give feedback and plan training); hub managers see the aggregate results and their own hub's assessors
# by name, never another hub's individuals; an assessor sees the aggregates and their own scores.
# Vignettes are invented cases, but an assessor's scores are personal data about that assessor.

CALIBRATION_ASSESSOR_ROLES = ASSESSOR_ROLES


class ResultsView:
    """How much of a closed exercise's results an actor may see."""

    FULL = "full"  # every assessor by name
    HUB = "hub"  # aggregates, plus the actor's own hub's assessors by name
    OWN = "own"  # aggregates, plus the actor's own scores


def can_manage_calibration(actor: Actor) -> bool:
    """National analysts and national managers create, set up, open and close exercises."""
    return can_manage_methods(actor)


def sees_calibration(actor: Actor) -> bool:
    return can_manage_calibration(actor) or bool(_roles(actor) & ASSESSOR_ROLES)


def can_be_calibration_assessor(actor: Actor) -> bool:
    return bool(_roles(actor) & CALIBRATION_ASSESSOR_ROLES) and actor.hub_id is not None


def can_view_exercise(actor: Actor, *, status: str, assigned: bool) -> bool:
    if can_manage_calibration(actor):
        return True
    if status == "draft":
        return False
    if assigned and can_be_calibration_assessor(actor):
        return True
    return status == "closed" and Role.HUB_MANAGER in _roles(actor)


def can_score_exercise(actor: Actor, *, status: str, assigned: bool) -> bool:
    """Only an assigned assessor, only while the exercise is open."""
    return status == "open" and assigned and can_be_calibration_assessor(actor)


def calibration_results_view(actor: Actor, *, status: str, assigned: bool) -> str | None:
    """None before the exercise closes (blind), and for anyone outside the exercise."""
    if status != "closed":
        return None
    if can_manage_calibration(actor):
        return ResultsView.FULL
    if Role.HUB_MANAGER in _roles(actor) and actor.hub_id is not None:
        return ResultsView.HUB
    if assigned and can_be_calibration_assessor(actor):
        return ResultsView.OWN
    return None


def can_export_calibration(actor: Actor, *, status: str, assigned: bool) -> bool:
    return calibration_results_view(actor, status=status, assigned=assigned) in (
        ResultsView.FULL,
        ResultsView.HUB,
    )
