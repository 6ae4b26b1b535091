"""Forms of the rights pages. Every field is optional here: the services say what is missing, against
the field, so the page and any other caller get the same messages."""

from typing import Any

from django import forms

from marsoc.core.forms import GovukDateField, long_text, radios, short_text

from .models import Exemption, RecordGroup


def _text(label: str, help_text: str = "", rows: int = 3) -> forms.CharField:
    return long_text(label, rows=rows, help_text=help_text, max_length=4000)


class RequestForm(forms.Form):
    requester = short_text(
        "Who made the request",
        help_text="The person, or whoever acts for them (for example a solicitor)",
        max_length=200,
    )
    address = _text("Where to send the response", rows=2)
    received_on = GovukDateField(label="Date received", required=False)


class IdentityForm(forms.Form):
    evidence = _text(
        "How the requester's identity was checked", "For example: passport seen, address confirmed"
    )


class ExtendForm(forms.Form):
    to = GovukDateField(label="New date the response is due", required=False)
    reason = _text("Why more time is needed", "For example: the request is complex, or many records")


class RecordForm(forms.Form):
    exemption = radios(
        "Release or withhold",
        [("", "Release this record")] + [(c, f"Withhold: {label}") for c, label in Exemption.choices],
    )
    reason = _text("Why releasing it would have that effect", "Required when the record is withheld")

    def __init__(self, *args: Any, partner: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if partner:
            self.fields["consulted_on"] = GovukDateField(
                label="Date the agency was consulted", required=False
            )
            self.fields["consultation_note"] = _text("What the agency said")


class RestrictForm(forms.Form):
    reason = _text(
        "Why processing is restricted", "For example: the person contests the accuracy of the data"
    )
    review_on = GovukDateField(label="Review the restriction by", required=False)
    managers = forms.MultipleChoiceField(
        label="Restriction managers (besides you)",
        help_text="Only they will see the person while the restriction is in force",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["managers"].choices = staff  # type: ignore[attr-defined]


class LiftForm(forms.Form):
    reason = _text("Why the restriction is lifted")


class CorrectionForm(forms.Form):
    what = _text("What was corrected", "Which record and what changed (the old value stays in the audit log)")
    reason = _text("Why")
    since = GovukDateField(label="Date from which the data was wrong", required=False)


class AcknowledgeForm(forms.Form):
    by_whom = short_text("Who acknowledged it at the agency", max_length=200)


class ReviewForm(forms.Form):
    group = radios("MoPI group", RecordGroup.choices)
    outcome = radios(
        "Decision",
        [("retain", "Retain, and review again"), ("erase", "Erase everything held about the person")],
    )
    reason = _text("Reason for the decision", "MoPI requires every decision to be recorded")
