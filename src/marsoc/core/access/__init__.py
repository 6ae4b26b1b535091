"""The access façade: the one place that answers "may this actor see or do this?".

Callers (views, API, services, selectors, commands, tasks) ask here and nowhere else:

    from marsoc.core import access

    access.scope(actor, "nominal")                  # a Q for the rows the actor may see
    access.visible(actor, "nominal", queryset)       # the queryset filtered by that scope
    access.fetch(actor, "nominal", queryset, pk)     # one row, or NotFoundOrForbidden (same work)
    access.may(actor, "nominal.edit", nominal)       # a yes/no
    access.decide(actor, "item.share", item)         # a Decision with its reason and condition
    access.require(actor, "plan.edit", nominal)      # raises NotFoundOrForbidden (or PermissionDenied)

The rules themselves live in each app's `policies.py`, registered with `@access.resource(...)` and
`@access.rule(...)`, written in the vocabulary of `access.Facts` (capacities, place and clearance) and
of `marsoc.sharing` (agreements). Only this package reads role codes and clearance; the architecture
test (tests/test_architecture.py) keeps it so. See docs/decisions/0009-access-facade.md.
"""

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied
from marsoc.core.subjects import hidden_people, matcher_of, paths_of

from .facts import NOTHING, Facts, facts_of, holders_q
from .registry import (
    Decision,
    Resource,
    Rule,
    call_rule,
    get_resource,
    register_resource,
    registered_resources,
    registered_rules,
    resource,
    rule,
)
from .vocabulary import Relation

__all__ = [
    "NOTHING",
    "Decision",
    "Facts",
    "Relation",
    "Resource",
    "Rule",
    "decide",
    "facts",
    "fetch",
    "holders_q",
    "is_visible",
    "may",
    "register_resource",
    "registered_resources",
    "registered_rules",
    "require",
    "resource",
    "rule",
    "scope",
    "scope_of",
    "visible",
]

M = TypeVar("M", bound=Model)
MAX_ID = 2**63 - 1  # the largest id either database stores


def facts(actor: Actor) -> Facts:
    """The actor's capacities, place and clearance, for code that must tell the user what they may do
    (menus, buttons). Prefer `may` for decisions."""
    return facts_of(actor)


def scope_of(f: Facts, resource_name: str, **options: Any) -> Q:
    """`scope` for rules, which already hold the actor's facts."""
    res = get_resource(resource_name)
    if res.case_only and not f.case_user:
        return NOTHING
    reach = res.reach(f, **options)
    if res.classification_field:
        reach &= f.cleared_q(res.classification_field)
    return reach & _unrestricted(f, resource_name)


def _unrestricted(f: Facts, resource_name: str) -> Q:
    """Rows about a restricted person (DPA 2018 s.47) are out of everyone's reach but the restriction's
    managers, on every surface, because every surface asks this façade (core.subjects)."""
    paths, matcher = paths_of(resource_name), matcher_of(resource_name)
    keep = Q()
    if not paths and matcher is None:
        return keep
    for hidden in hidden_people(f.actor_id):
        for path in paths:
            keep &= ~Q(**{f"{path}__in": hidden})
        if matcher is not None:
            keep &= ~matcher(hidden)
    return keep


def scope(actor: Actor, resource_name: str, **options: Any) -> Q:
    """The rows of `resource_name` the actor may see, as a filter: deny by default, clearance always."""
    return scope_of(facts_of(actor), resource_name, **options)


def visible(actor: Actor, resource_name: str, queryset: QuerySet[M, Any], **options: Any) -> QuerySet[M, Any]:
    return queryset.filter(scope(actor, resource_name, **options))


def fetch(actor: Actor, resource_name: str, queryset: QuerySet[M, Any], pk: object, **options: Any) -> M:
    """One row by id, or NotFoundOrForbidden. The scope is part of the one query, so a missing id and an
    id out of reach cost the same SQL and the same time."""
    if isinstance(pk, int) and not 0 < pk <= MAX_ID:
        raise NotFoundOrForbidden(f"{resource_name} {pk}")  # no row can have it: nothing to ask
    row = queryset.filter(pk=pk).filter(scope(actor, resource_name, **options)).first()
    if row is None:
        raise NotFoundOrForbidden(f"{resource_name} {pk}")
    return row


def is_visible(actor: Actor, resource_name: str, obj: Model, **options: Any) -> bool:
    """One record, decided by the same filter the lists use (so the two can never disagree)."""
    if obj.pk is None:
        return False
    model = type(obj)
    return bool(
        model._default_manager.filter(pk=obj.pk).filter(scope(actor, resource_name, **options)).exists()
    )


def decide(actor: Actor, rule_name: str, *args: Any, **context: Any) -> Decision:
    """The rule's answer with its reason and condition."""
    return call_rule(facts_of(actor), rule_name, args, context)


def may(actor: Actor, rule_name: str, *args: Any, **context: Any) -> bool:
    """Yes or no: may `actor` do `rule_name` (to the record(s) in `args`)?"""
    return decide(actor, rule_name, *args, **context).allowed


def require(actor: Actor, rule_name: str, *args: Any, hide: bool = True, **context: Any) -> None:
    """Raise unless the rule allows. `hide` (the default) raises NotFoundOrForbidden, which every page
    and endpoint answers as a missing record; `hide=False` raises PermissionDenied with the rule's reason,
    for an actor who can already see the record."""
    decision = decide(actor, rule_name, *args, **context)
    if decision.allowed:
        return
    if hide:
        raise NotFoundOrForbidden(rule_name)
    raise PermissionDenied(decision.reason or "You may not do this")
