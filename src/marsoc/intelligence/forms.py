"""Forms for the intelligence pages. They parse and present; the services decide what is valid."""

from typing import Any

from django import forms

from marsoc.accounts.models import Agency, Hub
from marsoc.core.forms import GovukDateField, with_blank
from marsoc.core.vocabulary import Classification
from marsoc.nominals.vocabulary import DataSubjectCategory

from .models import SharingAgreement
from .vocabulary import (
    AgreementStatus,
    DataCategory,
    HandlingCode,
    HandlingCondition,
    IntelligenceAssessment,
    LegacyHandling,
    LegacyIntelligence,
    LegacySource,
    OnwardSharing,
    ProcessingPurpose,
    RecordGroup,
    SourceEvaluation,
)


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, alias, identifier or words in the intelligence", required=False, max_length=100
    )
    hub = forms.ModelChoiceField(
        label="Owner hub",
        queryset=Hub.objects.filter(is_national=False),
        required=False,
        empty_label="Any hub",
    )
    classification = forms.ChoiceField(
        label="Classification",
        choices=with_blank(Classification.choices, "Any classification"),
        required=False,
    )


class ContentFields(forms.Form):
    """An item's content as recorded (ItemForm) and as corrected (RectifyForm): its text, date and 3x5x2
    grade, the fields services.validate_content checks (in this order on the page)."""

    text = forms.CharField(label="Intelligence", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    intelligence_date = GovukDateField(label="Date of the intelligence", required=False)
    source_evaluation = forms.ChoiceField(
        label="Source evaluation", choices=SourceEvaluation.choices, widget=forms.RadioSelect, required=False
    )
    intelligence_assessment = forms.ChoiceField(
        label="Intelligence assessment",
        choices=IntelligenceAssessment.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    handling_code = forms.ChoiceField(
        label="Handling code", choices=HandlingCode.choices, widget=forms.RadioSelect, required=False
    )
    conditions = forms.MultipleChoiceField(
        label="Handling conditions (handling code C only)",
        choices=HandlingCondition.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class ItemForm(ContentFields):
    field_order = [
        "subjects",
        "data_subject_category",
        "text",
        "intelligence_date",
        "owner_hub",
        "classification",
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
        "conditions",
        "purpose",
        "data_category",
        "record_group",
        "legacy_source",
        "legacy_intelligence",
        "legacy_handling",
    ]  # as on the page (and so in the error summary)
    subjects = forms.CharField(
        label="People this intelligence is about",
        help_text="Their MARSOC references, separated by commas, for example MH0000012, MH0000040",
        max_length=400,
        error_messages={"required": "Enter the reference of at least one person"},
    )
    data_subject_category = forms.ChoiceField(
        label="Their data-subject category", choices=with_blank(DataSubjectCategory.choices), required=False
    )
    owner_hub = forms.ModelChoiceField(label="Owner hub", queryset=Hub.objects.all(), required=False)
    classification = forms.ChoiceField(
        label="Classification", choices=with_blank(Classification.choices), required=False
    )
    purpose = forms.ChoiceField(
        label="Purpose it was collected for", choices=with_blank(ProcessingPurpose.choices), required=False
    )
    data_category = forms.ChoiceField(
        label="Category of data", choices=with_blank(DataCategory.choices), required=False
    )
    record_group = forms.ChoiceField(
        label="MoPI record group", choices=RecordGroup.choices, initial=RecordGroup.GROUP_3, required=False
    )
    legacy_source = forms.ChoiceField(
        label="Legacy 5x5x5 source (imported records only)",
        choices=with_blank(LegacySource.choices, "None"),
        required=False,
    )
    legacy_intelligence = forms.ChoiceField(
        label="Legacy 5x5x5 intelligence",
        choices=with_blank(LegacyIntelligence.choices, "None"),
        required=False,
    )
    legacy_handling = forms.ChoiceField(
        label="Legacy 5x5x5 handling", choices=with_blank(LegacyHandling.choices, "None"), required=False
    )

    def __init__(self, *args: Any, hubs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_hub"].queryset = hubs  # type: ignore[attr-defined]

    def subject_ids(self) -> tuple[list[int], str | None]:
        """Parse `MH0000012, 40` into ids; the error (if any) names the bad entry."""
        raw = self.cleaned_data.get("subjects") or ""
        ids = []
        for part in [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]:
            digits = part.upper().removeprefix("MH")
            if not digits.isdigit() or int(digits) > 2**31 - 1:
                return [], f"'{part}' is not a MARSOC reference (like MH0000012)"
            ids.append(int(digits))
        return ids, None


class ShareForm(forms.Form):
    recipient = forms.ModelChoiceField(
        label="Agency to share with", queryset=Agency.objects.filter(active=True), required=False
    )
    agreement = forms.ModelChoiceField(
        label="Information-sharing agreement", queryset=SharingAgreement.objects.none(), required=False
    )
    purpose = forms.CharField(
        label="Purpose of the disclosure",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
    )

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class SanitiseForm(forms.Form):
    text = forms.CharField(
        label="Sanitised text", widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=20_000
    )
    classification = forms.ChoiceField(
        label="Classification of the sanitised version",
        choices=with_blank(Classification.choices),
        required=False,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("grant", "Grant"), ("refuse", "Refuse")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select grant or refuse"},
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class AccessRequestForm(forms.Form):
    q = forms.CharField(widget=forms.HiddenInput, max_length=100)
    hub = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(
        label="Why you need it", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class AgreementForm(forms.Form):
    reference = forms.CharField(label="Reference", max_length=30, required=False)
    title = forms.CharField(label="Title", max_length=200, required=False)
    parties = forms.ModelMultipleChoiceField(
        label="Parties",
        queryset=Agency.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    legal_gateway = forms.CharField(
        label="Legal gateway", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    purposes = forms.MultipleChoiceField(
        label="Purposes",
        choices=ProcessingPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    data_categories = forms.MultipleChoiceField(
        label="Categories of data",
        choices=DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    max_classification = forms.ChoiceField(
        label="Maximum classification", choices=with_blank(Classification.choices), required=False
    )
    onward_sharing = forms.ChoiceField(
        label="Onward sharing", choices=with_blank(OnwardSharing.choices), required=False
    )
    retention = forms.CharField(label="Retention", max_length=200, required=False)
    starts_on = GovukDateField(label="Start date", required=False)
    ends_on = GovukDateField(label="End date (optional)", required=False)


class AgreementStatusForm(forms.Form):
    to_status = forms.ChoiceField(
        label="New status", choices=AgreementStatus.choices, widget=forms.RadioSelect, required=False
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Decision",
        choices=[("retain", "Retain"), ("delete", "Delete (erase the content, keep a tombstone)")],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )


class RestrictForm(forms.Form):
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class RectifyForm(ContentFields):
    reason = forms.CharField(
        label="Reason for the correction",
        help_text="For example: the data subject's request under DPA 2018 s.46, or the source re-evaluated",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class SummaryShareForm(forms.Form):
    """The first step of sharing a nominal summary: to whom, under which agreement, for what."""

    recipient = forms.ModelChoiceField(
        label="Agency to share with", queryset=Agency.objects.filter(active=True), required=False
    )
    agreement = forms.ModelChoiceField(
        label="Information-sharing agreement",
        help_text="Agreements in force that your agency has signed",
        queryset=SharingAgreement.objects.none(),
        required=False,
    )
    purpose = forms.ChoiceField(
        label="Purpose of the disclosure", choices=with_blank(ProcessingPurpose.choices), required=False
    )
    reason = forms.CharField(
        label="Why this agency needs the summary",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


CONSENT = "consent"
WITHHOLD = "withhold"


class SummaryChoicesForm(forms.Form):
    """The preview's choices: which allowed parts and items go, and for each C item that needs the
    originator's consent, whether to ask them or to withhold it. Built from the plan, so only what the
    agreement allows can be chosen at all."""

    parts = forms.MultipleChoiceField(
        label="Details of the person", widget=forms.CheckboxSelectMultiple, required=False
    )
    items = forms.MultipleChoiceField(
        label="Intelligence that goes with it", widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(
        self,
        *args: Any,
        parts: list[tuple[str, str]],
        items: list[tuple[str, str]],
        consent_items: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = parts  # type: ignore[attr-defined]
        self.fields["items"].choices = items  # type: ignore[attr-defined]
        self.consent_names = []
        for pk, label in consent_items:
            name = f"consent_{pk}"
            self.fields[name] = forms.ChoiceField(
                label=label,
                choices=[
                    (CONSENT, "Ask the originator to consent"),
                    (WITHHOLD, "Withhold it from this summary"),
                ],
                widget=forms.RadioSelect,
                initial=CONSENT,
                error_messages={"required": f"Choose whether to ask for consent to share {label}"},
            )
            self.consent_names.append((int(pk), name))

    def chosen(self) -> tuple[list[str], list[int], list[int]]:
        d = self.cleaned_data
        consent = [pk for pk, name in self.consent_names if d.get(name) == CONSENT]
        return list(d.get("parts") or []), [int(i) for i in d.get("items") or []], consent
