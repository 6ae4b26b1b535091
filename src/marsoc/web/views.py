"""The home page: what each role can do, with counts in their own scope (aggregates only for the Board)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from marsoc.accounts.models import User
from marsoc.accounts.policies import can_manage_accounts
from marsoc.assessment.policies import can_view_equality
from marsoc.core.audit import audit_record
from marsoc.core.policies import can_read_audit
from marsoc.core.vocabulary import Operation
from marsoc.nominals.policies import can_refer_any, can_view_cohort_aggregates, sees_case_data
from marsoc.nominals.selectors import cohort_counts_by_hub, cohort_summary
from marsoc.nominals.vocabulary import MembershipState


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    context: dict[str, object] = {
        "roles": user.role_labels(),
        "can_refer": can_refer_any(user),
        "show_audit": can_read_audit(user),
        "show_admin": can_manage_accounts(user),
        "show_equality": can_view_equality(user),
    }
    if sees_case_data(user):
        context["case_summary"] = cohort_summary(actor=user)
    if can_view_cohort_aggregates(user):
        context["board_rows"] = cohort_counts_by_hub(actor=user)
        context["state_labels"] = MembershipState.labels
        audit_record(
            actor=user,
            operation=Operation.CONSULTATION,
            action="cohort.aggregates.view",
            justification="Cohort aggregates (no personal data)",
        )
    return render(request, "web/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
