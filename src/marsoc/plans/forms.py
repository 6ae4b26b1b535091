"""Forms for plan, outcome, order, meeting and catalogue pages. Validation of meaning is the services'
job; these only parse (a date that is not a real date, a number that is not a number)."""

from typing import Any

from django import forms

from marsoc.accounts.models import Agency, AgencyType, Hub, User
from marsoc.core.forms import GovukDateField, checkboxes, choice, long_text, radios, short_text, with_blank
from marsoc.core.processing import switched_on
from marsoc.nominals.vocabulary import Phase

from .claims import DECISIONS, ClaimDecision
from .models import Objective, Outcome, Tactic
from .vocabulary import ActionStatus, GroupEffect, LifeArea, OrderType, Rating, Strand

_TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _agency_choices() -> list[tuple[str, str]]:
    return [("", "Select an agency")] + [(str(a.pk), a.name) for a in Agency.objects.filter(active=True)]


class PlanCreateForm(forms.Form):
    owner_agency = forms.ChoiceField(
        label="Plan owner's agency", help_text="The most appropriate agency to own the plan"
    )
    owner_officer = forms.ChoiceField(label="Plan owner (officer)", required=False)

    def __init__(self, *args: Any, officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_agency"].choices = _agency_choices()  # type: ignore[attr-defined]
        self.fields["owner_officer"].choices = [("", "Not named yet")] + [  # type: ignore[attr-defined]
            (str(u.pk), f"{u} ({u.agency.name if u.agency else 'no agency'})") for u in officers
        ]


class ObjectiveForm(forms.Form):
    text = forms.CharField(label="Objective", max_length=2000, required=False, widget=_TEXTAREA)


class ActionForm(forms.Form):
    tactic = forms.ChoiceField(label="Tool, power or intervention")
    agency = forms.ChoiceField(label="Acting agency")
    officer = forms.ChoiceField(label="Officer", required=False)
    objective = forms.ChoiceField(label="Objective it serves", required=False)
    due_date = GovukDateField(label="Due date", required=False, help_text="For example, 27 3 2027")
    target_group = short_text(
        "Organised crime group it disrupts (optional)",
        help_text="The group's reference, for example OCG000007",
        max_length=20,
    )
    notes = forms.CharField(label="Notes", required=False, max_length=4000, widget=_TEXTAREA)

    def __init__(self, *args: Any, objectives: list[Objective], officers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tactics = Tactic.objects.filter(retired_at__isnull=True).order_by("agency_type", "name")
        self.fields["tactic"].choices = [("", "Select from the catalogue")] + [  # type: ignore[attr-defined]
            (str(t.pk), f"{t.name} ({AgencyType(t.agency_type).label})") for t in tactics
        ]
        self.fields["agency"].choices = _agency_choices()  # type: ignore[attr-defined]
        self.fields["officer"].choices = [("", "Not named yet")] + [  # type: ignore[attr-defined]
            (str(u.pk), f"{u} ({u.agency.name if u.agency else 'no agency'})") for u in officers
        ]
        objective_choices = [("", "None")] + [(str(o.pk), o.text[:80]) for o in objectives]
        self.fields["objective"].choices = objective_choices  # type: ignore[attr-defined]
        if not switched_on("network"):  # groups are network analysis's (core/processing.py)
            del self.fields["target_group"]


class ActionUpdateForm(forms.Form):
    status = radios("Status", ActionStatus.choices, required=True)
    notes = forms.CharField(label="Progress note", required=False, max_length=4000, widget=_TEXTAREA)


class AgreeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000, widget=_TEXTAREA)


class OutcomeForm(forms.Form):
    occurred_on = GovukDateField(label="Date of the disruption", required=False)
    rating = radios("Rating on the national scale", Rating.choices)
    justification = forms.CharField(
        label="Justification",
        help_text="How the action dismantled, frustrated or otherwise undermined the ability to cause harm",
        required=False,
        max_length=4000,
        widget=_TEXTAREA,
    )
    group_effect = radios(
        "Effect on the organised crime group",
        [("", "The action does not target a group"), *GroupEffect.choices],
        help_text="Only for an action that targets a group",
    )


class OrderForm(forms.Form):
    order_type = choice("Order or conditions", with_blank(OrderType.choices), required=True)
    start_date = GovukDateField(label="Start date", required=False)
    end_date = GovukDateField(label="End date", required=False)
    conditions = forms.CharField(label="Conditions", required=False, max_length=4000, widget=_TEXTAREA)


class BreachForm(forms.Form):
    occurred_on = GovukDateField(label="Date of the breach", required=False)
    details = forms.CharField(label="What happened", required=False, max_length=4000, widget=_TEXTAREA)


class MeetingForm(forms.Form):
    hub = forms.ModelChoiceField(label="Hub", queryset=Hub.objects.filter(is_national=False), required=False)
    held_on = GovukDateField(label="Date of the meeting", required=False)
    title = short_text("Title", max_length=150)


class AttendanceForm(forms.Form):
    agency = forms.ChoiceField(label="Agency")
    attendee = short_text("Attendee (name and role)", max_length=150)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _agency_choices()  # type: ignore[attr-defined]


class DecisionForm(forms.Form):
    text = forms.CharField(label="Decision", max_length=4000, required=False, widget=_TEXTAREA)
    nominal = short_text(
        "Person (MARSOC reference, optional)", help_text="For example, MH0000061", max_length=12
    )

    def clean_nominal(self) -> int | None:
        raw = (self.cleaned_data.get("nominal") or "").strip().upper()
        if not raw:
            return None
        digits = raw.removeprefix("MH")
        if not digits.isdigit() or int(digits) > 2**31 - 1:
            raise forms.ValidationError("Enter a MARSOC reference like MH0000061")
        return int(digits)


class MinutesForm(forms.Form):
    minutes = long_text("Minutes", rows=8)
    held = forms.BooleanField(label="The meeting has been held", required=False)


class TacticForm(forms.Form):
    code = forms.SlugField(label="Code", max_length=40, required=False)
    name = short_text("Name", max_length=150)
    agency_type = choice("Owning agency type", with_blank(AgencyType.choices), required=True)
    legal_basis = short_text("Legal basis", max_length=200)
    life_area = choice("Life area", with_blank(LifeArea.choices), required=True)
    strand = choice("4P strand", with_blank(Strand.choices), required=True)
    phases = checkboxes("Lifecycle phases it applies to", [c for c in Phase.choices if c[0] != Phase.EXITED])
    description = forms.CharField(label="Description", required=False, widget=_TEXTAREA)
    reason = short_text("Reason for the change", max_length=500)


class ReportFilterForm(forms.Form):
    start = GovukDateField(label="From", required=False)
    end = GovukDateField(label="To", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", "The end date must be the same as or after the start date")
        return data


def outcome_label(outcome: Outcome) -> str:
    return f"#{outcome.pk} {outcome.get_rating_display()} by {outcome.agency.name}"


class ClaimsForm(forms.Form):
    """Every claim awaiting validation at the meeting, decided together; nothing is pre-selected and a
    claim left without a decision waits for the next meeting (fields `decision_<id>`, `reason_<id>`,
    `into_<id>`, as plans.claims reports its errors)."""

    def __init__(self, claims: list[Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.claims = claims
        for o in claims:
            self.fields[f"decision_{o.pk}"] = forms.ChoiceField(
                label=f"Decision on claim #{o.pk}",
                choices=DECISIONS,
                widget=forms.RadioSelect,
                required=False,
                help_text="Leave unanswered to decide at a later meeting",
            )
            self.fields[f"reason_{o.pk}"] = forms.CharField(
                label=f"Reason for claim #{o.pk} (needed to reject or merge)", required=False, max_length=2000
            )
            self.fields[f"into_{o.pk}"] = forms.CharField(
                label=f"Claim #{o.pk} duplicates claim number (to merge)", required=False, max_length=12
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (o, self[f"decision_{o.pk}"], self[f"reason_{o.pk}"], self[f"into_{o.pk}"]) for o in self.claims
        ]

    def decisions(self) -> list[ClaimDecision]:
        d = self.cleaned_data
        return [
            ClaimDecision(
                o.pk,
                d.get(f"decision_{o.pk}") or "",
                d.get(f"reason_{o.pk}") or "",
                d.get(f"into_{o.pk}") or "",
            )
            for o in self.claims
        ]
