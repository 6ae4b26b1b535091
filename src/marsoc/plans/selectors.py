"""Reads for plans, meetings and reports, scoped by the policy before anything is shown or counted."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from marsoc.assessment.models import PriorityStatus, TierDecision
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.nominals.models import MembershipChange, Nominal
from marsoc.nominals.selectors import phase_filter
from marsoc.nominals.vocabulary import MembershipState, Phase

from .models import Action, Decision, Meeting, Order, Outcome, Plan, Tactic
from .vocabulary import OPEN_ACTION_STATUSES, OutcomeStatus

AGENDA_LOOKBACK = timedelta(days=28)
ORDER_HORIZON = timedelta(days=90)


def plan_for(*, actor: Actor, nominal: Nominal) -> Plan | None:
    if not access.may(actor, "plan.view", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")
    return (
        Plan.objects.select_related("owner_agency", "owner_officer", "current_version", "agreed_version")
        .filter(nominal=nominal)
        .first()
    )


def access_action_by_id(*, actor: Actor, nominal: Nominal, action_id: int) -> Action:
    qs = Action.objects.select_related("plan__nominal", "tactic", "agency", "officer").filter(
        plan__nominal=nominal
    )
    return access.fetch(actor, "plan_action", qs, action_id)


def access_order_by_id(*, actor: Actor, nominal: Nominal, order_id: int) -> Order:
    qs = Order.objects.select_related("nominal").filter(nominal=nominal)
    return access.fetch(actor, "order", qs, order_id)


def orders_of(*, actor: Actor, nominal: Nominal) -> QuerySet[Order]:
    """A person's orders the actor may see, latest first, with their breaches."""
    return (
        access.visible(actor, "order", Order.objects.filter(nominal=nominal))
        .prefetch_related("breaches")
        .order_by("-start_date", "-id")
    )


def meetings_visible(*, actor: Actor) -> QuerySet[Meeting]:
    return Meeting.objects.filter(access.scope(actor, "meeting")).select_related("hub")


def access_meeting_by_id(*, actor: Actor, meeting_id: int) -> Meeting:
    return access.fetch(actor, "meeting", Meeting.objects.select_related("hub"), meeting_id)


@dataclass
class ReleaseRow:
    nominal: Nominal
    agreed: bool


@dataclass
class Agenda:
    since: date
    referrals: list[MembershipChange] = field(default_factory=list)
    adoptions: list[MembershipChange] = field(default_factory=list)
    tier_changes: list[TierDecision] = field(default_factory=list)
    overdue_actions: list[Action] = field(default_factory=list)
    reviews_due: list[PriorityStatus] = field(default_factory=list)
    releases: list[ReleaseRow] = field(default_factory=list)
    unvalidated: list[Outcome] = field(default_factory=list)
    orders_expiring: list[Order] = field(default_factory=list)

    @property
    def releases_without_plan(self) -> list[ReleaseRow]:
        return [r for r in self.releases if not r.agreed]

    def nominal_ids(self) -> list[int]:
        ids = {c.nominal_id for c in self.referrals + self.adoptions}
        ids |= {d.nominal_id for d in self.tier_changes}
        ids |= {a.plan.nominal_id for a in self.overdue_actions}
        ids |= {s.nominal_id for s in self.reviews_due}
        ids |= {r.nominal.pk for r in self.releases}
        ids |= {o.action.plan.nominal_id for o in self.unvalidated}
        ids |= {o.nominal_id for o in self.orders_expiring}
        return sorted(ids)


def meeting_agenda(*, actor: Actor, meeting: Meeting, today: date | None = None) -> Agenda:
    """Generated from the records: what changed since the hub's previous meeting (or the last 28 days),
    and what is due by the meeting date. Only people the actor may see appear."""
    today = today or timezone.localdate()
    previous = (
        Meeting.objects.filter(hub_id=meeting.hub_id, held_on__lt=meeting.held_on)
        .order_by("-held_on")
        .first()
    )
    since = previous.held_on if previous else meeting.held_on - AGENDA_LOOKBACK
    people = Nominal.objects.filter(access.scope(actor, "meeting_nominal", hub_id=meeting.hub_id))
    changes = (
        MembershipChange.objects.filter(
            nominal__in=people, effective_date__gte=since, effective_date__lte=meeting.held_on
        )
        .select_related("nominal")
        .order_by("effective_date", "id")
    )
    agenda = Agenda(since=since)
    agenda.referrals = [c for c in changes if c.to_state == MembershipState.REFERRED]
    agenda.adoptions = [c for c in changes if c.to_state == MembershipState.ADOPTED]
    agenda.tier_changes = list(
        TierDecision.objects.filter(
            nominal__in=people, decided_at__date__gte=since, decided_at__date__lte=meeting.held_on
        )
        .select_related("nominal")
        .order_by("decided_at")
    )
    agenda.overdue_actions = list(
        Action.objects.filter(
            plan__nominal__in=people, status__in=OPEN_ACTION_STATUSES, due_date__lt=meeting.held_on
        )
        .select_related("plan__nominal", "tactic", "agency")
        .order_by("due_date", "id")
    )
    agenda.reviews_due = list(
        PriorityStatus.objects.filter(nominal__in=people, next_review_due__lte=meeting.held_on)
        .select_related("nominal")
        .order_by("next_review_due", "nominal_id")
    )
    releasing = (
        people.filter(phase_filter(Phase.RELEASE_6M, today))
        .filter(expected_release_date__gte=today)
        .select_related("plan")
        .order_by("expected_release_date", "id")
    )
    agenda.releases = [
        ReleaseRow(n, bool(getattr(n, "plan", None) and n.plan.agreed_version_id)) for n in releasing
    ]
    agenda.unvalidated = list(
        Outcome.objects.filter(action__plan__nominal__in=people, status=OutcomeStatus.CLAIMED)
        .select_related("action__plan__nominal", "action__tactic", "agency")
        .order_by("occurred_on", "id")
    )
    agenda.orders_expiring = list(
        Order.objects.filter(
            nominal__in=people, end_date__gte=today, end_date__lte=meeting.held_on + ORDER_HORIZON
        )
        .select_related("nominal")
        .order_by("end_date", "id")
    )
    return agenda


@dataclass
class MeetingRecord:
    """What was decided at a meeting, limited to the people the actor may see (a decision about someone
    above their clearance is left out whole: its text is about that person)."""

    decisions: list[Decision]
    decided_outcomes: list[Outcome]
    new_actions: list[Action]

    def nominal_ids(self) -> list[int]:
        ids = {d.nominal_id for d in self.decisions if d.nominal_id}
        ids |= {o.action.plan.nominal_id for o in self.decided_outcomes}
        ids |= {a.plan.nominal_id for a in self.new_actions}
        return sorted(ids)


def meeting_record(*, actor: Actor, meeting: Meeting) -> MeetingRecord:
    people = Nominal.objects.filter(access.scope(actor, "meeting_nominal", hub_id=meeting.hub_id))
    return MeetingRecord(
        decisions=list(
            meeting.decisions.filter(Q(nominal__isnull=True) | Q(nominal__in=people)).select_related(
                "nominal"
            )
        ),
        decided_outcomes=list(
            meeting.decided_outcomes.filter(action__plan__nominal__in=people).select_related(
                "action__plan__nominal", "agency"
            )
        ),
        new_actions=list(
            meeting.new_actions.filter(plan__nominal__in=people).select_related(
                "plan__nominal", "tactic", "agency"
            )
        ),
    )


def catalogue_entries() -> QuerySet[Tactic]:
    """The tools-and-powers catalogue (reference data; who may see it is "catalogue.view")."""
    return Tactic.objects.all()


def tactic_by_id(tactic_id: int) -> Tactic | None:
    return Tactic.objects.filter(pk=tactic_id).first()


def outcome_claim_by_id(outcome_id: int) -> Outcome | None:
    """A claimed outcome with its plan's person (the caller asks "outcome.validate" of that person)."""
    return Outcome.objects.select_related("action__plan__nominal").filter(pk=outcome_id).first()


@dataclass(frozen=True)
class AgencyActionRow:
    """One action of the actor's agency. `named` is False when the agency may no longer see the person
    (its agreement lapsed or the participation ended): the row then shows the person's reference only."""

    action: Action
    named: bool


def agency_actions(*, actor: Actor, limit: int = 500) -> list[AgencyActionRow]:
    """The actions the actor's own agency owns, open ones first by due date. Work in flight stays in
    view when the person's agreement lapses; the person's personal data does not (access-model.md)."""
    rows = list(
        access.visible(actor, "agency_action", Action.objects.all())
        .select_related("plan__nominal", "tactic")
        .order_by("status", "due_date", "id")[:limit]
    )
    nominal_ids = {a.plan.nominal_id for a in rows}
    named = set(
        Nominal.objects.filter(pk__in=nominal_ids)
        .filter(access.scope(actor, "nominal"))
        .values_list("pk", flat=True)
    )
    return [AgencyActionRow(a, a.plan.nominal_id in named) for a in rows]


def actions_against_group(*, actor: Actor, group_id: int) -> QuerySet[Action]:
    """The plan actions that target a group, for the people the actor may see (with their outcomes)."""
    people = access.visible(actor, "nominal", Nominal.objects.all()).values("pk")
    return (
        Action.objects.filter(target_group_id=group_id, plan__nominal__in=people)
        .select_related("plan__nominal", "tactic", "agency")
        .prefetch_related("outcomes")
        .order_by("-due_date", "-id")
    )
