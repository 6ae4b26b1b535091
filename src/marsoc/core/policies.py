"""Decisions about the audit log itself."""

from .actor import Actor
from .vocabulary import Role


def can_read_audit(actor: Actor) -> bool:
    """Inspectors browse and export the log; nobody edits it."""
    return Role.INSPECTOR in actor.role_codes
