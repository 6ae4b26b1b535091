"""Reads for data-subject rights, scoped by the access façade."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from marsoc.accounts.models import Agency, User
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.models import AuditEvent
from marsoc.core.subjects import ReviewedKind, reviewed_kinds
from marsoc.core.vocabulary import Operation
from marsoc.nominals.models import Nominal

from .models import (
    PersonRestriction,
    PersonReview,
    RecipientNotice,
    RecordGroup,
    RecordReview,
    Rectification,
    SubjectAccessRequest,
)

# MoPI review periods by group (domain.md §4.1, from recall): overridable as intelligence's are.
DEFAULT_REVIEW_YEARS = {"1": 10, "2": 10, "3": 6, "4": 6}


def review_years() -> dict[str, int]:
    return {**DEFAULT_REVIEW_YEARS, **getattr(settings, "MARSOC_REVIEW_YEARS", {})}


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable: every month has 28 days


def requests_for(*, actor: Actor) -> QuerySet[SubjectAccessRequest]:
    return (
        SubjectAccessRequest.objects.filter(access.scope(actor, "subject_access_request"))
        .select_related("nominal", "owner_hub")
        .order_by("status", "due_on", "id")
    )


def access_request_by_id(*, actor: Actor, request_id: int) -> SubjectAccessRequest:
    qs = SubjectAccessRequest.objects.select_related(
        "nominal", "owner_hub", "identity_checked_by", "searched_by", "approved_by", "created_by"
    )
    return access.fetch(actor, "subject_access_request", qs, request_id)


def person_requests(*, nominal: Nominal) -> QuerySet[SubjectAccessRequest]:
    return SubjectAccessRequest.objects.filter(nominal=nominal).order_by("-received_on", "-id")


def restriction_of(nominal: Nominal) -> PersonRestriction | None:
    return (
        PersonRestriction.objects.filter(nominal=nominal, lifted_at__isnull=True)
        .prefetch_related("managers")
        .first()
    )


def restrictions_managed(*, actor: Actor) -> QuerySet[PersonRestriction]:
    return (
        PersonRestriction.objects.filter(lifted_at__isnull=True, managers=actor.pk)
        .select_related("nominal")
        .order_by("review_on", "id")
    )


def hub_staff_for(nominal: Nominal) -> QuerySet[User]:
    """Who may be named a restriction manager: active staff of the person's owner hub."""
    return (
        User.objects.filter(access.holders_q("hub_staff"), is_active=True, hub_id=nominal.owner_hub_id)
        .distinct()
        .order_by("last_name", "first_name")
    )


def rectifications_of(nominal: Nominal) -> QuerySet[Rectification]:
    return Rectification.objects.filter(nominal=nominal).prefetch_related("notices__agency")


def open_notices(*, actor: Actor) -> QuerySet[RecipientNotice]:
    """Notices not yet acknowledged, about people the actor may see."""
    people = Nominal.objects.filter(access.scope(actor, "nominal")).values("pk")
    return (
        RecipientNotice.objects.filter(acknowledged_at__isnull=True, rectification__nominal__in=people)
        .select_related("agency", "rectification__nominal")
        .order_by("id")
    )


def access_notice_by_id(*, actor: Actor, notice_id: int) -> RecipientNotice:
    people = Nominal.objects.filter(access.scope(actor, "nominal")).values("pk")
    notice = (
        RecipientNotice.objects.filter(pk=notice_id, rectification__nominal__in=people)
        .select_related("agency", "rectification__nominal")
        .first()
    )
    if notice is None:
        raise NotFoundOrForbidden(f"notice {notice_id}")
    return notice


@dataclass(frozen=True)
class Recipient:
    agency: Agency
    event_ids: list[int]
    last_at: datetime


def disclosures_of(nominal: Nominal, since: date) -> list[Recipient]:
    """Every agency the audit log records as given the person's data since `since` (s.48(4)-(5): they
    are told of a correction, restriction or erasure)."""
    events = AuditEvent.objects.filter(
        Q(nominal_id=nominal.pk) | Q(subjects__nominal_id=nominal.pk),
        operation=Operation.DISCLOSURE,
        at__date__gte=since,
    ).distinct()
    names: dict[str, list[tuple[int, datetime]]] = {}
    for event in events.order_by("id"):
        for name in event.recipients:
            names.setdefault(str(name), []).append((event.pk, event.at))
    out = []
    for agency in Agency.objects.filter(name__in=list(names)).order_by("name"):
        seen = names[agency.name]
        out.append(Recipient(agency, [e for e, _ in seen], max(at for _, at in seen)))
    return out


def last_activity(nominal: Nominal) -> date:
    """The latest date on the person's record (a change, a membership change, the licence end or expected
    release): MoPI's clear period runs from it. Items keep their own review (intelligence app)."""
    days = [nominal.updated_at.date(), nominal.membership_changed_at.date()]
    days += [d for d in (nominal.licence_end_date, nominal.expected_release_date) if d is not None]
    return max(days)


@dataclass(frozen=True)
class ReviewDue:
    nominal: Nominal
    group: str
    due: date
    last: PersonReview | None

    @property
    def group_label(self) -> str:
        return RecordGroup(self.group).label


def review_due(nominal: Nominal) -> ReviewDue:
    """When the person's records are next reviewed: the date a retain decision set, or else the clear
    period of the record group (group 3, all other offences, until a review says otherwise) after the
    latest activity on any record."""
    last = PersonReview.objects.filter(nominal=nominal).order_by("-decided_at", "-id").first()
    if last is not None:
        return ReviewDue(nominal, last.record_group, last.next_review, last)
    group = RecordGroup.OTHER.value
    return ReviewDue(nominal, group, years_after(last_activity(nominal), review_years()[group]), None)


def _reviewed_people(actor: Actor) -> QuerySet[Nominal] | None:
    """The people whose reviews a manager decides (their hub's, as the façade lets them see them), or
    None for anyone else."""
    if actor.hub_id is None or not access.may(actor, "rights.manage", actor.hub_id):
        return None
    return Nominal.objects.filter(access.scope(actor, "nominal"), owner_hub_id=actor.hub_id).order_by("id")


def review_queue(*, actor: Actor, today: date | None = None) -> list[ReviewDue]:
    """The people of the manager's hub whose review has come (restricted people too: they are kept)."""
    today = today or timezone.localdate()
    people = _reviewed_people(actor)
    if people is None:
        return []
    due = [review_due(n) for n in people]
    return sorted((d for d in due if d.due <= today), key=lambda d: (d.due, d.nominal.pk))


# --- MoPI review of single records ------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordDue:
    """One record reviewed on its own: its group, its next review and whether it may be erased alone."""

    kind: ReviewedKind
    record: Any
    nominal: Nominal | None
    group: str
    due: date
    last: RecordReview | None

    @property
    def group_label(self) -> str:
        return RecordGroup(self.group).label

    @property
    def description(self) -> str:
        return self.kind.describe(self.record)

    @property
    def why_kept(self) -> str:
        return self.kind.why_kept(self.record)


def _last_reviews(kind: ReviewedKind, ids: list[int]) -> dict[int, RecordReview]:
    last: dict[int, RecordReview] = {}
    for r in RecordReview.objects.filter(kind=kind.key, record_id__in=ids).order_by("decided_at", "id"):
        last[r.record_id] = r  # the latest decision wins
    return last


def _dues(
    kind: ReviewedKind, records: list[Any], nominal: Nominal | None, person_group: str
) -> list[RecordDue]:
    last = _last_reviews(kind, [r.pk for r in records])
    years = review_years()
    out = []
    for record in records:
        decided = last.get(record.pk)
        if decided is not None:
            out.append(RecordDue(kind, record, nominal, decided.record_group, decided.next_review, decided))
            continue
        group = kind.group(record) or person_group
        due = kind.due(record) or years_after(kind.clear_from(record), years[group])
        out.append(RecordDue(kind, record, nominal, group, due, None))
    return out


def record_reviews(nominal: Nominal) -> list[RecordDue]:
    """Every record of the person reviewed on its own, soonest review first. A record whose category sets
    no group of its own takes the person's (group 3 until a review of the person sets it)."""
    person_group = review_due(nominal).group
    out = []
    for kind in reviewed_kinds():
        out += _dues(kind, list(kind.records(nominal)), nominal, person_group)
    return sorted(out, key=lambda d: (d.due, d.kind.key, d.record.pk))


def unattached_reviews(hub_id: int) -> list[RecordDue]:
    """The hub's records about nobody in the cohort (partner records matching no nominal)."""
    out = []
    for kind in reviewed_kinds():
        if kind.unattached is not None:
            out += _dues(kind, list(kind.unattached(hub_id)), None, RecordGroup.OTHER.value)
    return sorted(out, key=lambda d: (d.due, d.kind.key, d.record.pk))


def record_queue(*, actor: Actor, today: date | None = None) -> list[RecordDue]:
    """The records of the manager's hub whose review has come: the records of its people (restricted
    people too) and its records about nobody."""
    today = today or timezone.localdate()
    people = _reviewed_people(actor)
    if people is None or actor.hub_id is None:
        return []
    due = [d for n in people for d in record_reviews(n)] + unattached_reviews(actor.hub_id)
    return sorted((d for d in due if d.due <= today), key=lambda d: (d.due, d.kind.key, d.record.pk))


def record_of(
    kind: ReviewedKind, record_id: int, *, nominal: Nominal | None, hub_id: int | None
) -> RecordDue | None:
    """One record under review: the person's (`nominal`) or, about nobody, the hub's."""
    if nominal is not None:
        person_group = review_due(nominal).group
        records = [r for r in kind.records(nominal) if r.pk == record_id]
    elif hub_id is not None and kind.unattached is not None:
        person_group = RecordGroup.OTHER.value
        records = list(kind.unattached(hub_id).filter(pk=record_id))
    else:
        return None
    dues = _dues(kind, records, nominal, person_group)
    return dues[0] if dues else None
