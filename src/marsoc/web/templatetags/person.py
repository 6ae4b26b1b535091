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
    if access.may(user, "rights.view_person", nominal):
        items.append(("rights", "Rights and retention", f"/rights/people/{nominal.pk}/"))
    return {
        "items": [
            {"key": key, "label": label, "href": href, "current": key == current}
            for key, label, href in items
        ]
    }


MINI_LINKS = 8


@register.inclusion_tag("network/_mini.html", takes_context=True)
def person_network_summary(context: dict[str, Any], nominal: Any) -> dict[str, Any]:
    """The person's direct links on their profile (the mini-network), as the viewer may see them; the
    people named in it are recorded as shown, like every network."""
    from marsoc.network import selectors, services

    user = context["request"].user
    if not access.may(user, "network.view"):
        return {"shown": False}
    centre = ("nominal", nominal.pk)
    # Only the person's own links: the links among the people they know are the full network page's.
    graph = selectors.direct_links(actor=user, centre=centre)
    nodes = selectors.describe(actor=user, keys=graph.nodes)
    labels = dict(selectors.link_labels())
    rows = []
    for link in graph.links[:MINI_LINKS]:
        other = nodes.get(link.b if link.a == centre else link.a)
        if other is not None:
            rows.append({"node": other, "kind": labels.get(link.kind, link.kind), "custody": link.in_custody})
    services.network_consult(
        actor=user,
        centre=centre,
        graph=graph,
        purpose=context.get("purpose", ""),
        surface="profile mini-network",
        centre_consulted=True,
    )
    return {
        "shown": True,
        "rows": rows,
        "total": len(graph.links),
        "url": reverse("network:person", args=[nominal.pk]),
    }
