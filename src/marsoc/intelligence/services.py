"""Every write to intelligence data. Each service checks the policy, validates, writes and records its
s.62 audit entry in one transaction; on any error nothing is saved."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub, User
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_record
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.vocabulary import (
    Classification,
    Operation,
    classification_rank,
    classifications_up_to,
)
from marsoc.intelligence.agreements import (
    SUMMARY_PART_CATEGORIES,
    agreement_not_in_force,
    agreement_refusals,
    summary_part_refusals,
)
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import nominal_phase
from marsoc.nominals.vocabulary import DataSubjectCategory

from .models import (
    AccessRequest,
    AgreementCategory,
    AgreementPurpose,
    AgreementStatusChange,
    ConsentRequest,
    Disclosure,
    IntelItem,
    ItemRevision,
    ItemSubject,
    RetentionDecision,
    SharingAgreement,
    SummaryCategory,
    SummaryDisclosure,
)
from .vocabulary import (
    ACTION_CONDITIONS,
    AgreementStatus,
    DataCategory,
    HandlingCode,
    HandlingCondition,
    IntelligenceAssessment,
    LegacyHandling,
    LegacyIntelligence,
    LegacySource,
    OnwardSharing,
    ProcessingPurpose,
    RecordGroup,
    RequestStatus,
    SanitisationStatus,
    SourceEvaluation,
)

EARLIEST = date(1900, 1, 1)
MAX_TEXT = 20_000
# MoPI review periods by record group, in years (domain.md §4.1). Reference data: a deployment may
# override it with the setting MARSOC_REVIEW_YEARS.
DEFAULT_REVIEW_YEARS = {"1": 10, "2": 10, "3": 6, "4": 6}


def review_years() -> dict[str, int]:
    return {**DEFAULT_REVIEW_YEARS, **getattr(settings, "MARSOC_REVIEW_YEARS", {})}


def review_due_for(group: str, from_date: date) -> date:
    years = review_years()[group]
    try:
        return from_date.replace(year=from_date.year + years)
    except ValueError:  # 29 February
        return from_date.replace(year=from_date.year + years, day=28)


@dataclass(frozen=True)
class ItemInput:
    text: str
    intelligence_date: date | None
    owner_hub_id: int | None
    classification: str
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    purpose: str
    data_category: str
    subjects: Sequence[tuple[int, str]] = ()  # (nominal id, data-subject category)
    conditions: Sequence[str] = ()
    legacy_source: str = ""
    legacy_intelligence: str = ""
    legacy_handling: str = ""
    record_group: str = RecordGroup.GROUP_3
    originating_officer_id: int | None = None
    extra: dict[str, str] = field(default_factory=dict)


def validate_grade(
    source_evaluation: str, intelligence_assessment: str, handling_code: str, conditions: Sequence[str]
) -> dict[str, str]:
    """The 3x5x2 rules, each reported against its own field."""
    errors: dict[str, str] = {}
    if source_evaluation not in SourceEvaluation.values:
        errors["source_evaluation"] = "Select the source evaluation: 1, 2 or 3"
    if intelligence_assessment not in IntelligenceAssessment.values:
        errors["intelligence_assessment"] = "Select the intelligence assessment: A, B, C, D or E"
    if handling_code not in HandlingCode.values:
        errors["handling_code"] = "Select the handling code: P or C"
        return errors
    unknown = [c for c in conditions if c not in HandlingCondition.values]
    chosen = set(conditions)
    if unknown:
        errors["conditions"] = f"Unknown handling condition {', '.join(unknown)}: use A1, A2, A3, S1 or S2"
    elif handling_code == HandlingCode.P and chosen:
        errors["conditions"] = "Handling code P (lawful sharing permitted) takes no conditions"
    elif handling_code == HandlingCode.C and not chosen:
        errors["conditions"] = "Handling code C needs at least one condition (A1, A2, A3, S1 or S2)"
    elif len(chosen & ACTION_CONDITIONS) > 1:
        errors["conditions"] = "Choose one action condition: A1, A2 or A3"
    elif {"S1", "S2"} <= chosen:
        errors["conditions"] = "Choose S1 or S2, not both"
    return errors


def _validate_item(
    actor: Actor, data: ItemInput, errors: dict[str, str], *, need_subjects: bool = True
) -> None:
    today = timezone.localdate()
    if not data.text.strip():
        errors["text"] = "Enter the intelligence"
    elif len(data.text) > MAX_TEXT:
        errors["text"] = f"The intelligence must be {MAX_TEXT:,} characters or fewer"
    if data.intelligence_date is None:
        errors["intelligence_date"] = "Enter the date of the intelligence"
    elif data.intelligence_date > today:
        errors["intelligence_date"] = "The date of the intelligence must be today or in the past"
    elif data.intelligence_date < EARLIEST:
        errors["intelligence_date"] = "The date of the intelligence must be after 1 January 1900"
    if data.classification not in Classification.values:
        errors["classification"] = "Select a classification"
    elif not access.may(actor, "clearance.covers", data.classification):
        errors["classification"] = "You cannot record a classification above your own clearance"
    errors.update(
        validate_grade(
            data.source_evaluation, data.intelligence_assessment, data.handling_code, list(data.conditions)
        )
    )
    if data.purpose not in ProcessingPurpose.values:
        errors["purpose"] = "Select the purpose the intelligence was collected for"
    if data.data_category not in DataCategory.values:
        errors["data_category"] = "Select the category of data"
    if data.record_group not in RecordGroup.values:
        errors["record_group"] = "Select the MoPI record group"
    legacy = (data.legacy_source, data.legacy_intelligence, data.legacy_handling)
    if any(legacy):
        if not all(legacy):
            errors["legacy_source"] = "Give all three parts of the legacy 5x5x5 grade, or none"
        elif data.legacy_source not in LegacySource.values:
            errors["legacy_source"] = "Legacy source evaluation must be A to E"
        elif data.legacy_intelligence not in LegacyIntelligence.values:
            errors["legacy_intelligence"] = "Legacy intelligence evaluation must be 1 to 5"
        elif data.legacy_handling not in LegacyHandling.values:
            errors["legacy_handling"] = "Legacy handling code must be 1 to 5"
    if data.owner_hub_id is None or not Hub.objects.filter(pk=data.owner_hub_id).exists():
        errors["owner_hub"] = "Select the owner hub"
    elif not access.may(actor, "intel_item.record_for_hub", data.owner_hub_id):
        errors["owner_hub"] = "You can only record intelligence for your own hub"
    if need_subjects:
        if not data.subjects:
            errors["subjects"] = "Link the intelligence to at least one person"
        else:
            ids = [n for n, _ in data.subjects]
            nominals = {n.pk: n for n in Nominal.objects.filter(pk__in=ids).select_related("owner_hub")}
            if len(set(ids)) != len(ids):
                errors["subjects"] = "Each person can be linked once"
            elif any(n not in nominals or not access.may(actor, "nominal.view", nominals[n]) for n in ids):
                errors["subjects"] = "Link only people whose records you can see"
            elif any(cat not in DataSubjectCategory.values for _, cat in data.subjects):
                errors["subjects"] = "Give each person's data-subject category (suspect, victim, witness…)"


def item_record(*, actor: User, data: ItemInput) -> IntelItem:
    errors: dict[str, str] = {}
    _validate_item(actor, data, errors)
    if errors:
        raise ValidationFailed(errors)
    group = data.record_group
    assert data.owner_hub_id is not None and data.intelligence_date is not None
    if actor.agency_id is None:
        raise PermissionDenied("Only a user of an agency can record intelligence")
    with transaction.atomic():
        item = IntelItem.objects.create(
            owner_hub_id=data.owner_hub_id,
            originating_agency_id=actor.agency_id,
            originating_officer_id=data.originating_officer_id or actor.pk,
            text=data.text.strip(),
            intelligence_date=data.intelligence_date,
            recorded_by=actor,
            classification=data.classification,
            source_evaluation=data.source_evaluation,
            intelligence_assessment=data.intelligence_assessment,
            handling_code=data.handling_code,
            conditions=sorted(set(data.conditions)),
            purpose=data.purpose,
            data_category=data.data_category,
            legacy_source=data.legacy_source,
            legacy_intelligence=data.legacy_intelligence,
            legacy_handling=data.legacy_handling,
            record_group=group,
            review_due=review_due_for(group, data.intelligence_date),
        )
        ItemSubject.objects.bulk_create(
            [ItemSubject(item=item, nominal_id=n, data_subject_category=c) for n, c in data.subjects]
        )
        audit_record(
            actor=actor,
            operation=Operation.COLLECTION,
            action="intel.item.record",
            object_type="intel_item",
            object_id=item.pk,
            nominal_id=data.subjects[0][0] if len(data.subjects) == 1 else None,
            justification="Intelligence recorded",
            details={"grade": item.grade_label, "classification": item.classification},
            subject_ids=[n for n, _ in data.subjects],
        )
    return item


def item_consult(*, actor: User, item: IntelItem, purpose: str, surface: str) -> None:
    """Opening an item is a consultation of every person it is about (s.62)."""
    subject_ids = list(item.subjects.values_list("nominal_id", flat=True))
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        action=f"intel.item.view.{surface}",
        object_type="intel_item",
        object_id=item.pk,
        justification=purpose,
        subject_ids=subject_ids,
    )


def item_list_consult(
    *, actor: User, items: Sequence[IntelItem], purpose: str, surface: str, query: dict[str, str]
) -> None:
    subject_ids = sorted(
        set(ItemSubject.objects.filter(item__in=[i.pk for i in items]).values_list("nominal_id", flat=True))
    )
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        action=f"intel.item.list.{surface}",
        object_type="intel_item_list",
        justification=purpose,
        details={"shown": [i.pk for i in items], "query": query},
        subject_ids=subject_ids,
    )


# --- agreements ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementInput:
    reference: str
    title: str
    party_ids: Sequence[int]
    legal_gateway: str
    purposes: Sequence[str]
    data_categories: Sequence[str]
    max_classification: str
    onward_sharing: str
    retention: str
    starts_on: date | None
    ends_on: date | None = None


def _validate_agreement(data: AgreementInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.reference.strip():
        errors["reference"] = "Enter the agreement reference"
    elif len(data.reference) > 30:
        errors["reference"] = "The reference must be 30 characters or fewer"
    elif SharingAgreement.objects.filter(reference=data.reference.strip()).exists():
        errors["reference"] = "An agreement with this reference already exists"
    if not data.title.strip():
        errors["title"] = "Enter the title"
    parties = set(data.party_ids)
    if len(parties) < 2:
        errors["parties"] = "Select at least two parties"
    elif Agency.objects.filter(pk__in=parties).count() != len(parties):
        errors["parties"] = "Select agencies from the list"
    if not data.legal_gateway.strip():
        errors["legal_gateway"] = "Enter the legal gateway (the power that makes sharing lawful)"
    if not data.purposes:
        errors["purposes"] = "Select at least one purpose"
    elif any(p not in ProcessingPurpose.values for p in data.purposes):
        errors["purposes"] = "Select purposes from the list"
    if not data.data_categories:
        errors["data_categories"] = "Select at least one category of data"
    elif any(c not in DataCategory.values for c in data.data_categories):
        errors["data_categories"] = "Select categories from the list"
    if data.max_classification not in Classification.values:
        errors["max_classification"] = "Select the maximum classification"
    if data.onward_sharing not in OnwardSharing.values:
        errors["onward_sharing"] = "Select the onward-sharing rule"
    if not data.retention.strip():
        errors["retention"] = "Enter the retention rule"
    if data.starts_on is None:
        errors["starts_on"] = "Enter the start date"
    elif data.ends_on is not None and data.ends_on < data.starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    return errors


def agreement_create(*, actor: User, data: AgreementInput) -> SharingAgreement:
    if not access.may(actor, "agreement.manage"):
        raise PermissionDenied("Only a national hub manager can record agreements")
    errors = _validate_agreement(data)
    if errors:
        raise ValidationFailed(errors)
    assert data.starts_on is not None
    with transaction.atomic():
        agreement = SharingAgreement.objects.create(
            reference=data.reference.strip(),
            title=data.title.strip(),
            legal_gateway=data.legal_gateway.strip(),
            max_classification=data.max_classification,
            onward_sharing=data.onward_sharing,
            retention=data.retention.strip(),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            status=AgreementStatus.DRAFT,
            created_by=actor,
        )
        agreement.parties.set(sorted(set(data.party_ids)))
        AgreementPurpose.objects.bulk_create(
            [AgreementPurpose(agreement=agreement, code=p) for p in sorted(set(data.purposes))]
        )
        AgreementCategory.objects.bulk_create(
            [AgreementCategory(agreement=agreement, code=c) for c in sorted(set(data.data_categories))]
        )
        AgreementStatusChange.objects.create(
            agreement=agreement,
            from_status="",
            to_status=AgreementStatus.DRAFT,
            reason="Recorded",
            changed_by=actor,
            changed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            operation=Operation.COLLECTION,
            action="intel.agreement.create",
            object_type="sharing_agreement",
            object_id=agreement.pk,
            justification="Information-sharing agreement recorded",
            details={"reference": agreement.reference},
        )
    return agreement


AGREEMENT_TRANSITIONS: dict[str, set[str]] = {
    AgreementStatus.DRAFT: {AgreementStatus.IN_FORCE, AgreementStatus.ENDED},
    AgreementStatus.IN_FORCE: {AgreementStatus.SUSPENDED, AgreementStatus.ENDED},
    AgreementStatus.SUSPENDED: {AgreementStatus.IN_FORCE, AgreementStatus.ENDED},
    AgreementStatus.ENDED: set(),
}


def agreement_set_status(*, actor: User, agreement: SharingAgreement, to_status: str, reason: str) -> None:
    """Bring into force, suspend, reinstate or end. Access through the agreement follows at once,
    because the policy reads the status on every request."""
    if not access.may(actor, "agreement.manage"):
        raise PermissionDenied("Only a national hub manager can change an agreement")
    errors: dict[str, str] = {}
    if to_status not in AGREEMENT_TRANSITIONS.get(agreement.status, set()):
        errors["to_status"] = (
            f"An agreement that is {agreement.get_status_display().lower()} cannot become that"
        )
    if not reason.strip():
        errors["reason"] = "Give the reason for the change"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        from_status = locked.status
        locked.status = to_status
        if to_status == AgreementStatus.ENDED and (
            locked.ends_on is None or locked.ends_on > timezone.localdate()
        ):
            locked.ends_on = timezone.localdate()
        locked.save(update_fields=["status", "ends_on"])
        AgreementStatusChange.objects.create(
            agreement=locked,
            from_status=from_status,
            to_status=to_status,
            reason=reason.strip(),
            changed_by=actor,
            changed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            action="intel.agreement.status",
            object_type="sharing_agreement",
            object_id=locked.pk,
            justification=reason.strip(),
            details={"from": from_status, "to": to_status},
        )
    agreement.refresh_from_db()


# --- dissemination ------------------------------------------------------------------------------------


def _onward_rule(actor: Actor, item: IntelItem) -> str | None:
    """The most generous onward-sharing rule among agreements under which the actor's agency holds it."""
    if actor.agency_id is None:
        return None
    rules = set(
        Disclosure.objects.filter(item=item, recipient_agency_id=actor.agency_id).values_list(
            "agreement__onward_sharing", flat=True
        )
    )
    for rule in (OnwardSharing.PARTIES, OnwardSharing.ORIGINATOR_CONSENT, OnwardSharing.NONE):
        if rule in rules:
            return rule
    return None


@dataclass(frozen=True)
class ShareOutcome:
    disclosure: Disclosure | None
    consent_request: ConsentRequest | None


def _disclose(
    *, actor: User, item: IntelItem, recipient: Agency, agreement: SharingAgreement, purpose: str, via: str
) -> Disclosure:
    disclosure = Disclosure.objects.create(
        item=item,
        recipient_agency=recipient,
        agreement=agreement,
        purpose=purpose,
        conditions=list(item.conditions or []),
        disclosed_by=actor,
        disclosed_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        action=f"intel.item.disclose.{via}",
        object_type="intel_item",
        object_id=item.pk,
        justification=purpose,
        recipients=[recipient.name],
        details={
            "agreement": agreement.reference,
            "grade": item.grade_label,
            "classification": item.classification,
            "conditions": list(item.conditions or []),
        },
        subject_ids=list(item.subjects.values_list("nominal_id", flat=True)),
    )
    return disclosure


def _consent_request(
    *,
    actor: User,
    item: IntelItem,
    recipient: Agency,
    agreement: SharingAgreement,
    purpose: str,
    summary: SummaryDisclosure | None = None,
) -> ConsentRequest:
    """Ask the originator to consent to a share of a C item (they decide on the requests page)."""
    request = ConsentRequest.objects.create(
        item=item,
        summary=summary,
        recipient_agency=recipient,
        agreement=agreement,
        purpose=purpose,
        requested_by=actor,
        requested_at=timezone.now(),
    )
    details = {"recipient": recipient.name, "agreement": agreement.reference}
    if summary is not None:
        details["summary"] = summary.reference
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        action="intel.item.consent_request",
        object_type="intel_item",
        object_id=item.pk,
        justification=purpose,
        details=details,
    )
    return request


def item_disseminate(
    *, actor: User, item: IntelItem, recipient_agency_id: int | None, agreement_id: int | None, purpose: str
) -> ShareOutcome:
    """Share an item with an agency under an agreement. The policy checks the agreement, classification
    and handling; a C item shared by anyone but its originator becomes a consent request to them."""
    if not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    decision = access.decide(actor, "intel_item.share", item, onward_rule=_onward_rule(actor, item))
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    errors: dict[str, str | list[str]] = {}
    recipient = Agency.objects.filter(pk=recipient_agency_id or 0).first()
    agreement = SharingAgreement.objects.filter(pk=agreement_id or 0).first()
    if recipient is None:
        errors["recipient"] = "Select the agency to share with"
    elif recipient.pk == item.originating_agency_id:
        errors["recipient"] = "The originating agency already holds this item"
    if agreement is None:
        errors["agreement"] = "Select the agreement that allows this sharing"
    elif recipient is not None:
        refusals = agreement_refusals(agreement, item, recipient.pk)
        if refusals:
            errors["agreement"] = refusals
    if len(purpose.strip()) < 3:
        errors["purpose"] = "Give the purpose of the disclosure"
    if errors:
        raise ValidationFailed(errors)
    assert recipient is not None and agreement is not None
    with transaction.atomic():
        if decision.needs_consent:
            request = _consent_request(
                actor=actor, item=item, recipient=recipient, agreement=agreement, purpose=purpose.strip()
            )
            return ShareOutcome(None, request)
        return ShareOutcome(
            _disclose(
                actor=actor,
                item=item,
                recipient=recipient,
                agreement=agreement,
                purpose=purpose.strip(),
                via="share",
            ),
            None,
        )


def consent_decide(*, actor: User, request: ConsentRequest, grant: bool, reason: str) -> Disclosure | None:
    item = request.item
    if not access.may(actor, "intel_item.originator", item) or not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"consent request {request.pk}")
    if request.status != RequestStatus.PENDING:
        raise ValidationFailed({"decision": "This request has already been decided"})
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the decision"})
    if grant:
        refusals = agreement_refusals(request.agreement, item, request.recipient_agency_id)
        if refusals:
            raise ValidationFailed({"decision": refusals})
    with transaction.atomic():
        request.status = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason.strip()
        request.save()
        if not grant:
            audit_record(
                actor=actor,
                operation=Operation.CONSULTATION,
                action="intel.item.consent_refused",
                object_type="intel_item",
                object_id=item.pk,
                justification=reason.strip(),
            )
            return None
        return _disclose(
            actor=actor,
            item=item,
            recipient=request.recipient_agency,
            agreement=request.agreement,
            purpose=request.purpose,
            via="consent",
        )


# --- nominal summaries ---------------------------------------------------------------------------------

HELD_AS_RECIPIENT = (
    "Held by your agency as a recipient: share it onward from the item, if its agreement allows"
)
RECIPIENT_ORIGINATED = "Originated by the recipient agency, which holds it already"
LEFT_OUT_BY_SHARER = "Left out by the sharer"
PART_LABELS = {"identity": "Identifying details", "status": "Cohort status and lifecycle"}


def summary_identity(nominal: Nominal) -> dict[str, Any]:
    """The identifying details a summary carries (category `identity`). Ethnicity, religion and
    nationality never go in a summary."""
    return {
        "given_names": nominal.given_names,
        "family_name": nominal.family_name,
        "date_of_birth": nominal.date_of_birth.isoformat(),
        "sex": nominal.get_sex_display(),
        "identifiers": [
            {"type": i.get_id_type_display(), "value": i.value} for i in nominal.identifiers.all()
        ],
        "aliases": [
            {
                "name": f"{a.given_names} {a.family_name}".strip(),
                "type": a.get_alias_type_display(),
                "date_of_birth": a.date_of_birth.isoformat() if a.date_of_birth else "",
            }
            for a in nominal.aliases.all()
        ],
    }


def summary_status(nominal: Nominal, today: date | None = None) -> dict[str, Any]:
    """Cohort status and lifecycle (category `custody`), as they stand today."""
    return {
        "membership_state": nominal.get_membership_state_display(),
        "phase": nominal_phase(nominal, today).label,
        "custody_status": nominal.get_custody_status_display(),
        "current_establishment": str(nominal.current_establishment or ""),
        "expected_release_date": nominal.expected_release_date.isoformat()
        if nominal.expected_release_date
        else "",
        "licence_end_date": nominal.licence_end_date.isoformat() if nominal.licence_end_date else "",
    }


def _item_line(item: IntelItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "reference": item.reference,
        "grade": item.grade_label,
        "handling_code": item.handling_code,
        "conditions": list(item.conditions or []),
        "classification": item.classification,
        "intelligence_date": item.intelligence_date.isoformat(),
        "data_category": item.data_category,
        "originating_agency": item.originating_agency.name,
    }


@dataclass(frozen=True)
class SummaryPlan:
    """What a summary of `nominal` for `recipient` under `agreement` may carry, before the sharer chooses.

    `part_refusals` names the parts (identity, status) the agreement does not allow and why; `disclose`
    holds the items that may go at once, `consent` the C items that need the originator's consent, and
    `left_out` counts the items the agreement or the handling rules keep out, by reason."""

    nominal: Nominal
    recipient: Agency
    agreement: SharingAgreement
    purpose: str
    reason: str
    identity: dict[str, Any]
    status: dict[str, Any]
    part_refusals: dict[str, str]
    disclose: list[IntelItem]
    consent: list[IntelItem]
    left_out: dict[str, int]

    @property
    def allowed_parts(self) -> list[str]:
        return [p for p in SUMMARY_PART_CATEGORIES if p not in self.part_refusals]

    def classification_of(self, parts: Sequence[str], items: Sequence[IntelItem]) -> str:
        """The highest classification of what is chosen: the person's record if any part of it goes."""
        marks = [i.classification for i in items]
        if parts:
            marks.append(self.nominal.classification)
        return max(marks, key=classification_rank) if marks else ""


def summary_plan(
    *,
    actor: User,
    nominal: Nominal,
    recipient_agency_id: int | None,
    agreement_id: int | None,
    purpose: str,
    reason: str,
    today: date | None = None,
) -> SummaryPlan:
    """Check the recipient, agreement, purpose and reason, then work out what may go. Only the items
    the sharer may see are considered, so even the counts of what is left out reveal nothing to them."""
    if not access.may(actor, "summary.share", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")
    today = today or timezone.localdate()
    errors: dict[str, str | list[str]] = {}
    recipient = Agency.objects.filter(pk=recipient_agency_id or 0, active=True).first()
    agreement = (
        SharingAgreement.objects.filter(pk=agreement_id or 0)
        .prefetch_related("parties", "purposes", "categories")
        .first()
    )
    if recipient is None:
        errors["recipient"] = "Select the agency to share with"
    elif recipient.pk == actor.agency_id:
        errors["recipient"] = "Select another agency: your own agency does not need a disclosure"
    if agreement is None:
        errors["agreement"] = "Select the agreement that allows this sharing"
    else:
        problems = []
        not_in_force = agreement_not_in_force(agreement, today=today)
        if not_in_force:
            problems.append(not_in_force)
        party_ids = {a.pk for a in agreement.parties.all()}
        if actor.agency_id not in party_ids:
            problems.append("Your agency is not a party to the agreement")
        if recipient is not None and recipient.pk not in party_ids:
            problems.append("The recipient agency is not a party to the agreement")
        if problems:
            errors["agreement"] = problems
    if purpose not in ProcessingPurpose.values:
        errors["purpose"] = "Select the purpose of the disclosure"
    elif agreement is not None and purpose not in agreement.purpose_codes:
        errors["purpose"] = f"The agreement does not cover the purpose '{ProcessingPurpose(purpose).label}'"
    if len(reason.strip()) < 3:
        errors["reason"] = "Give the reason for the disclosure"
    elif len(reason) > 2000:
        errors["reason"] = "The reason must be 2,000 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    assert recipient is not None and agreement is not None
    disclose: list[IntelItem] = []
    consent: list[IntelItem] = []
    left_out: Counter[str] = Counter()
    items = (
        IntelItem.objects.filter(access.scope(actor, "intel_item", today=today))
        .filter(subjects__nominal=nominal)
        .distinct()
        .select_related("originating_agency")
        .order_by("-intelligence_date", "-id")
    )
    for item in items:
        if not access.may(actor, "intel_item.owner_side", item):
            left_out[HELD_AS_RECIPIENT] += 1
            continue
        if item.originating_agency_id == recipient.pk:
            left_out[RECIPIENT_ORIGINATED] += 1
            continue
        decision = access.decide(actor, "intel_item.share", item)
        if not decision.allowed:
            left_out[decision.reason] += 1
            continue
        refusals = agreement_refusals(agreement, item, recipient.pk, today=today)
        if refusals:
            left_out[refusals[0]] += 1
            continue
        (consent if decision.needs_consent else disclose).append(item)
    return SummaryPlan(
        nominal=nominal,
        recipient=recipient,
        agreement=agreement,
        purpose=purpose,
        reason=reason.strip(),
        identity=summary_identity(nominal),
        status=summary_status(nominal, today),
        part_refusals=summary_part_refusals(agreement, nominal),
        disclose=disclose,
        consent=consent,
        left_out=dict(sorted(left_out.items())),
    )


@dataclass(frozen=True)
class SummaryChoices:
    """What the sharer chose from the preview. None means everything the plan allows."""

    parts: Sequence[str] | None = None
    item_ids: Sequence[int] | None = None
    consent_item_ids: Sequence[int] | None = None


def summary_disclose(
    *,
    actor: User,
    nominal: Nominal,
    recipient_agency_id: int | None,
    agreement_id: int | None,
    purpose: str,
    reason: str,
    choices: SummaryChoices | None = None,
) -> SummaryDisclosure:
    """Share a nominal summary: the plan is worked out again (nothing is trusted from the preview), the
    chosen parts and items must still be allowed, the snapshot is stored with its categories, each item
    gets its own disclosure (audited with recipients), C items go to their originator for consent, and
    the summary's own s.62 disclosure record names the recipient."""
    choices = choices or SummaryChoices()
    plan = summary_plan(
        actor=actor,
        nominal=nominal,
        recipient_agency_id=recipient_agency_id,
        agreement_id=agreement_id,
        purpose=purpose,
        reason=reason,
    )
    errors: dict[str, str] = {}
    parts = list(plan.allowed_parts if choices.parts is None else choices.parts)
    refused = [p for p in parts if p not in plan.allowed_parts]
    if refused:
        errors["parts"] = "; ".join(
            f"{PART_LABELS.get(p, p)} cannot go: {plan.part_refusals.get(p, 'unknown part')}" for p in refused
        )
    allowed = {i.pk: i for i in plan.disclose}
    askable = {i.pk: i for i in plan.consent}
    item_ids = list(allowed) if choices.item_ids is None else list(dict.fromkeys(choices.item_ids))
    consent_ids = (
        list(askable) if choices.consent_item_ids is None else list(dict.fromkeys(choices.consent_item_ids))
    )
    stale = [i for i in item_ids if i not in allowed] + [i for i in consent_ids if i not in askable]
    if stale:
        errors["items"] = (
            f"{len(stale)} of the chosen items can no longer go under this agreement: preview the summary again"
        )
    chosen = [allowed[i] for i in item_ids if i in allowed]
    if not errors and not parts and not chosen:
        errors["summary"] = (
            "Nothing would be disclosed: choose the person's details or at least one item that can go now"
            if consent_ids
            else "The agreement allows nothing in this summary to go to that agency"
        )
    classification = plan.classification_of(parts, chosen)
    if classification and not access.may(actor, "clearance.covers", classification):
        errors["summary"] = "The summary would be classified above your own clearance"
    if errors:
        raise ValidationFailed(errors)
    assert actor.agency_id is not None  # can_share_summary requires an agency
    categories = {SUMMARY_PART_CATEGORIES[p].value for p in parts} | {i.data_category for i in chosen}
    snapshot: dict[str, Any] = {"reference": nominal.reference, "owner_hub": nominal.owner_hub.name}
    if "identity" in parts:
        snapshot["identity"] = plan.identity
    if "status" in parts:
        snapshot["status"] = plan.status
    snapshot["items"] = [_item_line(i) for i in chosen]
    left_out = Counter(plan.left_out)
    left_out[LEFT_OUT_BY_SHARER] += len(allowed) - len(chosen)
    withheld = [
        _item_line(i) | {"reason": "Withheld by the sharer: handling code C, the originator was not asked"}
        for pk, i in askable.items()
        if pk not in consent_ids
    ]
    with transaction.atomic():
        summary = SummaryDisclosure.objects.create(
            nominal=nominal,
            owner_hub_id=nominal.owner_hub_id,
            sharing_agency_id=actor.agency_id,
            recipient_agency=plan.recipient,
            agreement=plan.agreement,
            purpose=plan.purpose,
            reason=plan.reason,
            classification=classification,
            snapshot=snapshot,
            disclosed_by=actor,
            disclosed_at=timezone.now(),
        )
        SummaryCategory.objects.bulk_create(
            [SummaryCategory(summary=summary, code=c) for c in sorted(categories)]
        )
        why = f"Nominal summary {summary.reference}: {plan.reason}"
        for item in chosen:
            _disclose(
                actor=actor,
                item=item,
                recipient=plan.recipient,
                agreement=plan.agreement,
                purpose=why,
                via="summary",
            )
        requests = [
            _consent_request(
                actor=actor,
                item=askable[pk],
                recipient=plan.recipient,
                agreement=plan.agreement,
                purpose=why,
                summary=summary,
            )
            for pk in consent_ids
        ]
        summary.record = {
            "parts_left_out": {p: r for p, r in plan.part_refusals.items()}
            | {p: LEFT_OUT_BY_SHARER for p in plan.allowed_parts if p not in parts},
            "left_out": {k: v for k, v in sorted(left_out.items()) if v},
            "consent_requested": [_item_line(r.item) | {"request": r.pk} for r in requests],
            "withheld": withheld,
        }
        summary.save(update_fields=["record"])
        audit_record(
            actor=actor,
            operation=Operation.DISCLOSURE,
            action="intel.summary.disclose",
            object_type="summary_disclosure",
            object_id=summary.pk,
            nominal_id=nominal.pk,
            justification=plan.reason,
            recipients=[plan.recipient.name],
            details={
                "agreement": plan.agreement.reference,
                "purpose": plan.purpose,
                "classification": classification,
                "parts": parts,
                "categories": sorted(categories),
                "items": [i.pk for i in chosen],
                "consent_requested": [r.item_id for r in requests],
                "withheld": [w["id"] for w in withheld],
                "left_out": summary.record["left_out"],
            },
            subject_ids=[nominal.pk],
        )
    return summary


def summary_consult(*, actor: User, summary: SummaryDisclosure, purpose: str, surface: str) -> None:
    """Opening a summary is a consultation of the person it is about (s.62)."""
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        action=f"intel.summary.view.{surface}",
        object_type="summary_disclosure",
        object_id=summary.pk,
        nominal_id=summary.nominal_id,
        justification=purpose,
        subject_ids=[summary.nominal_id],
    )


def summary_list_consult(
    *, actor: User, summaries: Sequence[SummaryDisclosure], purpose: str, surface: str
) -> None:
    audit_record(
        actor=actor,
        operation=Operation.CONSULTATION,
        action=f"intel.summary.list.{surface}",
        object_type="summary_disclosure_list",
        justification=purpose,
        details={"shown": [s.pk for s in summaries]},
        subject_ids=sorted({s.nominal_id for s in summaries}),
    )


# --- sanitisation -------------------------------------------------------------------------------------


def item_sanitise(*, actor: User, item: IntelItem, text: str, classification: str) -> IntelItem:
    """A sanitised version for wider dissemination, linked to the original, with its own classification.
    S1 (or P): a user of the originating agency, at once. S2: approved by the originator first."""
    if not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    decision = access.decide(actor, "intel_item.sanitise", item)
    if not decision.allowed:
        raise PermissionDenied(decision.reason)
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the sanitised text"
    elif text.strip() == item.text.strip():
        errors["text"] = "The sanitised text must differ from the original"
    if classification not in Classification.values:
        errors["classification"] = "Select a classification"
    elif classification not in classifications_up_to(item.classification):
        errors["classification"] = "A sanitised version cannot be classified above the original"
    if errors:
        raise ValidationFailed(errors)
    status = SanitisationStatus.PENDING if decision.needs_approval else SanitisationStatus.APPROVED
    with transaction.atomic():
        version = IntelItem.objects.create(
            owner_hub_id=item.owner_hub_id,
            originating_agency_id=item.originating_agency_id,
            originating_officer_id=item.originating_officer_id,
            text=text.strip(),
            intelligence_date=item.intelligence_date,
            recorded_by=actor,
            classification=classification,
            source_evaluation=item.source_evaluation,
            intelligence_assessment=item.intelligence_assessment,
            # The sanitised version is made for wider dissemination: lawful sharing permitted.
            handling_code=HandlingCode.P,
            conditions=[],
            purpose=item.purpose,
            data_category=item.data_category,
            record_group=item.record_group,
            review_due=item.review_due,
            sanitised_from=item,
            sanitisation_status=status,
        )
        ItemSubject.objects.bulk_create(
            [
                ItemSubject(
                    item=version, nominal_id=s.nominal_id, data_subject_category=s.data_subject_category
                )
                for s in item.subjects.all()
            ]
        )
        audit_record(
            actor=actor,
            operation=Operation.COLLECTION,
            action="intel.item.sanitise",
            object_type="intel_item",
            object_id=version.pk,
            justification="Sanitised version for wider dissemination",
            details={"original": item.pk, "status": status, "classification": classification},
        )
    return version


def sanitisation_decide(*, actor: User, version: IntelItem, approve: bool, reason: str) -> None:
    original = version.sanitised_from
    if original is None or version.sanitisation_status != SanitisationStatus.PENDING:
        raise ValidationFailed({"decision": "There is no pending sanitised version to decide"})
    if not access.may(actor, "intel_item.originator", original) or not access.may(
        actor, "intel_item.view", original
    ):
        raise NotFoundOrForbidden(f"intel item {version.pk}")
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the decision"})
    with transaction.atomic():
        version.sanitisation_status = SanitisationStatus.APPROVED if approve else SanitisationStatus.REFUSED
        version.save(update_fields=["sanitisation_status"])
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            action="intel.item.sanitisation_" + ("approved" if approve else "refused"),
            object_type="intel_item",
            object_id=version.pk,
            justification=reason.strip(),
            details={"original": original.pk},
        )


# --- deconfliction and access requests ------------------------------------------------------------------


def deconfliction_log(*, actor: User, query: str, hub_name: str, nominal_ids: Sequence[int]) -> None:
    """Telling someone that another agency holds an interest discloses that fact: log it (s.62)."""
    audit_record(
        actor=actor,
        operation=Operation.DISCLOSURE,
        action="intel.deconfliction.hit",
        object_type="intel_interest",
        justification="Deconfliction: another agency holds an interest",
        recipients=[actor.display_label],
        details={"query": query, "owner_hub": hub_name},
        subject_ids=list(nominal_ids),
    )


def access_request_create(*, actor: User, query: str, hub_id: int, reason: str) -> list[AccessRequest]:
    """Ask the owner hub for what it holds on the people a search matched. The server works the hits
    out again, so the requester never handles a reference to a record they may not see."""
    from .selectors import deconfliction

    if actor.agency_id is None:
        raise PermissionDenied("Only a user of an agency can request access")
    notice = next((n for n in deconfliction(actor=actor, query=query) if n.hub_id == hub_id), None)
    if notice is None:
        raise NotFoundOrForbidden("no interest to request")
    if len(reason.strip()) < 3:
        raise ValidationFailed({"reason": "Give the reason you need this intelligence"})
    with transaction.atomic():
        requests = [
            AccessRequest.objects.create(
                nominal_id=n,
                owner_hub_id=hub_id,
                requested_by=actor,
                requester_agency_id=actor.agency_id,
                reason=reason.strip(),
                requested_at=timezone.now(),
            )
            for n in notice.nominal_ids
        ]
        audit_record(
            actor=actor,
            operation=Operation.CONSULTATION,
            action="intel.access_request.create",
            object_type="access_request",
            object_id=",".join(str(r.pk) for r in requests),
            justification=reason.strip(),
            details={"owner_hub": notice.hub_name, "query": query},
            subject_ids=list(notice.nominal_ids),
        )
    return requests


@dataclass(frozen=True)
class AccessDecision:
    disclosed: int
    consent_requested: int


def access_request_decide(*, actor: User, request: AccessRequest, grant: bool, reason: str) -> AccessDecision:
    """The owner hub's manager grants (each item an agreement in force allows is disseminated, C items
    through the originator's consent) or refuses, always with a reason."""
    if not access.may(actor, "access_request.decide", request.owner_hub_id):
        raise NotFoundOrForbidden(f"access request {request.pk}")
    if request.status != RequestStatus.PENDING:
        raise ValidationFailed({"decision": "This request has already been decided"})
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason for the decision"})
    disclosed = consent = 0
    with transaction.atomic():
        if grant:
            items = IntelItem.objects.filter(
                owner_hub_id=request.owner_hub_id,
                subjects__nominal_id=request.nominal_id,
                restricted=False,
                erased_at__isnull=True,
                sanitisation_status__in=["", SanitisationStatus.APPROVED],
            ).distinct()
            agreements = list(
                SharingAgreement.objects.filter(status=AgreementStatus.IN_FORCE).prefetch_related(
                    "parties", "purposes", "categories"
                )
            )
            for item in items:
                if not access.may(actor, "intel_item.view", item):
                    continue
                fit = next(
                    (a for a in agreements if not agreement_refusals(a, item, request.requester_agency_id)),
                    None,
                )
                if fit is None:
                    continue
                outcome = item_disseminate(
                    actor=actor,
                    item=item,
                    recipient_agency_id=request.requester_agency_id,
                    agreement_id=fit.pk,
                    purpose=f"Access request: {request.reason}",
                )
                disclosed += outcome.disclosure is not None
                consent += outcome.consent_request is not None
            if disclosed + consent == 0:
                raise ValidationFailed(
                    {"decision": "No agreement in force lets this hub share these items with the requester"}
                )
        request.status = RequestStatus.GRANTED if grant else RequestStatus.REFUSED
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_reason = reason.strip()
        request.save()
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            action="intel.access_request." + ("granted" if grant else "refused"),
            object_type="access_request",
            object_id=request.pk,
            nominal_id=request.nominal_id,
            justification=reason.strip(),
            details={"disclosed": disclosed, "consent_requested": consent},
        )
    return AccessDecision(disclosed, consent)


# --- retention (MoPI) and restriction (DPA 2018 s.47) ---------------------------------------------------


def item_review_decide(*, actor: User, item: IntelItem, outcome: str, reason: str) -> RetentionDecision:
    """Retain (reason recorded, next review set by the record group) or delete (the content is erased;
    the row stays as a tombstone, and the erasure is audited)."""
    if not access.may(actor, "retention.review", item.owner_hub_id) or item.erased_at is not None:
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    errors: dict[str, str] = {}
    if outcome not in RetentionDecision.Outcome.values:
        errors["outcome"] = "Select retain or delete"
    if not reason.strip():
        errors["reason"] = (
            "Give the reason for the decision (MoPI requires every retain decision to be recorded)"
        )
    if errors:
        raise ValidationFailed(errors)
    today = timezone.localdate()
    with transaction.atomic():
        next_review = review_due_for(item.record_group, today) if outcome == "retain" else None
        decision = RetentionDecision.objects.create(
            item=item,
            outcome=outcome,
            reason=reason.strip(),
            next_review=next_review,
            decided_by=actor,
            decided_at=timezone.now(),
        )
        subject_ids = list(item.subjects.values_list("nominal_id", flat=True))
        if outcome == "retain":
            item.review_due = next_review
            item.save(update_fields=["review_due"])
            audit_record(
                actor=actor,
                operation=Operation.ALTERATION,
                action="intel.item.retain",
                object_type="intel_item",
                object_id=item.pk,
                justification=reason.strip(),
                details={"next_review": str(next_review)},
                subject_ids=subject_ids,
            )
        else:
            item.text = ""
            item.conditions = []
            item.legacy_source = item.legacy_intelligence = item.legacy_handling = ""
            item.erased_at = timezone.now()
            item.review_due = None
            item.save()
            item.disclosures.all().delete()
            item.consent_requests.all().delete()
            audit_record(
                actor=actor,
                operation=Operation.ERASURE,
                action="intel.item.erase",
                object_type="intel_item",
                object_id=item.pk,
                justification=reason.strip(),
                subject_ids=subject_ids,
            )
    return decision


def item_restrict(*, actor: User, item: IntelItem, restricted: bool, reason: str) -> None:
    """Restriction of processing: the record is kept but leaves search, lists and sharing."""
    if not access.may(actor, "intel_item.restrict", item) or not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    if not reason.strip():
        raise ValidationFailed({"reason": "Give the reason (for example the data subject's request)"})
    with transaction.atomic():
        item.restricted = restricted
        item.save(update_fields=["restricted"])
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            action="intel.item.restrict" if restricted else "intel.item.unrestrict",
            object_type="intel_item",
            object_id=item.pk,
            justification=reason.strip(),
            subject_ids=list(item.subjects.values_list("nominal_id", flat=True)),
        )


# --- rectification (DPA 2018 s.46) ----------------------------------------------------------------------

RECTIFIABLE_FIELDS = (
    "text",
    "intelligence_date",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "conditions",
)


@dataclass(frozen=True)
class RectifyInput:
    text: str
    intelligence_date: date | None
    source_evaluation: str
    intelligence_assessment: str
    handling_code: str
    conditions: Sequence[str] = ()


def _snapshot(item: IntelItem) -> dict[str, object]:
    return {
        "text": item.text,
        "intelligence_date": item.intelligence_date.isoformat(),
        "source_evaluation": item.source_evaluation,
        "intelligence_assessment": item.intelligence_assessment,
        "handling_code": item.handling_code,
        "conditions": list(item.conditions or []),
    }


def item_rectify(*, actor: User, item: IntelItem, data: RectifyInput, reason: str) -> ItemRevision:
    """Correct an item's text, date or grade. The version it replaces is kept as an ItemRevision (who,
    when, why) and the change is audited as an alteration; the same validation as recording applies."""
    if not access.may(actor, "intel_item.view", item):
        raise NotFoundOrForbidden(f"intel item {item.pk}")
    if not access.may(actor, "intel_item.rectify", item):
        raise PermissionDenied("Only the owner hub or the originating agency can correct this item")
    errors: dict[str, str] = {}
    today = timezone.localdate()
    text = data.text.strip()
    if not text:
        errors["text"] = "Enter the intelligence"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"The intelligence must be {MAX_TEXT:,} characters or fewer"
    if data.intelligence_date is None:
        errors["intelligence_date"] = "Enter the date of the intelligence"
    elif data.intelligence_date > today:
        errors["intelligence_date"] = "The date of the intelligence must be today or in the past"
    elif data.intelligence_date < EARLIEST:
        errors["intelligence_date"] = "The date of the intelligence must be after 1 January 1900"
    errors.update(
        validate_grade(
            data.source_evaluation, data.intelligence_assessment, data.handling_code, list(data.conditions)
        )
    )
    if not reason.strip():
        errors["reason"] = "Give the reason for the correction (for example the data subject's request)"
    if errors:
        raise ValidationFailed(errors)
    assert data.intelligence_date is not None
    new = {
        "text": text,
        "intelligence_date": data.intelligence_date.isoformat(),
        "source_evaluation": data.source_evaluation,
        "intelligence_assessment": data.intelligence_assessment,
        "handling_code": data.handling_code,
        "conditions": sorted(set(data.conditions)),
    }
    with transaction.atomic():
        locked = IntelItem.objects.select_for_update().get(pk=item.pk)
        before = _snapshot(locked)
        changed = [f for f in RECTIFIABLE_FIELDS if before[f] != new[f]]
        if not changed:
            raise ValidationFailed(
                {"text": "Change the text, date or grade: nothing differs from the record"}
            )
        locked.text = text
        locked.intelligence_date = data.intelligence_date
        locked.source_evaluation = data.source_evaluation
        locked.intelligence_assessment = data.intelligence_assessment
        locked.handling_code = data.handling_code
        locked.conditions = new["conditions"]
        fields = list(RECTIFIABLE_FIELDS)
        # The review date follows the date of the intelligence until a MoPI review has set it.
        if "intelligence_date" in changed and not locked.retention_decisions.exists():
            locked.review_due = review_due_for(locked.record_group, data.intelligence_date)
            fields.append("review_due")
        locked.save(update_fields=fields)
        revision = ItemRevision.objects.create(
            item=locked,
            previous=before,
            changed_fields=changed,
            reason=reason.strip(),
            changed_by=actor,
            changed_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            operation=Operation.ALTERATION,
            action="intel.item.rectify",
            object_type="intel_item",
            object_id=locked.pk,
            justification=reason.strip(),
            # Field names and grades only: the superseded text stays in the revision, not the log.
            details={
                "changed": changed,
                "revision": revision.pk,
                "grade_before": revision.previous_grade_label,
                "grade_after": locked.grade_label,
            },
            subject_ids=list(locked.subjects.values_list("nominal_id", flat=True)),
        )
    item.refresh_from_db()
    return revision
