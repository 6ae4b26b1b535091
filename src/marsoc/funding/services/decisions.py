"""Decision records: drafted with their declarations, ticked by named people, approved by a decision
maker who did not draft them once every declaration is ticked, and published (Part 1 only) at once or
after a deferral. Part 2 is written with the draft and never published."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.records import save_audited
from marsoc.core.text import control_character_problem
from marsoc.sharing.models import SharingAgreement

from ..models import DecisionDeclaration, DecisionPart2, DecisionRecord, Grant
from ..vocabulary import DECLARATION_STATEMENTS, DecisionState, DeclarationKind, Exemption

MAX_TEXT = 20_000


@dataclass(frozen=True)
class Part2Input:
    body: str
    exemption: str
    rationale: str


@dataclass(frozen=True)
class DecisionInput:
    reference: str
    title: str
    executive_summary: str
    recommendation: str
    part1_body: str
    decision_maker_title: str
    decide_by: date | None = None
    decide_by_reason: str = ""
    deferred_until: date | None = None
    deferral_reason: str = ""
    part2: Part2Input | None = None
    grant: Grant | None = None
    sharing_agreement: SharingAgreement | None = None
    method_version: str = ""


def _text_problem(label: str, text: str, *, required: bool = True) -> str:
    text = text.strip()
    if not text:
        return f"Enter the {label}" if required else ""
    if len(text) > MAX_TEXT:
        return f"The {label} must be {MAX_TEXT:,} characters or fewer"
    problem = control_character_problem(text.replace("\n", " ").replace("\r", " ").replace("\t", " "))
    return f"The {label} {problem}" if problem else ""


def _validate(data: DecisionInput, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, label in (
        ("reference", "reference"),
        ("title", "title"),
        ("executive_summary", "executive summary"),
        ("recommendation", "recommendation"),
        ("part1_body", "facts and advice (Part 1)"),
        ("decision_maker_title", "decision maker"),
    ):
        if problem := _text_problem(label, getattr(data, name)):
            errors[name] = problem
    if len(data.reference.strip()) > 40:
        errors["reference"] = "The reference must be 40 characters or fewer"
    elif DecisionRecord.objects.filter(reference=data.reference.strip()).exists():
        errors["reference"] = f"A decision with the reference {data.reference.strip()} already exists"
    if data.deferred_until is not None:
        if data.deferred_until <= today:
            errors["deferred_until"] = "A deferral must be to a date in the future"
        if not data.deferral_reason.strip():
            errors["deferral_reason"] = "Say why publication of Part 1 is deferred"
    elif data.deferral_reason.strip():
        errors["deferred_until"] = "Enter the date until which publication is deferred"
    if data.part2 is not None:
        if data.part2.exemption not in Exemption.values:
            errors["part2_exemption"] = "Select the exemption Part 2 rests on"
        if problem := _text_problem("Part 2", data.part2.body):
            errors["part2_body"] = problem
        if problem := _text_problem("legal rationale for not publishing Part 2", data.part2.rationale):
            errors["part2_rationale"] = problem
    if data.grant is not None and data.grant.decision_id is not None:
        errors["grant"] = f"Grant {data.grant.reference} already has the decision that accepted it"
    return errors


@transaction.atomic
def decision_draft(*, actor: User, data: DecisionInput, today: date | None = None) -> DecisionRecord:
    access.require(actor, "decision.draft", hide=False)
    today = today or timezone.localdate()
    errors = _validate(data, today)
    if errors:
        raise ValidationFailed(errors)
    decision = DecisionRecord.objects.create(
        reference=data.reference.strip(),
        title=data.title.strip(),
        executive_summary=data.executive_summary.strip(),
        recommendation=data.recommendation.strip(),
        part1_body=data.part1_body.strip(),
        decision_maker_title=data.decision_maker_title.strip(),
        decide_by=data.decide_by,
        decide_by_reason=data.decide_by_reason.strip(),
        deferred_until=data.deferred_until,
        deferral_reason=data.deferral_reason.strip(),
        drafted_by=actor,
        drafted_at=timezone.now(),
        sharing_agreement=data.sharing_agreement,
        method_version=data.method_version.strip(),
    )
    DecisionDeclaration.objects.bulk_create(
        DecisionDeclaration(decision=decision, kind=kind, statement=DECLARATION_STATEMENTS[kind], order=i)
        for i, kind in enumerate(DeclarationKind)
    )
    if data.part2 is not None:
        DecisionPart2.objects.create(
            decision=decision,
            body=data.part2.body.strip(),
            exemption=data.part2.exemption,
            rationale=data.part2.rationale.strip(),
        )
    if data.grant is not None:
        Grant.objects.filter(pk=data.grant.pk).update(decision=decision)
    audit_about(
        actor,
        AuditAction.DECISION_DRAFT,
        decision,
        details={"reference": decision.reference, "part2": data.part2 is not None},
    )
    return decision


def _lock(actor: User, decision: DecisionRecord, rule: str) -> DecisionRecord:
    """The decision, locked, for an actor the rule allows on it (PermissionDenied with its reason)."""
    locked = DecisionRecord.objects.select_for_update().filter(pk=decision.pk).first()
    if locked is None or not access.is_visible(actor, "decision", locked):
        raise NotFoundOrForbidden("decision")
    access.require(actor, rule, locked, hide=False)
    return locked


@transaction.atomic
def decision_declare(
    *, actor: User, decision: DecisionRecord, kind: str, today: date | None = None
) -> DecisionDeclaration:
    """Tick one declaration as the acting, named person, today."""
    locked = _lock(actor, decision, "decision.declare")
    declaration = locked.declarations.filter(kind=kind).first()
    if declaration is None:
        raise ValidationFailed({"kind": "There is no such declaration on this form"})
    if declaration.ticked_by_id is not None:
        raise ValidationFailed({"kind": f"{declaration.get_kind_display()} is already ticked"})
    declaration.ticked_by, declaration.ticked_on = actor, today or timezone.localdate()
    declaration.save(update_fields=["ticked_by", "ticked_on"])
    audit_about(actor, AuditAction.DECISION_DECLARE, locked, details={"declaration": kind})
    return declaration


@transaction.atomic
def decision_approve(
    *,
    actor: User,
    decision: DecisionRecord,
    interest_declaration: str,
    confirmed: bool,
    today: date | None = None,
) -> DecisionRecord:
    """The decision maker's approval, with their declaration of interests; four eyes, every box ticked."""
    locked = _lock(actor, decision, "decision.approve")
    errors: dict[str, str] = {}
    missing = [d.get_kind_display() for d in locked.declarations.all() if d.ticked_by_id is None]
    if missing:
        errors["declarations"] = (
            "Every declaration must be ticked before approval. Not yet ticked: " + ", ".join(missing)
        )
    if problem := _text_problem(
        "declaration of interests (write “None” if there are none)", interest_declaration
    ):
        errors["interest_declaration"] = problem
    if not confirmed:
        errors["confirmed"] = (
            "Confirm you have considered whether you have any personal or prejudicial interest in this matter"
        )
    if errors:
        raise ValidationFailed(errors)
    approved_on = today or timezone.localdate()
    changes = {
        "state": DecisionState.APPROVED,
        "approved_by": actor,
        "approved_on": approved_on,
        "interest_declaration": interest_declaration.strip(),
    }
    return save_audited(
        actor, AuditAction.DECISION_APPROVE, locked, changes, details={"approved_on": approved_on.isoformat()}
    )


@transaction.atomic
def decision_publish(*, actor: User, decision: DecisionRecord) -> DecisionRecord:
    """Release Part 1 to the public register (at once, or on the deferral date); Part 2 never."""
    locked = _lock(actor, decision, "decision.publish")
    deferred = locked.deferred_until
    return save_audited(
        actor,
        AuditAction.DECISION_PUBLISH,
        locked,
        {"published_at": timezone.now(), "published_by": actor},
        details={"deferred_until": deferred.isoformat() if deferred else None},
    )


def decision_view_record(*, actor: User, decision: DecisionRecord, part2: bool, surface: str) -> None:
    """Reading a decision; reading its Part 2 (exempt material) is recorded as such."""
    audit_about(
        actor,
        AuditAction.DECISION_PART2_VIEW if part2 else AuditAction.DECISION_VIEW,
        decision,
        surface=surface,
    )


def decision_form_record(*, actor: User, decision: DecisionRecord, surface: str) -> None:
    audit_about(actor, AuditAction.DECISION_FORM_EXPORT, decision, surface=surface)
