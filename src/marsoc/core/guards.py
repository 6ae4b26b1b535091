"""Guards that services share before they write: hide a person's record from whoever may not see it,
and refuse, in plain words, whoever may see it but not do the thing asked.

`access.require` answers with the rule's own reason; these are for services that say the refusal in
their own words (the same words the pages show)."""

from typing import Any

from . import access
from .actor import Actor
from .errors import NotFoundOrForbidden, PermissionDenied


def require_or_refuse(actor: Actor, rule_name: str, *args: Any, refusal: str) -> None:
    """Raise PermissionDenied(`refusal`) unless the rule allows."""
    if not access.may(actor, rule_name, *args):
        raise PermissionDenied(refusal)


def require_on_nominal(actor: Actor, rule_name: str, nominal: Any, *, refusal: str) -> None:
    """A nominal the actor may not view is missing (NotFoundOrForbidden); one they may view but where
    the rule does not allow them is refused with `refusal`."""
    if not access.may(actor, "nominal.view", nominal):
        raise NotFoundOrForbidden(f"nominal {nominal.pk}")
    require_or_refuse(actor, rule_name, nominal, refusal=refusal)
