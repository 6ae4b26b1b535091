"""The rule book: every resource's scope and every named rule, registered by the apps' `policies.py`."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Q

from ..processing import rule_switched_off
from .facts import Facts


@dataclass(frozen=True)
class Decision:
    """A rule's answer with its reason, for rules whose "no" must be explained to the user, and whose
    "yes" may come with a condition: what it is subject to ("consent" of the originator, "approval" of a
    sanitised version) or how far it goes (for calibration results: "full", "hub" or "own")."""

    allowed: bool
    reason: str = ""
    condition: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def needs_consent(self) -> bool:
        return self.condition == "consent"

    @property
    def needs_approval(self) -> bool:
        return self.condition == "approval"


ReachBuilder = Callable[..., Q]
RuleCheck = Callable[..., "bool | Decision"]
R = TypeVar("R", bound=ReachBuilder)
C = TypeVar("C", bound=RuleCheck)


@dataclass(frozen=True)
class Resource:
    """A kind of protected record and who may reach it.

    `reach(facts, **options)` returns the rows the actor reaches by relation (owner hub, originating
    agency, participation under an agreement, ...). The façade adds what every resource shares: deny
    to anyone without a case role (unless `case_only` is False) and the clearance filter on
    `classification_field` (unless it is ""), so no app writes either rule again."""

    name: str
    reach: ReachBuilder
    classification_field: str = "classification"
    case_only: bool = True
    description: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    check: RuleCheck
    description: str = ""


_RESOURCES: dict[str, Resource] = {}
_RULES: dict[str, Rule] = {}


def register_resource(resource: Resource) -> Resource:
    if resource.name in _RESOURCES and _RESOURCES[resource.name] != resource:
        raise ValueError(f"access resource {resource.name!r} registered twice")
    _RESOURCES[resource.name] = resource
    return resource


def resource(
    name: str, *, classification_field: str = "classification", case_only: bool = True
) -> Callable[[R], R]:
    """Decorator form of `register_resource` for a reach builder."""

    def decorate(builder: R) -> R:
        register_resource(
            Resource(
                name=name,
                reach=builder,
                classification_field=classification_field,
                case_only=case_only,
                description=(builder.__doc__ or "").strip(),
            )
        )
        return builder

    return decorate


def rule(name: str) -> Callable[[C], C]:
    """Register `check(facts, *targets, **context) -> bool | Decision` as the rule called `name`."""

    def decorate(check: C) -> C:
        existing = _RULES.get(name)
        if existing is not None and existing.check is not check:
            raise ValueError(f"access rule {name!r} registered twice")
        _RULES[name] = Rule(name=name, check=check, description=(check.__doc__ or "").strip())
        return check

    return decorate


def get_resource(name: str) -> Resource:
    try:
        return _RESOURCES[name]
    except KeyError:
        raise LookupError(f"no access resource {name!r} is registered") from None


def get_rule(name: str) -> Rule:
    try:
        return _RULES[name]
    except KeyError:
        raise LookupError(f"no access rule {name!r} is registered") from None


def registered_rules() -> dict[str, Rule]:
    return dict(_RULES)


def registered_resources() -> dict[str, Resource]:
    return dict(_RESOURCES)


def call_rule(facts: Facts, name: str, args: tuple[Any, ...], context: dict[str, Any]) -> Decision:
    rule = get_rule(name)
    off = rule_switched_off(name)
    if off is not None:  # high-risk processing this deployment does not run (core/processing.py)
        return Decision(False, f"{off.label} is switched off in this service")
    answer = rule.check(facts, *args, **context)
    return answer if isinstance(answer, Decision) else Decision(bool(answer))
