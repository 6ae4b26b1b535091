"""Plans that target an organised crime group: the group an action disrupts through its person, named by
reference and seen through the façade (a group the actor may not see is refused like a missing one), and
the effect an outcome claims on it."""

from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.processing import switched_on
from marsoc.network.models import OrganisedCrimeGroup
from marsoc.network.selectors import parse_reference
from marsoc.network.vocabulary import NodeKind

from .vocabulary import GroupEffect

NOT_A_GROUP = "Enter the reference of a group you may see, for example OCG000007"


def target_group(actor: Actor, reference: str, errors: dict[str, str]) -> OrganisedCrimeGroup | None:
    """The group a reference names, if the actor may see it; else the problem goes in `errors`."""
    text = reference.strip()
    if not text:
        return None
    if not switched_on("network"):  # no group is offered while network analysis is off
        errors["target_group"] = (
            "Organised crime groups are not recorded here: network analysis is switched off"
        )
        return None
    key = parse_reference(text)
    if key is None or key[0] != NodeKind.GROUP:
        errors["target_group"] = NOT_A_GROUP
        return None
    try:
        return access.fetch(actor, "ocg", OrganisedCrimeGroup.objects.all(), key[1])
    except NotFoundOrForbidden:
        errors["target_group"] = NOT_A_GROUP
        return None


def group_effect_problem(group: OrganisedCrimeGroup | None, effect: str) -> str:
    """What is wrong with the effect an outcome claims on its action's group ("" when nothing is)."""
    if group is None:
        return "This action does not target a group: leave the effect on a group empty" if effect else ""
    if effect not in GroupEffect.values:
        return f"Select what the disruption did to {group.name}, the group the action targets"
    return ""
