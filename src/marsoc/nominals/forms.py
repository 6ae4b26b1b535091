"""Forms for the nominal pages. They parse and present; the services decide what is valid."""

from typing import Any

from django import forms

from marsoc.accounts.models import Agency, Establishment, Hub, User
from marsoc.core.forms import GovukDateField, choice, long_text, radios, short_text, with_blank
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
    q = short_text("Name, alias or identifier", max_length=100)
    hub = forms.ModelChoiceField(
        label="Hub", queryset=Hub.objects.all(), required=False, empty_label="Any hub"
    )
    phase = choice("Phase", with_blank(Phase.choices, "Any phase"))
    state = choice("Cohort membership", with_blank(MembershipState.choices, "Any state"))
    establishment = forms.ModelChoiceField(
        label="Establishment",
        queryset=Establishment.objects.all(),
        required=False,
        empty_label="Any establishment",
    )


class NominalForm(forms.Form):
    given_names = short_text("Given names", max_length=100)
    family_name = short_text("Family name", max_length=100)
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 1985", required=False)
    sex = radios("Sex", Sex.choices)
    ethnicity_self = choice(
        "Self-defined ethnicity", SelfDefinedEthnicity.choices, initial=SelfDefinedEthnicity.NS
    )
    ethnicity_officer = choice(
        "Officer-defined ethnicity", OfficerDefinedEthnicity.choices, initial=OfficerDefinedEthnicity.IC9
    )
    nationality = short_text("Nationality", max_length=60, initial="British")
    religion = choice("Religion or belief", Religion.choices)
    data_subject_category = choice(
        "Data subject category",
        with_blank(DataSubjectCategory.choices),
        help_text="Data Protection Act 2018 section 38(3)",
    )
    classification = choice(
        "Classification", Classification.choices, initial=Classification.OFFICIAL_SENSITIVE
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
    pnc = short_text("PNC ID (optional)", max_length=20, help_text="For example, 2001/0123456F")
    cro = short_text("CRO number (optional)", max_length=20, help_text="For example, 123456/08T")
    nomis = short_text("Prison number (optional)", max_length=10, help_text="For example, A1234BC")
    crn = short_text("Delius CRN (optional)", max_length=10, help_text="For example, X123456")
    rationale = long_text("Reason for referral", rows=4, max_length=4000)


class EditForm(NominalForm):
    reason = long_text("Reason for the change", rows=3, max_length=2000)


class IdentifierForm(forms.Form):
    id_type = radios(
        "Type of identifier",
        [
            ("PNC", "PNC ID"),
            ("CRO", "CRO number"),
            ("NOMIS", "Prison number (NOMIS)"),
            ("CRN", "Delius CRN"),
        ],
    )
    value = short_text("Identifier", max_length=20)


class AliasForm(forms.Form):
    alias_type = radios("Kind of alias", AliasType.choices, initial=AliasType.ALIAS)
    given_names = short_text("Given names", max_length=100)
    family_name = short_text("Family name", max_length=100)
    date_of_birth = GovukDateField(label="Date of birth used (optional)", required=False)


class CustodyEventForm(forms.Form):
    event_type = radios("What happened?", CustodyEventType.choices)
    occurred_on = GovukDateField(label="Date", required=False)
    establishment = forms.ModelChoiceField(
        label="Establishment",
        queryset=Establishment.objects.filter(active=True),
        required=False,
        help_text="Where the person was received, moved to or recalled to",
    )
    reception_status = choice("Received as", with_blank(ReceptionStatus.choices))
    expected_release_date = GovukDateField(label="Expected release date", required=False)
    licence_end_date = GovukDateField(label="Licence end date", required=False)
    notes = long_text("Notes", rows=3, max_length=2000)


class MembershipForm(forms.Form):
    to_state = radios("New state", MembershipState.choices)
    effective_date = GovukDateField(
        label="Date of the decision", required=False, help_text="Leave blank for today"
    )
    exit_reason = choice("Reason for exit", with_blank(ExitReason.choices, "Not exiting"))
    rationale = long_text("Rationale", rows=4, max_length=4000)


class ParticipationForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="Agency", queryset=Agency.objects.filter(active=True), required=False
    )
    rationale = long_text("Why this agency needs to take part", rows=3, max_length=2000)


class EndParticipationForm(forms.Form):
    reason = long_text("Why the agency no longer takes part", rows=3, max_length=2000)
