"""Recording and consulting intelligence items, and their export."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from marsoc.accounts.models import Hub, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import PermissionDenied, ValidationFailed, refused_in_context
from marsoc.core.exports import CSV_TYPE, ExportFile, csv_text
from marsoc.core.services import list_consult_record
from marsoc.core.vocabulary import (
    Classification,
)
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import DataSubjectCategory

from ..models import (
    IntelItem,
    ItemSubject,
)
from ..vocabulary import (
    ACTION_CONDITIONS,
    DataCategory,
    HandlingCode,
    HandlingCondition,
    IntelligenceAssessment,
    LegacyHandling,
    LegacyIntelligence,
    LegacySource,
    ProcessingPurpose,
    RecordGroup,
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
        errors["conditions"] = refused_in_context(
            "Handling code P (lawful sharing permitted) takes no conditions"
        )
    elif handling_code == HandlingCode.C and not chosen:
        errors["conditions"] = refused_in_context(
            "Handling code C needs at least one condition (A1, A2, A3, S1 or S2)"
        )
    elif len(chosen & ACTION_CONDITIONS) > 1:
        errors["conditions"] = refused_in_context("Choose one action condition: A1, A2 or A3")
    elif {"S1", "S2"} <= chosen:
        errors["conditions"] = refused_in_context("Choose S1 or S2, not both")
    return errors


class ItemContent(Protocol):
    """What recording (ItemInput) and correcting (rectification.RectifyInput) an item both give."""

    @property
    def intelligence_date(self) -> date | None: ...
    @property
    def source_evaluation(self) -> str: ...
    @property
    def intelligence_assessment(self) -> str: ...
    @property
    def handling_code(self) -> str: ...
    @property
    def conditions(self) -> Sequence[str]: ...


def validate_content(data: ItemContent, text: str) -> dict[str, str]:
    """The checks an item's content passes when it is recorded and each time it is corrected: its text,
    the date of the intelligence and its 3x5x2 grade."""
    errors: dict[str, str] = {}
    if not text.strip():
        errors["text"] = "Enter the intelligence"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"The intelligence must be {MAX_TEXT:,} characters or fewer"
    if data.intelligence_date is None:
        errors["intelligence_date"] = "Enter the date of the intelligence"
    elif data.intelligence_date > timezone.localdate():
        errors["intelligence_date"] = refused_in_context(
            "The date of the intelligence must be today or in the past"
        )
    elif data.intelligence_date < EARLIEST:
        errors["intelligence_date"] = refused_in_context(
            "The date of the intelligence must be after 1 January 1900"
        )
    errors.update(
        validate_grade(
            data.source_evaluation, data.intelligence_assessment, data.handling_code, list(data.conditions)
        )
    )
    return errors


# The choices every recorded item makes, each with what to say when it is missing or not on the list.
_RECORDING_CHOICES: tuple[tuple[str, type[models.TextChoices], str], ...] = (
    ("purpose", ProcessingPurpose, "Select the purpose the intelligence was collected for"),
    ("data_category", DataCategory, "Select the category of data"),
    ("record_group", RecordGroup, "Select the MoPI record group"),
)

# The three parts of a legacy 5x5x5 grade, each with what to say when it is off the scale.
_LEGACY_PARTS: tuple[tuple[str, type[models.TextChoices], str], ...] = (
    ("legacy_source", LegacySource, "Legacy source evaluation must be A to E"),
    ("legacy_intelligence", LegacyIntelligence, "Legacy intelligence evaluation must be 1 to 5"),
    ("legacy_handling", LegacyHandling, "Legacy handling code must be 1 to 5"),
)


def _validate_item(
    actor: Actor, data: ItemInput, errors: dict[str, str], *, need_subjects: bool = True
) -> None:
    errors.update(validate_content(data, data.text))
    if data.classification not in Classification.values:
        errors["classification"] = "Select a classification"
    elif not access.may(actor, "clearance.covers", data.classification):
        errors["classification"] = refused_in_context(
            "You cannot record a classification above your own clearance"
        )
    for name, choices, missing in _RECORDING_CHOICES:
        if getattr(data, name) not in choices.values:
            errors[name] = missing
    legacy = (data.legacy_source, data.legacy_intelligence, data.legacy_handling)
    if any(legacy):
        if not all(legacy):
            errors["legacy_source"] = refused_in_context(
                "Give all three parts of the legacy 5x5x5 grade, or none"
            )
        else:
            # Only the first part off the scale is named.
            wrong = next(((n, m) for n, c, m in _LEGACY_PARTS if getattr(data, n) not in c.values), None)
            if wrong is not None:
                errors[wrong[0]] = wrong[1]
    if data.owner_hub_id is None or not Hub.objects.filter(pk=data.owner_hub_id).exists():
        errors["owner_hub"] = refused_in_context("Select the owner hub")
    elif not access.may(actor, "intel_item.record_for_hub", data.owner_hub_id):
        errors["owner_hub"] = refused_in_context("You can only record intelligence for your own hub")
    if need_subjects:
        if not data.subjects:
            errors["subjects"] = "Link the intelligence to at least one person"
        else:
            ids = [n for n, _ in data.subjects]
            nominals = {n.pk: n for n in Nominal.objects.filter(pk__in=ids).select_related("owner_hub")}
            if len(set(ids)) != len(ids):
                errors["subjects"] = refused_in_context("Each person can be linked once")
            elif any(n not in nominals or not access.may(actor, "nominal.view", nominals[n]) for n in ids):
                errors["subjects"] = refused_in_context("Link only people whose records you can see")
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
            action=AuditAction.INTEL_ITEM_RECORD,
            object_id=item.pk,
            nominal_id=data.subjects[0][0] if len(data.subjects) == 1 else None,
            justification="Intelligence recorded",
            details={"grade": item.grade_label, "classification": item.classification},
            subject_ids=[n for n, _ in data.subjects],
        )
    return item


def audit_item(actor: Actor, action: AuditAction, item: IntelItem, **extra: Any) -> None:
    """One audit entry about an item, naming every person it is about as a subject (s.62); inside the
    caller's transaction. `extra` passes through to `audit_about`."""
    subject_ids = list(item.subjects.values_list("nominal_id", flat=True))
    audit_about(actor, action, item, subject_ids=subject_ids, **extra)


def item_consult(*, actor: User, item: IntelItem, purpose: str, surface: str) -> None:
    """Opening an item is a consultation of every person it is about (s.62)."""
    audit_item(actor, AuditAction.INTEL_ITEM_VIEW, item, surface=surface, justification=purpose)


def item_list_consult(
    *, actor: User, items: Sequence[IntelItem], purpose: str, surface: str, query: dict[str, str]
) -> None:
    subject_ids = sorted(
        set(ItemSubject.objects.filter(item__in=[i.pk for i in items]).values_list("nominal_id", flat=True))
    )
    shown = [i.pk for i in items]
    list_consult_record(
        actor, AuditAction.INTEL_ITEM_LIST, shown, subject_ids, purpose=purpose, surface=surface, query=query
    )


EXPORT_COLUMNS = ["reference", "grade", "classification", "date", "owner hub", "originating agency", "text"]


def item_export(*, actor: User, items: Sequence[IntelItem]) -> ExportFile:
    """CSV of search results (already scoped by the caller's selector): a disclosure to the person
    exporting, with every person the items are about as a subject."""
    rows = [
        [
            item.reference,
            item.grade_label,
            item.classification,
            item.intelligence_date,
            item.owner_hub.name,
            item.originating_agency.name,
            item.text,
        ]
        for item in items
    ]
    subject_ids = ItemSubject.objects.filter(item__in=[i.pk for i in items]).values_list(
        "nominal_id", flat=True
    )
    audit_record(
        actor=actor,
        action=AuditAction.INTEL_ITEM_EXPORT,
        justification="Intelligence export",
        recipients=[actor.display_label],
        details={"shown": [i.pk for i in items]},
        subject_ids=set(subject_ids),
    )
    return ExportFile(csv_text(EXPORT_COLUMNS, rows).encode("utf-8"), CSV_TYPE, "intelligence.csv")


def search_consult(
    *,
    actor: User,
    query: str,
    items: Sequence[IntelItem],
    people_ids: Sequence[int],
    interests: Sequence[tuple[str, Sequence[int]]],
    surface: str,
    filters: Mapping[str, str] | None = None,
) -> None:
    """One search, one entry: the items and people it showed are its subjects. When it also told the
    user that other hubs hold an interest (deconfliction, `interests` as (hub name, nominal ids)), it
    disclosed that fact: the entry is then a disclosure to the user, with those people as subjects too."""
    item_subjects = ItemSubject.objects.filter(item__in=[i.pk for i in items]).values_list(
        "nominal_id", flat=True
    )
    subjects = {*item_subjects, *people_ids, *(n for _hub, ids in interests for n in ids)}
    details: dict[str, object] = {
        "query": {"q": query, **(filters or {})},
        "shown": [i.pk for i in items],
        "people": list(people_ids),
    }
    if interests:
        details["interests"] = [{"owner_hub": hub, "people": len(ids)} for hub, ids in interests]
    audit_record(
        actor=actor,
        action=AuditAction.INTEL_DECONFLICTION_HIT if interests else AuditAction.INTEL_ITEM_LIST,
        surface=surface,
        object_type="intel_item_list",
        justification="Intelligence search",
        recipients=[actor.display_label] if interests else [],
        details=details,
        subject_ids=subjects,
    )
