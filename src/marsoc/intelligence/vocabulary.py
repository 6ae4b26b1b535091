"""The words of intelligence handling: the 3x5x2 grade (College of Policing APP), the legacy 5x5x5 grade,
and the terms of information-sharing agreements. Codes are the published ones; labels are ours."""

from django.db import models

# Re-exported: the terms of agreements moved to the sharing app.
from marsoc.sharing.vocabulary import AgreementStatus as AgreementStatus
from marsoc.sharing.vocabulary import DataCategory as DataCategory
from marsoc.sharing.vocabulary import OnwardSharing as OnwardSharing
from marsoc.sharing.vocabulary import ProcessingPurpose as ProcessingPurpose


class SourceEvaluation(models.TextChoices):
    """3x5x2, first part: how reliable the source is."""

    RELIABLE = "1", "1 – Reliable"
    UNTESTED = "2", "2 – Untested"
    NOT_RELIABLE = "3", "3 – Not reliable"


class IntelligenceAssessment(models.TextChoices):
    """3x5x2, second part: how the source came to know the information."""

    A = "A", "A – Known directly to the source"
    B = "B", "B – Known indirectly to the source but corroborated"
    C = "C", "C – Known indirectly to the source"
    D = "D", "D – Not known"
    E = "E", "E – Suspected to be false"


class HandlingCode(models.TextChoices):
    """3x5x2, third part."""

    P = "P", "P – Lawful sharing permitted"
    C = "C", "C – Lawful sharing permitted with conditions"


class HandlingCondition(models.TextChoices):
    """Conditions that accompany handling code C (APP wording as quoted in domain.md §3.1)."""

    A1 = (
        "A1",
        "A1 – May be combined or corroborated with other intelligence, but no direct action. Seek the "
        "originator's permission before acting on derived intelligence.",
    )
    A2 = (
        "A2",
        "A2 – Covert action permitted. Protect the source, technique and investigation. Not to be used in "
        "isolation as evidence, in judicial proceedings or to support arrest.",
    )
    A3 = "A3", "A3 – Overt action permitted, as specified by the source intelligence owner."
    S1 = "S1", "S1 – The originator permits unsupervised sanitisation for wider dissemination."
    S2 = "S2", "S2 – No sanitisation for wider dissemination without consulting the originator."


ACTION_CONDITIONS = frozenset({"A1", "A2", "A3"})
SANITISATION_CONDITIONS = frozenset({"S1", "S2"})


class LegacySource(models.TextChoices):
    """5x5x5 (legacy) source evaluation; kept only on imported historic records."""

    A = "A", "A – Always reliable"
    B = "B", "B – Mostly reliable"
    C = "C", "C – Sometimes reliable"
    D = "D", "D – Unreliable"
    E = "E", "E – Untested"


class LegacyIntelligence(models.TextChoices):
    ONE = "1", "1 – Known to be true without reservation"
    TWO = "2", "2 – Known personally to source but not to officer"
    THREE = "3", "3 – Not personally known to source but corroborated"
    FOUR = "4", "4 – Cannot be judged"
    FIVE = "5", "5 – Suspected to be false"


class LegacyHandling(models.TextChoices):
    ONE = "1", "1 – May be disseminated to other law enforcement and prosecuting agencies, including EEA"
    TWO = "2", "2 – May be disseminated to UK non-prosecuting parties"
    THREE = "3", "3 – May be disseminated to non-EEA law enforcement agencies"
    FOUR = "4", "4 – Disseminate only within the originating agency or force"
    FIVE = "5", "5 – No further dissemination, refer to originator (special handling)"


class SanitisationStatus(models.TextChoices):
    ORIGINAL = "", "Not a sanitised version"
    PENDING = "pending", "Awaiting the originator's approval"
    APPROVED = "approved", "Approved for dissemination"
    REFUSED = "refused", "Refused by the originator"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Awaiting a decision"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"


class RecordGroup(models.TextChoices):
    """MoPI review groups (domain.md §4.1, from recall); the review period is reference data in settings."""

    GROUP_1 = "1", "Group 1 – certain public protection matters"
    GROUP_2 = "2", "Group 2 – other sexual, violent or serious offences"
    GROUP_3 = "3", "Group 3 – all other offences"
    GROUP_4 = "4", "Group 4 – undetected crime"
