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
