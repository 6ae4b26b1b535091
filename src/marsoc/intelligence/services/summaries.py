"""Nominal summaries: what an agreement lets go, disclosing them and consulting them."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.services import list_consult_record
from marsoc.core.vocabulary import (
    classification_rank,
)
from marsoc.intelligence.agreements import (
    SUMMARY_PART_CATEGORIES,
    agreement_not_in_force,
    agreement_refusals,
    summary_part_refusals,
)
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import nominal_phase

from ..models import (
    IntelItem,
    SharingAgreement,
    SummaryCategory,
    SummaryDisclosure,
)
from ..vocabulary import (
    ProcessingPurpose,
)
from .dissemination import Share, _consent_request, _disclose, choice_errors

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
    own_agency = "Select another agency: your own agency does not need a disclosure"
    choice_errors(errors, recipient, agreement, holder_id=actor.agency_id, holder_says=own_agency)
    if agreement is not None:
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


class SummaryAsk(TypedDict):
    """What the sharer asks for, the same for the preview (`summary_plan`) and the share."""

    recipient_agency_id: int | None
    agreement_id: int | None
    purpose: str
    reason: str


def summary_disclose(
    *, actor: User, nominal: Nominal, choices: SummaryChoices | None = None, **ask: Unpack[SummaryAsk]
) -> SummaryDisclosure:
    """Share a nominal summary: the plan is worked out again (nothing is trusted from the preview), the
    chosen parts and items must still be allowed, the snapshot is stored with its categories, each item
    gets its own disclosure (audited with recipients), C items go to their originator for consent, and
    the summary's own s.62 disclosure record names the recipient."""
    choices = choices or SummaryChoices()
    plan = summary_plan(actor=actor, nominal=nominal, **ask)
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
            # The summary is itself a share of the person's data: to the recipient, under the agreement,
            # for the purpose.
            **Share(plan.recipient, plan.agreement, plan.purpose).fields(),
            reason=plan.reason,
            classification=classification,
            snapshot=snapshot,
            disclosed_by=actor,
            disclosed_at=timezone.now(),
        )
        SummaryCategory.objects.bulk_create(
            [SummaryCategory(summary=summary, code=c) for c in sorted(categories)]
        )
        share = Share(plan.recipient, plan.agreement, f"Nominal summary {summary.reference}: {plan.reason}")
        for item in chosen:
            _disclose(actor=actor, item=item, share=share, via="summary")
        requests = [
            _consent_request(actor=actor, item=askable[pk], share=share, summary=summary)
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
        audit_about(
            actor,
            AuditAction.INTEL_SUMMARY_DISCLOSE,
            summary,
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
    audit_about(
        actor,
        AuditAction.INTEL_SUMMARY_VIEW,
        summary,
        surface=surface,
        justification=purpose,
        subject_ids=[summary.nominal_id],
    )


def summary_list_consult(
    *, actor: User, summaries: Sequence[SummaryDisclosure], purpose: str, surface: str
) -> None:
    subject_ids = sorted({s.nominal_id for s in summaries})
    shown = [s.pk for s in summaries]
    list_consult_record(
        actor, AuditAction.INTEL_SUMMARY_LIST, shown, subject_ids, purpose=purpose, surface=surface
    )
