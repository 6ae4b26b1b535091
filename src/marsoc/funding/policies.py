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

from .models import Claim, DecisionRecord, Grant
from .vocabulary import ClaimState, DecisionState


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


# --- decision records ------------------------------------------------------------------------------------
def _drafts(f: Facts) -> bool:
    """Originating officers: hub managers, finance officers and the national team's managers."""
    return f.manager or f.finance_officer


@access.resource("decision", classification_field="", case_only=False)
def decision_reach(f: Facts) -> Q:
    """Everyone who works on funding, and decision makers, reads decision records (Part 1)."""
    return Q() if can_view_funding(f) or f.decision_maker else access.NOTHING


@access.rule("decision.view")
def can_view_decisions(f: Facts) -> bool:
    return can_view_funding(f) or f.decision_maker


@access.rule("decision.draft")
def can_draft_decision(f: Facts) -> bool:
    return _drafts(f)


@access.rule("decision.part2")
def can_read_part2(f: Facts) -> bool:
    """Part 2 is exempt from publication: those who draft and decide, and the national team; not the Board."""
    return _drafts(f) or f.decision_maker or f.national_reach


@access.rule("decision.declare")
def can_declare(f: Facts, decision: DecisionRecord) -> access.Decision:
    if not _drafts(f):
        return access.Decision(False, "Only an originating officer can tick a declaration")
    if decision.state != DecisionState.DRAFT:
        return access.Decision(False, "The decision is approved: its declarations can no longer change")
    return access.Decision(True)


@access.rule("decision.approve")
def can_approve(f: Facts, decision: DecisionRecord) -> access.Decision:
    """A decision maker who did not draft it (four eyes)."""
    if not f.decision_maker:
        return access.Decision(False, "Only a decision maker can approve a decision")
    if decision.drafted_by_id == f.actor_id:
        return access.Decision(False, "The person who drafted a decision cannot approve it")
    if decision.state != DecisionState.DRAFT:
        return access.Decision(False, "The decision is already approved")
    return access.Decision(True)


@access.rule("decision.publish")
def can_publish(f: Facts, decision: DecisionRecord) -> access.Decision:
    if not (_drafts(f) or f.decision_maker):
        return access.Decision(False, "You cannot publish decisions")
    if decision.state != DecisionState.APPROVED:
        return access.Decision(False, "Only an approved decision can be published")
    if decision.published_at is not None:
        return access.Decision(False, "The decision is already published")
    return access.Decision(True)


@access.rule("governance.view")
def can_view_governance(f: Facts) -> bool:
    """The governance register: those who work on funding and decisions (the Board included)."""
    return can_view_funding(f) or f.decision_maker


@access.rule("governance.manage")
def can_manage_governance(f: Facts) -> bool:
    """DPIAs and equality impact assessments are kept by the managers (a hub's business manager, the
    national team); agreements' sign-off is recorded nationally (agreement.manage)."""
    return f.manager


@access.resource("dpia", classification_field="", case_only=False)
def dpia_reach(f: Facts) -> Q:
    return Q() if can_view_governance(f) else access.NOTHING
