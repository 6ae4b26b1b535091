"""The words of an information-sharing agreement."""

from django.db import models


class ProcessingPurpose(models.TextChoices):
    """The law-enforcement purpose data is processed for; an agreement lists those it covers (s.36)."""

    PREVENTION_DETECTION = "prevention_detection", "Prevention and detection of crime"
    OFFENDER_MANAGEMENT = "offender_management", "Offender management (custody and licence)"
    SAFEGUARDING = "safeguarding", "Safeguarding and protecting life"
    PROSECUTION = "prosecution", "Investigation and prosecution"


class DataCategory(models.TextChoices):
    """Categories of data an agreement may cover. `identity` covers the identifying details of a person
    (names, date of birth, sex, identifiers, aliases): a partner needs it to see a nominal at all, and
    so their plan; `custody` covers cohort and custody status (membership, lifecycle phase,
    establishment, release and licence dates)."""

    IDENTITY = "identity", "Identifying details (names, date of birth, identifiers, aliases)"
    CRIMINAL_INTELLIGENCE = "criminal_intelligence", "Criminal intelligence"
    FINANCIAL = "financial", "Financial information"
    CUSTODY = "custody", "Custody and sentence information"
    ASSOCIATES = "associates", "Associates and networks"
    HEALTH_WELFARE = "health_welfare", "Health and welfare (sensitive processing)"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_FORCE = "in_force", "In force"
    SUSPENDED = "suspended", "Suspended"
    ENDED = "ended", "Ended"


class OnwardSharing(models.TextChoices):
    """What a recipient may do with what it receives under the agreement."""

    NONE = "none", "No onward sharing"
    ORIGINATOR_CONSENT = "originator_consent", "Only with the originator's consent"
    PARTIES = "parties", "To other parties of this agreement"
