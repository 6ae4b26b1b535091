"""The access policy for nominals: who may see and change what. Deny by default.

Every view, API endpoint, export and search reaches nominal data through `nominal_scope` (for
querysets) or the `can_*` checks (for one record); later capabilities extend these functions
rather than writing their own rules.
"""

from django.db.models import Exists, OuterRef, Q

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import CASE_ROLES, CASE_WRITE_ROLES, Role, classifications_up_to

from .models import Nominal, Participation
from .vocabulary import MembershipState

HUB_STAFF_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST})
NOTHING = Q(pk__in=[])


def _roles(actor: Actor) -> frozenset[str]:
    return actor.role_codes


def sees_case_data(actor: Actor) -> bool:
    return bool(_roles(actor) & CASE_ROLES)


def _sees_everything(actor: Actor) -> bool:
    roles = _roles(actor)
    return Role.NATIONAL_ANALYST in roles or (actor.is_national and bool(roles & HUB_STAFF_ROLES))


def nominal_scope(actor: Actor) -> Q:
    """The nominals `actor` may see, as a filter for Nominal querysets."""
    roles = _roles(actor)
    if not roles & CASE_ROLES:
        return NOTHING
    clearance = Q(classification__in=classifications_up_to(actor.clearance))
    if _sees_everything(actor):
        return clearance
    reach = NOTHING
    if roles & HUB_STAFF_ROLES and actor.hub_id is not None:
        reach |= Q(owner_hub_id=actor.hub_id)
    if Role.PARTNER_OFFICER in roles and actor.agency_id is not None:
        active = Participation.objects.filter(
            nominal_id=OuterRef("pk"), agency_id=actor.agency_id, ended_at__isnull=True
        )
        reach |= Q(Exists(active))
    return reach & clearance


def _participates(actor: Actor, nominal: Nominal) -> bool:
    return (
        actor.agency_id is not None
        and Participation.objects.filter(
            nominal=nominal, agency_id=actor.agency_id, ended_at__isnull=True
        ).exists()
    )


def can_view_nominal(actor: Actor, nominal: Nominal) -> bool:
    roles = _roles(actor)
    if not roles & CASE_ROLES:
        return False
    if nominal.classification not in classifications_up_to(actor.clearance):
        return False
    if _sees_everything(actor):
        return True
    if roles & HUB_STAFF_ROLES and actor.hub_id == nominal.owner_hub_id:
        return True
    return Role.PARTNER_OFFICER in roles and _participates(actor, nominal)


def _writes_for_hub(actor: Actor, hub_id: int) -> bool:
    if not _roles(actor) & CASE_WRITE_ROLES:
        return False
    return actor.is_national or actor.hub_id == hub_id


def can_edit_nominal(actor: Actor, nominal: Nominal) -> bool:
    return can_view_nominal(actor, nominal) and _writes_for_hub(actor, nominal.owner_hub_id)


def can_refer_to_hub(actor: Actor, hub_id: int) -> bool:
    return _writes_for_hub(actor, hub_id)


def can_refer_any(actor: Actor) -> bool:
    return bool(_roles(actor) & CASE_WRITE_ROLES) and (actor.hub_id is not None)


# Adoption and exit are decisions for a hub manager (DPA 2018 s.49–50: a named person decides).
_MANAGER_ONLY_TARGETS = {MembershipState.ADOPTED, MembershipState.EXITED}
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    MembershipState.REFERRED: {MembershipState.UNDER_ASSESSMENT, MembershipState.EXITED},
    MembershipState.UNDER_ASSESSMENT: {MembershipState.ADOPTED, MembershipState.EXITED},
    MembershipState.ADOPTED: {MembershipState.EXITED},
    MembershipState.EXITED: {MembershipState.REFERRED},
}


def can_change_membership(actor: Actor, nominal: Nominal, to_state: str) -> bool:
    if not can_edit_nominal(actor, nominal):
        return False
    if to_state in _MANAGER_ONLY_TARGETS:
        return Role.HUB_MANAGER in _roles(actor)
    return True


def can_manage_participation(actor: Actor, nominal: Nominal) -> bool:
    return can_edit_nominal(actor, nominal)


def can_see_viewers(actor: Actor, nominal: Nominal) -> bool:
    """Managers of the owner hub (and national managers) may see who consulted a record."""
    return (
        Role.HUB_MANAGER in _roles(actor)
        and can_view_nominal(actor, nominal)
        and (actor.is_national or actor.hub_id == nominal.owner_hub_id)
    )


def can_view_cohort_aggregates(actor: Actor) -> bool:
    """Counts by hub and state, never a person: the Delivery Board and national staff."""
    roles = _roles(actor)
    return (
        Role.BOARD_MEMBER in roles
        or Role.NATIONAL_ANALYST in roles
        or (actor.is_national and Role.HUB_MANAGER in roles)
    )
