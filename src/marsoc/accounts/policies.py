"""Account-level decisions."""

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import Role


def can_manage_accounts(actor: Actor) -> bool:
    return Role.SYSTEM_ADMIN in actor.role_codes
