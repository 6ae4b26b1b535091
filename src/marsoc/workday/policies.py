"""Who has which work queue, and who may read a person's chronology. The queues' contents are scoped by
the resources of the apps they come from (nominal, plan_action, case_note, ...); these rules only decide
whether a queue belongs on the actor's home page at all, in the words of the façade's capacities."""

from marsoc.core import access
from marsoc.core.access import Facts
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import can_view_nominal


@access.rule("work.manager")
def has_manager_queues(f: Facts) -> bool:
    """Hub managers (and national managers): decisions waiting on them."""
    return f.manager


@access.rule("work.officer")
def has_officer_queues(f: Facts) -> bool:
    return f.officer


@access.rule("work.partner")
def has_partner_queues(f: Facts) -> bool:
    return f.partner and f.agency_id is not None


@access.rule("work.national")
def has_national_queues(f: Facts) -> bool:
    """National analysts and the national team's managers: the hubs' roll-up, dry runs and calibration."""
    return f.national_analyst or f.national_manager


@access.rule("work.inspector")
def has_inspector_queues(f: Facts) -> bool:
    return f.inspector


@access.rule("chronology.view")
def can_view_chronology(f: Facts, nominal: Nominal) -> bool:
    """Whoever may open the person; each entry is then scoped by its own resource."""
    return can_view_nominal(f, nominal)
