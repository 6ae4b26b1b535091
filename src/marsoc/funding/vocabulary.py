"""Choices for grants and claims. Codes are stable; labels are what users read."""

from django.db import models


class ClaimState(models.TextChoices):
    """A quarterly claim's life: prepared, checked by a second person, invoiced, paid, reconciled."""

    DRAFT = "draft", "Draft"
    CHECKED = "checked", "Checked"
    SUBMITTED = "submitted", "Submitted to the funder"
    PAID = "paid", "Paid"
    RECONCILED = "reconciled", "Reconciled"


# The moves a claim may make, and nothing else. Returning a checked claim to draft is allowed (the
# preparer corrects it and a second person checks it again); once invoiced, a claim only moves forward.
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimState.DRAFT: frozenset({ClaimState.CHECKED}),
    ClaimState.CHECKED: frozenset({ClaimState.SUBMITTED, ClaimState.DRAFT}),
    ClaimState.SUBMITTED: frozenset({ClaimState.PAID}),
    ClaimState.PAID: frozenset({ClaimState.RECONCILED}),
    ClaimState.RECONCILED: frozenset(),
}

# Claims that count against the grant: once checked, the money is spoken for.
COMMITTED_STATES = frozenset(
    {ClaimState.CHECKED, ClaimState.SUBMITTED, ClaimState.PAID, ClaimState.RECONCILED}
)


class DecisionState(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"


class DeclarationKind(models.TextChoices):
    """The originating officer's declarations and the chief executive's consultation, in form order."""

    FINANCIAL = "financial", "Financial advice"
    LEGAL = "legal", "Legal advice"
    EQUALITIES = "equalities", "Equalities advice"
    COMMERCIAL = "commercial", "Commercial issues"
    GDPR = "gdpr", "GDPR and data privacy"
    DRAFTING_OFFICER = "drafting_officer", "Drafting officer"
    DIRECTOR = "director", "Director or head of service"
    CHIEF_EXECUTIVE = "chief_executive", "Chief executive's consultation"


# What each declaration confirms (our wording; the form's drafter may replace it).
DECLARATION_STATEMENTS: dict[str, str] = {
    DeclarationKind.FINANCIAL: "The finance team has been consulted on this proposal.",
    DeclarationKind.LEGAL: "The legal team has been consulted on this proposal.",
    DeclarationKind.EQUALITIES: "Equality and diversity issues are covered in the body of the report.",
    DeclarationKind.COMMERCIAL: "Commercial issues have been considered, or do not apply to this paper.",
    DeclarationKind.GDPR: "Data protection and privacy issues are covered in the body of the report.",
    DeclarationKind.DRAFTING_OFFICER: "The report was drafted in accordance with the office's procedures.",
    DeclarationKind.DIRECTOR: "The director or head of service has reviewed the request and is satisfied "
    "it is correct and consistent with the office's plans and priorities.",
    DeclarationKind.CHIEF_EXECUTIVE: "The chief executive has been consulted and is satisfied that financial, "
    "legal and equalities advice has been taken into account.",
}


class Exemption(models.TextChoices):
    """Freedom of Information Act 2000 exemptions a Part 2 may rest on."""

    S24 = "s24", "Section 24: national security"
    S31 = "s31", "Section 31: law enforcement"
    S38 = "s38", "Section 38: health and safety"
    S40 = "s40", "Section 40: personal information"
    S41 = "s41", "Section 41: information provided in confidence"
    S42 = "s42", "Section 42: legal professional privilege"
    S43 = "s43", "Section 43: commercial interests"


# Agreements of this value or more must be published (Elected Local Policing Bodies (Specified
# Information) Order 2011, as amended, Schedule 1 paragraph 3(g)).
PUBLISH_AGREEMENTS_FROM_PENCE = 10_000_00


class DpiaStatus(models.TextChoices):
    INITIATED = "initiated", "Initiated"
    IN_CONSULTATION = "in_consultation", "In consultation"
    COMPLETED = "completed", "Completed"
    REVIEWED = "reviewed", "Reviewed"


# A completed DPIA is reviewed, and a reviewed one reviewed again; none goes back.
DPIA_TRANSITIONS: dict[str, frozenset[str]] = {
    DpiaStatus.INITIATED: frozenset({DpiaStatus.IN_CONSULTATION, DpiaStatus.COMPLETED}),
    DpiaStatus.IN_CONSULTATION: frozenset({DpiaStatus.COMPLETED}),
    DpiaStatus.COMPLETED: frozenset({DpiaStatus.REVIEWED}),
    DpiaStatus.REVIEWED: frozenset({DpiaStatus.REVIEWED}),
}
