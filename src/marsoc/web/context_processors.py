"""Navigation for the signed-in user: only the sections their roles can use."""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from marsoc.accounts.policies import can_manage_accounts
from marsoc.assessment.policies import can_view_equality, sees_calibration, sees_priorities
from marsoc.core.policies import can_read_audit
from marsoc.intelligence.policies import sees_intelligence
from marsoc.linkage.policies import can_use_linkage
from marsoc.nominals.policies import can_refer_any, sees_case_data
from marsoc.plans.policies import sees_catalogue, sees_inbox, sees_meetings, sees_reports


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {"nav_items": [], "sees_intelligence": False}
    items = [("Home", reverse("web:home"))]
    if sees_case_data(user):
        items.append(("Cohort", reverse("nominals:list")))
    if sees_priorities(user):
        items.append(("Priority list", reverse("assessment:priority")))
        items.append(("Reviews", reverse("assessment:reviews")))
        items.append(("Methods", reverse("assessment:methods")))
    if can_view_equality(user):
        items.append(("Equality", reverse("assessment:equality")))
    if sees_calibration(user):
        items.append(("Calibration", reverse("assessment:calibration_list")))
    if sees_meetings(user):
        items.append(("Meetings", reverse("plans:meetings")))
    if sees_reports(user):
        items.append(("Plan reports", reverse("plans:reports")))
    if sees_catalogue(user):
        items.append(("Tools and powers", reverse("plans:catalogue")))
    if sees_inbox(user):
        items.append(("Alerts", reverse("plans:inbox")))
    if can_use_linkage(user):
        items.append(("Identity resolution", reverse("linkage:home")))
    if sees_intelligence(user):
        items.append(("Intelligence", reverse("intelligence:list")))
    if can_refer_any(user):
        items.append(("Refer a person", reverse("nominals:refer")))
    if can_read_audit(user):
        items.append(("Audit log", reverse("core:audit_list")))
    if can_manage_accounts(user):
        items.append(("Administration", reverse("admin:index")))
    current = request.path
    return {
        # Lets pages of lower layers (a person's profile) offer the intelligence link without importing it.
        "sees_intelligence": sees_intelligence(user),
        "nav_items": [
            {
                "label": label,
                "href": href,
                "active": (href != "/" and current.startswith(href)) or current == href,
            }
            for label, href in items
        ],
    }
