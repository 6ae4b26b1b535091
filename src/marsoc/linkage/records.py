"""The s.62 records of reading identity-resolution data (source records hold personal data as partners
sent it). Part of the services layer: pages call these and never write the log themselves."""

from typing import Any

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record

JUSTIFICATION = "Identity resolution across partner feeds"


def linkage_consult(
    *,
    actor: User,
    action: AuditAction,
    object_type: str = "",
    object_id: int | str = "",
    details: dict[str, Any],
) -> None:
    """A linkage page that showed source records: an import's quarantined rows, the review queue, a
    pair or a linked person (`action` says which)."""
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        justification=JUSTIFICATION,
        details=details,
    )
