"""Choices for nominal records. Codes are stable; labels are ours."""

from django.db import models


class Sex(models.TextChoices):
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    NOT_KNOWN = "U", "Not known"


class SelfDefinedEthnicity(models.TextChoices):
    """The 18+1 census-style categories, recorded as the person describes themselves."""

    W1 = "W1", "White – English, Welsh, Scottish, Northern Irish or British"
    W2 = "W2", "White – Irish"
    W3 = "W3", "White – Gypsy or Irish Traveller"
    W4 = "W4", "White – Roma"
    W9 = "W9", "White – any other background"
    M1 = "M1", "Mixed – White and Black Caribbean"
    M2 = "M2", "Mixed – White and Black African"
    M3 = "M3", "Mixed – White and Asian"
    M9 = "M9", "Mixed – any other background"
    A1 = "A1", "Asian – Indian"
    A2 = "A2", "Asian – Pakistani"
    A3 = "A3", "Asian – Bangladeshi"
    A4 = "A4", "Asian – Chinese"
    A9 = "A9", "Asian – any other background"
    B1 = "B1", "Black – Caribbean"
    B2 = "B2", "Black – African"
    B9 = "B9", "Black – any other background"
    O1 = "O1", "Other – Arab"
    O9 = "O9", "Other – any other ethnic group"
    NS = "NS", "Not stated"


class OfficerDefinedEthnicity(models.TextChoices):
    IC1 = "IC1", "IC1 – White, North European"
    IC2 = "IC2", "IC2 – White, South European"
    IC3 = "IC3", "IC3 – Black"
    IC4 = "IC4", "IC4 – Asian"
    IC5 = "IC5", "IC5 – Chinese, Japanese or South East Asian"
    IC6 = "IC6", "IC6 – Arab or North African"
    IC9 = "IC9", "IC9 – Not known"


class Religion(models.TextChoices):
    NOT_RECORDED = "", "Not recorded"
    NONE = "none", "No religion"
    BUDDHIST = "buddhist", "Buddhist"
    CHRISTIAN = "christian", "Christian"
    HINDU = "hindu", "Hindu"
    JEWISH = "jewish", "Jewish"
    MUSLIM = "muslim", "Muslim"
    SIKH = "sikh", "Sikh"
    OTHER = "other", "Any other religion"
    DECLINED = "declined", "Prefers not to say"


class DataSubjectCategory(models.TextChoices):
    """DPA 2018 s.38(3): keep the categories of data subject distinct."""

    CONVICTED = "convicted", "Convicted person"
    SUSPECT = "suspect", "Suspect"
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    OTHER = "other", "Other (associate or person of interest)"


class MembershipState(models.TextChoices):
    REFERRED = "referred", "Referred"
    UNDER_ASSESSMENT = "under_assessment", "Under assessment"
    ADOPTED = "adopted", "Adopted"
    EXITED = "exited", "Exited"


class ExitReason(models.TextChoices):
    NOT_ADOPTED = "not_adopted", "Referral not adopted"
    RISK_REDUCED = "risk_reduced", "Risk reduced below cohort threshold"
    TRANSFERRED = "transferred", "Managed by another scheme"
    DECEASED = "deceased", "Deceased"
    DEPORTED = "deported", "Deported or removed"
    OTHER = "other", "Other"


class CustodyEventType(models.TextChoices):
    RECEPTION = "reception", "Reception into custody"
    TRANSFER = "transfer", "Transfer between establishments"
    SENTENCE = "sentence", "Sentence"
    RELEASE = "release", "Release"
    RECALL = "recall", "Recall to custody"


class ReceptionStatus(models.TextChoices):
    REMAND = "remand", "On remand"
    SENTENCED = "sentenced", "Sentenced"


class CustodyStatus(models.TextChoices):
    NONE = "none", "Never in custody"
    REMAND = "remand", "In custody on remand"
    SENTENCED = "sentenced", "In custody, sentenced"
    RELEASED_ON_LICENCE = "licence", "Released on licence"
    RELEASED = "released", "Released"


class Phase(models.TextChoices):
    """Lifecycle phase. Always derived from custody events, membership and today's date."""

    PRE_CUSTODY = "pre_custody", "Pre-custody"
    REMAND = "remand", "Remand"
    SENTENCED = "sentenced", "Sentenced"
    RELEASE_6M = "release_6m", "Release within 6 months"
    ON_LICENCE = "on_licence", "On licence"
    POST_SENTENCE = "post_sentence", "Post-sentence"
    EXITED = "exited", "Exited"


class AliasType(models.TextChoices):
    ALIAS = "alias", "Alias"
    NICKNAME = "nickname", "Nickname or street name"
    PREVIOUS = "previous", "Previous name"
    SPELLING = "spelling", "Alternative spelling"


# Which membership changes may follow which (who may make them is the access rule
# "nominal.change_membership": adoption and exit need a hub manager).
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    MembershipState.REFERRED: {MembershipState.UNDER_ASSESSMENT, MembershipState.EXITED},
    MembershipState.UNDER_ASSESSMENT: {MembershipState.ADOPTED, MembershipState.EXITED},
    MembershipState.ADOPTED: {MembershipState.EXITED},
    MembershipState.EXITED: {MembershipState.REFERRED},
}
