"""Choices for networks of associates and organised crime groups. Codes are stable; labels are what users
read."""

from django.db import models


class CrimeType(models.TextChoices):
    DRUGS_SUPPLY = "drugs_supply", "Drugs supply"
    COUNTY_LINES = "county_lines", "County lines"
    FIREARMS = "firearms", "Firearms"
    MSHT = "msht", "Modern slavery and human trafficking"
    CCE = "cce", "Child criminal exploitation"
    FRAUD = "fraud", "Fraud"
    MONEY_LAUNDERING = "money_laundering", "Money laundering"
    OIC = "oic", "Organised immigration crime"


class GroupStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DORMANT = "dormant", "Dormant"
    DISMANTLED = "dismantled", "Dismantled"


class MemberRole(models.TextChoices):
    PRINCIPAL = "principal", "Principal"
    SIGNIFICANT = "significant", "Significant"
    PERIPHERAL = "peripheral", "Peripheral"
    ENABLER = "enabler", "Enabler or facilitator"


class Confidence(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    LOW = "low", "Low"


class AssociationType(models.TextChoices):
    FAMILY = "family", "Family"
    CRIMINAL_ASSOCIATE = "criminal_associate", "Criminal associate"
    CO_DEFENDANT = "co_defendant", "Co-defendant"
    CELL_MATE = "cell_mate", "Cell-mate or same wing"
    PRISON_VISITOR = "prison_visitor", "Prison visitor"
    PHONE_CONTACT = "phone_contact", "Phone contact"
    FINANCIAL_LINK = "financial_link", "Financial link"
    SHARED_ADDRESS = "shared_address", "Shared address"
    SHARED_VEHICLE = "shared_vehicle", "Shared vehicle"
    GROUP_ALLIANCE = "group_alliance", "Groups working together"
    GROUP_RIVALRY = "group_rivalry", "Groups in rivalry"


# Links formed or kept while someone is in custody: the graph marks them so a hub sees who runs a network
# from inside.
CUSTODY_TYPES = frozenset({AssociationType.CELL_MATE, AssociationType.PRISON_VISITOR})
# Types that only make sense between two groups, and those that never do.
GROUP_ONLY_TYPES = frozenset({AssociationType.GROUP_ALLIANCE, AssociationType.GROUP_RIVALRY})


class SourceKind(models.TextChoices):
    """Where a link came from. It never has more access than its weakest source: an intelligence item's
    link is seen only by those who may see the item; a custody link only under an agreement covering
    custody data."""

    INTELLIGENCE = "intelligence", "Intelligence item"
    CUSTODY = "custody", "Custody record"
    FEED = "feed", "Imported feed"
    OFFICER = "officer", "Recorded by an officer"


class NodeKind(models.TextChoices):
    NOMINAL = "nominal", "Nominal"
    ASSOCIATE = "associate", "Associate (not a nominal)"
    GROUP = "group", "Organised crime group"


class ChartLayout(models.TextChoices):
    """How a saved link chart is drawn (the Cytoscape.js layout of the same name, and the SVG export)."""

    FORCE = "cose", "Spread out by links"
    CIRCLE = "circle", "In a circle"
    RINGS = "concentric", "In rings, best linked in the middle"
    GRID = "grid", "In a grid"
