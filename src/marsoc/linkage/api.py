"""Identity-resolution endpoints (issue 15): partner systems push feed extracts and follow them; hub staff
read the validation report, resubmit a corrected file, work the review queue and start linkage runs.
The same selectors, services, policy and s.62 records as the pages; an import, pair or run out of reach
answers 404, as a missing one does. A partner system's feed token reaches only the feed operations."""

import tempfile
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from marsoc.accounts.api_auth import TokenAuth, VerifiedSessionAuth
from marsoc.accounts.models import Agency, Hub, TokenScope, User
from marsoc.core import access
from marsoc.core.actions import AuditAction
from marsoc.core.api_common import PageOut, fields_of, page_body, window
from marsoc.core.api_errors import MAX_ID
from marsoc.core.api_fields import Id
from marsoc.core.errors import Conflict, ValidationFailed, refused_in_context
from marsoc.core.vocabulary import Classification
from marsoc.core.web import actor as _actor

from . import records, services
from .explain import plain_explanation
from .forms import MAX_UPLOAD
from .mapping import built_in_mappings, load_mapping
from .models import FeedImport, LinkageRun, PairStatus, QuarantinedRow
from .selectors import (
    access_import_by_id,
    access_pair_by_id,
    active_agency_by_code,
    comparison_rows,
    hub_by_code,
    imports_visible,
    quarantine_of,
    quarantined_as_read,
    review_queue,
    runs_state,
)

router = Router(tags=["linkage"])
# The feed operations: a feed token or any full token or session (the policy then decides).
FEED_AUTH = [TokenAuth(TokenScope.FEED), VerifiedSessionAuth()]
PAGE_SIZE = 50

MappingName = StrEnum("MappingName", {name: name for name in built_in_mappings()})  # type: ignore[misc]
ClassificationCode = StrEnum("ClassificationCode", {code: code for code in Classification.values})  # type: ignore[misc]
# An agency's or hub's code (blank: the feed account's own).
Code = Annotated[str, Field(max_length=40, pattern=r"^[A-Za-z0-9-]*$")]


class Decision(StrEnum):
    match = PairStatus.MATCH.value
    not_match = PairStatus.NOT_MATCH.value
    unsure = PairStatus.UNSURE.value


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_ID)


class PushIn(Schema):
    mapping: MappingName = Field(
        description="How the extract's columns become our fields (GET /linkage/mappings)"
    )
    source_agency: Code = Field("", description="The agency whose extract it is; blank: a feed account's own")
    owner_hub: Code = Field("", description="The hub it goes to; blank: your own hub")
    classification: ClassificationCode = Field(Classification.OFFICIAL_SENSITIVE)  # type: ignore[assignment]


class MappingOut(Schema):
    name: str
    format: str = Field(description="csv, xlsx, jsonl, json or parquet")
    columns: dict[str, str] = Field(description="The extract's column names and the fields they become")
    required: list[str]


class ImportOut(Schema):
    id: int
    status: str = Field(description="staged, validating, committing, committed, rejected or failed")
    status_label: str
    finished: bool
    filename: str
    mapping: str
    source_agency: str
    owner_hub: str
    classification: str
    rows_read: int
    rows_valid: int
    rows_quarantined: int = Field(description="Rows held back (not committed)")
    rows_warned: int = Field(description="Rows committed with a warning (e.g. a date of birth left out)")
    rows_new: int
    rows_updated: int
    rows_unchanged: int
    error: str = Field(description="Why the whole file was rejected or the import failed; empty otherwise")
    warnings: list[str]
    created_at: datetime
    finished_at: datetime | None


class ImportPage(PageOut):
    results: list[ImportOut]


class ProblemOut(Schema):
    column: str
    value: str
    reason: str


class QuarantinedRowOut(Schema):
    row_number: int = Field(description="1 is the first data row after any header")
    source_key: str
    kept: bool = Field(description="Kept with a warning (true) or left out of the commit (false)")
    values: dict[str, Any] = Field(description="The row as read, long values cut short")
    problems: list[ProblemOut]


class QuarantinePage(PageOut):
    results: list[QuarantinedRowOut]


class RecordSide(Schema):
    id: int
    source_agency: str
    source_key: str


class PairSummary(Schema):
    id: int
    status: str
    match_probability: float
    left: RecordSide
    right: RecordSide


class PairPage(PageOut):
    results: list[PairSummary]


class ComparisonOut(Schema):
    label: str
    left: str
    right: str
    same: bool


class EvidenceOut(Schema):
    comparison: str
    level: str
    weight: float


class PairOut(PairSummary):
    comparison: list[ComparisonOut]
    evidence: list[EvidenceOut] = Field(description="What the model weighed, strongest first")
    decided_by: str | None
    decided_at: datetime | None


class DecisionIn(Schema):
    decision: Decision = Field(description="match merges the two people, not_match never links them")


class RunOut(Schema):
    id: int
    status: str
    status_label: str
    started_at: datetime
    finished_at: datetime | None
    error: str
    summary: dict[str, Any]


class RunsOut(Schema):
    pending: RunOut | None
    last: RunOut | None


def _import(i: FeedImport) -> dict[str, Any]:
    return fields_of(
        i,
        ImportOut,
        status_label=i.get_status_display(),
        mapping=i.mapping_name,
        source_agency=i.source_agency.code,
        owner_hub=i.owner_hub.code,
        warnings=[str(w) for w in i.warnings],
    )


def _quarantined(q: QuarantinedRow) -> dict[str, Any]:
    problems = [
        {
            "column": str(p.get("column", "")),
            "value": str(p.get("value", "")),
            "reason": str(p.get("reason", "")),
        }
        for p in q.problems
    ]
    return {
        "row_number": q.row_number,
        "source_key": q.source_key,
        "kept": q.kept,
        "values": quarantined_as_read(q),
        "problems": problems,
    }


def _side(record: Any) -> dict[str, Any]:
    return {"id": record.pk, "source_agency": record.source_agency.code, "source_key": record.source_key}


def _pair(pair: Any, *, whole: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": pair.pk,
        "status": pair.status,
        "match_probability": pair.match_probability,
        "left": _side(pair.left),
        "right": _side(pair.right),
    }
    if whole:
        out["comparison"] = [
            {**row, "left": str(row["left"]), "right": str(row["right"])} for row in comparison_rows(pair)
        ]
        out["evidence"] = [
            {"comparison": str(e["comparison"]), "level": str(e["level"]), "weight": float(e["weight"])}  # type: ignore[arg-type]
            for e in plain_explanation(list(pair.explanation))
        ]
        decider = pair.decided_by
        out["decided_by"] = (decider.get_full_name() or decider.username) if decider else None
        out["decided_at"] = pair.decided_at
    return out


def _run(run: LinkageRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return fields_of(run, RunOut, status_label=run.get_status_display())


def _page(rows: Any, page: int) -> tuple[int, list[Any]]:
    return rows.count(), window(rows, page, PAGE_SIZE)


def _feed_places(actor: User, source_agency: str, owner_hub: str) -> tuple[Agency, Hub]:
    """The agency whose extract this is and the hub it goes to, from their codes. A partner system's feed
    account sends its own agency's extracts to its own hub: blank codes mean those."""
    errors: dict[str, str] = {}
    agency = active_agency_by_code(source_agency.strip())
    if not source_agency.strip() and actor.agency is not None:
        agency = actor.agency
    hub = hub_by_code(owner_hub.strip()) if owner_hub.strip() else actor.hub
    if agency is None:
        errors["source_agency"] = refused_in_context("Give the code of an active agency (e.g. NPS-LDN)")
    if hub is None:
        errors["owner_hub"] = refused_in_context("Give the code of a hub (e.g. LDN)")
    if errors:
        raise ValidationFailed(errors)
    assert agency is not None and hub is not None
    return agency, hub


def _only_fields(request: HttpRequest, named: set[str]) -> None:
    """The document names every field of the form (additionalProperties: false): one it does not name
    would be silently ignored, so it is refused, naming it."""
    unknown = sorted((set(request.POST) | set(request.FILES)) - named)
    if unknown:
        raise ValidationFailed(
            {name[:60]: "This field is not part of the request: remove it" for name in unknown}
        )


def _stage(actor: User, upload: UploadedFile, **kwargs: Any) -> FeedImport:
    if not upload.size:
        raise ValidationFailed({"file": refused_in_context("The file is empty")})
    if upload.size > MAX_UPLOAD:
        raise ValidationFailed({"file": refused_in_context("The file must be smaller than 200 MB")})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload"
        with open(path, "wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        # The name as the client sent it, without what PostgreSQL cannot store or a page should not show.
        name = "".join(ch for ch in (upload.name or "") if ch.isprintable()).strip() or "extract"
        return services.feed_import_request(actor=actor, source_path=path, filename=name, **kwargs)


@router.get(
    "/linkage/mappings", auth=FEED_AUTH, response=list[MappingOut], summary="The mappings a feed can use"
)
def list_mappings(request: HttpRequest) -> list[dict[str, Any]]:
    access.require(_actor(request), "feed_import.send")
    out = []
    for path in built_in_mappings().values():
        mapping = load_mapping(path)
        out.append(
            {
                "name": mapping.name,
                "format": mapping.format,
                "columns": dict(mapping.columns),
                "required": list(mapping.required),
            }
        )
    return out


@router.post(
    "/linkage/imports",
    auth=FEED_AUTH,
    response={202: ImportOut},
    summary="Push a feed extract: it is staged now, validated and committed on the task worker",
)
def push_import(request: HttpRequest, file: File[UploadedFile], fields: Form[PushIn]) -> Any:
    actor = _actor(request)
    _only_fields(request, {"file", *PushIn.model_fields})
    access.require(actor, "feed_import.send")
    agency, hub = _feed_places(actor, fields.source_agency, fields.owner_hub)
    feed_import = _stage(
        actor,
        file,
        mapping=load_mapping(built_in_mappings()[str(fields.mapping)]),
        source_agency=agency,
        owner_hub=hub,
        classification=str(fields.classification),
    )
    return Status(202, _import(access_import_by_id(actor, feed_import.pk)))


@router.get(
    "/linkage/imports",
    auth=FEED_AUTH,
    response=ImportPage,
    summary="Feed imports you may follow, newest first",
)
def list_imports(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    actor = _actor(request)
    access.require(actor, "feed_import.follow")
    count, rows = _page(imports_visible(actor).order_by("-id"), params.page)
    return page_body(count, params.page, PAGE_SIZE, [_import(i) for i in rows])


@router.get(
    "/linkage/imports/{import_id}",
    auth=FEED_AUTH,
    response=ImportOut,
    summary="One import and how far it got",
)
def get_import(request: HttpRequest, import_id: Id) -> dict[str, Any]:
    actor = _actor(request)
    feed_import = access_import_by_id(actor, import_id)
    if not feed_import.finished and services.imports_recover():
        feed_import.refresh_from_db()  # its worker had stopped: it is queued again (or failed)
    return _import(feed_import)


@router.get(
    "/linkage/imports/{import_id}/quarantine",
    auth=FEED_AUTH,
    response=QuarantinePage,
    summary="The validation report: rows held back or kept with a warning, each problem named",
)
def get_quarantine(request: HttpRequest, import_id: Id, params: Query[PageParams]) -> dict[str, Any]:
    actor = _actor(request)
    feed_import = access_import_by_id(actor, import_id)
    count, rows = _page(quarantine_of(actor, feed_import).order_by("row_number"), params.page)
    if rows:  # quarantined rows hold personal data as the partner sent it
        records.linkage_consult(
            actor=actor,
            action=AuditAction.LINKAGE_IMPORT_REPORT,
            object_type="feed_import",
            object_id=feed_import.pk,
            details={"rows": [q.row_number for q in rows], "surface": "api"},
        )
    return page_body(count, params.page, PAGE_SIZE, [_quarantined(q) for q in rows])


@router.post(
    "/linkage/imports/{import_id}/resubmit",
    auth=FEED_AUTH,
    response={202: ImportOut},
    summary="Send the corrected file of a finished import: a new import with the same mapping, agency and hub",
)
def resubmit_import(request: HttpRequest, import_id: Id, file: File[UploadedFile]) -> Any:
    actor = _actor(request)
    _only_fields(request, {"file"})
    original = access_import_by_id(actor, import_id)
    if not original.finished:
        raise Conflict("This import has not finished yet: wait for it, then send the corrected file")
    feed_import = _stage(
        actor,
        file,
        mapping=load_mapping(built_in_mappings()[original.mapping_name])
        if original.mapping_name in built_in_mappings()
        else _mapping_gone(original),
        source_agency=original.source_agency,
        owner_hub=original.owner_hub,
        classification=original.classification,
    )
    return Status(202, _import(access_import_by_id(actor, feed_import.pk)))


def _mapping_gone(original: FeedImport) -> Any:
    raise Conflict(
        f"The mapping {original.mapping_name} is no longer offered: push the file with a current one"
    )


@router.get(
    "/linkage/pairs", response=PairPage, summary="The review queue: pairs to decide, most likely first"
)
def list_pairs(request: HttpRequest, params: Query[PageParams]) -> dict[str, Any]:
    actor = _actor(request)
    access.require(actor, "linkage.use")
    count, pairs = _page(review_queue(actor), params.page)
    records.linkage_consult(
        actor=actor,
        action=AuditAction.LINKAGE_REVIEW_LIST,
        details={"pairs": [p.pk for p in pairs], "surface": "api"},
    )
    return page_body(count, params.page, PAGE_SIZE, [_pair(p, whole=False) for p in pairs])


def _pair_read(actor: User, pair_id: int) -> dict[str, Any]:
    pair = access_pair_by_id(actor, pair_id)
    records.linkage_consult(
        actor=actor,
        action=AuditAction.LINKAGE_PAIR_VIEW,
        object_type="candidate_pair",
        object_id=pair.pk,
        details={"left": pair.left_id, "right": pair.right_id, "surface": "api"},
    )
    return _pair(pair, whole=True)


@router.get(
    "/linkage/pairs/{pair_id}", response=PairOut, summary="One pair side by side, with the model's evidence"
)
def get_pair(request: HttpRequest, pair_id: Id) -> dict[str, Any]:
    actor = _actor(request)
    access.require(actor, "linkage.use")
    return _pair_read(actor, pair_id)


@router.post(
    "/linkage/pairs/{pair_id}/decision",
    response=PairOut,
    summary="Decide whether the two are the same person",
)
def decide_pair(request: HttpRequest, pair_id: Id, payload: DecisionIn) -> dict[str, Any]:
    actor = _actor(request)
    access.require(actor, "linkage.use")
    pair = access_pair_by_id(actor, pair_id)
    services.pair_decide(actor=actor, pair_id=pair.pk, decision=payload.decision.value)
    return _pair_read(actor, pair.pk)


@router.get(
    "/linkage/runs", response=RunsOut, summary="The linkage run under way, if any, and the last one finished"
)
def get_runs(request: HttpRequest) -> dict[str, Any]:
    access.require(_actor(request), "linkage.use")
    state = runs_state()
    return {"pending": _run(state.pending), "last": _run(state.last)}


@router.post("/linkage/runs", response={202: RunOut}, summary="Start a linkage run on the task worker")
def start_run(request: HttpRequest) -> Any:
    actor = _actor(request)
    access.require(actor, "linkage.run")
    return Status(202, _run(services.run_request(actor=actor)))
