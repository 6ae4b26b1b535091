"""Recording a grant, its years, its posts and who holds them."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from marsoc.accounts.models import Hub, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.errors import ValidationFailed
from marsoc.core.records import create_audited

from ..calculation import grant_years
from ..models import FundedPost, Grant, GrantYear, PostCost, PostHolding


@dataclass(frozen=True)
class YearInput:
    label: str
    stated_total_pence: int
    stated_quarterly_pence: int


@dataclass(frozen=True)
class GrantInput:
    reference: str
    title: str
    funder: str
    recipient: str
    hub: Hub
    amount_pence: int
    starts_on: date
    ends_on: date
    purpose: str
    memorandum: str
    payment_terms: str
    eligible_expenditure: str
    if_funding_stops: str = ""
    years: list[YearInput] = field(default_factory=list)


@dataclass(frozen=True)
class PostInput:
    reference: str
    role: str
    grade: str
    fte: Decimal
    backfill: str
    # One (salary, overheads) pair in pence per grant year, in order.
    costs: list[tuple[int, int]]


def _required(errors: dict[str, str], data: object, names: dict[str, str]) -> None:
    for name, label in names.items():
        if not str(getattr(data, name) or "").strip():
            errors[name] = f"Enter the {label}"


def _refuse(errors: dict[str, str], same_reference: QuerySet[Any], taken: str) -> None:
    """Refuse with every problem found, and with `taken` if a record already has the new reference."""
    if same_reference.exists():
        errors["reference"] = taken
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def grant_create(*, actor: User, data: GrantInput) -> Grant:
    """A grant with its 12-month years (each with the totals its award paper states)."""
    access.require(actor, "grant.create", hide=False)
    errors: dict[str, str] = {}
    _required(
        errors,
        data,
        {
            "reference": "grant's reference",
            "title": "title",
            "funder": "funder",
            "recipient": "recipient",
            "purpose": "purpose",
            "memorandum": "memorandum of understanding",
            "payment_terms": "payment terms",
            "eligible_expenditure": "eligible expenditure rules",
        },
    )
    if data.amount_pence <= 0:
        errors["amount"] = "The amount must be more than £0"
    if data.ends_on <= data.starts_on:
        errors["ends_on"] = "The grant must end after it starts"
    elif len(data.years) != len(grant_years(data.starts_on, data.ends_on)):
        count = len(grant_years(data.starts_on, data.ends_on))
        errors["years"] = f"The grant runs for {count} years from its start: give the stated totals of each"
    for i, year in enumerate(data.years, start=1):
        if year.stated_total_pence < 0 or year.stated_quarterly_pence < 0:
            errors[f"years.{i}"] = f"Year {i}: stated totals cannot be negative"
    reference = data.reference.strip()
    _refuse(
        errors,
        Grant.objects.filter(reference=reference),
        f"A grant with the reference {reference} already exists",
    )
    fields = {
        "reference": reference,
        "title": data.title.strip(),
        "funder": data.funder.strip(),
        "recipient": data.recipient.strip(),
        "hub": data.hub,
        "amount_pence": data.amount_pence,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "purpose": data.purpose.strip(),
        "memorandum": data.memorandum.strip(),
        "payment_terms": data.payment_terms.strip(),
        "eligible_expenditure": data.eligible_expenditure.strip(),
        "if_funding_stops": data.if_funding_stops.strip(),
        "created_by": actor,
        "created_at": timezone.now(),
    }
    details = {"reference": reference, "amount_pence": data.amount_pence}
    grant = create_audited(actor, AuditAction.GRANT_CREATE, Grant, fields, details=details)
    for period, year in zip(grant_years(data.starts_on, data.ends_on), data.years, strict=True):
        GrantYear.objects.create(
            grant=grant,
            label=year.label.strip() or f"Year {period.number}",
            starts_on=period.starts_on,
            ends_on=period.ends_on,
            stated_total_pence=year.stated_total_pence,
            stated_quarterly_pence=year.stated_quarterly_pence,
        )
    return grant


@transaction.atomic
def funded_post_add(*, actor: User, grant: Grant, data: PostInput) -> FundedPost:
    """A post with its salary and overheads for every year of the grant."""
    access.require(actor, "grant.manage_posts", grant)
    years = list(grant.years.order_by("starts_on"))
    errors: dict[str, str] = {}
    _required(errors, data, {"reference": "post's reference", "role": "role", "grade": "grade"})
    if not (Decimal(0) < data.fte <= Decimal(1)):
        errors["fte"] = "The full-time equivalent must be more than 0 and at most 1"
    if len(data.costs) != len(years):
        errors["costs"] = f"Give the salary and overheads for each of the grant's {len(years)} years"
    for year, (salary, overhead) in zip(years, data.costs, strict=False):
        if salary < 0:
            errors[f"salary.{year.label}"] = f"The salary for {year.label} cannot be negative"
        if overhead < 0:
            errors[f"overhead.{year.label}"] = f"The overheads for {year.label} cannot be negative"
    reference = data.reference.strip()
    _refuse(errors, grant.posts.filter(reference=reference), f"The grant already has a post {reference}")
    fields = {
        "grant": grant,
        "reference": reference,
        "role": data.role.strip(),
        "grade": data.grade.strip(),
        "hub": grant.hub,
        "fte": data.fte,
        "backfill": data.backfill.strip(),
        "order": grant.posts.count(),
    }
    details = {"grant": grant.reference, "role": data.role.strip(), "costs": data.costs}
    post = create_audited(actor, AuditAction.FUNDED_POST_ADD, FundedPost, fields, details=details)
    for year, (salary, overhead) in zip(years, data.costs, strict=True):
        PostCost.objects.create(post=post, year=year, salary_pence=salary, overhead_pence=overhead)
    return post


def _overlapping(post: FundedPost, starts_on: date, ends_on: date | None) -> bool:
    for other in post.holdings.all():
        other_end = other.ends_on or date.max
        if starts_on <= other_end and other.starts_on <= (ends_on or date.max):
            return True
    return False


@transaction.atomic
def post_holding_add(
    *, actor: User, post: FundedPost, holder: User, starts_on: date, ends_on: date | None = None
) -> PostHolding:
    """Who holds the post from when: refused if somebody else holds it on any of those days."""
    locked = FundedPost.objects.select_for_update().select_related("grant").get(pk=post.pk)
    access.require(actor, "grant.manage_posts", locked.grant)
    errors: dict[str, str] = {}
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = "The end date must be on or after the start date"
    elif _overlapping(locked, starts_on, ends_on):
        errors["starts_on"] = (
            f"{locked.role} is already held by someone on some of these days: "
            "end that holding first (a post has one holder at a time)"
        )
    if errors:
        raise ValidationFailed(errors)
    holding = PostHolding.objects.create(post=locked, holder=holder, starts_on=starts_on, ends_on=ends_on)
    audit_about(
        actor,
        AuditAction.POST_HOLDING_ADD,
        locked,
        details={
            "holder": holder.pk,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on and ends_on.isoformat(),
        },
    )
    return holding


@transaction.atomic
def post_holding_end(*, actor: User, holding: PostHolding, ends_on: date) -> PostHolding:
    locked = PostHolding.objects.select_for_update().select_related("post__grant").get(pk=holding.pk)
    access.require(actor, "grant.manage_posts", locked.post.grant)
    if ends_on < locked.starts_on:
        raise ValidationFailed({"ends_on": "The end date must be on or after the start date"})
    before = locked.ends_on
    locked.ends_on = ends_on
    locked.save(update_fields=["ends_on"])
    audit_about(
        actor,
        AuditAction.POST_HOLDING_END,
        locked.post,
        details={"holding": locked.pk, "was": before and before.isoformat(), "ends_on": ends_on.isoformat()},
    )
    return locked


def grant_view_record(*, actor: User, grant: Grant, surface: str) -> None:
    """Opening a grant page (post holders are named on it) is a consultation."""
    audit_about(actor, AuditAction.GRANT_VIEW, grant, surface=surface)


def grant_export_record(*, actor: User, grant: Grant, surface: str) -> None:
    audit_about(actor, AuditAction.GRANT_EXPORT, grant, surface=surface)


def governance_view_record(*, actor: User, surface: str) -> None:
    audit_record(actor=actor, action=AuditAction.GOVERNANCE_VIEW, surface=surface)
