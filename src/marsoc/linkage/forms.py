"""Forms for linkage pages."""

from typing import Any

from django import forms

from marsoc.accounts.models import Agency, Hub
from marsoc.core.forms import choice, radios
from marsoc.core.vocabulary import Classification

from .mapping import built_in_mappings
from .models import PairStatus

MAX_UPLOAD = 200 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Extract file", help_text="CSV, XLSX or JSON Lines, as the mapping describes"
    )
    mapping = forms.ChoiceField(label="Mapping", help_text="How the extract's columns become our fields")
    source_agency = forms.ModelChoiceField(
        label="Source agency", queryset=Agency.objects.filter(active=True), empty_label="Select an agency"
    )
    owner_hub = forms.ModelChoiceField(label="Hub", queryset=Hub.objects.all(), empty_label=None)
    classification = choice(
        "Classification", Classification.choices, required=True, initial=Classification.OFFICIAL_SENSITIVE
    )

    def __init__(self, *args: Any, hubs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping_field: Any = self.fields["mapping"]
        mapping_field.choices = [(name, name) for name in built_in_mappings()]
        hub_field: Any = self.fields["owner_hub"]
        hub_field.queryset = hubs

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise forms.ValidationError("The selected file is empty")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("The selected file must be smaller than 200 MB")
        return upload


class DecisionForm(forms.Form):
    decision = radios(
        "Are these the same person?",
        [
            (PairStatus.MATCH, "Yes, the same person (merge them)"),
            (PairStatus.NOT_MATCH, "No, not the same person (never link them)"),
            (PairStatus.UNSURE, "Unsure (leave for someone else)"),
        ],
        missing="Select whether these are the same person",
    )
