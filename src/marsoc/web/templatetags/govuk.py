"""`{% govuk_field form.field %}` renders a Django form field with GOV.UK Design System markup."""

from datetime import date
from typing import Any

from django import forms, template
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from marsoc.core.forms import GovukDateWidget

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    if isinstance(widget, GovukDateWidget):
        return "date"
    # CheckboxSelectMultiple subclasses RadioSelect in Django: test it first, or checkboxes render as radios.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


_CLASSES = {"input": "govuk-input", "select": "govuk-select", "textarea": "govuk-textarea"}


@register.simple_tag
def govuk_field(field: forms.BoundField, width: str = "", label_size: str = "") -> SafeString:
    kind = _kind(field.field.widget)
    attrs: dict[str, Any] = {}
    css = _CLASSES.get(kind, "")
    if css:
        if field.errors:
            css += f" {css}--error"
        if width:
            css += f" govuk-input--width-{width}" if kind == "input" else ""
        attrs["class"] = css
    describedby = []
    if field.help_text:
        describedby.append(f"{field.auto_id}-hint")
    if field.errors:
        describedby.append(f"{field.auto_id}-error")
    if describedby and kind != "date":
        attrs["aria-describedby"] = " ".join(describedby)
    widget_html: str = ""
    if kind == "select" and not field.field.widget.allow_multiple_selected:
        widget_html = _select_html(field, attrs)
    elif kind in ("input", "textarea", "date"):
        widget_html = field.as_widget(attrs=attrs)
    return SafeString(
        render_to_string(
            "govuk/field.html",
            {"field": field, "kind": kind, "widget_html": widget_html, "label_size": label_size},
        )
    )


def _select_html(field: forms.BoundField, attrs: dict[str, Any]) -> SafeString:
    """A select built directly: Django renders every <option> through its own template, which made the
    filter forms a large share of each list page's time."""
    value = field.value()
    selected = "" if value is None else str(value)
    options = [
        format_html(
            '<option value="{}"{}>{}</option>',
            choice_value,
            mark_safe(" selected") if str(choice_value) == selected else "",
            label,
        )
        for choice_value, label in field.field.widget.choices
    ]
    extra = format_html_join("", ' {}="{}"', attrs.items())
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>',
        field.html_name,
        field.auto_id,
        extra,
        mark_safe("".join(options)),
    )


@register.filter
def error_anchor(field_name: str | None, form: forms.Form) -> str:
    if field_name and field_name in form.fields:
        bound = form[field_name]
        suffix = "_0" if isinstance(bound.field.widget, GovukDateWidget | forms.RadioSelect) else ""
        return f"#{bound.auto_id}{suffix}"
    return "#main-content"


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_summary(form: forms.Form) -> dict[str, Any]:
    items = []
    for name, errors in form.errors.items():
        for message in errors:
            items.append({"href": error_anchor(None if name == "__all__" else name, form), "text": message})
    return {"items": items}


@register.inclusion_tag("govuk/error_summary.html")
def govuk_error_list(errors: dict[str, str] | None) -> dict[str, Any]:
    """The error summary for a page without a Django form: each message links to its field's id (nothing
    when there are no errors, or the page has none to give)."""
    found = errors.items() if isinstance(errors, dict) else []
    return {"items": [{"href": f"#{field}", "text": message} for field, message in found]}


@register.filter
def isodate(value: object) -> object:
    """A date stored as ISO text (as snapshots keep them) back to a date, for the `date` filter."""
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


_COLUMNS = {1: "full", 2: "one-half", 3: "one-third", 4: "one-quarter"}


@register.simple_tag
def govuk_field_rows(form: forms.Form, *rows: str, columns: int = 0) -> SafeString:
    """A filter form's fields in grid rows: each argument names one row's fields, space-separated
    ("q hub phase"), sharing the row equally (or each one of `columns` equal columns, so that short rows
    line up with full ones); "nominal:10" gives an input a width."""
    html = []
    for row in rows:
        names = row.split()
        cells = []
        for name in names:
            field_name, _, width = name.partition(":")
            cells.append(
                format_html(
                    '<div class="govuk-grid-column-{}">{}</div>',
                    _COLUMNS[columns or len(names)],
                    govuk_field(form[field_name], width=width),
                )
            )
        html.append(format_html('<div class="govuk-grid-row">{}</div>', mark_safe("".join(cells))))
    return mark_safe("\n".join(html))
