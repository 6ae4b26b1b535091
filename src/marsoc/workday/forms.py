from django import forms

from marsoc.core.forms import GovukDateField, checkboxes

from .chronology import Kind, kinds_offered


class ChronologyFilterForm(forms.Form):
    kind = checkboxes("Show", Kind.ALL)
    date_from = GovukDateField(label="From", required=False, help_text="For example, 1 1 2026")
    date_to = GovukDateField(label="To", required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = kinds_offered()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data
