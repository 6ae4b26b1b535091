"""Forms for assessment pages. The assessment form is built from the active method's factors."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from marsoc.accounts.models import Establishment, Hub, User
from marsoc.core.forms import GovukDateField, choice, long_text, short_text, with_blank

from .method import Factor, MethodSpec

GRADE_CHOICES = [("", "No grade")] + [(f"{s}{a}", f"{s}{a}") for s in "123" for a in "ABCDE"]


def _level_field(factor: Factor, **kwargs: Any) -> forms.TypedChoiceField:
    """A factor's levels as radios, each with its anchored descriptor."""
    return forms.TypedChoiceField(
        label=factor.name,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        choices=[(level, f"{level} – {factor.descriptor(level)}") for level in range(factor.max_level + 1)],
        help_text=factor.description,
        **kwargs,
    )


class AssessmentForm(forms.Form):
    summary = long_text("Summary of the evidence", rows=3, max_length=4000)

    def __init__(self, *args: Any, spec: MethodSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.groups: list[tuple[str, list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]]] = []
        for group in spec.groups:
            rows = []
            for factor in [f for f in spec.factors if f.group == group.code]:
                level_name, grade_name, evidence_name = (
                    f"level_{factor.code}",
                    f"grade_{factor.code}",
                    f"evidence_{factor.code}",
                )
                self.fields[level_name] = _level_field(factor)
                self.fields[grade_name] = forms.ChoiceField(
                    label=f"Evidence grade for {factor.name.lower()} (3x5x2 source and assessment)",
                    choices=GRADE_CHOICES,
                    required=False,
                )
                self.fields[evidence_name] = long_text(
                    f"Evidence for {factor.name.lower()}", rows=2, max_length=2000
                )
                rows.append((self[level_name], self[grade_name], self[evidence_name]))
            self.groups.append((group.name, rows))

    def levels(self) -> dict[str, int | None]:
        return {f.code: self.cleaned_data.get(f"level_{f.code}") for f in self.spec.factors}

    def grades(self) -> dict[str, str]:
        return {f.code: self.cleaned_data.get(f"grade_{f.code}") or "" for f in self.spec.factors}

    def evidence(self) -> dict[str, str]:
        return {f.code: self.cleaned_data.get(f"evidence_{f.code}") or "" for f in self.spec.factors}


class TierDecisionForm(forms.Form):
    decided_tier = forms.ChoiceField(label="Tier", widget=forms.RadioSelect, required=False)
    rationale = long_text(
        "Rationale",
        rows=4,
        max_length=4000,
        help_text="Required; explain fully if you depart from the computed tier",
    )

    def __init__(self, *args: Any, tiers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_tier"].choices = tiers  # type: ignore[attr-defined]


class PriorityFilterForm(forms.Form):
    hub = forms.ModelChoiceField(
        label="Hub", queryset=Hub.objects.filter(is_national=False), required=False, empty_label="All hubs"
    )
    tier = choice(
        "Tier", [("", "Any tier"), ("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3"), ("4", "Tier 4")]
    )
    phase = forms.ChoiceField(label="Phase", required=False)
    establishment = forms.ModelChoiceField(
        label="Establishment",
        queryset=Establishment.objects.all(),
        required=False,
        empty_label="Any establishment",
    )
    release_within = forms.TypedChoiceField(
        label="Release window",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[
            ("", "Any"),
            ("30", "Within 30 days"),
            ("91", "Within 3 months"),
            ("183", "Within 6 months"),
            ("365", "Within 12 months"),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from marsoc.nominals.vocabulary import Phase

        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = with_blank(Phase.choices, "Any phase")  # type: ignore[attr-defined]


class MethodUploadForm(forms.Form):
    method_file = forms.FileField(label="Method file (TOML)", required=False)


# ---------------------------------------------------------------------------------------------------------
# Equality monitoring
# ---------------------------------------------------------------------------------------------------------

TIER_CHOICES = [("", "Every tier"), ("1", "Tier 1"), ("2", "Tier 2"), ("3", "Tier 3"), ("4", "Tier 4")]


class EqualityFilterForm(forms.Form):
    scope = forms.ChoiceField(label="Show", required=False)
    cohort = forms.ChoiceField(label="Who is counted", required=False)
    tier = choice("Tier", TIER_CHOICES)
    population: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Compare with", queryset=None, required=False, empty_label="Default national population"
    )
    threshold = forms.DecimalField(
        label="Flag threshold (relative rate index)",
        required=False,
        min_value=1,
        max_value=10,
        max_digits=4,
        decimal_places=2,
        help_text="Empty: the population's own threshold",
    )

    def __init__(
        self,
        *args: Any,
        scopes: list[tuple[str, str]],
        cohorts: dict[str, str],
        populations: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = scopes  # type: ignore[attr-defined]
        self.fields["cohort"].choices = list(cohorts.items())  # type: ignore[attr-defined]
        self.fields["population"].queryset = populations  # type: ignore[attr-defined]


class PopulationUploadForm(forms.Form):
    population_file = forms.FileField(label="Reference population file (TOML)", required=False)
    make_default = forms.BooleanField(
        label="Make it the default for its scope (national or its hub)", required=False
    )


class PopulationEditForm(forms.Form):
    name = short_text("Name", max_length=150)
    source = long_text("Source (cite the publication)", rows=2)
    source_url = forms.URLField(label="Source address", required=False, assume_scheme="https")
    year = forms.IntegerField(label="Year of the figures", required=False)
    flag_threshold = forms.DecimalField(
        label="Flag threshold (relative rate index)",
        required=False,
        max_digits=4,
        decimal_places=2,
        help_text="A group is flagged when the lower end of its 95% interval is above this",
    )

    def __init__(self, *args: Any, characteristics: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.characteristics = characteristics
        self.sections: list[tuple[str, str, list[forms.BoundField]]] = []
        for characteristic in characteristics:
            names = []
            for group, label in characteristic.groups:
                name = f"{characteristic.code}__{group}"
                self.fields[name] = forms.DecimalField(
                    label=f"{label} (%)", required=False, max_digits=6, decimal_places=3
                )
                names.append(name)
            self.sections.append((characteristic.code, characteristic.label, [self[n] for n in names]))

    def shares(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for characteristic in self.characteristics:
            values = {}
            for group, _label in characteristic.groups:
                value = self.cleaned_data.get(f"{characteristic.code}__{group}")
                if value is not None:
                    values[group] = value
            out[characteristic.code] = values
        return out


# ---------------------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------------------


class CalibrationExerciseForm(forms.Form):
    name = short_text("Name", max_length=150)
    description = long_text(
        "Instructions for assessors",
        rows=3,
        max_length=4000,
        help_text="Optional. Shown to every assessor above their score sheet",
    )
    opens_on = GovukDateField(label="Opens on", required=False, help_text="For example, 1 12 2026")
    closes_on = GovukDateField(
        label="Closes on", required=False, help_text="Scoring is refused after this day"
    )


class VignetteForm(forms.Form):
    title = short_text("Title", max_length=150)
    narrative = long_text(
        "Narrative",
        rows=10,
        max_length=20000,
        help_text="An invented case. Never describe a real person or copy from a real record",
    )
    confirm_invented = forms.BooleanField(
        label="I confirm that any identifier-like text in the narrative is invented", required=False
    )


class AssignAssessorsForm(forms.Form):
    assessors = forms.ModelMultipleChoiceField(
        label="Assessors",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose hub staff from different hubs",
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assessors"]
        field.queryset = candidates  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: (  # type: ignore[attr-defined]
            f"{u.get_full_name() or u.username} ({u.username}), {u.hub.name if u.hub else 'no hub'}"
        )


class CalibrationScoreForm(forms.Form):
    """One vignette's score sheet: a radio group per factor, with the anchored descriptor of each level."""

    def __init__(self, *args: Any, spec: MethodSpec, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.groups: list[tuple[str, list[forms.BoundField]]] = []
        for group in spec.groups:
            rows = []
            for factor in (f for f in spec.factors if f.group == group.code):
                name = f"level_{factor.code}"
                self.fields[name] = _level_field(factor, empty_value=None)
                rows.append(self[name])
            self.groups.append((group.name, rows))

    def levels(self) -> dict[str, int | None]:
        return {f.code: self.cleaned_data.get(f"level_{f.code}") for f in self.spec.factors}
