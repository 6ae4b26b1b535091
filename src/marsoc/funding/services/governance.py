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


def _problems(
    *,
    texts: list[tuple[str, str, str, int]],
    past_dates: list[tuple[str, str, date | None]],
    today: date,
    review: tuple[date | None, date | None, str] | None = None,
) -> dict[str, str]:
    """Field → problem for required texts (field, label, value, limit), dates that may not be in the future
    (field, label, value) and a next review (its date, the date it may not precede, that date's words)."""
    found = {field: _text_problem(label, value, limit=limit) for field, label, value, limit in texts}
    found |= {field: _date_problem(label, value, today) for field, label, value in past_dates}
    if review is not None:
        due, since, words = review
        if due is None:
            found["review_due_on"] = "Enter the date it is next reviewed"
        elif since is not None and due < since:
            found["review_due_on"] = f"The review date must be on or after {words}"
    return {field: problem for field, problem in found.items() if problem}


def _audit(actor: User, action: AuditAction, object_id: int, justification: str, **details: object) -> None:
    audit_record(
        actor=actor, action=action, object_id=object_id, justification=justification, details=details
    )


def _require_keeper(actor: User) -> None:
    if not access.may(actor, "governance.manage"):
        raise PermissionDenied("You cannot record or change governance assessments")


def _assessment_problems(
    actor: User,
    data: "DpiaInput | EqualityInput",
    body: tuple[str, str],
    dated: tuple[str, str],
    today: date | None,
) -> dict[str, str]:
    """A new assessment's reference, title, `body` text (field, label) and `dated` day (field, words),
    which may not be in the future and which the next review may not precede."""
    _require_keeper(actor)
    (field, label), (day_field, words) = body, dated
    day = getattr(data, day_field)
    return _problems(
        texts=[
            ("reference", "reference", data.reference, 40),
            ("title", "title", data.title, 200),
            (field, label, getattr(data, field), MAX_TEXT),
        ],
        past_dates=[(day_field, words, day)],
        today=today or timezone.localdate(),
        review=(data.review_due_on, day, f"the date {words}"),
    )


# --- sign-off of sharing agreements --------------------------------------------------------------------


@dataclass(frozen=True)
class SignOffInput:
    agency: int | None
    signed_by: str
    signed_on: date | None


def agreement_sign_off(
    *, actor: User, agreement: SharingAgreement, data: SignOffInput, today: date | None = None
) -> AgreementSignOff:
    """Record that an agency signed the agreement: who signed for it and when. Once every party has,
    the agreement is in force on the days its status and dates allow (marsoc.sharing.agreements)."""
    if not access.may(actor, "agreement.manage"):
        raise PermissionDenied("Only a national hub manager can record an agreement's sign-off")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
        party = locked.parties.filter(pk=data.agency or 0).first()
        errors = _problems(
            texts=[("signed_by", "name and office of who signed", data.signed_by, 200)],
            past_dates=[("signed_on", "it was signed", data.signed_on)],
            today=today,
        )
        if party is None:
            errors["agency"] = "Select one of the agreement's parties"
        elif AgreementSignOff.objects.filter(agreement=locked, agency=party).exists():
            errors["agency"] = f"{party.name} has already signed this agreement"
        if errors:
            raise ValidationFailed(errors)
        assert party is not None and data.signed_on is not None
        signed = {"signed_by": data.signed_by.strip(), "signed_on": data.signed_on}
        sign_off = AgreementSignOff.objects.create(
            agreement=locked, agency=party, **signed, recorded_by=actor, recorded_at=timezone.now()
        )
        _audit(
            actor, AuditAction.AGREEMENT_SIGN_OFF, locked.pk, f"Signed for {party.name}", agency=party.code
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
    body, dated = ("risks", "risks and how each is mitigated"), ("initiated_on", "it was initiated")
    errors = _assessment_problems(actor, data, body, dated, today)
    if "reference" not in errors and Dpia.objects.filter(reference=data.reference.strip()).exists():
        errors["reference"] = "A DPIA with this reference already exists"
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
        _audit(actor, AuditAction.DPIA_RECORD, dpia.pk, "DPIA recorded", reference=dpia.reference)
    return dpia


@dataclass(frozen=True)
class DpiaMoveInput:
    to_status: str
    review_due_on: date | None
    risks: str = ""


def dpia_move(*, actor: User, dpia: Dpia, data: DpiaMoveInput, today: date | None = None) -> Dpia:
    """Move a DPIA on (initiated → in consultation → completed → reviewed, and reviewed again), with
    its next review date and, optionally, the risks as now recorded. Completion is dated today."""
    _require_keeper(actor)
    today = today or timezone.localdate()
    to_status, review_due_on, risks = data.to_status, data.review_due_on, data.risks
    errors: dict[str, str] = {}
    with transaction.atomic():
        locked = Dpia.objects.select_for_update().get(pk=dpia.pk)
        if to_status not in DPIA_TRANSITIONS.get(locked.status, frozenset()):
            errors["to_status"] = (
                f"A DPIA that is {locked.get_status_display().lower()} cannot move to that status"
            )
        errors |= _problems(
            texts=[("risks", "risks", risks, MAX_TEXT)] if risks.strip() else [],
            past_dates=[],
            today=today,
            review=(review_due_on, today, "today"),
        )
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
        _audit(
            actor,
            AuditAction.DPIA_STATUS,
            locked.pk,
            f"DPIA {locked.get_status_display().lower()}",
            to=to_status,
            was=from_status,
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
    errors = _assessment_problems(
        actor, data, ("conclusions", "conclusions"), ("assessed_on", "it was assessed"), today
    )
    if data.period_starts_on is None:
        errors["period_starts_on"] = "Enter the first day of the monitoring period it considers"
    if data.period_ends_on is None:
        errors["period_ends_on"] = "Enter the last day of the monitoring period it considers"
    elif data.period_starts_on is not None and data.period_ends_on < data.period_starts_on:
        errors["period_ends_on"] = "The period must end on or after the day it starts"
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
        _audit(actor, AuditAction.EIA_VERSION, eia.pk, f"Version {eia.version}", reference=eia.reference)
    return eia
