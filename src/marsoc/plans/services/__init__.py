"""Every write to plans, outcomes, orders, meetings and the catalogue. Each service checks the policy,
validates, writes and records the s.62 audit entry in one transaction; on any error nothing is saved.

Versions: the working content (objectives, actions) belongs to the plan's current version while that
version is a draft. Requesting agreement freezes it. Any later change to the content opens a new version
that needs every participating agency's agreement again; the plan keeps pointing at the last agreed
version meanwhile. Progress on an action (planned, in progress, completed) is reporting, not a change to
what was agreed, so it does not open a version; cancelling an action does.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from marsoc.accounts.models import Agency, AgencyType, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.actor import Actor
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.dates import long_date
from marsoc.core.errors import (
    Conflict,
    NotFoundOrForbidden,
    PermissionDenied,
    ValidationFailed,
    refused_in_context,
)
from marsoc.core.records import create_audited, save_audited
from marsoc.nominals.models import Nominal, Participation
from marsoc.nominals.selectors import nominal_phase
from marsoc.nominals.services import participation_add
from marsoc.nominals.vocabulary import MembershipState, Phase

from .. import alerts, groups
from ..models import (
    Action,
    Agreement,
    Meeting,
    Objective,
    Outcome,
    Plan,
    PlanVersion,
    Tactic,
)
from ..vocabulary import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AlertKind,
    LifeArea,
    OutcomeStatus,
    PlanState,
    Rating,
    Strand,
)

# Police forces, ROCUs and the NCA share the police powers in the catalogue (domain.md §5 groups them).
_LAW_ENFORCEMENT = {AgencyType.POLICE, AgencyType.ROCU, AgencyType.NCA}


def _agency_can_use(agency_type: str, tactic_type: str) -> bool:
    if tactic_type in _LAW_ENFORCEMENT:
        return agency_type in _LAW_ENFORCEMENT
    return agency_type == tactic_type


def plan_state(plan: Plan) -> PlanState:
    current = plan.current_version
    if plan.agreed_version_id is not None:
        return PlanState.AGREED if plan.agreed_version_id == plan.current_version_id else PlanState.CHANGED
    if current is not None and current.requested_at is not None:
        return PlanState.AWAITING
    return PlanState.DRAFT


# ---------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class TacticInput:
    code: str
    name: str
    agency_type: str
    legal_basis: str
    life_area: str
    strand: str
    phases: list[str]
    description: str = ""


def tactic_save(*, actor: User, data: TacticInput, tactic: Tactic | None = None, reason: str) -> Tactic:
    if not access.may(actor, "catalogue.manage"):
        raise PermissionDenied("Only a national administrator can change the catalogue")
    errors: dict[str, str] = {}
    code = data.code.strip().lower()
    if tactic is None:
        if not code:
            errors["code"] = "Enter a code"
        elif Tactic.objects.filter(code=code).exists():
            errors["code"] = f"The code {code} is already in the catalogue"
    if not data.name.strip():
        errors["name"] = "Enter the name"
    if data.agency_type not in AgencyType.values:
        errors["agency_type"] = "Select the owning agency type"
    if data.life_area not in LifeArea.values:
        errors["life_area"] = "Select the life area"
    if data.strand not in Strand.values:
        errors["strand"] = "Select the 4P strand"
    phases = [p for p in data.phases if p]
    if not phases:
        errors["phases"] = "Select at least one lifecycle phase"
    elif any(p not in Phase.values or p == Phase.EXITED for p in phases):
        errors["phases"] = "Select phases from the list"
    if not reason.strip():
        errors["reason"] = "Enter the reason for the change"
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        created = tactic is None
        tactic = tactic or Tactic(code=code)
        tactic.name = data.name.strip()
        tactic.agency_type = data.agency_type
        tactic.legal_basis = data.legal_basis.strip()
        tactic.life_area = data.life_area
        tactic.strand = data.strand
        tactic.phases = phases
        tactic.description = data.description.strip()
        tactic.save()
        _audit_tactic(
            actor, AuditAction.TACTIC_CREATE if created else AuditAction.TACTIC_UPDATE, tactic, reason
        )
    return tactic


def _audit_tactic(actor: User, action: AuditAction, tactic: Tactic, reason: str) -> None:
    """A change to the catalogue: the entry names the tactic by its code and carries the reason given."""
    audit_about(
        actor,
        action,
        tactic,
        object_type="tactic",
        justification=reason.strip(),
        details={"code": tactic.code},
    )


def tactic_retire(*, actor: User, tactic: Tactic, retire: bool, reason: str) -> Tactic:
    if not access.may(actor, "catalogue.manage"):
        raise PermissionDenied("Only a national administrator can change the catalogue")
    if not reason.strip():
        raise ValidationFailed({"reason": "Enter the reason for the change"})
    with transaction.atomic():
        tactic.retired_at = timezone.now() if retire else None
        tactic.save(update_fields=["retired_at", "updated_at"])
        _audit_tactic(
            actor, AuditAction.TACTIC_RETIRE if retire else AuditAction.TACTIC_REINSTATE, tactic, reason
        )
    return tactic


# ---------------------------------------------------------------- plans and versions


def snapshot_of(
    plan: Plan, objectives: Iterable[Objective], actions: Iterable[Action]
) -> tuple[dict[str, Any], list[int]]:
    """The frozen content of a version and its participating agencies (the agencies with a live action)."""
    live = [a for a in actions if a.status != ActionStatus.CANCELLED]
    snapshot = {
        "owner_agency": plan.owner_agency.name,
        "owner_officer": str(plan.owner_officer) if plan.owner_officer_id else "",
        "objectives": [{"id": o.pk, "text": o.text} for o in objectives],
        "actions": [
            {
                "id": a.pk,
                "objective_id": a.objective_id,
                "tactic_code": a.tactic.code,
                "tactic": a.tactic.name,
                "agency_id": a.agency_id,
                "agency": a.agency.name,
                "officer": str(a.officer) if a.officer_id else "",
                "due_date": a.due_date.isoformat(),
                "notes": a.notes,
            }
            for a in live
        ],
    }
    return snapshot, sorted({a.agency_id for a in live})


def _snapshot(plan: Plan) -> tuple[dict[str, Any], list[int]]:
    return snapshot_of(
        plan,
        plan.objectives.all(),
        plan.actions.select_related("tactic", "agency", "officer").exclude(status=ActionStatus.CANCELLED),
    )


def _alert_plan(plan: Plan, users: Iterable[User], kind: AlertKind, about: int, text: str) -> None:
    """An alert about the plan, linking to it; its key (kind and record) stops it being sent twice."""
    alerts.alert_issue(
        users=users,
        kind=kind,
        key=f"{kind.value.replace('_', '-')}:{about}",
        nominal=plan.nominal,
        text=text,
        url=reverse("plans:plan", args=[plan.nominal_id]),
    )


def _record_change(*, actor: User, plan: Plan, summary: str) -> PlanVersion:
    """Put the plan's content into its open version, opening a new one if the current one is frozen."""
    current = plan.current_version
    assert current is not None
    snapshot, agencies = _snapshot(plan)
    now = timezone.now()
    if current.requested_at is None:
        current.snapshot = snapshot
        current.participating_agency_ids = agencies
        current.change_summary = "\n".join(s for s in (current.change_summary, summary) if s)
        current.save(update_fields=["snapshot", "participating_agency_ids", "change_summary"])
        return current
    version = PlanVersion.objects.create(
        plan=plan,
        number=current.number + 1,
        snapshot=snapshot,
        participating_agency_ids=agencies,
        created_at=now,
        created_by=actor,
        change_summary=summary,
    )
    plan.current_version = version
    plan.save(update_fields=["current_version"])
    # Tell whoever agreed (or was asked to agree) the frozen version that it has been superseded.
    recipients = set(User.objects.filter(pk__in=current.agreements.values("representative")))
    if plan.owner_officer_id:
        recipients.add(plan.owner_officer)  # type: ignore[arg-type]
    text = f"The disruption plan for {plan.nominal.reference} changed (version {version.number}): {summary}"
    _alert_plan(plan, recipients, AlertKind.PLAN_CHANGED, version.pk, text)
    return version


def _locked_plan(plan: Plan) -> Plan:
    """The plan row, locked for this transaction, and its versions as they are now.

    The lock is taken on the plan row alone, and the versions are read after it in their own query.
    (Reading them in the locking query does not work on PostgreSQL: a request that waited for the lock
    gets the plan row as the other request left it, but the joined version row from before the wait,
    which no longer matches, so `current_version` came back empty: issue 14.) Under READ COMMITTED the
    query after the lock sees everything the request that held it committed."""
    locked = Plan.objects.select_for_update().get(pk=plan.pk)
    if plan.nominal_id == locked.nominal_id:  # the person does not change with the plan: keep it loaded
        locked.nominal = plan.nominal
    if locked.current_version_id is not None:
        locked.current_version = PlanVersion.objects.get(pk=locked.current_version_id)
    return locked


CHANGED_UNDER_YOU = "Someone changed this plan while you were looking at it: reload it and try again"


def require_view(actor: Actor, nominal: Nominal) -> None:
    if not access.may(actor, "plan.view", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")


def _require_edit(actor: Actor, nominal: Nominal) -> None:
    """One evaluation of the rule on the path that writes ("plan.edit" already includes seeing the
    person); only a refusal asks whether the actor may see the plan at all, to hide it if not."""
    if access.may(actor, "plan.edit", nominal):
        return
    require_view(actor, nominal)
    raise PermissionDenied("Only the owner hub can change this plan")


def plan_create(
    *, actor: User, nominal: Nominal, owner_agency_id: int | None, owner_officer_id: int | None = None
) -> Plan:
    _require_edit(actor, nominal)
    errors: dict[str, str] = {}
    if nominal.membership_state != MembershipState.ADOPTED:
        errors["nominal"] = "Only an adopted nominal has a disruption plan: adopt the person first"
    elif Plan.objects.filter(nominal=nominal).exists():
        errors["nominal"] = "This person already has a plan"
    agency = Agency.objects.filter(pk=owner_agency_id, active=True).first() if owner_agency_id else None
    if agency is None:
        errors["owner_agency"] = "Select the plan owner's agency"
    officer = None
    if owner_officer_id is not None:
        officer = User.objects.filter(pk=owner_officer_id, is_active=True).first()
        if officer is None:
            errors["owner_officer"] = "Select the plan owner"
        elif agency is not None and officer.agency_id != agency.pk:
            errors["owner_officer"] = f"The plan owner must work for {agency.name}"
    if errors:
        raise ValidationFailed(errors)
    assert agency is not None
    now = timezone.now()
    with transaction.atomic():
        plan = Plan.objects.create(
            nominal=nominal, owner_agency=agency, owner_officer=officer, created_at=now, created_by=actor
        )
        version = PlanVersion.objects.create(
            plan=plan, number=1, created_at=now, created_by=actor, change_summary="Plan created"
        )
        plan.current_version = version
        plan.save(update_fields=["current_version"])
        version.snapshot, version.participating_agency_ids = _snapshot(plan)
        version.save(update_fields=["snapshot", "participating_agency_ids"])
        audit_about(actor, AuditAction.PLAN_CREATE, plan, details={"owner_agency": agency.code})
    return plan


def objective_add(*, actor: User, plan: Plan, text: str) -> Objective:
    _require_edit(actor, plan.nominal)
    if not text.strip():
        raise ValidationFailed({"text": "Enter the objective"})
    if len(text) > 2000:
        raise ValidationFailed({"text": "The objective must be 2,000 characters or fewer"})
    with transaction.atomic():
        plan = _locked_plan(plan)
        objective = Objective.objects.create(plan=plan, text=text.strip(), created_by=actor)
        version = _record_change(actor=actor, plan=plan, summary=f"Objective added: {text.strip()[:80]}")
        audit_about(
            actor,
            AuditAction.PLAN_OBJECTIVE_ADD,
            plan,
            details={"objective": objective.pk, "version": version.number},
        )
    return objective


def _ensure_participation(*, actor: User, nominal: Nominal, agency: Agency) -> None:
    """An acting agency takes part in managing the person: record it through the nominals service, which
    is what gives that agency's officers access (and logs the disclosure)."""
    if Participation.objects.filter(nominal=nominal, agency=agency, ended_at__isnull=True).exists():
        return
    participation_add(
        actor=actor,
        nominal=nominal,
        agency_id=agency.pk,
        rationale="Acting agency on the person's disruption plan",
    )


def action_add(
    *,
    actor: User,
    plan: Plan,
    tactic_id: int | None,
    agency_id: int | None,
    due_date: date | None,
    officer_id: int | None = None,
    objective_id: int | None = None,
    notes: str = "",
    meeting: Meeting | None = None,
    today: date | None = None,
    target_group: str = "",
) -> Action:
    """`target_group`: the reference of an organised crime group the action disrupts, if any."""
    nominal = plan.nominal
    _require_edit(actor, nominal)
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    group = groups.target_group(actor, target_group, errors)
    tactic = Tactic.objects.filter(pk=tactic_id).first() if tactic_id else None
    agency = Agency.objects.filter(pk=agency_id, active=True).first() if agency_id else None
    if tactic is None:
        errors["tactic"] = refused_in_context("Select a tool or power from the catalogue")
    elif tactic.retired:
        errors["tactic"] = refused_in_context(
            f"{tactic.name} has been retired from the catalogue and cannot be chosen"
        )
    else:
        phase = nominal_phase(nominal, today)
        if phase.value not in tactic.phases:
            allowed = ", ".join(Phase(p).label.lower() for p in tactic.phases)
            errors["tactic"] = refused_in_context(
                f"{tactic.name} does not apply to a person who is {phase.label.lower()}: "
                f"it applies when {allowed}"
            )
    if agency is None:
        errors["agency"] = refused_in_context("Select the acting agency")
    elif tactic is not None and not _agency_can_use(agency.agency_type, tactic.agency_type):
        errors["agency"] = refused_in_context(
            f"{agency.name} cannot use {tactic.name}: it is a {AgencyType(tactic.agency_type).label} power"
        )
    if due_date is None:
        errors["due_date"] = "Enter the due date"
    elif due_date < today:
        errors["due_date"] = refused_in_context("The due date must be today or in the future")
    officer = None
    if officer_id is not None:
        officer = User.objects.filter(pk=officer_id, is_active=True).first()
        if officer is None:
            errors["officer"] = refused_in_context("Select the officer")
        elif agency is not None and officer.agency_id != agency.pk:
            errors["officer"] = refused_in_context(f"The officer must work for {agency.name}")
    objective = None
    if objective_id is not None:
        objective = plan.objectives.filter(pk=objective_id).first()
        if objective is None:
            errors["objective"] = refused_in_context("Select one of this plan's objectives")
    if notes and len(notes) > 4000:
        errors["notes"] = "Notes must be 4,000 characters or fewer"
    if errors:
        raise ValidationFailed(errors)
    assert tactic is not None and agency is not None and due_date is not None
    with transaction.atomic():
        plan = _locked_plan(plan)
        action = Action.objects.create(
            plan=plan,
            objective=objective,
            tactic=tactic,
            agency=agency,
            officer=officer,
            due_date=due_date,
            notes=notes.strip(),
            meeting=meeting,
            target_group=group,
            created_at=timezone.now(),
            created_by=actor,
        )
        _ensure_participation(actor=actor, nominal=plan.nominal, agency=agency)
        version = _record_change(
            actor=actor, plan=plan, summary=f"Action added: {tactic.name} by {agency.name}"
        )
        audit_about(
            actor,
            AuditAction.PLAN_ACTION_ADD,
            action,
            nominal_id=plan.nominal_id,
            recipients=[agency.name],
            details={
                "tactic": tactic.code,
                "version": version.number,
                "meeting": meeting.pk if meeting else None,
                "target_group": group.pk if group else None,
            },
        )
        text = f"Action assigned to {agency.name} on {plan.nominal.reference}: {tactic.name}, due {long_date(due_date)}"
        _alert_plan(plan, alerts.agency_recipients(action), AlertKind.ACTION_ASSIGNED, action.pk, text)
    return action


def action_update(*, actor: User, action: Action, status: str, notes: str = "") -> Action:
    """Progress by the acting agency or the owner hub; cancelling (owner hub only) opens a new version."""
    nominal = action.plan.nominal
    require_view(actor, nominal)
    editor = access.may(actor, "plan.edit", nominal)
    if not (editor or access.may(actor, "plan.act_for_agency", nominal, action.agency_id)):
        raise PermissionDenied("Only the acting agency or the owner hub can update this action")
    if status not in ActionStatus.values:
        raise ValidationFailed({"status": "Select the status"})
    if status == ActionStatus.CANCELLED and not editor:
        raise ValidationFailed(
            {"status": "Only the owner hub can cancel an action: it changes the agreed plan"}
        )
    if action.status == ActionStatus.CANCELLED:
        raise ValidationFailed({"status": "This action was cancelled"})
    with transaction.atomic():
        plan = _locked_plan(action.plan)
        before = action.status
        action.status = status
        if notes.strip():
            action.notes = "\n".join(s for s in (action.notes, notes.strip()) if s)
        action.save(update_fields=["status", "notes"])
        if status == ActionStatus.CANCELLED:
            _record_change(actor=actor, plan=plan, summary=f"Action cancelled: {action.tactic.name}")
        audit_about(
            actor,
            AuditAction.PLAN_ACTION_UPDATE,
            action,
            nominal_id=nominal.pk,
            details={"from": before, "to": status},
        )
    return action


def plan_request_agreement(*, actor: User, plan: Plan) -> PlanVersion:
    _require_edit(actor, plan.nominal)
    with transaction.atomic():
        plan = _locked_plan(plan)
        version = plan.current_version
        assert version is not None
        if version.requested_at is not None:
            raise ValidationFailed(
                {
                    "plan": refused_in_context(
                        f"Agreement to version {version.number} has already been requested"
                    )
                }
            )
        if not version.participating_agency_ids:
            raise ValidationFailed(
                {"plan": refused_in_context("Add at least one action before asking the agencies to agree")}
            )
        snapshot, agencies = _snapshot(plan)
        version.snapshot, version.participating_agency_ids = snapshot, agencies
        version.requested_at = timezone.now()
        version.requested_by = actor
        version.save(update_fields=["snapshot", "participating_agency_ids", "requested_at", "requested_by"])
        audit_about(
            actor,
            AuditAction.PLAN_REQUEST_AGREEMENT,
            plan,
            recipients=list(Agency.objects.filter(pk__in=agencies).values_list("name", flat=True)),
            details={"version": version.number},
        )
        text = (
            f"Your agency is asked to agree version {version.number} of the plan for {plan.nominal.reference}"
        )
        _alert_plan(plan, alerts.voices_of(agencies), AlertKind.AGREEMENT_REQUESTED, version.pk, text)
    return version


def plan_agree(*, actor: User, plan: Plan, version_number: int | None, note: str = "") -> Agreement:
    """The actor agrees the version for their agency, as its named representative."""
    require_view(actor, plan.nominal)
    with transaction.atomic():
        plan = _locked_plan(plan)
        version = plan.current_version
        assert version is not None
        if version_number is not None and version_number != version.number:
            raise Conflict(
                CHANGED_UNDER_YOU,
                {
                    "version": f"Version {version_number} has been replaced: the plan is now at version {version.number}"
                },
            )
        if version.requested_at is None:
            raise ValidationFailed(
                {
                    "version": refused_in_context(
                        f"Version {version.number} has not been put forward for agreement"
                    )
                }
            )
        if not access.may(actor, "plan.agree", plan.nominal, version.participating_agency_ids):
            agency = actor.agency.name if actor.agency_id and actor.agency else "Your agency"
            raise ValidationFailed(
                {
                    "version": refused_in_context(
                        f"{agency} has no action in version {version.number} of this plan, "
                        "so it is not a participating agency and cannot agree it"
                    )
                }
            )
        assert actor.agency_id is not None  # can_agree_plan checked it
        if version.agreements.filter(agency_id=actor.agency_id).exists():
            raise ValidationFailed(
                {"version": refused_in_context("Your agency has already agreed this version")}
            )
        agreement = Agreement.objects.create(
            version=version,
            agency_id=actor.agency_id,
            representative=actor,
            agreed_at=timezone.now(),
            note=note.strip(),
        )
        agreed = set(version.agreements.values_list("agency_id", flat=True))
        complete = set(version.participating_agency_ids) <= agreed
        if complete:
            version.agreed_at = agreement.agreed_at
            version.save(update_fields=["agreed_at"])
            plan.agreed_version = version
            plan.first_agreed_at = plan.first_agreed_at or agreement.agreed_at
            plan.save(update_fields=["agreed_version", "first_agreed_at"])
        audit_about(
            actor,
            AuditAction.PLAN_AGREE,
            plan,
            details={"version": version.number, "agency": actor.agency_id, "complete": complete},
        )
    return agreement


# ---------------------------------------------------------------- outcomes


def outcome_claim(
    *,
    actor: User,
    action: Action,
    occurred_on: date | None,
    rating: str,
    justification: str,
    group_effect: str = "",
) -> Outcome:
    nominal = action.plan.nominal
    require_view(actor, nominal)
    errors: dict[str, str] = {}
    if actor.agency_id != action.agency_id:
        errors["action"] = refused_in_context(
            f"This action belongs to {action.agency.name}: only that agency can claim its outcome"
        )
    elif not access.may(actor, "plan.act_for_agency", nominal, action.agency_id):
        raise PermissionDenied("You cannot claim outcomes for your agency")
    if action.status == ActionStatus.CANCELLED:
        errors["action"] = refused_in_context("This action was cancelled: it has no outcome to claim")
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the disruption"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = refused_in_context("The date of the disruption cannot be in the future")
    elif occurred_on < action.created_at.date():
        errors["occurred_on"] = refused_in_context("The disruption cannot be before the action was planned")
    if rating not in Rating.values:
        errors["rating"] = "Select the rating on the national scale"
    if not justification.strip():
        errors["justification"] = "Explain how the action disrupted the person's ability to cause harm"
    if problem := groups.group_effect_problem(action.target_group, group_effect):
        errors["group_effect"] = refused_in_context(problem)  # depends on the action naming a group
    if errors:
        raise ValidationFailed(errors)
    assert occurred_on is not None
    fields = {
        "action": action,
        "agency_id": action.agency_id,
        "claimed_by": actor,
        "claimed_at": timezone.now(),
        "occurred_on": occurred_on,
        "rating": rating,
        "group_effect": group_effect,
        "justification": justification.strip(),
    }
    details = {"action": action.pk, "rating": rating, "group_effect": group_effect}
    with transaction.atomic():
        return create_audited(
            actor, AuditAction.OUTCOME_CLAIM, Outcome, fields, nominal_id=nominal.pk, details=details
        )


def _still_claimed(outcome: Outcome) -> None:
    """Lock the claim's row and check, as it is now, that nobody decided it since it was read: two
    managers deciding one claim at once must not both win (the second would overwrite the first)."""
    status = Outcome.objects.select_for_update().values_list("status", flat=True).get(pk=outcome.pk)
    if status != OutcomeStatus.CLAIMED:
        raise Conflict(
            "Someone decided this claim while you were looking at it: reload it to see the decision",
            {"outcome": f"This claim has already been {OutcomeStatus(status).label.lower()}"},
        )


def _claim_nominal(actor: User, outcome: Outcome, refusal: str) -> Nominal:
    """The person a claim is about, for an actor of the owner hub (who alone decides claims)."""
    nominal = outcome.action.plan.nominal
    require_view(actor, nominal)
    if not access.may(actor, "outcome.validate", nominal):
        raise PermissionDenied(refusal)
    return nominal


def _settle_claim(
    actor: User,
    outcome: Outcome,
    decision: tuple[str, AuditAction],
    *,
    reason: str,
    meeting: Meeting | None,
    merged_into: Outcome | None = None,
    details: dict[str, int | None],
) -> Outcome:
    """Decide a claim that is still open (checked again under the row lock) with its status, and record
    the audit action: who, when, why and at which meeting; a merged claim also names the claim it was
    folded into."""
    status, action = decision
    with transaction.atomic():
        _still_claimed(outcome)
        changes = {
            "status": status,
            "merged_into": merged_into,
            "decided_by": actor,
            "decided_at": timezone.now(),
            "decision_reason": reason.strip(),
            "meeting": meeting,
        }
        return save_audited(
            actor,
            action,
            outcome,
            changes,
            object_type="outcome",
            nominal_id=outcome.action.plan.nominal_id,
            justification=reason.strip(),
            details=details,
        )


def outcome_decide(
    *, actor: User, outcome: Outcome, validate: bool, reason: str = "", meeting: Meeting | None = None
) -> Outcome:
    nominal = _claim_nominal(actor, outcome, "Only the owner hub validates outcomes")
    errors: dict[str, str] = {}
    if outcome.status != OutcomeStatus.CLAIMED:
        errors["outcome"] = f"This claim has already been {outcome.get_status_display().lower()}"
    if not validate and not reason.strip():
        errors["reason"] = "Enter the reason for rejecting the claim"
    if meeting is not None and meeting.hub_id != nominal.owner_hub_id:
        errors["meeting"] = "The claim belongs to another hub's meeting"
    if errors:
        raise ValidationFailed(errors)
    decision = (
        (OutcomeStatus.VALIDATED, AuditAction.OUTCOME_VALIDATE)
        if validate
        else (OutcomeStatus.REJECTED, AuditAction.OUTCOME_REJECT)
    )
    details = {"meeting": meeting.pk if meeting else None}
    return _settle_claim(actor, outcome, decision, reason=reason, meeting=meeting, details=details)


def outcome_merge(
    *, actor: User, outcome: Outcome, into_id: int | None, reason: str, meeting: Meeting | None = None
) -> Outcome:
    """A duplicate claim (two agencies claiming one disruption) is folded into the claim that stands."""
    nominal = _claim_nominal(actor, outcome, "Only the owner hub merges claims")
    errors: dict[str, str] = {}
    target = Outcome.objects.filter(pk=into_id).select_related("action__plan").first() if into_id else None
    if target is None or target.action.plan.nominal_id != nominal.pk:
        errors["into"] = "Select a claim about the same person"
    elif target.pk == outcome.pk:
        errors["into"] = "A claim cannot be merged into itself"
    elif target.status in (OutcomeStatus.MERGED, OutcomeStatus.REJECTED):
        errors["into"] = "Merge into a claim that stands (claimed or validated)"
    if outcome.status != OutcomeStatus.CLAIMED:
        errors["outcome"] = f"This claim has already been {outcome.get_status_display().lower()}"
    if not reason.strip():
        errors["reason"] = "Enter why the claims are duplicates"
    if errors:
        raise ValidationFailed(errors)
    decision = (OutcomeStatus.MERGED, AuditAction.OUTCOME_MERGE)
    details = {"into": target.pk if target else None}
    return _settle_claim(
        actor, outcome, decision, reason=reason, meeting=meeting, merged_into=target, details=details
    )


def open_actions(actions: Iterable[Action]) -> list[Action]:
    return [a for a in actions if a.status in OPEN_ACTION_STATUSES]


def group_actions_consult(*, actor: User, group_id: int, actions: Iterable[Action]) -> None:
    """The actions and outcomes against a group were shown: every person whose plan they are in is a
    subject of the entry."""
    shown = list(actions)
    audit_record(
        actor=actor,
        action=AuditAction.PLAN_GROUP_ACTIONS,
        object_id=group_id,
        surface="group page",
        details={"actions": [a.pk for a in shown]},
        subject_ids=sorted({a.plan.nominal_id for a in shown}),
    )
