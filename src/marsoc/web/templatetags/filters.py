"""`{% moj_filter form "q hub phase" %}`: the MoJ filter of a list (moj-filter-layout's panel), written once.

The panel holds "Selected filters", each applied filter a tag whose link removes it and keeps the others
and the sort, with "Clear filters"; then the form's fields, one under another, and "Apply filters". It is a
plain GET form, so it works without JavaScript; the sort the reader chose rides along in a hidden field.
`htmx_target` (an element id) makes htmx refresh that element instead of the whole page.

    <div class="moj-filter-layout">
      <div class="moj-filter-layout__filter">{% moj_filter form "q hub phase" %}</div>
      <div class="moj-filter-layout__content">… the results …</div>
    </div>
"""

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from marsoc.core.web import selected_filters

register = template.Library()


@register.simple_tag(takes_context=True)
def moj_filter(context: template.Context, form: Any, names: str, htmx_target: str = "") -> SafeString:
    request = context["request"]
    sort = request.GET.get("sort", "")
    return SafeString(
        render_to_string(
            "moj/filter.html",
            {
                "form": form,
                "fields": [form[name] for name in names.split()],
                "categories": selected_filters(request, form),
                "clear_url": request.path + (f"?{urlencode({'sort': sort})}" if sort else ""),
                "sort": sort,
                "action": request.path,
                "htmx_target": htmx_target,
            },
        )
    )
