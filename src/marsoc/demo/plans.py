"""Synthetic disruption plans for demonstration data: plans in every state (draft, awaiting agreement,
agreed, changed since agreement), actions chosen from the catalogue for the person's phase, agreements,
outcomes, orders, and tasking meetings (one held with minutes, one coming up with its generated pack).

Only a sample of adopted people get a plan, so large generations stay fast. Rows are written with the
ORM in bulk, recorded by the system (the generator's own audit entry covers them)."""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub, User
from marsoc.core.vocabulary import Role
from marsoc.nominals.lifecycle import phase_of
from marsoc.nominals.models import MembershipChange, Nominal, Participation
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.catalogue import load_catalogue
from marsoc.plans.models import (
    Action,
    Agreement,
    Attendance,
    Decision,
    Meeting,
    Objective,
    Order,
    Outcome,
    Plan,
    PlanVersion,
    Tactic,
)
from marsoc.plans.services import snapshot_of
from marsoc.plans.vocabulary import ActionStatus, MeetingStatus, OrderType, OutcomeStatus, Rating

DEFAULT_LIMIT = 300
STATES = ("draft", "awaiting", "agreed", "changed")
OBJECTIVES = [
    "Remove access to criminal finances and assets",
    "Restrict contact with known associates",
    "Prevent the use of illicit phones",
    "Stop travel that supports importation",
    "Disrupt the legitimate business used as a front",
]
JUSTIFICATIONS = [
    "Assets frozen; associates report the group cannot pay couriers (synthetic).",
    "Illicit handsets disconnected; contact with associates stopped for three months (synthetic).",
    "Vehicle seized and licence revoked; deliveries moved to less capable associates (synthetic).",
    "Premises licence reviewed; the front business closed (synthetic).",
]
PLAN_RATIONALE = "Acting agency on the person's disruption plan"


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _overdue_due(plan_day: date, today: date, back: int) -> date:
    """A past due date `back` days ago, but not before the plan's first week (yesterday at the latest)."""
    return min(today - timedelta(days=1), max(plan_day + timedelta(days=7), today - timedelta(days=back)))


def generate_plans(*, seed: int, limit: int = DEFAULT_LIMIT, today: date | None = None) -> dict[str, int]:
    rng = random.Random(seed * 104729)
    today = today or timezone.localdate()
    load_catalogue()  # idempotent; a test database flush empties the migration-loaded rows
    tactics = list(Tactic.objects.filter(retired_at__isnull=True).order_by("code"))
    # Agencies that have a person to speak for them (a named representative is needed to agree).
    voices: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(
        is_active=True,
        is_service_account=False,
        role_grants__role__in=[Role.HUB_MANAGER, Role.HUB_OFFICER, Role.PARTNER_OFFICER],
    ).order_by("id"):
        if user.agency_id:
            voices[user.agency_id].append(user)
    by_type: dict[str, list[Agency]] = defaultdict(list)
    for agency in Agency.objects.filter(pk__in=list(voices), active=True).order_by("code"):
        by_type[agency.agency_type].append(agency)
    by_type["police"] += by_type.get("rocu", []) + by_type.get("nca", [])
    owners = {h.pk: h for h in Hub.objects.filter(is_national=False)}
    columns = (
        "id",
        "owner_hub_id",
        "custody_status",
        "expected_release_date",
        "licence_end_date",
        "ever_sentenced",
        "lead_officer_id",
    )
    # People who already have a plan (an earlier run) are left alone: running the generator again adds.
    adopted = (
        Nominal.objects.filter(membership_state=MembershipState.ADOPTED)
        .exclude(pk__in=Plan.objects.values("nominal_id"))
        .order_by("id")
    )
    # London first (a third of the sample): the demo's London users should see every state.
    london_rows = list(adopted.filter(owner_hub__code="london").values_list(*columns)[: max(8, limit // 3)])
    taken = {row[0] for row in london_rows}
    others = [
        r
        for r in adopted.exclude(owner_hub__code="london").values_list(*columns)[: limit * 2]
        if r[0] not in taken
    ]
    candidates = london_rows + others
    adopted_on = dict(
        MembershipChange.objects.filter(
            nominal_id__in=[c[0] for c in candidates], to_state=MembershipState.ADOPTED
        ).values_list("nominal_id", "effective_date")
    )
    active_parts = set(
        Participation.objects.filter(
            nominal_id__in=[c[0] for c in candidates], ended_at__isnull=True
        ).values_list("nominal_id", "agency_id")
    )
    counts = dict.fromkeys(["plans", "actions", "agreements", "outcomes", "orders", "meetings"], 0)
    now = timezone.now()

    @dataclass
    class Draft:
        plan: Plan
        state: str
        hub_id: int
        day: date
        agree_day: date
        objectives: list[Objective]
        actions: list[Action]

    # Decide everything in memory first, then write each table in one bulk insert: a few queries in all
    # rather than a dozen per plan (which cost seconds on PostgreSQL).
    drafts: list[Draft] = []
    for nominal_id, hub_id, custody, release, licence_end, sentenced, _lead in candidates:
        if len(drafts) >= limit:
            break
        phase = phase_of(
            membership_state=MembershipState.ADOPTED,
            custody_status=custody,
            expected_release_date=release,
            licence_end_date=licence_end,
            ever_sentenced=sentenced,
            today=today,
        )
        usable = [t for t in tactics if phase.value in t.phases and by_type.get(t.agency_type)]
        if len(usable) < 2:
            continue
        state = STATES[len(drafts) % len(STATES)]
        start = adopted_on.get(nominal_id, today - timedelta(days=60))
        plan_day = min(today, start + timedelta(days=rng.randint(3, 40)))
        agree_day = min(today, plan_day + timedelta(days=rng.randint(2, 30)))
        owner_agency = rng.choice(by_type["police"])
        plan = Plan(
            nominal_id=nominal_id,
            owner_agency=owner_agency,
            owner_officer=rng.choice(voices[owner_agency.pk]),
            created_at=_at(plan_day),
        )
        objectives = [Objective(plan=plan, text=t) for t in rng.sample(OBJECTIVES, rng.choice((1, 2)))]
        picked = [
            (t, rng.choice(by_type[t.agency_type]))
            for t in rng.sample(usable, min(len(usable), rng.choice((2, 3))))
        ]
        if len({a.pk for _, a in picked}) < 2:  # joint plans: at least two agencies where the phase allows
            others = [t for t in usable if by_type[t.agency_type][0].pk != picked[0][1].pk]
            if others:
                extra = rng.choice(others)
                picked.append((extra, by_type[extra.agency_type][0]))
        actions = []
        for tactic, agency in picked:
            overdue = rng.random() < 0.15
            # Overdue actions fell due at any time since the plan began, so the Board's trend has a history.
            due = (
                _overdue_due(plan_day, today, rng.randint(1, 400))
                if overdue
                else today + timedelta(days=rng.randint(5, 120))
            )
            actions.append(
                Action(
                    plan=plan,
                    tactic=tactic,
                    agency=agency,
                    officer=rng.choice(voices[agency.pk]) if rng.random() < 0.7 else None,
                    due_date=due,
                    status=ActionStatus.IN_PROGRESS if rng.random() < 0.4 else ActionStatus.PLANNED,
                    created_at=_at(plan_day),
                )
            )
        drafts.append(Draft(plan, state, hub_id, plan_day, agree_day, objectives, actions))

    with transaction.atomic():
        Plan.objects.bulk_create([d.plan for d in drafts])
        for d in drafts:  # the children pick up the primary keys the insert returned
            for objective in d.objectives:
                objective.plan = d.plan
            for action in d.actions:
                action.plan = d.plan
        Objective.objects.bulk_create([o for d in drafts for o in d.objectives])
        Action.objects.bulk_create([a for d in drafts for a in d.actions])
        counts["actions"] = sum(len(d.actions) for d in drafts)
        new_parts = []
        for d in drafts:
            for agency_id in sorted({a.agency_id for a in d.actions}):
                if (d.plan.nominal_id, agency_id) not in active_parts:
                    active_parts.add((d.plan.nominal_id, agency_id))
                    new_parts.append(
                        Participation(
                            nominal_id=d.plan.nominal_id,
                            agency_id=agency_id,
                            rationale=PLAN_RATIONALE,
                            added_at=now,
                        )
                    )
        Participation.objects.bulk_create(new_parts)

        firsts: list[PlanVersion] = []
        seconds: dict[int, PlanVersion] = {}
        changed_objectives: list[Objective] = []
        for d in drafts:
            snapshot, agencies = snapshot_of(d.plan, d.objectives, d.actions)
            v1 = PlanVersion(
                plan=d.plan,
                number=1,
                snapshot=snapshot,
                participating_agency_ids=agencies,
                created_at=_at(d.day),
                change_summary="Plan created",
            )
            if d.state != "draft":
                v1.requested_at = _at(d.day)
            if d.state in ("agreed", "changed"):
                v1.agreed_at = _at(d.agree_day)
            firsts.append(v1)
            if d.state == "changed":
                extra = Objective(plan=d.plan, text="Respond to the new associate identified at tasking")
                changed_objectives.append(extra)
        Objective.objects.bulk_create(changed_objectives)
        extra_by_plan = {o.plan_id: o for o in changed_objectives}
        for d in drafts:
            if d.state == "changed":
                snapshot, agencies = snapshot_of(d.plan, [*d.objectives, extra_by_plan[d.plan.pk]], d.actions)
                seconds[d.plan.pk] = PlanVersion(
                    plan=d.plan,
                    number=2,
                    snapshot=snapshot,
                    participating_agency_ids=agencies,
                    created_at=now,
                    change_summary="Objective added: Respond to the new associate identified at tasking",
                )
        PlanVersion.objects.bulk_create([*firsts, *seconds.values()])
        agreements = []
        for d, v1 in zip(drafts, firsts, strict=True):
            if d.state != "draft":
                signers = v1.participating_agency_ids
                if d.state == "awaiting":
                    signers = signers[:-1]  # one agency still to agree
                agreements += [
                    Agreement(
                        version=v1, agency_id=a, representative=voices[a][0], agreed_at=_at(d.agree_day)
                    )
                    for a in signers
                ]
            d.plan.current_version = seconds.get(d.plan.pk, v1)
            if d.state in ("agreed", "changed"):
                d.plan.agreed_version = v1
                d.plan.first_agreed_at = _at(d.agree_day)
        Agreement.objects.bulk_create(agreements)
        counts["agreements"] = len(agreements)
        Plan.objects.bulk_update(
            [d.plan for d in drafts], ["current_version", "agreed_version", "first_agreed_at"], batch_size=500
        )
        counts["plans"] = len(drafts)
        made = [(d.plan, d.state) for d in drafts]
        hub_of = {d.plan.pk: d.hub_id for d in drafts}

        # Outcomes on agreed plans: claimed (for the next meeting), validated and rejected.
        outcomes: list[Outcome] = []
        for d in drafts:
            if d.state not in ("agreed", "changed"):
                continue
            action = d.actions[0]
            status = rng.choice(
                [
                    OutcomeStatus.CLAIMED,
                    OutcomeStatus.VALIDATED,
                    OutcomeStatus.VALIDATED,
                    OutcomeStatus.REJECTED,
                ]
            )
            # Claims awaiting validation are recent (the next meeting's); decided ones go back two years.
            recent = 60 if status == OutcomeStatus.CLAIMED else 700
            occurred = max(d.day, today - timedelta(days=rng.randint(0, recent)))
            outcomes.append(
                Outcome(
                    action=action,
                    agency_id=action.agency_id,
                    claimed_by=voices[action.agency_id][0],
                    claimed_at=_at(occurred),
                    occurred_on=occurred,
                    rating=rng.choices(Rating.values, weights=[10, 30, 40, 15, 5])[0],
                    justification=rng.choice(JUSTIFICATIONS),
                    status=status,
                    decided_at=_at(occurred) if status != OutcomeStatus.CLAIMED else None,
                    decision_reason="Impact not shown (synthetic)"
                    if status == OutcomeStatus.REJECTED
                    else "",
                )
            )
        Outcome.objects.bulk_create(outcomes)
        counts["outcomes"] = len(outcomes)

        orders = []
        for plan, _state in made[::3]:
            kind = rng.choice([OrderType.SCPO, OrderType.TRAVEL_RO, OrderType.LICENCE, OrderType.FRO])
            end = today + timedelta(days=rng.choice([12, 25, 80, 400, 900]))
            orders.append(
                Order(
                    nominal_id=plan.nominal_id,
                    order_type=kind,
                    start_date=end - timedelta(days=rng.choice([365, 730, 1825])),
                    end_date=end,
                    conditions="Declare all phones and vehicles; no contact with named associates (synthetic).",
                )
            )
        Order.objects.bulk_create(orders)
        counts["orders"] = len(orders)

        # Tasking meetings for each hub that has plans: the last one held, the next one coming up.
        hubs_with_plans = sorted({owners[hub_of[p.pk]].pk for p, _ in made if hub_of[p.pk] in owners})
        for hub_id in hubs_with_plans:
            hub = owners[hub_id]
            held = Meeting.objects.create(
                hub=hub,
                held_on=today - timedelta(days=14),
                title=f"{hub.name} tasking and coordination",
                status=MeetingStatus.HELD,
                minutes="Quorate. Overdue actions reviewed; outcomes validated as recorded (synthetic).",
            )
            Meeting.objects.create(
                hub=hub, held_on=today + timedelta(days=14), title=f"{hub.name} tasking and coordination"
            )
            present = {a.pk: a for p, _ in made if hub_of[p.pk] == hub_id for a in [p.owner_agency]}
            Attendance.objects.bulk_create(
                [
                    Attendance(meeting=held, agency=a, attendee=f"{voices[a.pk][0]}, {a.name}")
                    for a in present.values()
                ]
            )
            first = next(p for p, _ in made if hub_of[p.pk] == hub_id)
            Decision.objects.create(
                meeting=held, nominal_id=first.nominal_id, text="Owner to seek an SCPO variation (synthetic)."
            )
            Outcome.objects.filter(
                action__plan__nominal__owner_hub_id=hub_id,
                status__in=[OutcomeStatus.VALIDATED, OutcomeStatus.REJECTED],
            ).update(meeting=held)
            counts["meetings"] += 2
    return counts
