"""Forms for claims. Amounts are typed in pounds and parsed to pence by `money.parse_pounds`."""

from typing import Any

from django import forms

from marsoc.core.forms import GovukDateField, long_text, short_text

from .calculation import Period
from .models import Claim
from .money import MoneyError, parse_pounds


class PoundsField(forms.CharField):
    """An amount in pounds, cleaned to integer pence."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> int | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return parse_pounds(text)
        except MoneyError as exc:
            raise forms.ValidationError(str(exc)) from exc


class ClaimNewForm(forms.Form):
    number = forms.TypedChoiceField(
        label="Quarter", coerce=int, widget=forms.RadioSelect, error_messages={"required": "Select a quarter"}
    )

    def __init__(self, *args: Any, quarters: list[Period], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["number"].choices = [  # type: ignore[attr-defined]
            (q.number, f"Quarter {q.number}: {q.starts_on:%-d %B %Y} to {q.ends_on:%-d %B %Y}")
            for q in quarters
        ]


class ActualsForm(forms.Form):
    explanation = long_text(
        "Explanation of any variance",
        rows=4,
        help_text="Why the actual costs differ from the eligible cost computed from the posts",
    )

    def __init__(self, *args: Any, claim: Claim, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for line in claim.lines.all():
            self.fields[f"post_{line.post_id}"] = PoundsField(
                label=f"Actual cost of {line.post.role} ({line.post.grade})",
                help_text=f"Eligible from the posts: £{line.eligible_pence / 100:,.2f}".replace(".00", ""),
                required=False,
                initial=None if line.actual_pence is None else f"{line.actual_pence / 100:.2f}",
            )
        self.fields["explanation"].initial = claim.variance_explanation
        self.order_fields([*(k for k in self.fields if k.startswith("post_")), "explanation"])

    def actuals(self) -> dict[int, int]:
        found: dict[int, int] = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("post_") and value is not None:
                found[int(name.removeprefix("post_"))] = value
        return found


class ActualsImportForm(forms.Form):
    file = forms.FileField(
        label="Finance ledger extract (CSV)",
        help_text="Columns: post (the post's reference), amount (in pounds) and, optionally, explanation",
        error_messages={"required": "Choose a CSV file"},
    )


class ReasonForm(forms.Form):
    reason = long_text("Why is the claim going back to draft?", rows=3, required=True)


class PaymentForm(forms.Form):
    paid_on = GovukDateField(label="Date the payment was received", help_text="For example, 14 4 2022")
    paid_amount = PoundsField(
        label="Amount received", error_messages={"required": "Enter the amount received"}
    )


class ReconcileForm(forms.Form):
    note = long_text(
        "Reconciliation note", rows=3, help_text="Needed when the payment differs from the claim"
    )


class DecisionForm(forms.Form):
    reference = short_text("Reference", required=True, max_length=40, help_text="For example, PCD 1258")
    title = short_text("Title", required=True, max_length=200)
    executive_summary = long_text("Executive summary", rows=4, required=True)
    recommendation = long_text("Recommendation", rows=3, required=True)
    part1_body = long_text("Part 1: non-confidential facts and advice", rows=8, required=True)
    decision_maker_title = short_text(
        "Who decides",
        required=True,
        max_length=120,
        help_text="For example, Deputy Mayor for Policing and Crime",
    )
    decide_by = GovukDateField(label="Decision needed by (optional)", required=False)
    decide_by_reason = long_text("Why by then (optional)", rows=2)
    deferred_until = GovukDateField(
        label="Defer publication of Part 1 until (optional)",
        required=False,
        help_text="Only if publishing at once would compromise the decision; keep the deferral as short as possible",
    )
    deferral_reason = long_text("Reason for the deferral", rows=2)
    grant = forms.TypedChoiceField(
        label="Grant it accepts (optional)", required=False, coerce=int, empty_value=None
    )
    part2_body = long_text(
        "Part 2: exempt facts and advice (optional)",
        rows=4,
        help_text="Only what is likely to be exempt from disclosure under the Freedom of Information Act. Never published.",
    )
    part2_exemption = forms.ChoiceField(label="Exemption Part 2 rests on", required=False)
    part2_rationale = long_text("Legal rationale for not publishing Part 2", rows=3)

    def __init__(self, *args: Any, grants: list[tuple[int, str]], **kwargs: Any) -> None:
        from .vocabulary import Exemption

        super().__init__(*args, **kwargs)
        self.fields["grant"].choices = [("", "None"), *grants]  # type: ignore[attr-defined]
        self.fields["part2_exemption"].choices = [("", "Select an exemption"), *Exemption.choices]  # type: ignore[attr-defined]


class ApproveForm(forms.Form):
    interest_declaration = long_text(
        "Personal or prejudicial interests",
        rows=3,
        missing="Record your interests, or write “None”",
        help_text="Record any interest you have in this matter, or write “None”",
    )
    confirmed = forms.BooleanField(
        label="I confirm I have considered whether I have any personal or prejudicial interest in this matter "
        "and take the decision in compliance with the code of conduct",
        required=False,
    )


# --- the governance register ------------------------------------------------------------------------------


class SignOffForm(forms.Form):
    agency = forms.TypedChoiceField(
        label="Party", coerce=int, widget=forms.RadioSelect, error_messages={"required": "Select the party"}
    )
    signed_by = short_text(
        "Who signed for the party",
        help_text="Their name and office, for example Chief Probation Officer, London",
        max_length=200,
    )
    signed_on = GovukDateField(label="Date signed", required=False)

    def __init__(self, *args: Any, parties: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = parties  # type: ignore[attr-defined]


def _review_field() -> GovukDateField:
    return GovukDateField(label="Next review", required=False)


class DpiaForm(forms.Form):
    reference = short_text("Reference", max_length=40)
    title = short_text("Title", max_length=200)
    initiated_on = GovukDateField(label="Date initiated", required=False)
    review_due_on = _review_field()
    risks = long_text("Risks and how each is mitigated", rows=5)


class DpiaMoveForm(forms.Form):
    to_status = forms.ChoiceField(
        label="New status", widget=forms.RadioSelect, error_messages={"required": "Select the new status"}
    )
    review_due_on = _review_field()
    risks = long_text("Risks as now recorded (leave empty to keep them)", rows=4)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = statuses  # type: ignore[attr-defined]


class EqualityForm(forms.Form):
    reference = short_text(
        "Reference", help_text="An existing reference records its next version", max_length=40
    )
    title = short_text("Title", max_length=200)
    assessed_on = GovukDateField(label="Date assessed", required=False)
    conclusions = long_text("Conclusions", rows=5)
    period_starts_on = GovukDateField(label="Monitoring period: first day", required=False)
    period_ends_on = GovukDateField(label="Monitoring period: last day", required=False)
    review_due_on = _review_field()
