"""Rules for intelligence, registered with the access façade, built on the nominal rules. Deny by default.

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

resource "intel_item" is the one queryset filter that every list, search, count and export uses, so nothing can
leak through a count or a page length; rule "intel_item.view" asks the same filter about one record.

Nominal summaries follow the same rules in resource "summary" (see its docstring): the hub that disclosed
a summary keeps it; the recipient agency sees it only while its agreement is in force and still covers
it; clearance always applies.
"""

from datetime import date

from django.db.models import CharField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone

from marsoc.core import access
from marsoc.core.access import NOTHING, Decision, Facts
from marsoc.core.vocabulary import Classification, classifications_up_to
from marsoc.nominals.models import Nominal
from marsoc.nominals.policies import can_view_nominal
from marsoc.sharing.agreements import classification_covered_q, in_force_q

from .agreements import USABLE_SANITISATION
from .models import (
    AgreementCategory,
    AgreementPurpose,
    Disclosure,
    IntelItem,
    SharingAgreement,
    SummaryCategory,
    SummaryDisclosure,
)
from .vocabulary import HandlingCode, OnwardSharing


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _owner_side_q(f: Facts) -> Q:
    q = NOTHING
    if f.hub_staff and f.hub_id is not None:
        q |= Q(owner_hub_id=f.hub_id)
    if f.agency_id is not None:
        q |= Q(originating_agency_id=f.agency_id)
    return q


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
        Disclosure.objects.filter(item_id=OuterRef("pk"), recipient_agency_id=agency_id)
        .filter(in_force_q(today, "agreement__"))
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


@access.resource("intel_item")
def item_reach(f: Facts, *, today: date | None = None, include_restricted: bool = False) -> Q:
    """The intelligence items the actor may see.

    Lists, searches, counts and exports use the default; only the page for one record passes
    `include_restricted=True`, which lets the owner side open a restricted record or a tombstone."""
    owner = _owner_side_q(f)
    usable = Q(restricted=False, erased_at__isnull=True)
    if not include_restricted:
        owner &= usable
    reach = owner
    if f.agency_id is not None:
        reach |= (
            _shared_exists(f.agency_id, _today(today))
            & usable
            & Q(sanitisation_status__in=USABLE_SANITISATION)
        )
    return reach


@access.rule("intelligence.view")
def sees_intelligence(f: Facts) -> bool:
    return f.case_user


@access.rule("intel_item.view")
def can_view_item(f: Facts, item: IntelItem, *, today: date | None = None) -> bool:
    """One record, decided by the same filter the lists use (so the two can never disagree)."""
    if item.pk is None:
        return False
    scope = access.scope_of(f, "intel_item", today=today, include_restricted=True)
    return IntelItem.objects.filter(pk=item.pk).filter(scope).exists()


@access.rule("intel_item.owner_side")
def is_owner_side(f: Facts, item: IntelItem) -> bool:
    if not f.case_user:
        return False
    return f.staff_of(item.owner_hub_id) or f.of_agency(item.originating_agency_id)


@access.rule("intel_item.originator")
def is_originator(f: Facts, item: IntelItem) -> bool:
    """The originating officer, or a manager of the originating agency, speaks for the originator."""
    if not f.case_user:
        return False
    if item.originating_officer_id is not None and f.actor_id == item.originating_officer_id:
        return True
    return f.manager and f.agency_id == item.originating_agency_id


@access.rule("intel_item.record")
def can_record_item(f: Facts) -> bool:
    return f.agency_voice and f.agency_id is not None and f.hub_id is not None


@access.rule("intel_item.record_for_hub")
def can_record_for_hub(f: Facts, hub_id: int) -> bool:
    if not can_record_item(f):
        return False
    return f.hub_id == hub_id or (f.national_team and f.case_writer)


@access.rule("intel_item.rectify")
def can_rectify_item(f: Facts, item: IntelItem) -> bool:
    """Correcting an item is for those who answer for its content: the owner hub's managers and officers,
    and the users of the originating agency who may record intelligence. Recipients never; nor a tombstone.
    (Seeing the item, including its classification against clearance, is checked separately.)"""
    if item.erased_at is not None or not f.case_user:
        return False
    owner_staff = f.case_writer and f.hub_id == item.owner_hub_id
    originator = f.agency_id == item.originating_agency_id and can_record_item(f)
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


@access.resource("summary")
def summary_reach(f: Facts, *, today: date | None = None) -> Q:
    """The nominal summaries the actor may see (SummaryDisclosure rows).

    1. Only the case roles, and only at or below their clearance (a summary is classified at the highest
       of what it contains).
    2. The staff (manager, officer, analyst) of the hub that disclosed it keep it as their record of the
       disclosure, whatever became of the agreement.
    3. The recipient agency's case users see it only while its agreement is, today, in force (status,
       started, not past its end date), has the recipient and the sharing agency as parties, covers the
       summary's purpose, its classification and every category of data it contains. Nothing is cached:
       suspending or ending the agreement hides the summary on the next request.
    Nobody else sees a summary: no agreement, no access. (The items disclosed with a summary are opened
    through "intel_item", as any item.)"""
    reach = NOTHING
    if f.hub_staff and f.hub_id is not None:
        reach |= Q(owner_hub_id=f.hub_id)
    if f.agency_id is not None:
        reach |= (
            Q(recipient_agency_id=f.agency_id)
            & in_force_q(_today(today), "agreement__")
            & Q(_summary_agreement_fits())
            & _summary_categories_covered()
            & classification_covered_q("agreement__", "classification")
        )
    return reach


@access.rule("summary.view")
def can_view_summary(f: Facts, summary: SummaryDisclosure, *, today: date | None = None) -> bool:
    """One summary, decided by the same filter the lists use."""
    if summary.pk is None:
        return False
    scope = access.scope_of(f, "summary", today=today)
    return SummaryDisclosure.objects.filter(pk=summary.pk).filter(scope).exists()


@access.rule("summary.owner_side")
def is_summary_owner_side(f: Facts, summary: SummaryDisclosure) -> bool:
    """Staff of the disclosing hub: they see the record of what was left out, withheld or sent for
    consent; the recipient never does."""
    return f.staff_of(summary.owner_hub_id)


@access.rule("summary.share")
def can_share_summary(f: Facts, nominal: Nominal) -> bool:
    """A summary is disclosed by the hub that owns the person: its managers and officers, as users of an
    agency (the agency must be a party to the agreement). The national team is no exception."""
    return (
        f.case_writer
        and f.agency_id is not None
        and f.hub_id is not None
        and f.hub_id == nominal.owner_hub_id
        and can_view_nominal(f, nominal)
    )


# --- agreements -------------------------------------------------------------------------------------


@access.rule("agreement.manage")
def can_manage_agreements(f: Facts) -> bool:
    """Agreements are signed nationally: a national-team hub manager records and changes them."""
    return f.national_manager


@access.rule("agreement.list")
def can_view_agreements(f: Facts) -> bool:
    return sees_intelligence(f)


@access.resource("agreement", classification_field="")
def agreement_reach(f: Facts) -> Q:
    """Agreements an actor may read: all for the national team, otherwise those their agency signed."""
    if f.national_reach:
        return Q()
    if f.agency_id is None:
        return NOTHING
    return Q(parties=f.agency_id)


# --- dissemination and sanitisation --------------------------------------------------------------------


@access.rule("intel_item.share")
def share_decision(f: Facts, item: IntelItem, *, onward_rule: str | None = None) -> Decision:
    """May the actor disseminate `item` at all (the agreement for a given recipient is checked separately)?

    `onward_rule` is the onward-sharing rule of the agreement under which a recipient holds the item."""
    if item.restricted:
        return Decision(False, reason="The record is restricted (DPA 2018 s.47) and cannot be shared")
    if item.erased_at is not None:
        return Decision(False, reason="The record has been erased")
    if item.sanitisation_status not in USABLE_SANITISATION:
        return Decision(False, reason="The sanitised version has not been approved by the originator")
    consent_if_c = "consent" if item.handling_code == HandlingCode.C else ""
    if f.of_agency(item.originating_agency_id):
        return Decision(True)
    if f.case_writer and f.hub_id == item.owner_hub_id:
        # Conditions attached by the originator (code C) are theirs to apply: route a consent request.
        return Decision(True, condition=consent_if_c)
    if onward_rule == OnwardSharing.PARTIES:
        return Decision(True, condition=consent_if_c)
    if onward_rule == OnwardSharing.ORIGINATOR_CONSENT:
        return Decision(True, condition="consent")
    return Decision(
        False, reason="The agreement under which you hold this item does not allow onward sharing"
    )


@access.rule("intel_item.sanitise")
def sanitise_decision(f: Facts, item: IntelItem) -> Decision:
    """S1 lets a user of the originating agency sanitise unsupervised; S2 (and C without an S condition)
    needs the originator's approval. P is lawful sharing, treated as S1."""
    if item.is_sanitised_version:
        return Decision(False, reason="This is already a sanitised version")
    if item.restricted or item.erased_at is not None:
        return Decision(False, reason="The record is restricted or erased")
    conditions = set(item.conditions or [])
    unsupervised = item.handling_code == HandlingCode.P or "S1" in conditions
    originator_agency = f.of_agency(item.originating_agency_id) and f.case_user
    if unsupervised:
        if originator_agency:
            return Decision(True)
        return Decision(False, reason="Only a user of the originating agency may sanitise this item")
    owner_staff = f.case_writer and f.hub_id == item.owner_hub_id
    if originator_agency or owner_staff:
        return Decision(True, condition="" if is_originator(f, item) else "approval")
    return Decision(False, reason="Only the originating agency or the owner hub may sanitise this item")


# --- retention and data-subject rights ---------------------------------------------------------------


@access.rule("retention.review")
def can_review_retention(f: Facts, hub_id: int | None = None) -> bool:
    """MoPI reviews are decided by a manager of the owner hub."""
    if not f.manager or f.hub_id is None:
        return False
    return hub_id is None or f.hub_id == hub_id


@access.rule("access_request.decide")
def can_decide_access_request(f: Facts, owner_hub_id: int) -> bool:
    """A request to see a hidden record is decided by a manager of the hub that holds it."""
    return f.manager and f.hub_id is not None and f.hub_id == owner_hub_id


@access.resource("access_request", classification_field="")
def access_request_reach(f: Facts) -> Q:
    """The requests the actor's hub must decide (its managers)."""
    if not f.manager or f.hub_id is None:
        return NOTHING
    return Q(owner_hub_id=f.hub_id)


@access.rule("intel_item.restrict")
def can_restrict_item(f: Facts, item: IntelItem) -> bool:
    return can_review_retention(f, item.owner_hub_id)


@access.rule("subject_access.export")
def can_export_subject_access(f: Facts, owner_hub_id: int) -> bool:
    """A subject access request is answered by a manager of the hub that owns the person's record."""
    return can_review_retention(f, owner_hub_id)
