"""Form pieces shared by every app: the GOV.UK date input (day, month, year), error mapping and the
stated purpose asked before a record is opened."""

from datetime import date
from typing import Any

from django import forms

from .errors import Conflict, ValidationFailed


class GovukDateWidget(forms.MultiWidget):
    template_name = "govuk/widgets/date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "day": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "month": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-2",
                }
            ),
            "year": forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": "govuk-input govuk-date-input__input govuk-input--width-4",
                }
            ),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """Three boxes; an impossible date (31 February) gets the GOV.UK 'must be a real date' message."""

    widget = GovukDateWidget

    def __init__(self, **kwargs: Any) -> None:
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        kwargs.setdefault("require_all_fields", False)
        super().__init__(fields=fields, **kwargs)

    def compress(self, data_list: list[str]) -> date | None:
        if not data_list or not any((v or "").strip() for v in data_list):
            return None
        day, month, year = ((v or "").strip() for v in data_list)
        label = (self.label or "date").capitalize()
        missing = [name for name, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{label} must include a {' and '.join(missing)}")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise forms.ValidationError(f"{label} must be a real date, like 27 3 1985")
        try:
            return date(int(year), int(month), int(day))
        except ValueError as exc:
            raise forms.ValidationError(f"{label} must be a real date") from exc

    def clean(self, value: Any) -> date | None:
        result = super().clean(value)
        if result is None and self.required:
            raise forms.ValidationError(f"Enter the {(self.label or 'date').lower()}")
        return result


def _required(required: bool, missing: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The field options: `missing`, the message when it is left empty, makes a field required."""
    if missing:
        kwargs["error_messages"] = {"required": missing, **kwargs.get("error_messages", {})}
    return {"required": required or bool(missing), **kwargs}


def long_text(
    label: str, *, rows: int, required: bool = False, missing: str = "", **kwargs: Any
) -> forms.CharField:
    """A free-text box of `rows` lines. Optional unless said: most services say themselves what is missing,
    in their own words."""
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), **_required(required, missing, kwargs)
    )


def short_text(label: str, *, required: bool = False, missing: str = "", **kwargs: Any) -> forms.CharField:
    """A one-line text box, optional unless said (as `long_text`)."""
    return forms.CharField(label=label, **_required(required, missing, kwargs))


def choice(
    label: str, choices: Any, *, required: bool = False, missing: str = "", **kwargs: Any
) -> forms.ChoiceField:
    """A select of `choices` (a vocabulary's `.choices`, say), optional unless said."""
    return forms.ChoiceField(label=label, choices=choices, **_required(required, missing, kwargs))


def radios(
    label: str, choices: Any, *, required: bool = False, missing: str = "", **kwargs: Any
) -> forms.ChoiceField:
    """One of `choices` as radio buttons, optional unless said."""
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, **_required(required, missing, kwargs)
    )


def checkboxes(
    label: str, choices: Any, *, required: bool = False, missing: str = "", **kwargs: Any
) -> forms.MultipleChoiceField:
    """Any of `choices` as checkboxes, optional unless said."""
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        **_required(required, missing, kwargs),
    )


def with_blank(choices: Any, label: str = "Select") -> list[tuple[str, str]]:
    """A select's choices with an empty first option ("Select", "Any phase", "None" ...)."""
    return [("", label), *list(choices)]


def apply_service_errors(
    form: forms.Form, error: ValidationFailed, field_map: dict[str, str] | None = None
) -> None:
    """Put a service's field errors on the matching form fields (others go to the top of the form)."""
    field_map = field_map or {}
    if isinstance(error, Conflict):
        form.add_error(None, error.detail)  # someone changed the record meanwhile: say so first
    for field, messages in error.errors.items():
        target = field_map.get(field, field)
        for message in messages:
            form.add_error(target if target in form.fields else None, message)


# Why a record is being opened: stored with every consultation (DPA 2018 s.62).
PURPOSES = [
    ("case_management", "Case management of this person"),
    ("tasking", "Preparing for a tasking or coordination meeting"),
    ("intelligence", "Intelligence development"),
    ("risk_assessment", "Assessment or review of risk"),
    ("disruption", "Planning or recording a disruption"),
    ("data_quality", "Checking or correcting the record"),
    ("other", "Another purpose (describe it below)"),
]


class PurposeForm(forms.Form):
    purpose = radios(
        "Why are you opening this record?",
        PURPOSES,
        missing="Select why you are opening this record",
    )
    detail = long_text(
        "More detail", rows=2, max_length=500, help_text="Required if you chose another purpose"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("purpose") == "other" and not (data.get("detail") or "").strip():
            self.add_error("detail", "Describe the purpose")
        return data

    def justification(self) -> str:
        label = dict(PURPOSES)[self.cleaned_data["purpose"]]
        detail = (self.cleaned_data.get("detail") or "").strip()
        return f"{label}: {detail}" if detail else label
