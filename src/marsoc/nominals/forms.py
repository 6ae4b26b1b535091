"""Forms for the nominal pages. They parse and present; the services decide what is valid."""

from typing import Any

from django import forms

from marsoc.accounts.models import Agency, Establishment, Hub, User
from marsoc.core.forms import GovukDateField, with_blank
from marsoc.core.vocabulary import Classification

from .vocabulary import (
    AliasType,
    CustodyEventType,
    DataSubjectCategory,
    ExitReason,
    MembershipState,
    OfficerDefinedEthnicity,
    Phase,
    ReceptionStatus,
    Religion,
    SelfDefinedEthnicity,
    Sex,
)


class CohortFilterForm(forms.Form):
    q = forms.CharField(label="Name, alias or identifier", required=False, max_length=100)
    hub = forms.ModelChoiceField(
        label="Hub", queryset=Hub.objects.all(), required=False, empty_label="Any hub"
    )
    phase = forms.ChoiceField(label="Phase", choices=with_blank(Phase.choices, "Any phase"), required=False)
    state = forms.ChoiceField(
        label="Cohort membership", choices=with_blank(MembershipState.choices, "Any state"), required=False
    )
    establishment = forms.ModelChoiceField(
        label="Establishment",
        queryset=Establishment.objects.all(),
        required=False,
        empty_label="Any establishment",
    )


class NominalForm(forms.Form):
    given_names = forms.CharField(label="Given names", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 1985", required=False)
    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect, required=False)
    ethnicity_self = forms.ChoiceField(
        label="Self-defined ethnicity",
        choices=SelfDefinedEthnicity.choices,
        initial=SelfDefinedEthnicity.NS,
        required=False,
    )
    ethnicity_officer = forms.ChoiceField(
        label="Officer-defined ethnicity",
        choices=OfficerDefinedEthnicity.choices,
        initial=OfficerDefinedEthnicity.IC9,
        required=False,
    )
    nationality = forms.CharField(label="Nationality", max_length=60, initial="British", required=False)
    religion = forms.ChoiceField(label="Religion or belief", choices=Religion.choices, required=False)
    data_subject_category = forms.ChoiceField(
        label="Data subject category",
        choices=with_blank(DataSubjectCategory.choices),
        required=False,
        help_text="Data Protection Act 2018 section 38(3)",
    )
    classification = forms.ChoiceField(
        label="Classification",
        choices=Classification.choices,
        initial=Classification.OFFICIAL_SENSITIVE,
        required=False,
    )
    owner_hub = forms.ModelChoiceField(label="Owner hub", queryset=Hub.objects.all(), required=False)
    lead_officer = forms.ModelChoiceField(label="Lead officer", queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, hubs: Any = None, officers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if hubs is not None:
            self.fields["owner_hub"].queryset = hubs  # type: ignore[attr-defined]
        if officers is not None:
            self.fields["lead_officer"].queryset = officers  # type: ignore[attr-defined]


class ReferForm(NominalForm):
    pnc = forms.CharField(
        label="PNC ID (optional)", required=False, max_length=20, help_text="For example, 2001/0123456F"
    )
    cro = forms.CharField(
        label="CRO number (optional)", required=False, max_length=20, help_text="For example, 123456/08T"
    )
    nomis = forms.CharField(
        label="Prison number (optional)", required=False, max_length=10, help_text="For example, A1234BC"
    )
    crn = forms.CharField(
        label="Delius CRN (optional)", required=False, max_length=10, help_text="For example, X123456"
    )
    rationale = forms.CharField(
        label="Reason for referral", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )


class EditForm(NominalForm):
    reason = forms.CharField(
        label="Reason for the change",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class IdentifierForm(forms.Form):
    id_type = forms.ChoiceField(
        label="Type of identifier",
        choices=[
            ("PNC", "PNC ID"),
            ("CRO", "CRO number"),
            ("NOMIS", "Prison number (NOMIS)"),
            ("CRN", "Delius CRN"),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    value = forms.CharField(label="Identifier", max_length=20, required=False)


class AliasForm(forms.Form):
    alias_type = forms.ChoiceField(
        label="Kind of alias",
        choices=AliasType.choices,
        widget=forms.RadioSelect,
        initial=AliasType.ALIAS,
        required=False,
    )
    given_names = forms.CharField(label="Given names", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)
    date_of_birth = GovukDateField(label="Date of birth used (optional)", required=False)


class CustodyEventForm(forms.Form):
    event_type = forms.ChoiceField(
        label="What happened?", choices=CustodyEventType.choices, widget=forms.RadioSelect, required=False
    )
    occurred_on = GovukDateField(label="Date", required=False)
    establishment = forms.ModelChoiceField(
        label="Establishment",
        queryset=Establishment.objects.filter(active=True),
        required=False,
        help_text="Where the person was received, moved to or recalled to",
    )
    reception_status = forms.ChoiceField(
        label="Received as", choices=with_blank(ReceptionStatus.choices), required=False
    )
    expected_release_date = GovukDateField(label="Expected release date", required=False)
    licence_end_date = GovukDateField(label="Licence end date", required=False)
    notes = forms.CharField(
        label="Notes", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class MembershipForm(forms.Form):
    to_state = forms.ChoiceField(
        label="New state", choices=MembershipState.choices, widget=forms.RadioSelect, required=False
    )
    effective_date = GovukDateField(
        label="Date of the decision", required=False, help_text="Leave blank for today"
    )
    exit_reason = forms.ChoiceField(
        label="Reason for exit", choices=with_blank(ExitReason.choices, "Not exiting"), required=False
    )
    rationale = forms.CharField(
        label="Rationale", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=4000
    )


class ParticipationForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.filter(active=True), required=False
    )
    rationale = forms.CharField(
        label="Why this agency needs to take part",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class EndParticipationForm(forms.Form):
    reason = forms.CharField(
        label="Why the agency no longer takes part",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )
