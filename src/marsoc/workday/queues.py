"""Work queues: what is waiting on the actor, per capacity, each a count on the home page and a list at
/work/<key>/, oldest first.

Every queue is computed through the façade (the apps' scoped selectors, or `access.scope` of the
resource its rows belong to), so a count never includes what the actor may not open. Which queues an actor
has is decided by the rules in `policies.py` ("work.manager", ...), never by reading roles here.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from marsoc.assessment.models import CalibrationStatus, DryRunStatus, MethodDryRun, PriorityStatus
from marsoc.assessment.selectors import calibration_exercises, reviews_due
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.dates import long_date
from marsoc.intelligence.models import Disclosure, IntelItem
from marsoc.intelligence.selectors import access_requests_for, summary_list
from marsoc.linkage.selectors import review_queue
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.models import Action, Agreement, Alert, Outcome, PlanVersion
from marsoc.plans.vocabulary import OPEN_ACTION_STATUSES, OutcomeStatus

from .anomalies import HeavyReader, ReusedPurpose, heavy_readers, reused_purposes
from .rollup import RELEASE_HORIZON, Outlier, hub_outliers

DUE_HORIZON = timedelta(days=14)


@dataclass(frozen=True)
class WorkItem:
    """One row of a queue: what, about whom, since when, and where to act on it."""

    title: str
    detail: str
    since: date
    url: str
    nominal_id: int | None = None


@dataclass(frozen=True)
class Queue:
    key: str
    label: str
    hint: str
    rule: str  # the façade rule that gives an actor this queue
    rows: Callable[[Actor, date], Sequence[Any] | QuerySet[Any]]
    item: Callable[[Any, date], WorkItem]
    extra_rule: str = ""  # a further façade rule the actor must pass (e.g. "linkage.review")


@dataclass(frozen=True)
class QueueCount:
    key: str
    label: str
    hint: str
    count: int
    url: str


def _day(value: datetime | date) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _person(n: Nominal) -> str:
    return f"{n.family_name.upper()}, {n.given_names} ({n.reference})"


def _people(actor: Actor) -> QuerySet[Nominal]:
    return Nominal.objects.filter(access.scope(actor, "nominal"))


# --- hub manager --------------------------------------------------------------------------------------------


def _referrals(actor: Actor, today: date) -> QuerySet[Nominal]:
    return (
        _people(actor)
        .filter(membership_state__in=[MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT])
        .order_by("membership_changed_at", "pk")
    )


def _referral_item(n: Nominal, today: date) -> WorkItem:
    return WorkItem(
        _person(n),
        f"{n.get_membership_state_display()} since {long_date(_day(n.membership_changed_at))}",
        _day(n.membership_changed_at),
        reverse("nominals:membership_change", args=[n.pk]),
        n.pk,
    )


def _tier_decisions(actor: Actor, today: date) -> QuerySet[PriorityStatus]:
    return (
        PriorityStatus.objects.filter(
            nominal__in=Nominal.objects.filter(access.scope(actor, "priority_nominal"))
        )
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=F("assessment__submitted_at")))
        .select_related("nominal", "assessment")
        .order_by("assessment__submitted_at", "nominal_id")
    )


def _tier_item(s: PriorityStatus, today: date) -> WorkItem:
    return WorkItem(
        _person(s.nominal),
        f"Assessed {long_date(_day(s.assessment.submitted_at))}: computed {s.assessment.tier_name}",
        _day(s.assessment.submitted_at),
        f"/cohort/{s.nominal_id}/tier/",
        s.nominal_id,
    )


def _reviews(overdue: bool) -> Callable[[Actor, date], list[Any]]:
    def rows(actor: Actor, today: date) -> list[Any]:
        found = [r for r in reviews_due(actor=actor, today=today) if r.overdue == overdue]
        return sorted(found, key=lambda r: (r.status.next_review_due, r.status.nominal_id))

    return rows


def _review_item(r: Any, today: date) -> WorkItem:
    s = r.status
    return WorkItem(
        _person(s.nominal),
        "; ".join(r.reasons),
        s.next_review_due,
        f"/cohort/{s.nominal_id}/assessments/new/",
        s.nominal_id,
    )


def _awaiting_versions(actor: Actor) -> QuerySet[PlanVersion]:
    """Current plan versions sent for agreement and not yet agreed, on people the actor may see."""
    return (
        PlanVersion.objects.filter(
            plan__current_version=F("pk"),
            requested_at__isnull=False,
            agreed_at__isnull=True,
            plan__nominal__in=_people(actor),
        )
        .select_related("plan__nominal")
        .order_by("requested_at", "pk")
    )


def _plans_awaiting(actor: Actor, today: date) -> QuerySet[PlanVersion]:
    return _awaiting_versions(actor)


def _plan_item(v: PlanVersion, today: date) -> WorkItem:
    assert v.requested_at is not None
    n = v.plan.nominal
    return WorkItem(
        _person(n),
        f"Version {v.number} sent for agreement on {long_date(_day(v.requested_at))}",
        _day(v.requested_at),
        f"/cohort/{n.pk}/plan/",
        n.pk,
    )


def _agree_item(v: PlanVersion, today: date) -> WorkItem:
    item = _plan_item(v, today)
    return WorkItem(
        item.title, item.detail, item.since, f"/cohort/{v.plan.nominal_id}/plan/agree/", item.nominal_id
    )


def _outcome_claims(actor: Actor, today: date) -> QuerySet[Outcome]:
    return (
        Outcome.objects.filter(status=OutcomeStatus.CLAIMED, action__plan__nominal__in=_people(actor))
        .select_related("action__plan__nominal", "action__tactic", "agency")
        .order_by("claimed_at", "pk")
    )


def _outcome_item(o: Outcome, today: date) -> WorkItem:
    n = o.action.plan.nominal
    return WorkItem(
        _person(n),
        f"{o.agency.name} claims a {o.get_rating_display().lower()} outcome of {o.action.tactic.name}",
        _day(o.claimed_at),
        f"/cohort/{n.pk}/plan/",
        n.pk,
    )


def _identity_pairs(actor: Actor, today: date) -> QuerySet[Any]:
    return review_queue(actor).select_related("run").order_by("run__started_at", "id")


def _pair_item(p: Any, today: date) -> WorkItem:
    return WorkItem(
        f"Candidate pair {p.pk}",
        f"{p.left.source_agency.name} and {p.right.source_agency.name}, match probability {p.match_probability:.0%}",
        _day(p.run.started_at),
        reverse("linkage:pair", args=[p.pk]),
    )


def _access_requests(actor: Actor, today: date) -> QuerySet[Any]:
    return access_requests_for(actor=actor).order_by("requested_at", "pk")


def _access_item(r: Any, today: date) -> WorkItem:
    return WorkItem(
        f"Request {r.pk} from {r.requester_agency.name}",
        f"About {r.nominal.reference}: {r.reason[:120]}",
        _day(r.requested_at),
        f"/intelligence/requests/access/{r.pk}/",
        r.nominal_id,
    )


def _alerts(actor: Actor, today: date) -> QuerySet[Alert]:
    return Alert.objects.filter(user_id=actor.pk, read_at__isnull=True).order_by("created_at", "pk")


def _alert_item(a: Alert, today: date) -> WorkItem:
    return WorkItem(
        a.get_kind_display(), a.text, _day(a.created_at), a.url or reverse("plans:inbox"), a.nominal_id
    )


# --- hub officer --------------------------------------------------------------------------------------------


def _my_people(actor: Actor, today: date) -> QuerySet[Nominal]:
    return (
        _people(actor)
        .filter(lead_officer_id=actor.pk)
        .exclude(membership_state=MembershipState.EXITED)
        .order_by("membership_changed_at", "pk")
    )


def _my_person_item(n: Nominal, today: date) -> WorkItem:
    return WorkItem(
        _person(n),
        n.get_membership_state_display(),
        _day(n.membership_changed_at),
        reverse("nominals:detail", args=[n.pk]),
        n.pk,
    )


def _my_actions(actor: Actor, today: date) -> QuerySet[Action]:
    return (
        access.visible(actor, "plan_action", Action.objects.all())
        .filter(officer_id=actor.pk, status__in=OPEN_ACTION_STATUSES, due_date__lte=today + DUE_HORIZON)
        .select_related("plan__nominal", "tactic")
        .order_by("due_date", "pk")
    )


def _action_item(a: Action, today: date) -> WorkItem:
    n = a.plan.nominal
    when = "overdue since" if a.due_date < today else "due"
    return WorkItem(
        _person(n),
        f"{a.tactic.name}: {when} {long_date(a.due_date)}",
        a.due_date,
        f"/cohort/{n.pk}/plan/actions/{a.pk}/",
        n.pk,
    )


def _releases_no_plan(actor: Actor, today: date) -> QuerySet[Nominal]:
    return (
        _people(actor)
        .filter(expected_release_date__gte=today, expected_release_date__lte=today + RELEASE_HORIZON)
        .filter(Q(plan__isnull=True) | Q(plan__agreed_version__isnull=True))
        .exclude(membership_state=MembershipState.EXITED)
        .order_by("expected_release_date", "pk")
    )


def _release_item(n: Nominal, today: date) -> WorkItem:
    assert n.expected_release_date is not None
    return WorkItem(
        _person(n),
        f"Release expected {long_date(n.expected_release_date)}; no agreed plan",
        n.expected_release_date,
        f"/cohort/{n.pk}/plan/",
        n.pk,
    )


def _my_reviews(actor: Actor, today: date) -> list[Any]:
    found = [r for r in reviews_due(actor=actor, today=today) if r.status.nominal.lead_officer_id == actor.pk]
    return sorted(found, key=lambda r: (r.status.next_review_due, r.status.nominal_id))


# --- partner officer ----------------------------------------------------------------------------------------


def _agency_agreements(actor: Actor, today: date) -> list[PlanVersion]:
    agency_id = actor.agency_id
    if agency_id is None:
        return []
    signed = Agreement.objects.filter(version_id=OuterRef("pk"), agency_id=agency_id)
    candidates = _awaiting_versions(actor).exclude(Exists(signed))
    # The participating agencies are a JSON list: checked here, the same way on every database.
    return [v for v in candidates if agency_id in (v.participating_agency_ids or [])]


def _agency_actions(actor: Actor, today: date) -> QuerySet[Action]:
    return (
        access.visible(actor, "agency_action", Action.objects.all())
        .filter(status__in=OPEN_ACTION_STATUSES)
        .select_related("plan__nominal", "tactic")
        .order_by("due_date", "pk")
    )


def _agency_action_item(a: Action, today: date) -> WorkItem:
    when = "overdue since" if a.due_date < today else "due"
    return WorkItem(
        f"{a.tactic.name} ({a.plan.nominal.reference})",
        f"{a.get_status_display()}, {when} {long_date(a.due_date)}",
        a.due_date,
        reverse("plans:agency_actions"),
        None,  # shown by reference: the agency may no longer see the person (plans.selectors.agency_actions)
    )


@dataclass(frozen=True)
class Shared:
    kind: str
    reference: str
    at: datetime
    url: str
    nominal_id: int | None


def _shared_this_week(actor: Actor, today: date) -> list[Shared]:
    since = datetime.combine(today - timedelta(days=7), time.min, tzinfo=timezone.get_current_timezone())
    rows = [
        Shared("Nominal summary", s.reference, s.disclosed_at, f"/intelligence/summaries/{s.pk}/", None)
        for s in summary_list(actor=actor).filter(
            recipient_agency_id=actor.agency_id, disclosed_at__gte=since
        )
    ]
    items = Disclosure.objects.filter(
        recipient_agency_id=actor.agency_id,
        disclosed_at__gte=since,
        item__in=IntelItem.objects.filter(access.scope(actor, "intel_item")),
    ).select_related("item")
    rows += [
        Shared("Intelligence item", f"Item {d.item_id}", d.disclosed_at, f"/intelligence/{d.item_id}/", None)
        for d in items
    ]
    return sorted(rows, key=lambda r: r.at)


def _shared_item(s: Shared, today: date) -> WorkItem:
    return WorkItem(
        s.kind,
        f"{s.reference}, shared {long_date(timezone.localdate(s.at))} at {timezone.localtime(s.at):%H:%M}",
        _day(s.at),
        s.url,
    )


# --- national team ------------------------------------------------------------------------------------------


def _dry_runs(actor: Actor, today: date) -> QuerySet[MethodDryRun]:
    return (
        MethodDryRun.objects.filter(status__in=[DryRunStatus.QUEUED, DryRunStatus.RUNNING])
        .select_related("candidate")
        .order_by("requested_at", "pk")
    )


def _dry_run_item(r: MethodDryRun, today: date) -> WorkItem:
    return WorkItem(
        f"Dry run of {r.candidate.name} (version {r.candidate.version})",
        f"{r.get_status_display()}: {r.rescored} re-scored so far",
        _day(r.requested_at),
        reverse("assessment:dry_run", args=[r.pk]),
    )


def _calibration_open(actor: Actor, today: date) -> QuerySet[Any]:
    return calibration_exercises(actor=actor).filter(status=CalibrationStatus.OPEN).order_by("opens_on", "pk")


def _calibration_item(e: Any, today: date) -> WorkItem:
    return WorkItem(
        e.name,
        f"Open for scoring until {long_date(e.closes_on)}",
        e.opens_on,
        reverse("assessment:calibration_detail", args=[e.pk]),
    )


def _outlier_item(o: Outlier, today: date) -> WorkItem:
    return WorkItem(
        o.hub,
        f"{o.measure}: {o.count} for {o.adopted} adopted people",
        today,
        reverse("web:home") + "#hub-rollup",
    )


# --- inspector ----------------------------------------------------------------------------------------------


def _user_item(r: HeavyReader | ReusedPurpose, detail: str) -> WorkItem:
    """An item about one user's reading: it opens the audit log at that user's entries."""
    link = reverse("core:audit_list") + "?" + urlencode({"user": r.username})
    return WorkItem(r.label, detail, _day(r.first_at), link)


def _heavy_item(r: HeavyReader, today: date) -> WorkItem:
    return _user_item(
        r, f"Consulted {r.people} people in 30 days; the median user consulted {r.peer_median:g}"
    )


def _reuse_item(r: ReusedPurpose, today: date) -> WorkItem:
    return _user_item(r, f"Gave the purpose \u201c{r.text[:120]}\u201d for {r.people} different people")


# --- the catalogue of queues --------------------------------------------------------------------------------

MANAGER, OFFICER, PARTNER = "work.manager", "work.officer", "work.partner"
NATIONAL, INSPECTOR = "work.national", "work.inspector"
QUEUES: list[Queue] = [
    Queue("referrals", "Referrals to decide", "People referred or under assessment: adopt or not", MANAGER, _referrals, _referral_item),
    Queue("tier-decisions", "Tier decisions pending", "Assessed people without a decided tier for their latest assessment", MANAGER, _tier_decisions, _tier_item),
    Queue("reviews-overdue", "Reviews overdue", "Scheduled reviews past due, or triggered by custody events or release", MANAGER, _reviews(True), _review_item),
    Queue("reviews-due", "Reviews due in 14 days", "Scheduled reviews coming up", MANAGER, _reviews(False), _review_item),
    Queue("plans-awaiting", "Plans awaiting agreement", "Plans sent to the agencies that have not all agreed", MANAGER, _plans_awaiting, _plan_item),
    Queue("outcome-claims", "Outcome claims to validate", "Disruption outcomes claimed by an agency", MANAGER, _outcome_claims, _outcome_item),
    Queue("identity-pairs", "Identity pairs to review", "Possible matches between partner records", MANAGER, _identity_pairs, _pair_item, "linkage.use"),
    Queue("access-requests", "Access requests to answer", "Other agencies asking for access to your hub's records", MANAGER, _access_requests, _access_item, "intelligence.view"),
    Queue("my-people", "People I am lead officer for", "Your caseload", OFFICER, _my_people, _my_person_item),
    Queue("my-actions", "My actions due or overdue", "Plan actions you own, due within 14 days or overdue", OFFICER, _my_actions, _action_item),
    Queue("releases-no-plan", "Releases within 6 months without an agreed plan", "Plan before the gate", OFFICER, _releases_no_plan, _release_item),
    Queue("my-reviews", "Reviews awaiting me", "Reviews due or overdue for your people", OFFICER, _my_reviews, _review_item),
    Queue("agency-agreements", "Plans awaiting my agency's agreement", "Plans your agency has been asked to agree", PARTNER, _agency_agreements, _agree_item),
    Queue("agency-actions", "Actions my agency owns", "Open actions on plans, oldest due first", PARTNER, _agency_actions, _agency_action_item),
    Queue("shared-this-week", "Shared with my agency this week", "Summaries and intelligence disclosed to your agency in the last 7 days", PARTNER, _shared_this_week, _shared_item, "intelligence.view"),
    Queue("hub-outliers", "Hubs that stand out", "Measures where a hub's rate is more than twice the median hub's", NATIONAL, hub_outliers, _outlier_item),
    Queue("dry-runs", "Method dry runs in progress", "Re-scoring with a candidate method, queued or running", NATIONAL, _dry_runs, _dry_run_item),
    Queue("calibration-open", "Calibration exercises open", "Exercises open for blind scoring", NATIONAL, _calibration_open, _calibration_item),
    Queue("heavy-readers", "Users consulting far more records than peers", "More than 3 times the median user's people in 30 days (at least 20)", INSPECTOR, heavy_readers, _heavy_item),
    Queue("reused-purposes", "Purposes reused across many people", "The same purpose text given for 5 or more people in 30 days", INSPECTOR, reused_purposes, _reuse_item),
    Queue("alerts", "Alerts", "Unread alerts about plans, actions, releases, orders and decisions", "alerts.view", _alerts, _alert_item),
]  # fmt: skip
_BY_KEY = {q.key: q for q in QUEUES}


def queues_for(actor: Actor) -> list[Queue]:
    return [
        q
        for q in QUEUES
        if access.may(actor, q.rule) and (not q.extra_rule or access.may(actor, q.extra_rule))
    ]


def queue_by_key(actor: Actor, key: str) -> Queue | None:
    """The queue if the actor has it (None for an unknown key and for someone else's queue alike)."""
    queue = _BY_KEY.get(key)
    if queue is None or queue not in queues_for(actor):
        return None
    return queue


def _count(rows: Sequence[Any] | QuerySet[Any]) -> int:
    return rows.count() if isinstance(rows, QuerySet) else len(rows)


def home_queues(*, actor: Actor, today: date | None = None) -> list[QueueCount]:
    """The actor's queues with their counts (no personal data: a count and a link)."""
    today = today or timezone.localdate()
    return [
        QueueCount(
            q.key, q.label, q.hint, _count(q.rows(actor, today)), reverse("workday:queue", args=[q.key])
        )
        for q in queues_for(actor)
    ]


def queue_items(
    *, actor: Actor, queue: Queue, today: date | None = None, limit: int = 500
) -> tuple[list[WorkItem], int]:
    """The queue's rows, oldest first (at most `limit`), and how many there are in all."""
    today = today or timezone.localdate()
    rows = queue.rows(actor, today)
    total = _count(rows)
    picked: Iterable[Any] = rows[:limit]
    return [queue.item(r, today) for r in picked], total
