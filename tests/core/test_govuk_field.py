"""The `govuk_field` tag renders each widget as its GOV.UK component. Django's CheckboxSelectMultiple is a
subclass of RadioSelect, so multi-choice fields once came out as radios (only one condition could be
chosen on the intelligence form): they must be checkboxes."""

from django import forms
from django.template import Context, Template


class _Form(forms.Form):
    many = forms.MultipleChoiceField(
        choices=[("A1", "A1"), ("S2", "S2")], widget=forms.CheckboxSelectMultiple, required=False
    )
    one = forms.ChoiceField(choices=[("P", "P"), ("C", "C")], widget=forms.RadioSelect, required=False)


def _render(field: str, data: dict | None = None) -> str:
    form = _Form(data)
    form.is_valid()
    return Template("{% load govuk %}{% govuk_field form." + field + " %}").render(Context({"form": form}))


def test_multiple_choice_renders_checkboxes_keeping_every_choice():
    html = _render("many", {"many": ["A1", "S2"]})
    assert html.count('type="checkbox"') == 2 and 'type="radio"' not in html
    assert 'value="A1" checked' in html and 'value="S2" checked' in html


def test_single_choice_still_renders_radios():
    html = _render("one")
    assert html.count('type="radio"') == 2 and 'type="checkbox"' not in html
