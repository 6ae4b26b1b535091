"""Writes for civil and ancillary orders and their breaches (split from services.py). Each checks the
policy, validates, writes and records the s.62 entry in one transaction; on any error nothing is saved."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about
from marsoc.core.errors import PermissionDenied, ValidationFailed, refused_in_context
from marsoc.core.records import create_audited
from marsoc.nominals.models import Nominal

from ..models import Order, OrderBreach
from ..vocabulary import OrderType
from . import require_view


def order_record(
    *,
    actor: User,
    nominal: Nominal,
    order_type: str,
    start_date: date | None,
    end_date: date | None,
    conditions: str = "",
) -> Order:
    require_view(actor, nominal)
    if not access.may(actor, "plan.manage_orders", nominal):
        raise PermissionDenied("Only the owner hub records orders")
    errors: dict[str, str] = {}
    if order_type not in OrderType.values:
        errors["order_type"] = "Select the kind of order"
    if start_date is None:
        errors["start_date"] = "Enter the start date"
    elif start_date > timezone.localdate():
        errors["start_date"] = refused_in_context(
            "Record an order once it is in force: the start date cannot be in the future"
        )
    if end_date is None:
        errors["end_date"] = "Enter the end date"
    elif start_date is not None and end_date <= start_date:
        errors["end_date"] = refused_in_context("The end date must be after the start date")
    if errors:
        raise ValidationFailed(errors)
    assert start_date is not None and end_date is not None
    fields = {
        "nominal": nominal,
        "order_type": order_type,
        "start_date": start_date,
        "end_date": end_date,
        "conditions": conditions.strip(),
        "recorded_by": actor,
    }
    with transaction.atomic():
        return create_audited(
            actor, AuditAction.ORDER_RECORD, Order, fields, details={"order_type": order_type}
        )


def order_breach_report(*, actor: User, order: Order, occurred_on: date | None, details: str) -> OrderBreach:
    nominal = order.nominal
    require_view(actor, nominal)
    # Any agency involved may report a breach it saw; it must be one that can see the person.
    if not (
        access.may(actor, "plan.manage_orders", nominal)
        or access.may(actor, "plan.act_for_agency", nominal, actor.agency_id or 0)
    ):
        raise PermissionDenied("You cannot report breaches on this record")
    errors: dict[str, str] = {}
    if occurred_on is None:
        errors["occurred_on"] = "Enter the date of the breach"
    elif occurred_on > timezone.localdate():
        errors["occurred_on"] = refused_in_context("The date of the breach cannot be in the future")
    elif occurred_on < order.start_date or occurred_on > order.end_date:
        errors["occurred_on"] = refused_in_context("The breach must fall while the order was in force")
    if not details.strip():
        errors["details"] = "Describe the breach"
    if errors:
        raise ValidationFailed(errors)
    assert occurred_on is not None
    with transaction.atomic():
        breach = OrderBreach.objects.create(
            order=order, occurred_on=occurred_on, details=details.strip(), reported_by=actor
        )
        audit_about(actor, AuditAction.ORDER_BREACH, order)
    return breach
