"""What every rights service does first and last: ask the façade about the person, audit about them."""

from datetime import date
from typing import Any

from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.nominals.models import Nominal
from marsoc.reporting.services import figures_recount


def require_person(actor: User, rule: str, nominal: Nominal) -> None:
    """The actor may do `rule` for the person's owner hub and sees the person; else hidden as missing."""
    if not access.may(actor, rule, nominal.owner_hub_id) or not access.may(actor, "nominal.view", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")


def audit_person(
    actor: User, action: AuditAction, nominal_id: int, object_id: int | None = None, **extra: Any
) -> None:
    """One audit entry about the person (record and subject), inside the caller's transaction."""
    audit_record(
        actor=actor,
        action=action,
        object_id=nominal_id if object_id is None else object_id,
        nominal_id=nominal_id,
        subject_ids=[nominal_id],
        **extra,
    )


def figures_follow(actor: User, nominal_id: int, *, count: bool, why: str) -> None:
    """The Board's kept monthly figures leave the person out (`count` False: restricted or erased) or
    count them again (a restriction lifted); inside the caller's transaction."""
    people = Nominal.objects.filter(pk=nominal_id).values("pk")
    figures_recount(actor=actor, people=people, add=count, why=why)


class Checks:
    """The errors of one input, by field: every check runs, then `done()` raises them all together (a
    later error on a field replaces an earlier one), so nothing is saved and every field is named."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors[field] = message

    def text(self, field: str, value: str, message: str) -> str:
        """`value` trimmed; an error when nothing is left."""
        if not value.strip():
            self.fail(field, message)
        return value.strip()

    def past(self, field: str, day: date | None, *, missing: str | None, future: str) -> None:
        """A date of something that happened: `missing` when there is none (None: it may be left out),
        `future` when it is after today."""
        if day is None:
            if missing is not None:
                self.fail(field, missing)
        elif day > timezone.localdate():
            self.fail(field, future)

    def done(self) -> None:
        if self.errors:
            raise ValidationFailed(dict(self.errors))


def required_text(field: str, value: str, message: str) -> str:
    """A single required text, trimmed, or ValidationFailed naming the field."""
    checks = Checks()
    value = checks.text(field, value, message)
    checks.done()
    return value
