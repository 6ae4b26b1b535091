"""Who sees the Board's reports, registered with the access façade.

Reports are aggregates, never a person. Board members, national analysts and the national team see every
hub and the national figures; a hub manager sees their own hub beside the national figures (never another
hub's row). Partners, hub officers and analysts, inspectors and administrators have no report pages (the
access model gives partners only what an agreement covers, and no agreement covers aggregates).
Clearance still limits what is counted: the snapshot's figures carry the classification of the records
they count, so a SECRET record never shows up as one more."""

from django.db.models import Q

from marsoc.core import access
from marsoc.core.access import Facts


def _every_hub(f: Facts) -> bool:
    return f.board or f.national_analyst or f.national_manager


@access.resource("report_figure", classification_field="classification", case_only=False)
def report_figure_reach(f: Facts) -> Q:
    """Every hub's figures for whoever may read reports: the national figure needs them all, and what a
    viewer is shown of them is decided by "reporting.see_hub" and suppression."""
    return Q() if can_view_reports(f) else access.NOTHING


@access.rule("reporting.view")
def can_view_reports(f: Facts) -> bool:
    """Board members, national analysts, the national team's managers, and hub managers."""
    return _every_hub(f) or (f.manager and f.hub_id is not None)


@access.rule("reporting.every_hub")
def can_see_every_hub(f: Facts) -> bool:
    return _every_hub(f)


@access.rule("reporting.see_hub")
def can_see_hub_figures(f: Facts, hub_id: int) -> bool:
    """A hub's row: every hub for the Board and national staff, their own for a hub manager."""
    return _every_hub(f) or (f.manager and f.hub_id == hub_id)


@access.rule("reporting.exact_hub")
def can_see_hub_people(f: Facts, hub_id: int) -> bool:
    """A hub whose people the viewer may see (a hub manager's own): its counts need no suppression for
    them. The national team reaches people too, but its figures are the Board's, so they are suppressed
    alike (one table, whoever prints it)."""
    return f.manager and not f.national_team and f.hub_id == hub_id


@access.rule("reporting.comment")
def can_write_commentary(f: Facts) -> bool:
    """The national team writes the quarterly pack's commentary before it is issued."""
    return f.national_analyst or f.national_manager


@access.rule("reporting.named_groups")
def can_see_named_groups(f: Facts) -> bool:
    """Outcomes per named organised crime group: the national team only (national analysts and managers).
    Board members and hub managers get the same outcomes by threat band, crime type and hub, suppressed,
    never a group's name (docs/reporting.md)."""
    return f.national_analyst or f.national_manager
