"""The s.62 records of reading assessment data: the priority list and its exports, reviews, dry runs and
equality monitoring. Pages and the API call these; they never write the log themselves."""

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_about, audit_record
from marsoc.core.exports import CSV_TYPE, XLSX_TYPE, ExportFile, csv_text, xlsx_bytes
from marsoc.nominals.vocabulary import Phase

from ..models import MethodDryRun, ReferencePopulation, ScoringMethod
from ..selectors import PriorityFilters, priority_list, priority_row_phase
from ..specs import factor_names

EQUALITY_JUSTIFICATION = "Equality monitoring, Equality Act 2010 s.149 (aggregate figures, no personal data)"

# Headings people read in Excel or LibreOffice (issue 18: no code names in exports).
EXPORT_COLUMNS = [
    "Rank",
    "Reference",
    "Family name",
    "Given names",
    "Date of birth",
    "Hub",
    "Phase",
    "Establishment",
    "Expected release",
    "Score",
    "Computed tier",
    "Decided tier",
    "Confidence",
    "Top factors",
    "Assessed on",
    "Next review due",
]


def _filter_details(filters: PriorityFilters) -> dict[str, str]:
    return {k: str(v) for k, v in filters.__dict__.items() if v not in (None, "")}


def priority_list_consult(
    *, actor: User, nominal_ids: Sequence[int], filters: PriorityFilters, surface: str
) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.PRIORITY_LIST,
        surface=surface,
        justification="National priority list",
        subject_ids=nominal_ids,
        details={"filters": _filter_details(filters)},
    )


def priority_export(*, actor: User, filters: PriorityFilters, fmt: str) -> ExportFile:
    """The priority list as CSV or XLSX, recorded as a disclosure to the person downloading it, with every
    person in it as a subject (so the inspector and "who has viewed" find the export by person)."""
    today = timezone.localdate()
    methods = {m.pk: m for m in ScoringMethod.objects.all()}  # a handful; each row names its factors by them
    rows: list[list[object]] = []
    ids: list[int] = []
    for rank, s in enumerate(priority_list(actor=actor, filters=filters).iterator(chunk_size=2000), start=1):
        n = s.nominal
        ids.append(n.pk)
        rows.append(
            [
                rank,
                n.reference,
                n.family_name,
                n.given_names,
                n.date_of_birth.isoformat(),
                n.owner_hub.name,
                Phase(priority_row_phase(s, today)).label,
                n.current_establishment.code if n.current_establishment else "",
                n.expected_release_date.isoformat() if n.expected_release_date else "",
                float(s.score),
                s.computed_tier,
                s.decided_tier,
                s.assessment.confidence_band,
                "; ".join(factor_names(methods[s.assessment.method_id], list(s.assessment.top_factors))),
                s.assessment.submitted_at.date().isoformat(),
                s.next_review_due.isoformat(),
            ]
        )
    audit_record(
        actor=actor,
        action=AuditAction.PRIORITY_EXPORT,
        surface=fmt,
        justification="Export of the priority list",
        recipients=[actor.display_label],
        subject_ids=ids,
        details={"rows": len(rows), "filters": _filter_details(filters)},
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        content = xlsx_bytes("Priority list", EXPORT_COLUMNS, rows)
        return ExportFile(content, XLSX_TYPE, f"marsoc-priority-{stamp}.xlsx")
    return ExportFile(
        csv_text(EXPORT_COLUMNS, rows).encode("utf-8"), CSV_TYPE, f"marsoc-priority-{stamp}.csv"
    )


def reviews_consult(*, actor: User, nominal_ids: Sequence[int], surface: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.REVIEWS_LIST,
        surface=surface,
        justification="Reviews due",
        subject_ids=nominal_ids,
    )


def dry_run_consult(
    *, actor: User, run: MethodDryRun, nominal_ids: Sequence[int], details: dict[str, Any], surface: str
) -> None:
    audit_about(
        actor,
        AuditAction.METHOD_DRY_RUN_VIEW,
        run,
        surface=surface,
        justification="Review the effect of a candidate scoring method",
        subject_ids=nominal_ids,
        details=details,
    )


def equality_report_consult(*, actor: User, details: dict[str, Any], surface: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.EQUALITY_REPORT_VIEW,
        surface=surface,
        justification=EQUALITY_JUSTIFICATION,
        details=details,
    )


def equality_export_record(*, actor: User, details: dict[str, Any]) -> None:
    """The equality export holds aggregates only (small counts withheld): a disclosure with no subject."""
    audit_record(
        actor=actor,
        action=AuditAction.EQUALITY_EXPORT,
        justification=EQUALITY_JUSTIFICATION,
        recipients=[actor.display_label],
        details=details,
    )


def population_consult(*, actor: User, population: ReferencePopulation | None, surface: str) -> None:
    """Reading the reference populations (the list when `population` is None)."""
    audit_record(
        actor=actor,
        action=AuditAction.EQUALITY_POPULATION_LIST
        if population is None
        else AuditAction.EQUALITY_POPULATION_VIEW,
        surface=surface,
        object_type="reference_population",
        object_id=population.pk if population is not None else "",
        justification=EQUALITY_JUSTIFICATION,
    )
