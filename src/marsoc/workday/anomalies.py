"""Audit anomalies for inspectors: patterns in the s.62 log worth a look, each linking into the log.

- Heavy readers: users who consulted far more distinct people than their peers in the last 30 days (more
  than HEAVY_FACTOR times the median of everyone who consulted anyone, and at least HEAVY_FLOOR people).
- Reused purposes: the same free-text purpose detail given by one user for REUSE_FLOOR or more different
  people in the last 30 days (a purpose is stated per person; one sentence pasted across many people says
  the purpose was not really considered).

Only those who may read the audit log (rule "audit.read") get anything."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from statistics import median

from django.db.models import Count
from django.utils import timezone

from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.models import AuditEvent, AuditSubject
from marsoc.core.vocabulary import Operation

WINDOW = timedelta(days=30)
HEAVY_FACTOR = 3
HEAVY_FLOOR = 20
REUSE_FLOOR = 5


@dataclass(frozen=True)
class HeavyReader:
    username: str
    label: str
    people: int
    peer_median: float
    first_at: datetime


@dataclass(frozen=True)
class ReusedPurpose:
    username: str
    label: str
    text: str
    people: int
    first_at: datetime


def _since(today: date) -> datetime:
    return datetime.combine(today - WINDOW, time.min, tzinfo=timezone.get_current_timezone())


def heavy_readers(actor: Actor, today: date) -> list[HeavyReader]:
    if not access.may(actor, "audit.read"):
        return []
    since = _since(today)
    consulted = AuditEvent.objects.filter(
        at__gte=since, operation=Operation.CONSULTATION, actor_id__isnull=False
    )
    people: dict[int, set[int]] = {}
    for actor_id, nominal_id in (
        consulted.filter(nominal_id__isnull=False).values_list("actor_id", "nominal_id").distinct()
    ):
        if nominal_id is not None:
            people.setdefault(actor_id, set()).add(nominal_id)
    subjects = (
        AuditSubject.objects.filter(event__in=consulted)
        .values_list("event__actor_id", "nominal_id")
        .distinct()
    )
    for actor_id, nominal_id in subjects:
        people.setdefault(actor_id, set()).add(nominal_id)
    if len(people) < 2:
        return []  # no peers to compare with
    counts = {a: len(n) for a, n in people.items()}
    middle = median(counts.values())
    flagged = {a: c for a, c in counts.items() if c >= HEAVY_FLOOR and c > HEAVY_FACTOR * middle}
    if not flagged:
        return []
    out = []
    for actor_id, count in flagged.items():
        first = (
            consulted.filter(actor_id=actor_id)
            .order_by("at")
            .values_list("at", "actor__username", "actor_label")
            .first()
        )
        if first is None:
            continue
        at, username, label = first
        out.append(HeavyReader(username or "", label, count, float(middle), at))
    return sorted(out, key=lambda r: r.first_at)


def reused_purposes(actor: Actor, today: date) -> list[ReusedPurpose]:
    if not access.may(actor, "audit.read"):
        return []
    rows = (
        AuditEvent.objects.filter(
            at__gte=_since(today),
            operation=Operation.CONSULTATION,
            actor_id__isnull=False,
            nominal_id__isnull=False,
            justification__contains=": ",  # a standard purpose with the user's own words after it
        )
        .values("actor_id", "actor__username", "justification")
        .annotate(people=Count("nominal_id", distinct=True))
        .filter(people__gte=REUSE_FLOOR)
    )
    out = []
    for row in rows:
        first = (
            AuditEvent.objects.filter(
                actor_id=row["actor_id"], justification=row["justification"], at__gte=_since(today)
            )
            .order_by("at")
            .values_list("at", "actor_label")
            .first()
        )
        if first is None:
            continue
        out.append(
            ReusedPurpose(
                row["actor__username"] or "", first[1], row["justification"], row["people"], first[0]
            )
        )
    return sorted(out, key=lambda r: r.first_at)
