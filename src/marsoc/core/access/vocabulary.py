"""The words of access: roles and clearances (from core.vocabulary) and the relations a record can have
to an actor. Rules speak in relations; only `facts.py` turns roles into capacities."""

from django.db import models

from marsoc.core.vocabulary import Classification, Role


class Relation(models.TextChoices):
    """How an actor stands to a record (docs/access-model.md gives the rule for each)."""

    OWNER_HUB = "owner_hub", "Staff of the hub that owns the record"
    ORIGINATING_AGENCY = "originating_agency", "A user of the agency the record came from"
    PARTICIPATING = "participating", "A partner agency taking part, under an agreement in force"
    RECIPIENT = "recipient", "A partner agency the record was disclosed to, under an agreement in force"
    ACTION_OWNER = "action_owner", "A partner agency that owns an action on the person's plan"
    NATIONAL = "national", "The national team or a national analyst"
    NONE = "none", "No relation: the record is not reachable"


__all__ = ["Classification", "Relation", "Role"]
