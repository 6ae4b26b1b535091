"""Spreadsheets (CSV or XLSX), each audited as a disclosure:
- a grant's quarters: each quarter to the end of the grant with its claim (state, eligible, actual,
  variance and why, claimed, invoice, payment) or the forecast, and the grant left after it. Amounts in
  pounds to the penny; no post holder is named;
- the decision records the caller may read, Part 1 facts only (never Part 2, only whether there is one);
- the governance register: each assessment (DPIA, latest EIA version) and each agreement with its
  parties' sign-off, as the register page shows them."""

from decimal import Decimal

from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.exports import CSV_TYPE, XLSX_TYPE, ExportFile, csv_text, xlsx_bytes

from ..deadlines import decision_deadline
from ..models import Claim, DecisionPart2, DecisionRecord, Grant
from ..selectors import AgreementRow, ForecastRow, RegisterRow, grant_summary

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
    audit_about(
        actor,
        AuditAction.GRANT_EXPORT,
        grant,
        surface=f"quarters {fmt.upper()}",
        recipients=[actor.display_label],
        details={"rows": len(rows)},
    )
    name = f"{grant.reference.replace(' ', '-')}-quarters-{timezone.now():%Y%m%d}"
    return _file("Quarters", QUARTER_COLUMNS, rows, name, fmt)


def _file(title: str, columns: list[str], rows: list[list[object]], name: str, fmt: str) -> ExportFile:
    if fmt == "xlsx":
        return ExportFile(xlsx_bytes(title, columns, rows), XLSX_TYPE, f"{name}.xlsx")
    return ExportFile(csv_text(columns, rows).encode("utf-8"), CSV_TYPE, f"{name}.csv")


DECISION_COLUMNS = [
    "Reference", "Title", "Status", "Decision maker", "Drafted on", "Decision needed by", "Time sensitivity",
    "Approved on", "Publication of Part 1", "Part 2", "Grant accepted",
]  # fmt: skip


def _publication(d: DecisionRecord) -> str:
    if d.published_at is None:
        return "Not yet released"
    if d.deferred_until is not None:
        return f"Deferred until {d.deferred_until.isoformat()}"
    return "Published"


def decisions_export(*, actor: User, decisions: list[DecisionRecord], fmt: str) -> ExportFile:
    """The list of decisions as the caller reads it (the view took it from the scoped selector)."""
    today = timezone.localdate()
    with_part2 = set(
        DecisionPart2.objects.filter(decision__in=[d.pk for d in decisions]).values_list(
            "decision_id", flat=True
        )
    )
    rows: list[list[object]] = []
    for d in decisions:
        deadline = decision_deadline(d, today)
        rows.append([
            d.reference, d.title, d.get_state_display(), d.decision_maker_title, timezone.localdate(d.drafted_at),
            d.decide_by or "", deadline.label if deadline else "", d.approved_on or "", _publication(d),
            "Yes (not published)" if d.pk in with_part2 else "No",
            ", ".join(g.reference for g in d.grants.all()),
        ])  # fmt: skip
    return _list_file(
        actor, AuditAction.DECISION_LIST_EXPORT, "decision", "Decisions", DECISION_COLUMNS, rows, fmt
    )


def _list_file(
    actor: User,
    action: AuditAction,
    kind: str,
    title: str,
    columns: list[str],
    rows: list[list[object]],
    fmt: str,
) -> ExportFile:
    """A list of records (no one record) as a file, audited as a disclosure to the caller."""
    audit_record(
        actor=actor,
        action=action,
        object_type=kind,
        surface=f"{title.lower()} {fmt.upper()}",
        recipients=[actor.display_label],
        details={"rows": len(rows)},
    )
    return _file(title, columns, rows, f"{title.lower().replace(' ', '-')}-{timezone.now():%Y%m%d}", fmt)


GOVERNANCE_COLUMNS = [
    "Record", "Reference", "Title", "Status", "Owner or author", "Next review", "Review overdue",
    "Parties' sign-off", "In force today", "Prompt",
]  # fmt: skip


def _sign_offs(row: AgreementRow) -> str:
    return "; ".join(
        f"{p.agency.name}: signed by {p.sign_off.signed_by} on {p.sign_off.signed_on.isoformat()}"
        if p.sign_off
        else f"{p.agency.name}: not signed"
        for p in row.parties
    )


def governance_export(
    *, actor: User, rows: list[RegisterRow], agreements: list[AgreementRow], fmt: str
) -> ExportFile:
    """The register as the caller reads it (the view took both lists from the scoped selectors)."""
    lines: list[list[object]] = [
        [r.kind, r.record.reference, r.record.title, r.status, r.owner, r.review_due_on,
         "Yes" if r.overdue else "No", "", "", r.prompt]
        for r in rows
    ]  # fmt: skip
    lines += [
        ["Information-sharing agreement", a.agreement.reference, a.agreement.title,
         a.agreement.get_status_display(), "", a.agreement.ends_on or "", "", _sign_offs(a),
         "No: " + a.not_in_force if a.not_in_force else "Yes", ""]
        for a in agreements
    ]  # fmt: skip
    return _list_file(
        actor, AuditAction.GOVERNANCE_EXPORT, "governance_register", "Governance register", GOVERNANCE_COLUMNS,
        lines, fmt,
    )  # fmt: skip
