"""The governance register's writes: each party's sign-off of an information-sharing agreement (the
agreement model stays marsoc.sharing's; its in-force rule reads these sign-offs), data protection impact
assessments and their status, and versions of equality impact assessments."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.text import control_character_problem
from marsoc.sharing.models import AgreementSignOff, SharingAgreement

from ..models import Dpia, EqualityAssessment
from ..vocabulary import DPIA_TRANSITIONS, DpiaStatus

MAX_TEXT = 20_000


def _text_problem(label: str, text: str, *, limit: int = MAX_TEXT) -> str:
    text = text.strip()
    if not text:
        return f"Enter the {label}"
    if len(text) > limit:
        return f"The {label} must be {limit:,} characters or fewer"
    problem = control_character_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    return f"The {label} {problem}" if problem else ""


def _date_problem(label: str, value: date | None, today: date) -> str:
    if value is None:
        return f"Enter the date {label}"
    if value > today:
        return f"The date {label} cannot be in the future"
    return ""


# --- sign-off of sharing agreements --------------------------------------------------------------------


def agreement_sign_off(
    *,
    actor: User,
    agreement: SharingAgreement,
    agency_id: int | None,
    signed_by: str,
    signed_on: date | None,
    today: date | None = None,
) -> AgreementSignOff:
    """Record that `agency_id` signed the agreement: who signed for it and when. Once every party has,
    the agreement is in force on the days its status and dates allow (marsoc.sharing.agreements)."""
    if not access.may(actor, "agreement.manage"):
        raise PermissionDenied("Only a national hub manager can record an agreement's sign-off")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    with transaction.atomic():
        locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        party = locked.parties.filter(pk=agency_id or 0).first()
        if party is None:
            errors["agency"] = "Select one of the agreement's parties"
        elif AgreementSignOff.objects.filter(agreement=locked, agency=party).exists():
            errors["agency"] = f"{party.name} has already signed this agreement"
        problem = _text_problem("name and office of who signed", signed_by, limit=200)
        if problem:
            errors["signed_by"] = problem
        problem = _date_problem("it was signed", signed_on, today)
        if problem:
            errors["signed_on"] = problem
        if errors:
            raise ValidationFailed(errors)
        assert party is not None and signed_on is not None
        sign_off = AgreementSignOff.objects.create(
            agreement=locked,
            agency=party,
            signed_by=signed_by.strip(),
            signed_on=signed_on,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.AGREEMENT_SIGN_OFF,
            object_id=locked.pk,
            justification=f"Signed for {party.name}",
            details={"reference": locked.reference, "agency": party.code, "signed_on": signed_on.isoformat()},
        )
    return sign_off


# --- data protection impact assessments ----------------------------------------------------------------


@dataclass(frozen=True)
class DpiaInput:
    reference: str
    title: str
    initiated_on: date | None
    review_due_on: date | None
    risks: str


def dpia_record(*, actor: User, data: DpiaInput, today: date | None = None) -> Dpia:
    """A new DPIA, initiated, owned by the person who records it."""
    if not access.may(actor, "governance.manage"):
        raise PermissionDenied("You cannot record governance assessments")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    for field, label, value, limit in (
        ("reference", "reference", data.reference, 40),
        ("title", "title", data.title, 200),
        ("risks", "risks and how each is mitigated", data.risks, MAX_TEXT),
    ):
        problem = _text_problem(label, value, limit=limit)
        if problem:
            errors[field] = problem
    if "reference" not in errors and Dpia.objects.filter(reference=data.reference.strip()).exists():
        errors["reference"] = "A DPIA with this reference already exists"
    problem = _date_problem("it was initiated", data.initiated_on, today)
    if problem:
        errors["initiated_on"] = problem
    if data.review_due_on is None:
        errors["review_due_on"] = "Enter the date it is next reviewed"
    elif data.initiated_on is not None and data.review_due_on < data.initiated_on:
        errors["review_due_on"] = "The review date must be on or after the date it was initiated"
    if errors:
        raise ValidationFailed(errors)
    assert data.initiated_on is not None and data.review_due_on is not None
    with transaction.atomic():
        dpia = Dpia.objects.create(
            reference=data.reference.strip(),
            title=data.title.strip(),
            status=DpiaStatus.INITIATED,
            owner=actor,
            initiated_on=data.initiated_on,
            review_due_on=data.review_due_on,
            risks=data.risks.strip(),
        )
        audit_record(
            actor=actor,
            action=AuditAction.DPIA_RECORD,
            object_id=dpia.pk,
            justification="DPIA recorded",
            details={"reference": dpia.reference},
        )
    return dpia


def dpia_move(
    *,
    actor: User,
    dpia: Dpia,
    to_status: str,
    review_due_on: date | None,
    risks: str = "",
    today: date | None = None,
) -> Dpia:
    """Move a DPIA on (initiated → in consultation → completed → reviewed, and reviewed again), with
    its next review date and, optionally, the risks as now recorded. Completion is dated today."""
    if not access.may(actor, "governance.manage"):
        raise PermissionDenied("You cannot change governance assessments")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    with transaction.atomic():
        locked = Dpia.objects.select_for_update().get(pk=dpia.pk)
        if to_status not in DPIA_TRANSITIONS.get(locked.status, frozenset()):
            errors["to_status"] = (
                f"A DPIA that is {locked.get_status_display().lower()} cannot move to that status"
            )
        if review_due_on is None:
            errors["review_due_on"] = "Enter the date it is next reviewed"
        elif review_due_on < today:
            errors["review_due_on"] = "The next review must be today or later"
        if risks.strip():
            problem = _text_problem("risks", risks)
            if problem:
                errors["risks"] = problem
        if errors:
            raise ValidationFailed(errors)
        assert review_due_on is not None
        from_status = locked.status
        locked.status = to_status
        locked.review_due_on = review_due_on
        if to_status == DpiaStatus.COMPLETED:
            locked.completed_on = today
        if risks.strip():
            locked.risks = risks.strip()
        locked.save(update_fields=["status", "review_due_on", "completed_on", "risks"])
        audit_record(
            actor=actor,
            action=AuditAction.DPIA_STATUS,
            object_id=locked.pk,
            justification=f"DPIA {locked.get_status_display().lower()}",
            details={"from": from_status, "to": to_status},
        )
    return locked


# --- equality impact assessments -----------------------------------------------------------------------


@dataclass(frozen=True)
class EqualityInput:
    reference: str
    title: str
    assessed_on: date | None
    conclusions: str
    period_starts_on: date | None
    period_ends_on: date | None
    review_due_on: date | None


def eia_record_version(*, actor: User, data: EqualityInput, today: date | None = None) -> EqualityAssessment:
    """A new version of an equality impact assessment (version 1 of a new reference), authored by the
    person who records it, for the equality monitoring period it considers."""
    if not access.may(actor, "governance.manage"):
        raise PermissionDenied("You cannot record governance assessments")
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    for field, label, value, limit in (
        ("reference", "reference", data.reference, 40),
        ("title", "title", data.title, 200),
        ("conclusions", "conclusions", data.conclusions, MAX_TEXT),
    ):
        problem = _text_problem(label, value, limit=limit)
        if problem:
            errors[field] = problem
    problem = _date_problem("it was assessed", data.assessed_on, today)
    if problem:
        errors["assessed_on"] = problem
    if data.period_starts_on is None:
        errors["period_starts_on"] = "Enter the first day of the monitoring period it considers"
    if data.period_ends_on is None:
        errors["period_ends_on"] = "Enter the last day of the monitoring period it considers"
    elif data.period_starts_on is not None and data.period_ends_on < data.period_starts_on:
        errors["period_ends_on"] = "The period must end on or after the day it starts"
    if data.review_due_on is None:
        errors["review_due_on"] = "Enter the date it is next reviewed"
    elif data.assessed_on is not None and data.review_due_on < data.assessed_on:
        errors["review_due_on"] = "The review date must be on or after the date it was assessed"
    if errors:
        raise ValidationFailed(errors)
    assert data.assessed_on and data.period_starts_on and data.period_ends_on and data.review_due_on
    reference = data.reference.strip()
    with transaction.atomic():
        latest = (
            EqualityAssessment.objects.select_for_update()
            .filter(reference=reference)
            .order_by("-version")
            .first()
        )
        if latest is not None and data.assessed_on < latest.assessed_on:
            earlier = f"Version {latest.version} was assessed on {latest.assessed_on:%-d %B %Y}"
            raise ValidationFailed({"assessed_on": f"{earlier}: a new version cannot be dated before it"})
        eia = EqualityAssessment.objects.create(
            reference=reference,
            version=(latest.version + 1) if latest else 1,
            title=data.title.strip(),
            author=actor,
            assessed_on=data.assessed_on,
            conclusions=data.conclusions.strip(),
            period_starts_on=data.period_starts_on,
            period_ends_on=data.period_ends_on,
            review_due_on=data.review_due_on,
        )
        audit_record(
            actor=actor,
            action=AuditAction.EIA_VERSION,
            object_id=eia.pk,
            justification=f"Version {eia.version} recorded",
            details={"reference": eia.reference, "version": eia.version},
        )
    return eia
