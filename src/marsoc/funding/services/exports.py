"""A grant's quarters as a spreadsheet (CSV or XLSX): each quarter to the end of the grant with its claim
(state, eligible, actual, variance and why, claimed, invoice, payment) or the forecast, and the grant left
after it. Amounts in pounds to the penny; no post holder is named. Audited as a disclosure."""

from decimal import Decimal

from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record
from marsoc.core.exports import CSV_TYPE, XLSX_TYPE, ExportFile, csv_text, xlsx_bytes

from ..models import Claim, Grant
from ..selectors import ForecastRow, grant_summary

QUARTER_COLUMNS = [
    "Quarter", "From", "To", "Claim", "Eligible cost (£)", "Actual cost (£)", "Variance (£)",
    "Variance explanation", "Amount claimed or forecast (£)", "Forecast", "Grant left after (£)",
    "Invoice", "Paid (£)", "Paid on",
]  # fmt: skip


def _pounds(pence: int | None) -> Decimal | str:
    return "" if pence is None else Decimal(pence) / 100


def _row(row: ForecastRow) -> list[object]:
    claim: Claim | None = row.claim
    quarter = [row.quarter.number, row.quarter.starts_on.isoformat(), row.quarter.ends_on.isoformat()]
    if claim is None:
        claimed: list[object] = ["Not yet claimed", "", "", "", ""]
        paid: list[object] = ["", "", ""]
    else:
        claimed = [claim.get_state_display(), _pounds(claim.eligible_pence), _pounds(claim.actual_pence),
                   _pounds(claim.variance_pence), claim.variance_explanation]  # fmt: skip
        paid = [
            claim.invoice_number,
            _pounds(claim.paid_pence),
            claim.paid_on.isoformat() if claim.paid_on else "",
        ]
    totals = [_pounds(row.amount_pence), "Yes" if row.forecast else "No", _pounds(row.remaining_after_pence)]
    return [*quarter, *claimed, *totals, *paid]


def grant_quarters_export(*, actor: User, grant: Grant, fmt: str) -> ExportFile:
    """The spreadsheet of a grant the caller may read (the view fetched it through the façade)."""
    rows = [_row(row) for row in grant_summary(grant=grant).forecast]
    audit_record(
        actor=actor,
        action=AuditAction.GRANT_EXPORT,
        object_id=grant.pk,
        surface=f"quarters {fmt.upper()}",
        recipients=[actor.display_label],
        details={"rows": len(rows)},
    )
    name = f"{grant.reference.replace(' ', '-')}-quarters-{timezone.now():%Y%m%d}"
    if fmt == "xlsx":
        return ExportFile(xlsx_bytes("Quarters", QUARTER_COLUMNS, rows), XLSX_TYPE, f"{name}.xlsx")
    return ExportFile(csv_text(QUARTER_COLUMNS, rows).encode("utf-8"), CSV_TYPE, f"{name}.csv")
