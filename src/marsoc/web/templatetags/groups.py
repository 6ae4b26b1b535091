"""`{% group_plans group %}`: on the group page (network app), the plan actions that target the group and
their outcomes, as the viewer may see them. Here because plans sit above networks: the network app cannot
read plans, the web layer reads both."""

from typing import Any

from django import template

from marsoc.core import access

register = template.Library()


@register.inclusion_tag("plans/_group_actions.html", takes_context=True)
def group_plans(context: dict[str, Any], group: Any) -> dict[str, Any]:
    from marsoc.plans import selectors, services

    user = context["request"].user
    if not access.may(user, "network.view"):
        return {"actions": []}
    actions = list(selectors.actions_against_group(actor=user, group_id=group.pk)[:100])
    services.group_actions_consult(actor=user, group_id=group.pk, actions=actions)
    return {"actions": actions, "group": group}
