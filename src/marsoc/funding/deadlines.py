"""Time sensitivity of decision records: the "decision needed by" date of a decision not yet approved,
shown on the decision page and the list of decisions (due soon, overdue), and alerted by the daily alert
job of the task worker (plans.alerts, which calls `decision_alerts_produce` through its producers).

Who is alerted: the officer who drafted the decision, and whoever its approval waits on: every decision
maker who may approve it (a decision maker who did not draft it, marsoc.funding.policies) and, while
declarations are not yet ticked, the drafter again for those (the text says which are missing). Each alert
is keyed by the decision, the kind (due soon, overdue) and the date, so a second run makes nothing again,
and e-mails (which say only that there is an alert) go once (plans.alerts.alerts_email)."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.dates import long_date
from marsoc.plans.alerts import alert_issue, register_producer
from marsoc.plans.vocabulary import AlertKind

from .models import DecisionRecord
from .vocabulary import DecisionState


def due_soon_days() -> int:
    """How many days before its date a decision counts as due soon (MARSOC_DECISION_DUE_SOON_DAYS)."""
    return int(getattr(settings, "MARSOC_DECISION_DUE_SOON_DAYS", 14))


@dataclass(frozen=True)
class Deadline:
    label: str
    overdue: bool
    due_soon: bool = False

    @property
    def tag(self) -> str:
        """The tag beside it: "Overdue", "Due soon" or nothing."""
        return "Overdue" if self.overdue else "Due soon" if self.due_soon else ""


def decision_deadline(decision: DecisionRecord, today: date) -> Deadline | None:
    """The time sensitivity of a decision not yet approved: overdue, due within N days, or later."""
    if decision.decide_by is None or decision.state != DecisionState.DRAFT:
        return None
    days = (decision.decide_by - today).days
    when = long_date(decision.decide_by)
    if days < 0:
        return Deadline(f"Decision overdue since {when}", overdue=True)
    if days == 0:
        return Deadline(f"Decision needed today ({when})", overdue=False, due_soon=True)
    if days <= due_soon_days():
        plural = "day" if days == 1 else "days"
        return Deadline(f"Decision needed in {days} {plural} ({when})", overdue=False, due_soon=True)
    return Deadline(f"Decision needed by {when}", overdue=False)


def _active(qs: QuerySet[User]) -> list[User]:
    return list(qs.filter(is_active=True, is_service_account=False).prefetch_related("role_grants"))


def waiting_on(decision: DecisionRecord) -> str:
    """What approval waits on, in words."""
    missing = [d.get_kind_display() for d in decision.declarations.all() if d.ticked_by_id is None]
    if missing:
        return "declarations not yet ticked: " + ", ".join(missing)
    return "approval by a decision maker"


def decision_recipients(decision: DecisionRecord) -> list[User]:
    """The drafter and every decision maker who may approve it (and may read it)."""
    makers = _active(User.objects.filter(access.holders_q("decision_maker")).distinct())
    recipients = {u.pk: u for u in makers if access.may(u, "decision.approve", decision)}
    drafter = decision.drafted_by
    if drafter.is_active and not drafter.is_service_account:
        recipients.setdefault(drafter.pk, drafter)
    return [u for u in recipients.values() if access.is_visible(u, "decision", decision)]


def decision_alerts_produce(*, today: date | None = None) -> int:
    """Alerts for decisions not yet approved whose date is within N days or has passed. Returns how many."""
    today = today or timezone.localdate()
    created = 0
    pending = (
        DecisionRecord.objects.filter(
            state=DecisionState.DRAFT,
            decide_by__isnull=False,
            decide_by__lte=today + timedelta(days=due_soon_days()),
        )
        .select_related("drafted_by")
        .prefetch_related("declarations")
        .order_by("decide_by", "pk")
    )
    for decision in pending:
        assert decision.decide_by is not None
        overdue = decision.decide_by < today
        kind = AlertKind.DECISION_OVERDUE if overdue else AlertKind.DECISION_DUE
        verb = "was needed by" if overdue else "is needed by"
        created += alert_issue(
            users=decision_recipients(decision),
            kind=kind,
            key=f"{kind}:{decision.pk}:{decision.decide_by.isoformat()}",
            nominal=None,
            text=f"Decision {decision.reference} {verb} {long_date(decision.decide_by)}, waiting on {waiting_on(decision)}",
            url=reverse("funding:decision", args=[decision.pk]),
        )
    return created


register_producer(decision_alerts_produce)
