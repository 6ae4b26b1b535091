"""Case notes (contacts): what happened when an agency met, called or visited a person, nDelius-style."""

from django.db import models

from marsoc.accounts.models import Agency, by_user
from marsoc.core.model_fields import classification_field
from marsoc.core.vocabulary import Classification
from marsoc.nominals.models import Nominal

from .vocabulary import ContactOutcome, ContactType


class CaseNote(models.Model):
    """One contact with a person, written by a named officer for their agency. An addendum is a note of its
    own (`addendum_to` the note it adds to), with the same person, agency rules and classification floor."""

    nominal = models.ForeignKey(Nominal, on_delete=models.CASCADE, related_name="case_notes")
    contact_type = models.CharField(max_length=24, choices=ContactType.choices)
    occurred_at = models.DateTimeField(help_text="When the contact took place")
    outcome = models.CharField(max_length=24, choices=ContactOutcome.choices)
    text = models.TextField()
    classification = classification_field(default=Classification.OFFICIAL_SENSITIVE)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", help_text="Owner agency")
    author = by_user()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)
    addendum_to = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="addenda"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["nominal", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_contact_type_display()} on {self.occurred_at:%d %b %Y}"
