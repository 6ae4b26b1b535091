"""`{% person_subnav nominal "notes" %}`: the MoJ sub-navigation every page about one person carries, with
only the sections the viewer may open (asked of the façade, so the links never offer a 404)."""

from typing import Any

from django import template
from django.urls import reverse

from marsoc.core import access

register = template.Library()


@register.inclusion_tag("web/_person_subnav.html", takes_context=True)
def person_subnav(context: dict[str, Any], nominal: Any, current: str) -> dict[str, Any]:
    user = context["request"].user
    items = [
        ("profile", "Profile", reverse("nominals:detail", args=[nominal.pk])),
        ("chronology", "Chronology", reverse("workday:chronology", args=[nominal.pk])),
        ("notes", "Case notes", reverse("casework:list", args=[nominal.pk])),
        ("plan", "Plan and outcomes", f"/cohort/{nominal.pk}/plan/"),
    ]
    if access.may(user, "nominal.hub_work", nominal):
        items.append(("assessments", "Assessments", f"/cohort/{nominal.pk}/assessments/"))
    if access.may(user, "network.view"):
        items.append(("network", "Network", f"/cohort/{nominal.pk}/network/"))
    if access.may(user, "intelligence.view"):
        items.append(("intelligence", "Intelligence", f"/intelligence/people/{nominal.pk}/"))
    return {
        "items": [
            {"key": key, "label": label, "href": href, "current": key == current}
            for key, label, href in items
        ]
    }
