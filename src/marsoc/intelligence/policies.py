"""The access policy for intelligence, built on the nominals policy. Deny by default.

The rules (docs/intelligence.md states them for readers):

1. Only the case roles ever see intelligence, and only at or below their clearance.
2. The *owner side* sees an item without any agreement: staff of the owner hub (manager, officer,
   analyst) and every case-role user of the originating agency.
3. Anyone else sees an item only through a disclosure to their agency, and only while the agreement
   named on that disclosure is in force today (status "in force", started, not past its end date),
   has both their agency and the originating agency as parties, covers the item's classification,
   its processing purpose and its data category. Nothing is cached: ending or suspending an agreement
   stops access on the next request.
4. Restricted (s.47), erased (tombstone) and unapproved sanitised items are never reached through an
   agreement, and never appear in lists, searches, counts or exports; the owner side alone can open a
   restricted record or a tombstone.

`item_scope` is the one queryset filter that every list, search, count and export uses, so nothing can
leak through a count or a page length; `can_view_item` asks the same filter about one record.

Nominal summaries follow the same rules in `summary_scope` (see its docstring): the hub that disclosed
a summary keeps it; the recipient agency sees it only while its agreement is in force and still covers
it; clearance always applies.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import CharField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import (
    CASE_ROLES,
    CASE_WRITE_ROLES,
    Classification,
    Role,
    classification_rank,
    classifications_up_to,
)
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import HUB_STAFF_ROLES, NOTHING, can_view_nominal

from .models import (
    AgreementCategory,
    AgreementPurpose,
    Disclosure,
    IntelItem,
    SharingAgreement,
    SummaryCategory,
    SummaryDisclosure,
)
from .vocabulary import (
    AgreementStatus,
    DataCategory,
    HandlingCode,
    OnwardSharing,
    SanitisationStatus,
)

USABLE_SANITISATION = [SanitisationStatus.ORIGINAL.value, SanitisationStatus.APPROVED.value]


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def agreement_in_force_q(today: date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": AgreementStatus.IN_FORCE, f"{prefix}starts_on__lte": today}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today})
    )


def _classification_covered_q(prefix: str, item_prefix: str) -> Q:
    """The agreement's maximum classification is at or above the item's."""
    q = NOTHING
    for maximum in Classification.values:
        q |= Q(
            **{
                f"{prefix}max_classification": maximum,
                f"{item_prefix}classification__in": classifications_up_to(maximum),
            }
        )
    return q


def _owner_side_q(actor: Actor) -> Q:
    q = NOTHING
    if actor.role_codes & HUB_STAFF_ROLES and actor.hub_id is not None:
        q |= Q(owner_hub_id=actor.hub_id)
    if actor.agency_id is not None:
        q |= Q(originating_agency_id=actor.agency_id)
    return q


def disclosures_in_force(agency_id: int, today: date) -> "Q":
    """Disclosures to `agency_id` whose agreement still allows the item today (used as a subquery)."""
    return Q(recipient_agency_id=agency_id) & agreement_in_force_q(today, "agreement__")


def _shared_exists(agency_id: int, today: date) -> Q:
    """The item was disclosed to `agency_id` under an agreement that allows it today: in force, both the
    recipient and the originating agency parties, covering its classification, purpose and category.

    Each "the agreement covers ..." is its own EXISTS on the agreement's rows rather than a join: a
    join of the seven tables took PostgreSQL 40-60 ms to plan, on every intelligence query."""
    agreement = OuterRef("agreement_id")
    parties = SharingAgreement.parties.through.objects
    covered = NOTHING
    for maximum in Classification.values:
        covered |= Q(
            agreement__max_classification=maximum, item_classification__in=classifications_up_to(maximum)
        )
    shared = (
        Disclosure.objects.filter(item_id=OuterRef("pk"))
        .filter(disclosures_in_force(agency_id, today))
        .alias(item_classification=ExpressionWrapper(OuterRef("classification"), output_field=CharField()))
        .filter(covered)
        .filter(Exists(parties.filter(sharingagreement_id=agreement, agency_id=agency_id)))
        .filter(
            Exists(
                parties.filter(
                    sharingagreement_id=agreement, agency_id=OuterRef(OuterRef("originating_agency_id"))
                )
            )
        )
        .filter(
            Exists(
                AgreementPurpose.objects.filter(agreement_id=agreement, code=OuterRef(OuterRef("purpose")))
            )
        )
        .filter(
            Exists(
                AgreementCategory.objects.filter(
                    agreement_id=agreement, code=OuterRef(OuterRef("data_category"))
                )
            )
        )
    )
    # The cheap question first: was the item disclosed to this agency at all? Most items never were,
    # and PostgreSQL runs the cheaper of two ANDed conditions first, so the agreement check runs only
    # for items that were.
    disclosed = Disclosure.objects.filter(item_id=OuterRef("pk"), recipient_agency_id=agency_id)
    return Exists(disclosed) & Exists(shared)


def item_scope(actor: Actor, *, today: date | None = None, include_restricted: bool = False) -> Q:
    """The intelligence items `actor` may see, as a filter for IntelItem querysets.

    Lists, searches, counts and exports use the default; only the page for one record passes
    `include_restricted=True`, which lets the owner side open a restricted record or a tombstone."""
    if not actor.role_codes & CASE_ROLES:
        return NOTHING
    today = _today(today)
    clearance = Q(classification__in=classifications_up_to(actor.clearance))
    owner = _owner_side_q(actor)
    usable = Q(restricted=False, erased_at__isnull=True)
    if not include_restricted:
        owner &= usable
    reach = owner
    if actor.agency_id is not None:
        reach |= (
            _shared_exists(actor.agency_id, today) & usable & Q(sanitisation_status__in=USABLE_SANITISATION)
        )
    return reach & clearance


def sees_intelligence(actor: Actor) -> bool:
    return bool(actor.role_codes & CASE_ROLES)


def can_view_item(actor: Actor, item: IntelItem, *, today: date | None = None) -> bool:
    """One record, decided by the same filter the lists use (so the two can never disagree)."""
    if item.pk is None:
        return False
    return (
        IntelItem.objects.filter(pk=item.pk)
        .filter(item_scope(actor, today=today, include_restricted=True))
        .exists()
    )


def is_owner_side(actor: Actor, item: IntelItem) -> bool:
    if not actor.role_codes & CASE_ROLES:
        return False
    return (bool(actor.role_codes & HUB_STAFF_ROLES) and actor.hub_id == item.owner_hub_id) or (
        actor.agency_id is not None and actor.agency_id == item.originating_agency_id
    )


def is_originator(actor: Actor, item: IntelItem) -> bool:
    """The originating officer, or a manager of the originating agency, speaks for the originator."""
    if not actor.role_codes & CASE_ROLES:
        return False
    if item.originating_officer_id is not None and actor.pk == item.originating_officer_id:
        return True
    return Role.HUB_MANAGER in actor.role_codes and actor.agency_id == item.originating_agency_id


def can_record_item(actor: Actor) -> bool:
    roles = actor.role_codes
    return (
        bool(roles & (CASE_WRITE_ROLES | {Role.PARTNER_OFFICER}))
        and actor.agency_id is not None
        and (actor.hub_id is not None)
    )


def can_record_for_hub(actor: Actor, hub_id: int) -> bool:
    if not can_record_item(actor):
        return False
    return actor.hub_id == hub_id or (actor.is_national and bool(actor.role_codes & CASE_WRITE_ROLES))


def can_rectify_item(actor: Actor, item: IntelItem) -> bool:
    """Correcting an item is for those who answer for its content: the owner hub's managers and officers,
    and the users of the originating agency who may record intelligence. Recipients never; nor a tombstone.
    (Seeing the item, including its classification against clearance, is checked separately.)"""
    if item.erased_at is not None or not actor.role_codes & CASE_ROLES:
        return False
    roles = actor.role_codes
    owner_staff = bool(roles & CASE_WRITE_ROLES) and actor.hub_id == item.owner_hub_id
    originator = actor.agency_id == item.originating_agency_id and can_record_item(actor)
    return owner_staff or originator


# --- nominal summaries ---------------------------------------------------------------------------------


def _summary_agreement_fits() -> Exists:
    """The summary's agreement, today, names both the recipient and the sharing agency as parties and
    covers the summary's purpose (the agreement and the dates are checked by the caller)."""
    return Exists(
        SharingAgreement.objects.filter(pk=OuterRef("agreement_id"))
        # Each party condition in its own filter(): two party rows, not one row equal to both.
        .filter(parties=OuterRef("recipient_agency_id"))
        .filter(parties=OuterRef("sharing_agency_id"))
        .filter(purposes__code=OuterRef("purpose"))
    )


def _summary_categories_covered() -> Q:
    """No category of data in the summary falls outside the agreement's categories."""
    uncovered = SummaryCategory.objects.filter(summary_id=OuterRef("pk")).exclude(
        code__in=AgreementCategory.objects.filter(agreement_id=OuterRef(OuterRef("agreement_id"))).values(
            "code"
        )
    )
    return ~Q(Exists(uncovered))


def summary_scope(actor: Actor, *, today: date | None = None) -> Q:
    """The nominal summaries `actor` may see, as a filter for SummaryDisclosure querysets; every list,
    page and API read of summaries uses it (`can_view_summary` for one record).

    1. Only the case roles, and only at or below their clearance (a summary is classified at the highest
       of what it contains).
    2. The staff (manager, officer, analyst) of the hub that disclosed it keep it as their record of the
       disclosure, whatever became of the agreement.
    3. The recipient agency's case users see it only while its agreement is, today, in force (status,
       started, not past its end date), has the recipient and the sharing agency as parties, covers the
       summary's purpose, its classification and every category of data it contains. Nothing is cached:
       suspending or ending the agreement hides the summary on the next request.
    Nobody else sees a summary: no agreement, no access. (The items disclosed with a summary are opened
    through `item_scope`, as any item.)"""
    if not actor.role_codes & CASE_ROLES:
        return NOTHING
    today = _today(today)
    clearance = Q(classification__in=classifications_up_to(actor.clearance))
    reach = NOTHING
    if actor.role_codes & HUB_STAFF_ROLES and actor.hub_id is not None:
        reach |= Q(owner_hub_id=actor.hub_id)
    if actor.agency_id is not None:
        reach |= (
            Q(recipient_agency_id=actor.agency_id)
            & agreement_in_force_q(today, "agreement__")
            & Q(_summary_agreement_fits())
            & _summary_categories_covered()
            & _classification_covered_q("agreement__", "")
        )
    return reach & clearance


def can_view_summary(actor: Actor, summary: SummaryDisclosure, *, today: date | None = None) -> bool:
    """One summary, decided by the same filter the lists use."""
    if summary.pk is None:
        return False
    return SummaryDisclosure.objects.filter(pk=summary.pk).filter(summary_scope(actor, today=today)).exists()


def is_summary_owner_side(actor: Actor, summary: SummaryDisclosure) -> bool:
    """Staff of the disclosing hub: they see the record of what was left out, withheld or sent for
    consent; the recipient never does."""
    return (
        bool(actor.role_codes & HUB_STAFF_ROLES)
        and actor.hub_id is not None
        and actor.hub_id == summary.owner_hub_id
    )


def can_share_summary(actor: Actor, nominal: Nominal) -> bool:
    """A summary is disclosed by the hub that owns the person: its managers and officers, as users of an
    agency (the agency must be a party to the agreement). The national team is no exception."""
    return (
        bool(actor.role_codes & CASE_WRITE_ROLES)
        and actor.agency_id is not None
        and actor.hub_id is not None
        and actor.hub_id == nominal.owner_hub_id
        and can_view_nominal(actor, nominal)
    )


# The parts of a summary besides its items, and the category of data each needs.
SUMMARY_PART_CATEGORIES = {"identity": DataCategory.IDENTITY, "status": DataCategory.CUSTODY}


def summary_part_refusals(agreement: SharingAgreement, nominal: Nominal) -> dict[str, str]:
    """Why the agreement does not let each part of the person's record go (a part not named may go).
    The agreement itself (status, parties, purpose) is checked separately."""
    reasons: dict[str, str] = {}
    categories = set(agreement.category_codes)
    too_high = classification_rank(nominal.classification) > classification_rank(agreement.max_classification)
    for part, category in SUMMARY_PART_CATEGORIES.items():
        if category not in categories:
            reasons[part] = f"The agreement does not cover the data category '{category.label}'"
        elif too_high:
            reasons[part] = (
                f"The agreement covers material up to {agreement.max_classification}, "
                f"the person's record is {nominal.classification}"
            )
    return reasons


# --- agreements -------------------------------------------------------------------------------------


def agreement_not_in_force(agreement: SharingAgreement, *, today: date | None = None) -> str:
    """Why the agreement is not in force today ("" when it is)."""
    today = _today(today)
    if agreement.status != AgreementStatus.IN_FORCE:
        return f"The agreement is {agreement.get_status_display().lower()}, not in force"
    if agreement.starts_on > today:
        return f"The agreement does not start until {agreement.starts_on:%d %B %Y}"
    if agreement.ends_on is not None and agreement.ends_on < today:
        return f"The agreement ended on {agreement.ends_on:%d %B %Y}"
    return ""


def agreement_refusals(
    agreement: SharingAgreement, item: IntelItem, recipient_agency_id: int, *, today: date | None = None
) -> list[str]:
    """Why `agreement` does not allow sharing `item` with the recipient today (empty: it does)."""
    today = _today(today)
    reasons = []
    not_in_force = agreement_not_in_force(agreement, today=today)
    if not_in_force:
        reasons.append(not_in_force)
    party_ids = {a.pk for a in agreement.parties.all()}
    if recipient_agency_id not in party_ids:
        reasons.append("The recipient agency is not a party to the agreement")
    if item.originating_agency_id not in party_ids:
        reasons.append("The originating agency is not a party to the agreement")
    if classification_rank(item.classification) > classification_rank(agreement.max_classification):
        reasons.append(
            f"The agreement covers material up to {agreement.max_classification}, this item is {item.classification}"
        )
    if item.purpose not in agreement.purpose_codes:
        reasons.append(f"The agreement does not cover the purpose '{item.get_purpose_display()}'")
    if item.data_category not in agreement.category_codes:
        reasons.append(f"The agreement does not cover the data category '{item.get_data_category_display()}'")
    return reasons


def can_manage_agreements(actor: Actor) -> bool:
    """Agreements are signed nationally: a national-team hub manager records and changes them."""
    return Role.HUB_MANAGER in actor.role_codes and actor.is_national


def can_view_agreements(actor: Actor) -> bool:
    return sees_intelligence(actor)


def agreement_scope(actor: Actor) -> Q:
    """Agreements an actor may read: all for the national team, otherwise those their agency signed."""
    if not can_view_agreements(actor):
        return NOTHING
    if actor.is_national or Role.NATIONAL_ANALYST in actor.role_codes:
        return Q()
    if actor.agency_id is None:
        return NOTHING
    return Q(parties=actor.agency_id)


# --- dissemination and sanitisation --------------------------------------------------------------------


@dataclass(frozen=True)
class ShareDecision:
    """How a share may go ahead: at once, only with the originator's consent, or not at all."""

    allowed: bool
    needs_consent: bool = False
    reason: str = ""


def share_decision(actor: Actor, item: IntelItem, *, onward_rule: str | None = None) -> ShareDecision:
    """May `actor` disseminate `item` at all (the agreement for a given recipient is checked separately)?

    `onward_rule` is the onward-sharing rule of the agreement under which a recipient holds the item."""
    if item.restricted:
        return ShareDecision(False, reason="The record is restricted (DPA 2018 s.47) and cannot be shared")
    if item.erased_at is not None:
        return ShareDecision(False, reason="The record has been erased")
    if item.sanitisation_status not in USABLE_SANITISATION:
        return ShareDecision(False, reason="The sanitised version has not been approved by the originator")
    originator_agency = actor.agency_id == item.originating_agency_id
    owner_staff = bool(actor.role_codes & CASE_WRITE_ROLES) and actor.hub_id == item.owner_hub_id
    if originator_agency:
        return ShareDecision(True)
    if owner_staff:
        # Conditions attached by the originator (code C) are theirs to apply: route a consent request.
        return ShareDecision(True, needs_consent=item.handling_code == HandlingCode.C)
    if onward_rule == OnwardSharing.PARTIES:
        return ShareDecision(True, needs_consent=item.handling_code == HandlingCode.C)
    if onward_rule == OnwardSharing.ORIGINATOR_CONSENT:
        return ShareDecision(True, needs_consent=True)
    return ShareDecision(
        False, reason="The agreement under which you hold this item does not allow onward sharing"
    )


@dataclass(frozen=True)
class SanitiseDecision:
    allowed: bool
    needs_approval: bool = False
    reason: str = ""


def sanitise_decision(actor: Actor, item: IntelItem) -> SanitiseDecision:
    """S1 lets a user of the originating agency sanitise unsupervised; S2 (and C without an S condition)
    needs the originator's approval. P is lawful sharing, treated as S1."""
    if item.is_sanitised_version:
        return SanitiseDecision(False, reason="This is already a sanitised version")
    if item.restricted or item.erased_at is not None:
        return SanitiseDecision(False, reason="The record is restricted or erased")
    conditions = set(item.conditions or [])
    unsupervised = item.handling_code == HandlingCode.P or "S1" in conditions
    originator_agency = actor.agency_id == item.originating_agency_id and bool(actor.role_codes & CASE_ROLES)
    if unsupervised:
        if originator_agency:
            return SanitiseDecision(True)
        return SanitiseDecision(False, reason="Only a user of the originating agency may sanitise this item")
    owner_staff = bool(actor.role_codes & CASE_WRITE_ROLES) and actor.hub_id == item.owner_hub_id
    if originator_agency or owner_staff:
        return SanitiseDecision(True, needs_approval=not is_originator(actor, item))
    return SanitiseDecision(
        False, reason="Only the originating agency or the owner hub may sanitise this item"
    )


# --- retention and data-subject rights ---------------------------------------------------------------


def can_review_retention(actor: Actor, hub_id: int | None = None) -> bool:
    """MoPI reviews are decided by a manager of the owner hub."""
    if Role.HUB_MANAGER not in actor.role_codes or actor.hub_id is None:
        return False
    return hub_id is None or actor.hub_id == hub_id


def can_restrict_item(actor: Actor, item: IntelItem) -> bool:
    return can_review_retention(actor, item.owner_hub_id)


def can_export_subject_access(actor: Actor, owner_hub_id: int) -> bool:
    """A subject access request is answered by a manager of the hub that owns the person's record."""
    return can_review_retention(actor, owner_hub_id)
