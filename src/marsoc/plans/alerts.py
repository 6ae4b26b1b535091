"""Alerts: an in-app inbox and e-mail. Producing them is idempotent: each alert has a key naming the event
(the action and its due date, the plan version, the order and its end date...), unique per user, so
running the producer twice creates nothing twice, and e-mail goes only for alerts not yet e-mailed.

An alert is only ever given to a user who may see the nominal it is about, and the inbox checks again
when it is read (access can end after the alert was made). E-mails carry no personal data: they say
there is something to read and link to it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.dates import long_date
from marsoc.nominals.lifecycle import RELEASE_WINDOW
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import CustodyStatus, MembershipState

from .models import Action, Alert, Order, Plan
from .vocabulary import OPEN_ACTION_STATUSES, AlertKind

DUE_SOON = timedelta(days=7)
ORDER_WARNING = timedelta(days=30)


def _users(qs: QuerySet[User]) -> list[User]:
    return list(
        qs.filter(is_active=True, is_service_account=False)
        .select_related("hub", "agency")
        .prefetch_related("role_grants")
    )


def voices_of(agency_ids: Iterable[int]) -> list[User]:
    """The people who can speak for these agencies (agree plans, claim outcomes)."""
    return _users(
        User.objects.filter(access.holders_q("agency_voice"), agency_id__in=list(agency_ids)).distinct()
    )


def agency_recipients(action: Action) -> list[User]:
    if action.officer_id:
        return _users(User.objects.filter(pk=action.officer_id))
    return voices_of([action.agency_id])


def hub_managers(hub_id: int) -> list[User]:
    return _users(User.objects.filter(access.holders_q("manager"), hub_id=hub_id).distinct())


def alert_issue(
    *, users: Iterable[User], kind: str, key: str, nominal: Nominal | None, text: str, url: str
) -> int:
    """Create the alert for each user who may see the nominal and has not had it yet. Returns how many."""
    wanted = {u.pk: u for u in users if nominal is None or access.may(u, "nominal.view", nominal)}
    if not wanted:
        return 0
    have = set(Alert.objects.filter(key=key, user_id__in=list(wanted)).values_list("user_id", flat=True))
    rows = [
        Alert(user_id=uid, kind=kind, key=key, nominal=nominal, text=text[:300], url=url)
        for uid in wanted
        if uid not in have
    ]
    # ignore_conflicts: a concurrent producer may have made the same alert a moment ago.
    Alert.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# Date-driven alerts of apps above plans (decision records' deadlines: funding/deadlines.py), registered
# when their module loads (their AppConfig.ready), so the one daily job makes them all.
Producer = Callable[..., int]
_PRODUCERS: list[Producer] = []


def register_producer(producer: Producer) -> Producer:
    """Add `producer(*, today) -> alerts created` to the daily alert run (once)."""
    if producer not in _PRODUCERS:
        _PRODUCERS.append(producer)
    return producer


@dataclass
class ProduceResult:
    created: int = 0
    emailed: int = 0


def alerts_produce(*, today: date | None = None) -> int:
    """The date-driven alerts: actions due within 7 days or overdue, releases within 6 months with no
    agreed plan, orders expiring within 30 days, and those of the registered producers (decisions due)."""
    today = today or timezone.localdate()
    created = 0
    actions = (
        Action.objects.filter(status__in=OPEN_ACTION_STATUSES, due_date__lte=today + DUE_SOON)
        .select_related("plan__nominal", "tactic", "agency")
        .order_by("id")
    )
    for action in actions.iterator(chunk_size=500):
        nominal = action.plan.nominal
        overdue = action.due_date < today
        kind = AlertKind.ACTION_OVERDUE if overdue else AlertKind.ACTION_DUE
        verb = "is overdue" if overdue else "is due"
        created += alert_issue(
            users=agency_recipients(action),
            kind=kind,
            key=f"{kind}:{action.pk}:{action.due_date.isoformat()}",
            nominal=nominal,
            text=f"{action.tactic.name} by {action.agency.name} on {nominal.reference} {verb} ({long_date(action.due_date)})",
            url=reverse("plans:plan", args=[nominal.pk]),
        )
    releasing = (
        Nominal.objects.filter(
            membership_state=MembershipState.ADOPTED,
            custody_status=CustodyStatus.SENTENCED,
            expected_release_date__gte=today,
            expected_release_date__lte=today + RELEASE_WINDOW,
        )
        .exclude(plan__agreed_version__isnull=False)
        .order_by("id")
    )
    managers: dict[int, list[User]] = {}
    for nominal in releasing.iterator(chunk_size=500):
        recipients = managers.setdefault(nominal.owner_hub_id, hub_managers(nominal.owner_hub_id))
        created += alert_issue(
            users=recipients,
            kind=AlertKind.RELEASE_NO_PLAN,
            key=f"release-no-plan:{nominal.pk}:{nominal.expected_release_date}",
            nominal=nominal,
            text=f"{nominal.reference} is due for release on {long_date(nominal.expected_release_date)} with no agreed plan",
            url=reverse("plans:plan", args=[nominal.pk]),
        )
    orders = Order.objects.filter(end_date__gte=today, end_date__lte=today + ORDER_WARNING).select_related(
        "nominal"
    )
    for order in orders.order_by("id"):
        nominal = order.nominal
        recipients = list(managers.setdefault(nominal.owner_hub_id, hub_managers(nominal.owner_hub_id)))
        plan = Plan.objects.filter(nominal=nominal).select_related("owner_officer").first()
        if plan is not None and plan.owner_officer is not None:
            recipients.append(plan.owner_officer)
        created += alert_issue(
            users=recipients,
            kind=AlertKind.ORDER_EXPIRING,
            key=f"order-expiring:{order.pk}:{order.end_date.isoformat()}",
            nominal=nominal,
            text=f"{order.get_order_type_display()} on {nominal.reference} ends on {long_date(order.end_date)}",
            url=reverse("plans:plan", args=[nominal.pk]),
        )
    for producer in _PRODUCERS:
        created += producer(today=today)
    return created


def alerts_email(*, base_url: str = "") -> int:
    """E-mail each alert not yet e-mailed, once. Marked in the same transaction as the send."""
    sent = 0
    pending = Alert.objects.filter(emailed_at__isnull=True).exclude(user__email="").select_related("user")
    for alert in pending.order_by("id").iterator(chunk_size=200):
        with transaction.atomic():
            # Lock and re-check: two producers running at once must not both send it.
            claimed = Alert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            send_mail(
                subject=f"MARSOC Hub: {alert.get_kind_display()}",
                message=(
                    "You have a new alert in MARSOC Hub. Sign in to read it:\n"
                    f"{base_url}{reverse('plans:inbox')}\n"
                ),
                from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
                recipient_list=[alert.user.email],
            )
        sent += 1
    return sent


def alerts_run(*, today: date | None = None, base_url: str = "") -> ProduceResult:
    return ProduceResult(created=alerts_produce(today=today), emailed=alerts_email(base_url=base_url))


def inbox(*, actor: User) -> QuerySet[Alert]:
    """The actor's alerts about records they may still see."""
    visible = Nominal.objects.filter(access.scope(actor, "nominal")).values("pk")
    return Alert.objects.filter(user=actor).filter(Q(nominal__isnull=True) | Q(nominal__in=visible))
