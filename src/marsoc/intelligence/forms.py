"""Forms for the intelligence pages. They parse and present; the services decide what is valid."""

from typing import Any

from django import forms

from marsoc.accounts.models import Agency, Hub
from marsoc.core.forms import GovukDateField, checkboxes, choice, long_text, radios, short_text, with_blank
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
    q = short_text("Name, alias, identifier or words in the intelligence", max_length=100)
    hub = forms.ModelChoiceField(
        label="Owner hub",
        queryset=Hub.objects.filter(is_national=False),
        required=False,
        empty_label="Any hub",
    )
    classification = choice("Classification", with_blank(Classification.choices, "Any classification"))


class ContentFields(forms.Form):
    """An item's content as recorded (ItemForm) and as corrected (RectifyForm): its text, date and 3x5x2
    grade, the fields services.validate_content checks (in this order on the page)."""

    text = long_text("Intelligence", rows=6)
    intelligence_date = GovukDateField(label="Date of the intelligence", required=False)
    source_evaluation = radios("Source evaluation", SourceEvaluation.choices)
    intelligence_assessment = radios("Intelligence assessment", IntelligenceAssessment.choices)
    handling_code = radios("Handling code", HandlingCode.choices)
    conditions = checkboxes("Handling conditions (handling code C only)", HandlingCondition.choices)


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
    subjects = short_text(
        "People this intelligence is about",
        missing="Enter the reference of at least one person",
        help_text="Their MARSOC references, separated by commas, for example MH0000012, MH0000040",
        max_length=400,
    )
    data_subject_category = choice("Their data-subject category", with_blank(DataSubjectCategory.choices))
    owner_hub = forms.ModelChoiceField(label="Owner hub", queryset=Hub.objects.all(), required=False)
    classification = choice("Classification", with_blank(Classification.choices))
    purpose = choice("Purpose it was collected for", with_blank(ProcessingPurpose.choices))
    data_category = choice("Category of data", with_blank(DataCategory.choices))
    record_group = choice("MoPI record group", RecordGroup.choices, initial=RecordGroup.GROUP_3)
    legacy_source = choice(
        "Legacy 5x5x5 source (imported records only)", with_blank(LegacySource.choices, "None")
    )
    legacy_intelligence = choice("Legacy 5x5x5 intelligence", with_blank(LegacyIntelligence.choices, "None"))
    legacy_handling = choice("Legacy 5x5x5 handling", with_blank(LegacyHandling.choices, "None"))

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
    purpose = long_text("Purpose of the disclosure", rows=2, max_length=1000)

    def __init__(self, *args: Any, agreements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = agreements  # type: ignore[attr-defined]


class SanitiseForm(forms.Form):
    text = long_text("Sanitised text", rows=5, max_length=20_000)
    classification = choice("Classification of the sanitised version", with_blank(Classification.choices))


class DecisionForm(forms.Form):
    decision = radios(
        "Decision",
        [("grant", "Grant"), ("refuse", "Refuse")],
        missing="Select grant or refuse",
    )
    reason = long_text("Reason", rows=2, max_length=2000)


class AccessRequestForm(forms.Form):
    q = forms.CharField(widget=forms.HiddenInput, max_length=100)
    hub = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    reason = long_text("Why you need it", rows=2, max_length=2000)


class AgreementForm(forms.Form):
    reference = short_text("Reference", max_length=30)
    title = short_text("Title", max_length=200)
    parties = forms.ModelMultipleChoiceField(
        label="Parties",
        queryset=Agency.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    legal_gateway = long_text("Legal gateway", rows=2)
    purposes = checkboxes("Purposes", ProcessingPurpose.choices)
    data_categories = checkboxes("Categories of data", DataCategory.choices)
    max_classification = choice("Maximum classification", with_blank(Classification.choices))
    onward_sharing = choice("Onward sharing", with_blank(OnwardSharing.choices))
    retention = short_text("Retention", max_length=200)
    starts_on = GovukDateField(label="Start date", required=False)
    ends_on = GovukDateField(label="End date (optional)", required=False)


class AgreementStatusForm(forms.Form):
    to_status = radios("New status", AgreementStatus.choices)
    reason = long_text("Reason", rows=2, max_length=2000)


class ReviewForm(forms.Form):
    outcome = radios(
        "Decision", [("retain", "Retain"), ("delete", "Delete (erase the content, keep a tombstone)")]
    )
    reason = long_text("Reason", rows=3, max_length=2000)


class RestrictForm(forms.Form):
    reason = long_text("Reason", rows=2, max_length=2000)


class RectifyForm(ContentFields):
    reason = long_text(
        "Reason for the correction",
        rows=2,
        help_text="For example: the data subject's request under DPA 2018 s.46, or the source re-evaluated",
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
    purpose = choice("Purpose of the disclosure", with_blank(ProcessingPurpose.choices))
    reason = long_text("Why this agency needs the summary", rows=2, max_length=2000)

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
