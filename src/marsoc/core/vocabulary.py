"""The shared vocabulary: roles, clearances, classifications and s.62 operations.

Every app speaks these words; the policy modules decide with them.
"""

from django.db import models


class Classification(models.TextChoices):
    """Government Security Classifications; OFFICIAL-SENSITIVE is a handling subset of OFFICIAL."""

    OFFICIAL = "OFFICIAL", "OFFICIAL"
    OFFICIAL_SENSITIVE = "OFFICIAL-SENSITIVE", "OFFICIAL-SENSITIVE"
    SECRET = "SECRET", "SECRET"


_CLASSIFICATION_RANK = {
    Classification.OFFICIAL: 1,
    Classification.OFFICIAL_SENSITIVE: 2,
    Classification.SECRET: 3,
}


def classification_rank(value: str) -> int:
    return _CLASSIFICATION_RANK[Classification(value)]


def classifications_up_to(clearance: str) -> list[str]:
    """The classifications a holder of `clearance` may see."""
    limit = classification_rank(clearance)
    return [c.value for c, rank in _CLASSIFICATION_RANK.items() if rank <= limit]


class Role(models.TextChoices):
    HUB_MANAGER = "hub_manager", "Hub manager"
    HUB_OFFICER = "hub_officer", "Hub officer"
    ANALYST = "analyst", "Researcher or analyst"
    PARTNER_OFFICER = "partner_officer", "Partner agency officer"
    NATIONAL_ANALYST = "national_analyst", "National analyst"
    BOARD_MEMBER = "board_member", "Delivery Board member"
    INSPECTOR = "inspector", "Inspector (audit, read only)"
    SYSTEM_ADMIN = "system_admin", "System administrator"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    DECISION_MAKER = "decision_maker", "Decision maker"
    FEED_ACCOUNT = "feed_account", "Partner system feed (service account)"


# Roles whose holders work with personal data about nominals.
CASE_ROLES = frozenset(
    {Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST, Role.PARTNER_OFFICER, Role.NATIONAL_ANALYST}
)
# Roles that may change case records in their own scope.
CASE_WRITE_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER})


class Operation(models.TextChoices):
    """DPA 2018 s.62(1) operations that must be logged."""

    COLLECTION = "collection", "Collection"
    ALTERATION = "alteration", "Alteration"
    CONSULTATION = "consultation", "Consultation"
    DISCLOSURE = "disclosure", "Disclosure"
    COMBINATION = "combination", "Combination"
    ERASURE = "erasure", "Erasure"
