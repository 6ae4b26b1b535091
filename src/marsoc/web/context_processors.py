"""Navigation for the signed-in user: only the sections their roles can use."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from marsoc.core import access
from marsoc.core.processing import processing_on


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {"nav_items": [], "sees_intelligence": False, "processing_on": processing_on()}
    items = [("Home", reverse("web:home"))]
    if access.may(user, "cohort.view"):
        items.append(("Cohort", reverse("nominals:list")))
    if access.may(user, "priority.view"):
        items.append(("Priority list", reverse("assessment:priority")))
        items.append(("Reviews", reverse("assessment:reviews")))
        items.append(("Methods", reverse("assessment:methods")))
    if access.may(user, "equality.view"):
        items.append(("Equality", reverse("assessment:equality")))
    if access.may(user, "calibration.list"):
        items.append(("Calibration", reverse("assessment:calibration_list")))
    if access.may(user, "meeting.list"):
        items.append(("Meetings", reverse("plans:meetings")))
    if access.may(user, "plan_reports.view"):
        items.append(("Plan reports", reverse("plans:reports")))
    if access.may(user, "catalogue.view"):
        items.append(("Tools and powers", reverse("plans:catalogue")))
    if access.may(user, "alerts.view"):
        items.append(("Alerts", reverse("plans:inbox")))
    if access.may(user, "agency_actions.view"):
        items.append(("Your agency's actions", reverse("plans:agency_actions")))
    if access.may(user, "linkage.use"):
        items.append(("Identity resolution", reverse("linkage:home")))
    if access.may(user, "intelligence.view"):
        items.append(("Intelligence", reverse("intelligence:list")))
    if access.may(user, "network.view"):
        items.append(("Groups", reverse("network:groups")))
    if access.may(user, "funding.view"):
        items.append(("Grants", reverse("funding:grants")))
    if access.may(user, "decision.view"):
        items.append(("Decisions", reverse("funding:decisions")))
    if access.may(user, "governance.view"):
        items.append(("Governance", reverse("funding:governance")))
    if access.may(user, "nominal.refer"):
        items.append(("Refer a person", reverse("nominals:refer")))
    if access.may(user, "audit.read"):
        items.append(("Audit log", reverse("core:audit_list")))
    if access.may(user, "accounts.manage"):
        items.append(("Administration", reverse("admin:index")))
    current = request.path
    return {
        # Lets pages of lower layers (a person's profile) offer the intelligence link without importing it.
        "sees_intelligence": access.may(user, "intelligence.view"),
        # High-risk processing switched on (core/processing.py), for links that ask no façade rule.
        "processing_on": processing_on(),
        "nav_items": [
            {
                "label": label,
                "href": href,
                "active": (href != "/" and current.startswith(href)) or current == href,
            }
            for label, href in items
        ],
    }
