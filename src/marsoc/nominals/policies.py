"""Rules for nominals, registered with the access façade (marsoc.core.access). Deny by default.

Callers never import this module: they ask `access.scope(actor, "nominal")` or
`access.may(actor, "nominal.edit", nominal)`. The partner rule (docs/access-model.md): a partner officer
reaches a person only while their agency takes part (an active participation) AND an information-sharing
agreement in force covers that participation: the agency and the owning side are parties, it covers the
participation's purpose, the identity category of data and the person's classification.
"""

from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet

from marsoc.core import access
from marsoc.core.access import NOTHING, Facts
from marsoc.sharing.agreements import agreement_allows
from marsoc.sharing.vocabulary import DataCategory

from .models import Nominal, Participation
from .vocabulary import MembershipState


def partner_participations(agency_id: int, *, today: date | None = None) -> QuerySet[Participation]:
    """The agency's active participations on the nominal of the enclosing query (OuterRef "pk") that an
    agreement in force allows today."""
    return Participation.objects.filter(
        nominal_id=OuterRef("pk"), agency_id=agency_id, ended_at__isnull=True
    ).filter(
        agreement_allows(
            partner_agency_id=agency_id,
            purpose=OuterRef("purpose"),
            category=DataCategory.IDENTITY,
            classification=OuterRef(OuterRef("classification")),
            owner_hub=OuterRef(OuterRef("owner_hub_id")),
            today=today,
        )
    )


@access.resource("nominal")
def nominal_reach(f: Facts, *, today: date | None = None) -> Q:
    """Hub staff: their hub's people (every hub's for the national team and national analysts).
    Partner officers: people their agency takes part in under an agreement in force."""
    if f.sees_every_hub:
        return Q()
    reach = NOTHING
    if f.hub_staff and f.hub_id is not None:
        reach |= Q(owner_hub_id=f.hub_id)
    if f.partner and f.agency_id is not None:
        reach |= Q(Exists(partner_participations(f.agency_id, today=today)))
    return reach


@access.rule("cohort.view")
def sees_case_data(f: Facts) -> bool:
    """Case roles see a cohort list (of what their scope allows)."""
    return f.case_user


@access.rule("nominal.hub_work")
def does_hub_work(f: Facts, nominal: Nominal) -> bool:
    """The hub-working parts of a profile (tier, assessments): staff of the owner hub or of the national
    team, and national analysts."""
    return (f.hub_staff and f.reaches_hub(nominal.owner_hub_id)) or f.national_analyst


@access.rule("nominal.view")
def can_view_nominal(f: Facts, nominal: Nominal) -> bool:
    if not f.case_user or not f.cleared_for(nominal.classification):
        return False
    if f.sees_every_hub or f.staff_of(nominal.owner_hub_id):
        return True
    if not f.partner or f.agency_id is None or nominal.pk is None:
        return False
    return Nominal.objects.filter(pk=nominal.pk).filter(Exists(partner_participations(f.agency_id))).exists()


@access.rule("nominal.edit")
def can_edit_nominal(f: Facts, nominal: Nominal) -> bool:
    return f.writes_for(nominal.owner_hub_id) and can_view_nominal(f, nominal)


@access.rule("nominal.refer_to_hub")
def can_refer_to_hub(f: Facts, hub_id: int) -> bool:
    return f.writes_for(hub_id)


@access.rule("nominal.refer")
def can_refer_any(f: Facts) -> bool:
    return f.case_writer and f.hub_id is not None


# Adoption and exit are decisions for a hub manager (DPA 2018 s.49–50: a named person decides).
_MANAGER_ONLY_TARGETS = {MembershipState.ADOPTED, MembershipState.EXITED}


@access.rule("nominal.change_membership")
def can_change_membership(f: Facts, nominal: Nominal, to_state: str) -> bool:
    if not can_edit_nominal(f, nominal):
        return False
    if to_state in _MANAGER_ONLY_TARGETS:
        return f.manager
    return True


@access.rule("nominal.manage_participation")
def can_manage_participation(f: Facts, nominal: Nominal) -> bool:
    return can_edit_nominal(f, nominal)


@access.rule("nominal.see_viewers")
def can_see_viewers(f: Facts, nominal: Nominal) -> bool:
    """Managers of the owner hub (and national managers) may see who consulted a record."""
    return f.manages(nominal.owner_hub_id) and can_view_nominal(f, nominal)


@access.resource("nominal_aggregate", case_only=False)
def nominal_aggregate_reach(f: Facts) -> Q:
    """Every hub's nominals, for counts that never show a person (the Board's figures, equality
    monitoring): only clearance limits them, so a SECRET record never shows up as one more. Who may
    see the counts at all is "cohort.aggregates" or "equality.view"."""
    return Q()


@access.rule("cohort.aggregates")
def can_view_cohort_aggregates(f: Facts) -> bool:
    """Counts by hub and state, never a person: the Delivery Board and national staff."""
    return f.board or f.national_analyst or f.national_manager
