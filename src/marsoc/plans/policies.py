"""Rules for plans, outcomes, meetings, the catalogue and reports, registered with the access façade.

A plan is seen by exactly those who may see its nominal ("nominal.view", so a partner needs its
participation under an agreement in force). An agency with an action on a plan is recorded as a
participating agency (nominals.Participation, kept by the plan services).

When the agreement lapses the partner loses the person and the plan; it keeps the actions its own agency
owns (resource "agency_action"), shown by reference only, so work in flight is not lost.
"""

from django.db.models import Q

from marsoc.core import access
from marsoc.core.access import NOTHING, Facts
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import can_edit_nominal, can_view_nominal


def _follows_the_person(f: Facts, path: str) -> Q:
    return Q(**{f"{path}__in": Nominal.objects.filter(access.scope_of(f, "nominal"))})


@access.resource("plan_action", classification_field="")
def plan_action_reach(f: Facts) -> Q:
    """A plan's actions follow the person (the person's clearance rule included)."""
    return _follows_the_person(f, "plan__nominal")


@access.resource("order", classification_field="")
def order_reach(f: Facts) -> Q:
    """Civil and ancillary orders follow the person."""
    return _follows_the_person(f, "nominal")


@access.rule("plan.view")
def can_view_plan(f: Facts, nominal: Nominal) -> bool:
    return can_view_nominal(f, nominal)


@access.rule("plan.edit")
def can_edit_plan(f: Facts, nominal: Nominal) -> bool:
    """Objectives and actions are written by the owner hub (or the national team)."""
    return can_edit_nominal(f, nominal)


@access.rule("plan.agree")
def can_agree_plan(f: Facts, nominal: Nominal, participating_agency_ids: list[int]) -> bool:
    return (
        f.agency_voice
        and f.agency_id is not None
        and f.agency_id in participating_agency_ids
        and can_view_nominal(f, nominal)
    )


@access.rule("plan.act_for_agency")
def can_act_for_agency(f: Facts, nominal: Nominal, agency_id: int) -> bool:
    """Claim an outcome or update progress on an action of `agency_id`."""
    return f.agency_voice and f.of_agency(agency_id) and can_view_nominal(f, nominal)


@access.rule("plan.manage_orders")
def can_manage_orders(f: Facts, nominal: Nominal) -> bool:
    return can_edit_nominal(f, nominal)


@access.resource("agency_action", classification_field="")
def agency_action_reach(f: Facts) -> Q:
    """Actions owned by the actor's own agency, whatever became of the person's agreement: the agency
    keeps its work in flight (shown by reference, without the person's personal data)."""
    if not f.agency_voice or f.agency_id is None:
        return NOTHING
    return Q(agency_id=f.agency_id)


@access.rule("agency_actions.view")
def sees_agency_actions(f: Facts) -> bool:
    """Those who speak for an agency see the list of its actions."""
    return f.agency_voice and f.agency_id is not None


@access.rule("agency_action.update")
def can_update_agency_action(f: Facts, agency_id: int) -> bool:
    """Progress on an action of the actor's own agency, seen through the agency's own list."""
    return f.agency_voice and f.of_agency(agency_id)


@access.rule("meeting.list")
def sees_meetings(f: Facts) -> bool:
    """Tasking meetings are the hubs' business: hub staff and the national team."""
    return f.hub_staff or f.national_analyst


@access.resource("meeting", classification_field="")
def meeting_reach(f: Facts) -> Q:
    """Meetings of the actor's hub; every hub's for national staff."""
    if not sees_meetings(f):
        return NOTHING
    if f.national_reach:
        return Q()
    return Q(hub_id=f.hub_id) if f.hub_id is not None else NOTHING


@access.rule("meeting.view")
def can_view_meeting(f: Facts, hub_id: int) -> bool:
    if not sees_meetings(f):
        return False
    return f.national_reach or f.hub_id == hub_id


@access.rule("meeting.run")
def can_run_meeting(f: Facts, hub_id: int) -> bool:
    """Schedule, record attendance, decisions and minutes, and validate outcomes."""
    return f.writes_for(hub_id)


@access.rule("outcome.validate")
def can_validate_outcome(f: Facts, nominal: Nominal) -> bool:
    return can_run_meeting(f, nominal.owner_hub_id) and can_view_nominal(f, nominal)


@access.resource("meeting_nominal")
def meeting_nominal_reach(f: Facts, *, hub_id: int) -> Q:
    """The nominals a meeting pack may show this actor: the hub's, within the actor's own reach."""
    return access.scope_of(f, "nominal") & Q(owner_hub_id=hub_id)


@access.rule("catalogue.view")
def sees_catalogue(f: Facts) -> bool:
    return f.hub_staff or f.partner or f.national_analyst


@access.rule("catalogue.manage")
def can_manage_catalogue(f: Facts) -> bool:
    """A national administrator: a national hub manager (system administrators use the admin site)."""
    return f.national_manager


@access.rule("plan_reports.view")
def sees_reports(f: Facts) -> bool:
    """Aggregates over the actor's own nominal scope; partners see plans one at a time only."""
    return f.hub_staff or f.national_analyst


@access.rule("alerts.view")
def sees_inbox(f: Facts) -> bool:
    """Case users, and those alerted about decision records (finance officers, decision makers)."""
    return f.hub_staff or f.partner or f.national_analyst or f.finance_officer or f.decision_maker
