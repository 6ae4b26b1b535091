"""The inspector's view of the audit log: browse with filters, export to CSV (itself recorded)."""

import csv
from datetime import UTC
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .exports import safe_text
from .forms import GovukDateField, with_blank
from .models import AuditEvent
from .selectors import AuditFilters, audit_event_list, recent_verifications
from .services import audit_browse_record, audit_export_record, audit_verification_request
from .vocabulary import Operation
from .web import query_without_page


class AuditFilterForm(forms.Form):
    user = forms.CharField(label="Username", required=False, max_length=150)
    nominal = forms.IntegerField(
        label="Nominal number",
        required=False,
        min_value=1,
        help_text="The digits of the reference, e.g. 42 for MH0000042",
    )
    operation = forms.ChoiceField(
        label="Operation", required=False, choices=with_blank(Operation.choices, "Any operation")
    )
    date_from = GovukDateField(label="From", required=False)
    date_to = GovukDateField(label="To", required=False)


def _filters(request: HttpRequest) -> tuple[AuditFilterForm, AuditFilters]:
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        d = form.cleaned_data
        return form, AuditFilters(
            username=(d["user"] or "").strip(),
            nominal_id=d["nominal"],
            operation=d["operation"] or "",
            date_from=d["date_from"],
            date_to=d["date_to"],
        )
    return form, AuditFilters()


def _list_or_404(request: HttpRequest, filters: AuditFilters) -> Any:
    return audit_event_list(actor=request.user, filters=filters)  # type: ignore[arg-type]


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    events = _list_or_404(request, filters)
    page = Paginator(events, 100).get_page(request.GET.get("page"))
    audit_browse_record(actor=request.user, filters={k: str(v) for k, v in request.GET.items() if v})  # type: ignore[arg-type]
    return render(
        request,
        "core/audit_list.html",
        {
            "form": form,
            "page": page,
            "query_string": query_without_page(request),
            "verifications": recent_verifications(actor=request.user),  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def audit_verify_request(request: HttpRequest) -> HttpResponse:
    audit_verification_request(actor=request.user)  # type: ignore[arg-type]
    messages.success(request, "The check of the audit chain has been queued; its result appears below")
    return redirect("core:audit_list")


class _Echo:
    def write(self, value: str) -> str:
        return value


# Plain-English headings; the stored action code is kept in its own column for inspectors who match
# entries against the vocabulary (core/actions.py) or another export.
CSV_COLUMNS = [
    "Entry number",
    "When (UTC)",
    "Operation",
    "Action",
    "Action code",
    "Who",
    "Kind of record",
    "Record number",
    "Nominal reference",
    "Justification",
    "Recipients",
    "People the entry is about",
    "Hash",
    "Previous hash",
]


def nominal_reference(nominal_id: int) -> str:
    """A person's reference as every page shows it (MH and seven digits)."""
    return f"MH{nominal_id:07d}"


def _rows(events: Any) -> Any:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    for e in events.prefetch_related("subjects").iterator(chunk_size=2000):
        assert isinstance(e, AuditEvent)
        yield writer.writerow(
            [
                safe_text(v)
                for v in (
                    e.pk,
                    e.at.astimezone(UTC).isoformat(timespec="seconds"),
                    e.get_operation_display(),
                    e.action_label,
                    e.action,
                    e.actor_label,
                    e.object_type.replace("_", " ").capitalize(),
                    e.object_id,
                    nominal_reference(e.nominal_id) if e.nominal_id else "",
                    e.justification,
                    "; ".join(e.recipients),
                    "; ".join(nominal_reference(s.nominal_id) for s in e.subjects.all()),
                    e.hash,
                    e.prev_hash,
                )
            ]
        )


@login_required
def audit_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    _form, filters = _filters(request)
    events = _list_or_404(request, filters)
    user = request.user
    audit_export_record(
        actor=user,  # type: ignore[arg-type]
        filters={k: str(v) for k, v in request.GET.items() if v},
        rows=events.count(),
    )
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="marsoc-audit-{stamp}.csv"'
    return response
