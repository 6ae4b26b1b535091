"""Write steps many services share, each ending in the audit entry about the record, in the caller's
transaction (tests/core/test_audit_actions.py scans their calls like `audit_about`'s). `save_audited`
ends most transitions (approve, submit, end, decide): set the changed fields and save only those.
`create_audited` records a new row."""

from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import models

from .actions import AuditAction
from .actor import Actor
from .audit import audit_about

M = TypeVar("M", bound=models.Model)


def save_audited(
    actor: Actor | None, action: AuditAction, obj: M, changes: Mapping[str, Any], **audit: Any
) -> M:
    """Set `changes` on `obj`, save just those fields (in that order) and record `action` about it;
    `audit` passes through to `audit_about` (details, justification, recipients, nominal_id...)."""
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.save(update_fields=list(changes))
    audit_about(actor, action, obj, **audit)
    return obj


def create_audited(
    actor: Actor | None, action: AuditAction, model: type[M], fields: Mapping[str, Any], **audit: Any
) -> M:
    """Create the `model` row from `fields` and record `action` about it; `audit` as for `save_audited`."""
    obj = model._default_manager.create(**fields)
    audit_about(actor, action, obj, **audit)
    return obj
