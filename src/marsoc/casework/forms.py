from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from marsoc.core.forms import GovukDateField, long_text, radios
from marsoc.core.vocabulary import Classification

from .vocabulary import ContactOutcome, ContactType


class NoteForm(forms.Form):
    contact_type = radios(
        "Type of contact",
        ContactType.choices,
        missing="Select the type of contact",
    )
    occurred_on = GovukDateField(label="Date of the contact", help_text="For example, 27 3 2026")
    at_time = forms.CharField(
        label="Time (optional)",
        required=False,
        max_length=5,
        help_text="24-hour clock, for example 14:30",
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "numeric"}),
    )
    outcome = radios(
        "Outcome",
        ContactOutcome.choices,
        missing="Select the outcome of the contact",
    )
    text = long_text("What happened", rows=6, missing="Enter what happened")
    classification = radios(
        "Classification",
        Classification.choices,
        missing="Select a classification",
        initial=Classification.OFFICIAL_SENSITIVE,
    )

    def clean_at_time(self) -> time | None:
        raw = (self.cleaned_data.get("at_time") or "").strip()
        if not raw:
            return None
        try:
            return datetime.strptime(raw, "%H:%M").time()
        except ValueError:
            raise forms.ValidationError("Enter the time as hours and minutes, for example 14:30") from None

    def occurred_at(self) -> datetime | None:
        day = self.cleaned_data.get("occurred_on")
        if day is None:
            return None
        at = self.cleaned_data.get("at_time")
        if at is None:
            # No time given: noon, except for a contact earlier today recorded before noon, which is
            # given the time it is recorded (noon would be in the future and refused).
            now = timezone.localtime()
            at = time(12, 0)
            if day == now.date() and now.time() < at:
                at = now.time().replace(second=0, microsecond=0)
        return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())

    @classmethod
    def initial_for(cls, note: Any) -> dict[str, Any]:
        local = timezone.localtime(note.occurred_at)
        return {
            "contact_type": note.contact_type,
            "occurred_on": local.date(),
            "at_time": local.strftime("%H:%M"),
            "outcome": note.outcome,
            "text": note.text,
            "classification": note.classification,
        }


class AddendumForm(forms.Form):
    text = long_text(
        "Addendum",
        rows=5,
        missing="Enter the addendum",
        help_text="What you are adding to the note. The note itself stays as it was written.",
    )
