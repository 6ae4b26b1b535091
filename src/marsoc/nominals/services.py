"""Every write to nominal data. Each service checks the policy, validates, writes and records the s.62
audit entry in one transaction; on any error nothing is saved."""

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Establishment, Hub, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed, refused_in_context
from marsoc.core.guards import require_on_nominal
from marsoc.core.identifiers import IdentifierError, IdentifierType, normalise
from marsoc.core.records import create_audited, save_audited
from marsoc.core.text import control_character_problem
from marsoc.core.vocabulary import Classification
from marsoc.nominals.vocabulary import ALLOWED_TRANSITIONS

from .lifecycle import CustodySequenceError, apply_event, derive_custody
from .models import Alias, CustodyEvent, Identifier, MembershipChange, Nominal, Participation
from .vocabulary import (
    AliasType,
    CustodyEventType,
    DataSubjectCategory,
    ExitReason,
    MembershipState,
    OfficerDefinedEthnicity,
    ReceptionStatus,
    Religion,
    SelfDefinedEthnicity,
    Sex,
)

EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class NominalInput:
    given_names: str
    family_name: str
    date_of_birth: date | None
    sex: str
    data_subject_category: str
    owner_hub_id: int | None
    ethnicity_self: str = SelfDefinedEthnicity.NS
    ethnicity_officer: str = OfficerDefinedEthnicity.IC9
    nationality: str = "British"
    religion: str = ""
    classification: str = Classification.OFFICIAL_SENSITIVE
    lead_officer_id: int | None = None


def _choice_error(value: str, choices: type[models.TextChoices], label: str) -> str | None:
    return None if value in choices.values else f"Select a valid {label}"


def _validate_person(actor: Actor, data: NominalInput, errors: dict[str, str]) -> None:
    today = timezone.localdate()
    if not data.given_names.strip():
        errors["given_names"] = "Enter the given names"
    elif len(data.given_names) > 100:
        errors["given_names"] = "Given names must be 100 characters or fewer"
    if not data.family_name.strip():
        errors["family_name"] = "Enter the family name"
    elif len(data.family_name) > 100:
        errors["family_name"] = "Family name must be 100 characters or fewer"
    for field, label in (("given_names", "Given names"), ("family_name", "Family name")):
        unusable = control_character_problem(getattr(data, field))
        if unusable:
            errors[field] = f"{label} {unusable}"

    if data.date_of_birth is None:
        errors.setdefault("date_of_birth", "Enter the date of birth")
    elif data.date_of_birth >= today:
        errors["date_of_birth"] = refused_in_context("Date of birth must be in the past")
    elif data.date_of_birth < EARLIEST_BIRTH:
        errors["date_of_birth"] = refused_in_context("Date of birth must be after 1 January 1900")
    for field, value, choices, label in (
        ("sex", data.sex, Sex, "sex"),
        ("data_subject_category", data.data_subject_category, DataSubjectCategory, "data subject category"),
        ("ethnicity_self", data.ethnicity_self, SelfDefinedEthnicity, "self-defined ethnicity"),
        ("ethnicity_officer", data.ethnicity_officer, OfficerDefinedEthnicity, "officer-defined ethnicity"),
        ("religion", data.religion, Religion, "religion"),
        ("classification", data.classification, Classification, "classification"),
    ):
        problem = _choice_error(value, choices, label)
        if problem:
            errors[field] = problem
    if not data.nationality.strip():
        errors["nationality"] = "Enter the nationality"
    if data.classification in Classification.values and not access.may(
        actor, "clearance.covers", data.classification
    ):
        errors["classification"] = refused_in_context(
            "You cannot record a classification above your own clearance"
        )
    if data.owner_hub_id is None or not Hub.objects.filter(pk=data.owner_hub_id).exists():
        errors["owner_hub"] = refused_in_context("Select the owner hub")
    elif not access.may(actor, "nominal.refer_to_hub", data.owner_hub_id):
        errors["owner_hub"] = refused_in_context("You can only record people for your own hub")
    if data.lead_officer_id is not None:
        officer = User.objects.filter(pk=data.lead_officer_id, is_active=True).select_related("hub").first()
        if officer is None:
            errors["lead_officer"] = refused_in_context("Select a lead officer")
        elif officer.hub_id != data.owner_hub_id and not (officer.hub and officer.hub.is_national):
            errors["lead_officer"] = refused_in_context(
                "The lead officer must work for the owner hub or the national team"
            )


def _normalise_identifiers(
    actor: User,
    identifiers: Sequence[tuple[str, str]],
    errors: dict[str, str],
    *,
    exclude_nominal: int | None = None,
) -> list[tuple[str, str]]:
    clean: list[tuple[str, str]] = []
    for id_type, raw in identifiers:
        if not raw.strip():
            continue
        field = f"identifier_{id_type.lower()}"
        try:
            value = normalise(IdentifierType(id_type), raw)
        except (IdentifierError, ValueError) as exc:
            errors[field] = str(exc)
            continue
        taken = Identifier.objects.filter(id_type=id_type, value=value).select_related("nominal__owner_hub")
        if exclude_nominal is not None:
            taken = taken.exclude(nominal_id=exclude_nominal)
        holder = taken.first()
        if holder is None:
            clean.append((id_type, value))
            continue
        label = IdentifierType(id_type).label
        if access.may(actor, "nominal.view", holder.nominal):
            errors[field] = refused_in_context(
                f"{label} {value} is already recorded against {holder.nominal.reference}"
            )
            continue
        # Deconfliction: say who holds an interest and whom to contact, never the content; log the hit.
        hub = holder.nominal.owner_hub
        contact = hub.contact_email or hub.contact_name or "the national team"
        errors[field] = refused_in_context(
            f"{label} {value} is already recorded by another hub: contact {hub.name} ({contact}) before going on"
        )
        audit_record(
            actor=actor,
            action=AuditAction.DECONFLICTION_IDENTIFIER,
            object_id=holder.nominal_id,
            nominal_id=holder.nominal_id,
            justification="Identifier entered by a user outside the owner hub",
            recipients=[actor.display_label],
            details={"id_type": id_type, "owner_hub": hub.code},
        )
    return clean


def nominal_refer(
    *,
    actor: User,
    data: NominalInput,
    identifiers: Sequence[tuple[str, str]] = (),
    rationale: str,
) -> Nominal:
    """Record a new person referred to a hub's cohort (membership state: referred)."""
    errors: dict[str, str] = {}
    _validate_person(actor, data, errors)
    if not rationale.strip():
        errors["rationale"] = "Enter why this person is being referred"
    clean_ids = _normalise_identifiers(actor, identifiers, errors)
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            nominal = Nominal.objects.create(
                **{k: v for k, v in asdict(data).items()},
                membership_state=MembershipState.REFERRED,
                membership_changed_at=now,
                created_by=actor,
            )
            Identifier.objects.bulk_create(
                [Identifier(nominal=nominal, id_type=t, value=v, added_by=actor) for t, v in clean_ids]
            )
            MembershipChange.objects.create(
                nominal=nominal,
                from_state="",
                to_state=MembershipState.REFERRED,
                effective_date=now.date(),
                rationale=rationale.strip(),
                changed_by=actor,
                changed_at=now,
            )
            audit_about(
                actor,
                AuditAction.NOMINAL_REFER,
                nominal,
                justification=rationale.strip(),
                details={"identifiers": [t for t, _ in clean_ids], "owner_hub": data.owner_hub_id},
            )
    except IntegrityError as exc:  # a concurrent insert of the same identifier
        raise ValidationFailed(
            {"identifiers": "An identifier was recorded against another nominal just now"}
        ) from exc
    return nominal


def _require_edit(actor: Actor, nominal: Nominal) -> None:
    require_on_nominal(actor, "nominal.edit", nominal, refusal="You cannot change this record")


def nominal_update(*, actor: User, nominal: Nominal, data: NominalInput, reason: str) -> Nominal:
    _require_edit(actor, nominal)
    errors: dict[str, str] = {}
    _validate_person(actor, data, errors)
    if not reason.strip():
        errors["reason"] = "Enter the reason for the change"
    if errors:
        raise ValidationFailed(errors)
    changed = [f for f, v in asdict(data).items() if getattr(nominal, f) != v]
    if not changed:
        return nominal
    with transaction.atomic():
        for field in changed:
            setattr(nominal, field, getattr(data, field))
        nominal.save()
        audit_about(
            actor,
            AuditAction.NOMINAL_UPDATE,
            nominal,
            justification=reason.strip(),
            details={"fields": changed},
        )
    return nominal


def identifier_add(*, actor: User, nominal: Nominal, id_type: str, raw: str) -> Identifier:
    _require_edit(actor, nominal)
    errors: dict[str, str] = {}
    if id_type not in IdentifierType.__members__:
        raise ValidationFailed({"id_type": "Select the type of identifier"})
    if not raw.strip():
        raise ValidationFailed({"value": f"Enter the {IdentifierType(id_type).label}"})
    clean = _normalise_identifiers(actor, [(id_type, raw)], errors)
    if errors:
        raise ValidationFailed({"value": next(iter(errors.values()))})
    (_, value) = clean[0]
    try:
        with transaction.atomic():
            identifier = Identifier.objects.create(
                nominal=nominal, id_type=id_type, value=value, added_by=actor
            )
            audit_about(actor, AuditAction.IDENTIFIER_ADD, identifier, details={"id_type": id_type})
    except IntegrityError as exc:
        raise ValidationFailed(
            {"value": "That identifier was recorded against another nominal just now"}
        ) from exc
    return identifier


def alias_add(
    *,
    actor: User,
    nominal: Nominal,
    alias_type: str,
    given_names: str,
    family_name: str,
    date_of_birth: date | None = None,
) -> Alias:
    _require_edit(actor, nominal)
    errors: dict[str, str] = {}
    if alias_type not in AliasType.values:
        errors["alias_type"] = "Select the kind of alias"
    if not (given_names.strip() or family_name.strip()):
        errors["family_name"] = "Enter a given name or a family name"
    for field, value, label in (
        ("given_names", given_names, "Given names"),
        ("family_name", family_name, "Family name"),
    ):
        problem = control_character_problem(value)
        if problem:
            errors[field] = f"{label} {problem}"
    if date_of_birth is not None and date_of_birth >= timezone.localdate():
        errors["date_of_birth"] = refused_in_context("Date of birth must be in the past")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        alias = Alias.objects.create(
            nominal=nominal,
            alias_type=alias_type,
            given_names=given_names.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            added_by=actor,
        )
        audit_about(actor, AuditAction.ALIAS_ADD, alias)
    return alias


def custody_refresh(nominal: Nominal) -> None:
    """Store the custody facts derived from the events (the phase is derived at read time)."""
    state = derive_custody(list(nominal.custody_events.order_by("occurred_on", "id")))
    nominal.custody_status = state.status
    nominal.current_establishment_id = state.establishment_id
    nominal.expected_release_date = state.expected_release_date
    nominal.licence_end_date = state.licence_end_date
    nominal.ever_sentenced = state.ever_sentenced
    nominal.save(
        update_fields=[
            "custody_status",
            "current_establishment",
            "expected_release_date",
            "licence_end_date",
            "ever_sentenced",
            "updated_at",
        ]
    )


def custody_event_record(
    *,
    actor: User,
    nominal: Nominal,
    event_type: str,
    occurred_on: date | None,
    establishment_id: int | None = None,
    reception_status: str = "",
    expected_release_date: date | None = None,
    licence_end_date: date | None = None,
    notes: str = "",
) -> CustodyEvent:
    _require_edit(actor, nominal)
    errors: dict[str, str] = {}
    if event_type not in CustodyEventType.values:
        errors["event_type"] = "Select the kind of custody event"
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the event"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = "The date of the event cannot be in the future"
    elif occurred_on < nominal.date_of_birth:
        errors["occurred_on"] = "The date of the event cannot be before the person's date of birth"
    if establishment_id is not None and not Establishment.objects.filter(pk=establishment_id).exists():
        errors["establishment"] = "Select an establishment from the list"
    if reception_status and reception_status not in ReceptionStatus.values:
        errors["reception_status"] = "Select remand or sentenced"
    if licence_end_date and expected_release_date and licence_end_date < expected_release_date:
        errors["licence_end_date"] = "The licence end date must be on or after the expected release date"
    if errors:
        raise ValidationFailed(errors)
    assert occurred_on is not None
    event = CustodyEvent(
        nominal=nominal,
        event_type=event_type,
        occurred_on=occurred_on,
        establishment_id=establishment_id,
        reception_status=reception_status if event_type == CustodyEventType.RECEPTION else "",
        expected_release_date=expected_release_date,
        licence_end_date=licence_end_date,
        notes=notes.strip(),
        recorded_by=actor,
    )
    with transaction.atomic():
        locked = Nominal.objects.select_for_update().get(pk=nominal.pk)
        state = derive_custody(list(locked.custody_events.order_by("occurred_on", "id")))
        try:
            apply_event(state, event)
        except CustodySequenceError as exc:
            raise ValidationFailed({exc.field: str(exc)}) from exc
        event.save()
        custody_refresh(locked)
        audit_about(actor, AuditAction.CUSTODY_EVENT_RECORD, event, details={"event_type": event_type})
    nominal.refresh_from_db()
    return event


def membership_change(
    *,
    actor: User,
    nominal: Nominal,
    to_state: str,
    rationale: str,
    effective_date: date | None = None,
    exit_reason: str = "",
) -> MembershipChange:
    if not access.may(actor, "nominal.view", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")
    errors: dict[str, str] = {}
    if to_state not in MembershipState.values:
        raise ValidationFailed({"to_state": "Select the new membership state"})
    if to_state not in ALLOWED_TRANSITIONS[nominal.membership_state]:
        errors["to_state"] = (
            f"A nominal who is {MembershipState(nominal.membership_state).label.lower()} cannot move to "
            f"{MembershipState(to_state).label.lower()}"
        )
    elif not access.may(actor, "nominal.change_membership", nominal, to_state):
        raise PermissionDenied("Only a hub manager can adopt a nominal or exit them from the cohort")
    if not rationale.strip():
        errors["rationale"] = "Enter the rationale for this decision"
    today = timezone.localdate()
    effective = effective_date or today
    if effective > today:
        errors["effective_date"] = "The date of the decision cannot be in the future"
    if to_state == MembershipState.EXITED:
        if exit_reason not in ExitReason.values:
            errors["exit_reason"] = "Select the reason for exit"
    elif exit_reason:
        errors["exit_reason"] = "An exit reason is only given when exiting"
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        change = MembershipChange.objects.create(
            nominal=nominal,
            from_state=nominal.membership_state,
            to_state=to_state,
            effective_date=effective,
            exit_reason=exit_reason,
            rationale=rationale.strip(),
            changed_by=actor,
            changed_at=now,
        )
        nominal.membership_state = to_state
        nominal.membership_changed_at = now
        nominal.save(update_fields=["membership_state", "membership_changed_at", "updated_at"])
        audit_about(
            actor,
            AuditAction.MEMBERSHIP_CHANGE,
            nominal,
            justification=rationale.strip(),
            details={"from": change.from_state, "to": to_state, "exit_reason": exit_reason},
        )
    return change


def participation_add(
    *, actor: User, nominal: Nominal, agency_id: int | None, rationale: str
) -> Participation:
    require_on_nominal(
        actor,
        "nominal.manage_participation",
        nominal,
        refusal="Only the owner hub can add participating agencies",
    )
    errors: dict[str, str] = {}
    agency = Agency.objects.filter(pk=agency_id, active=True).first() if agency_id else None
    if agency is None:
        errors["agency"] = "Select an agency"
    elif Participation.objects.filter(nominal=nominal, agency=agency, ended_at__isnull=True).exists():
        errors["agency"] = f"{agency.name} is already a participating agency"
    if not rationale.strip():
        errors["rationale"] = "Enter why this agency needs to take part"
    if errors:
        raise ValidationFailed(errors)
    assert agency is not None
    fields = {"nominal": nominal, "agency": agency, "rationale": rationale.strip(), "added_by": actor}
    with transaction.atomic():
        return create_audited(
            actor,
            AuditAction.PARTICIPATION_ADD,
            Participation,
            fields,
            justification=rationale.strip(),
            recipients=[agency.name],
        )


def participation_end(*, actor: User, participation: Participation, reason: str) -> Participation:
    nominal = participation.nominal
    require_on_nominal(
        actor,
        "nominal.manage_participation",
        nominal,
        refusal="Only the owner hub can end an agency's participation",
    )
    if participation.ended_at is not None:
        raise ValidationFailed({"participation": "That participation has already ended"})
    if not reason.strip():
        raise ValidationFailed({"reason": "Enter why the agency no longer takes part"})
    with transaction.atomic():
        return save_audited(
            actor,
            AuditAction.PARTICIPATION_END,
            participation,
            {"ended_at": timezone.now(), "ended_by": actor},
            justification=reason.strip(),
            recipients=[participation.agency.name],
        )


def nominal_consult(*, actor: User, nominal: Nominal, purpose: str, surface: str) -> None:
    """Record that `actor` opened the record, with the purpose they gave (s.62(3))."""
    audit_about(actor, AuditAction.NOMINAL_VIEW, nominal, surface=surface, justification=purpose)


def nominal_list_consult(
    *, actor: User, nominal_ids: Sequence[int], purpose: str, surface: str, query: dict[str, str]
) -> None:
    """Record a list or search that showed personal data: which records, and the search used."""
    audit_record(
        actor=actor,
        action=AuditAction.NOMINAL_LIST,
        surface=surface,
        justification=purpose,
        details={"shown": list(nominal_ids), "query": query},
        subject_ids=nominal_ids,
    )


def cohort_aggregates_consult(*, actor: User) -> None:
    """The Board's counts by hub and state were shown (aggregates, no person)."""
    audit_record(
        actor=actor,
        action=AuditAction.COHORT_AGGREGATES_VIEW,
        justification="Cohort aggregates (no personal data)",
    )
