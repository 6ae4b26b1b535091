"""The home page: what each role can do, with counts in their own scope (aggregates only for the Board)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.nominals.selectors import cohort_counts_by_hub, cohort_summary
from marsoc.nominals.services import cohort_aggregates_consult
from marsoc.nominals.vocabulary import MembershipState
from marsoc.workday.selectors import MEASURES, home_queues, hub_rollup
from marsoc.workday.services import hub_rollup_consult


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, object] = {
        "roles": user.role_labels(),
        "can_refer": access.may(user, "nominal.refer"),
        "show_audit": access.may(user, "audit.read"),
        "show_admin": access.may(user, "accounts.manage"),
        "show_equality": access.may(user, "equality.view"),
        "show_reports": access.may(user, "reporting.view"),
        # What is waiting on this user, each a count linking to the list (workday.queues).
        "queues": home_queues(actor=user),
    }
    if access.may(user, "work.national"):
        rollup = hub_rollup(actor=user, today=timezone.localdate())
        context["rollup"], context["rollup_measures"] = rollup, [label for _, label in MEASURES]
        hub_rollup_consult(actor=user, hubs=len(rollup))
    if access.may(user, "cohort.view"):
        context["case_summary"] = cohort_summary(actor=user)
    if access.may(user, "cohort.aggregates"):
        context["board_rows"] = cohort_counts_by_hub(actor=user)
        context["state_labels"] = MembershipState.labels
        cohort_aggregates_consult(actor=user)
    return render(request, "web/home.html", context)
