"""Rules for grants and claims, registered with the access façade.

Who: a hub's business manager (its hub manager) prepares the hub's claims and keeps its posts; a finance
officer of the hub (or of the national team, for every hub) prepares, checks, invoices and reconciles
them; the national team and national analysts read every grant; Delivery Board members read grant and
claim summaries (post holders' names are staff data, and nothing about any nominal is on these pages).
A claim is checked by a second person: never the one who prepared it. Nobody else reaches funding.
"""

from django.db.models import Q

from marsoc.core import access
from marsoc.core.access import Facts

from .models import Claim, Grant
from .vocabulary import ClaimState


def _hub_reach(f: Facts, field: str) -> Q:
    if f.board or f.national_reach or ((f.finance_officer or f.manager) and f.national_team):
        return Q()
    if (f.finance_officer or f.manager) and f.hub_id is not None:
        return Q(**{field: f.hub_id})
    return access.NOTHING


@access.resource("grant", classification_field="", case_only=False)
def grant_reach(f: Facts) -> Q:
    """Every grant for the national team, national analysts and the Board; a hub's own grants for its
    manager and finance officer."""
    return _hub_reach(f, "hub_id")


@access.resource("claim", classification_field="", case_only=False)
def claim_reach(f: Facts) -> Q:
    """A claim follows its grant."""
    return _hub_reach(f, "grant__hub_id")


@access.rule("funding.view")
def can_view_funding(f: Facts) -> bool:
    """Hub managers, finance officers, the national team, national analysts and Board members."""
    return f.board or f.national_reach or f.finance_officer or f.manager


def _keeps(f: Facts, grant: Grant) -> bool:
    """The grant's hub manager, a national manager, or a finance officer reaching the hub."""
    return f.manages(grant.hub_id) or (f.finance_officer and f.reaches_hub(grant.hub_id))


@access.rule("grant.create")
def can_create_grant(f: Facts) -> bool:
    """The national team's managers and finance officers record grants."""
    return f.national_team and (f.manager or f.finance_officer)


@access.rule("grant.manage_posts")
def can_manage_posts(f: Facts, grant: Grant) -> bool:
    return _keeps(f, grant)


@access.rule("claim.prepare")
def can_prepare_claim(f: Facts, grant: Grant) -> bool:
    return _keeps(f, grant)


@access.rule("claim.edit")
def can_edit_claim(f: Facts, claim: Claim) -> access.Decision:
    """Actuals and explanations change only while the claim is a draft."""
    if not _keeps(f, claim.grant):
        return access.Decision(False, "You cannot change this claim")
    if claim.state != ClaimState.DRAFT:
        return access.Decision(False, "Only a draft claim can be changed: return it to draft first")
    return access.Decision(True)


@access.rule("claim.check")
def can_check_claim(f: Facts, claim: Claim) -> access.Decision:
    """A second person: a manager or finance officer of the hub who did not prepare it."""
    if not _keeps(f, claim.grant):
        return access.Decision(False, "You cannot check this claim")
    if claim.prepared_by_id == f.actor_id:
        return access.Decision(
            False, "A claim must be checked by someone other than the person who prepared it"
        )
    return access.Decision(True)


@access.rule("claim.finance")
def can_invoice_claim(f: Facts, claim: Claim) -> access.Decision:
    """Submitting, recording payment and reconciling are for finance officers reaching the hub."""
    if f.finance_officer and f.reaches_hub(claim.grant.hub_id):
        return access.Decision(True)
    return access.Decision(
        False, "Only a finance officer can submit a claim, record its payment or reconcile it"
    )
