"""Who may see and work on plans, outcomes, meetings, the catalogue and reports.

Builds on the one nominal policy: a plan is seen by exactly those who may see its nominal. An agency
with an action on a plan is recorded as a participating agency (nominals.Participation, kept by the plan
services), and that is what gives its partner officers access to the plan and the core record.
"""

from django.db.models import Q

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import CASE_WRITE_ROLES, Role
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import (
    HUB_STAFF_ROLES,
    NOTHING,
    can_edit_nominal,
    can_view_nominal,
    nominal_scope,
)

# Who may put their name to an agreement or a claim for their agency.
AGENCY_VOICE_ROLES = CASE_WRITE_ROLES | {Role.PARTNER_OFFICER}


def _roles(actor: Actor) -> frozenset[str]:
    return actor.role_codes


def can_view_plan(actor: Actor, nominal: Nominal) -> bool:
    return can_view_nominal(actor, nominal)


def can_edit_plan(actor: Actor, nominal: Nominal) -> bool:
    """Objectives and actions are written by the owner hub (or the national team)."""
    return can_edit_nominal(actor, nominal)


def can_agree_plan(actor: Actor, nominal: Nominal, participating_agency_ids: list[int]) -> bool:
    return (
        can_view_nominal(actor, nominal)
        and bool(_roles(actor) & AGENCY_VOICE_ROLES)
        and actor.agency_id is not None
        and actor.agency_id in participating_agency_ids
    )


def can_act_for_agency(actor: Actor, nominal: Nominal, agency_id: int) -> bool:
    """Claim an outcome or update progress on an action of `agency_id`."""
    return (
        can_view_nominal(actor, nominal)
        and bool(_roles(actor) & AGENCY_VOICE_ROLES)
        and actor.agency_id == agency_id
    )


def can_manage_orders(actor: Actor, nominal: Nominal) -> bool:
    return can_edit_nominal(actor, nominal)


def sees_meetings(actor: Actor) -> bool:
    """Tasking meetings are the hubs' business: hub staff and the national team."""
    return bool(_roles(actor) & (HUB_STAFF_ROLES | {Role.NATIONAL_ANALYST}))


def meeting_hub_scope(actor: Actor) -> Q:
    """Meetings `actor` may see, as a filter on Meeting."""
    roles = _roles(actor)
    if not sees_meetings(actor):
        return NOTHING
    if Role.NATIONAL_ANALYST in roles or actor.is_national:
        return Q()
    return Q(hub_id=actor.hub_id) if actor.hub_id is not None else NOTHING


def can_view_meeting(actor: Actor, hub_id: int) -> bool:
    if not sees_meetings(actor):
        return False
    return Role.NATIONAL_ANALYST in _roles(actor) or actor.is_national or actor.hub_id == hub_id


def can_run_meeting(actor: Actor, hub_id: int) -> bool:
    """Schedule, record attendance, decisions and minutes, and validate outcomes."""
    roles = _roles(actor)
    return bool(roles & CASE_WRITE_ROLES) and (actor.is_national or actor.hub_id == hub_id)


def can_validate_outcome(actor: Actor, nominal: Nominal) -> bool:
    return can_view_nominal(actor, nominal) and can_run_meeting(actor, nominal.owner_hub_id)


def meeting_nominal_scope(actor: Actor, hub_id: int) -> Q:
    """The nominals a meeting pack may show this actor: the hub's, within the actor's own reach."""
    return nominal_scope(actor) & Q(owner_hub_id=hub_id)


def sees_catalogue(actor: Actor) -> bool:
    return bool(_roles(actor) & (HUB_STAFF_ROLES | {Role.PARTNER_OFFICER, Role.NATIONAL_ANALYST}))


def can_manage_catalogue(actor: Actor) -> bool:
    """A national administrator: a national hub manager (system administrators use the admin site)."""
    return actor.is_national and Role.HUB_MANAGER in _roles(actor)


def sees_reports(actor: Actor) -> bool:
    """Aggregates over the actor's own nominal scope; partners see plans one at a time only."""
    return bool(_roles(actor) & (HUB_STAFF_ROLES | {Role.NATIONAL_ANALYST}))


def sees_inbox(actor: Actor) -> bool:
    return bool(_roles(actor) & (HUB_STAFF_ROLES | {Role.PARTNER_OFFICER, Role.NATIONAL_ANALYST}))
