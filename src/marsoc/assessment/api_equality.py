"""Equality monitoring endpoints: aggregates only (no person), counts under 5 withheld as null.

Mounted on the assessment router in `api.py`; the same selectors, policy and audit as the pages."""

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed, refused_in_context

from . import services
from .equality import CHARACTERISTICS
from .models import ReferencePopulation
from .selectors import COHORTS, EqualityOptions, equality_report, population_exists, reference_populations

router = Router(tags=["equality"])
Cohort = StrEnum("Cohort", {key: key for key in COHORTS})  # type: ignore[misc]


class EqualityParams(Schema):
    cohort: Cohort = Field(Cohort("adopted"), description="Which people: " + "; ".join(COHORTS.values()))
    tier: Literal["", "1", "2", "3", "4"] = Field("", description="A tier (1-4), or empty for every tier")
    population: int | None = Field(None, ge=1, le=2**31 - 1, description="Reference population id")
    threshold: float | None = Field(
        None, ge=1, le=10, description="Flag threshold (default: the population's)"
    )


class EqualityGroupOut(Schema):
    group: str
    label: str
    count: int | None = Field(description="null when withheld (fewer than 5, or would reveal one)")
    share_pct: float | None
    reference_share_pct: float | None
    rri: float | None
    ci95_lower: float | None
    ci95_upper: float | None
    flagged: bool


class TableOut(Schema):
    characteristic: str
    label: str
    total: int | None
    not_recorded: int | None
    reference_approximate: bool
    groups: list[EqualityGroupOut]


class ScopeOut(Schema):
    scope: str
    label: str
    total: int | None
    tables: list[TableOut]


class EqualityReportOut(Schema):
    cohort: str
    tier: str
    as_of: date
    population_id: int | None
    population: str | None
    threshold: float
    scopes: list[ScopeOut]


class PopulationShareOut(Schema):
    characteristic: str
    group: str
    share_pct: float
    approximate: bool
    source: str


class PopulationOut(Schema):
    id: int
    code: str
    name: str
    year: int
    scope: str
    population: int
    source: str
    source_url: str
    flag_threshold: float
    is_default: bool
    shares: list[PopulationShareOut]


def _equality_actor(request: HttpRequest) -> User:
    actor: User = request.auth  # type: ignore[attr-defined]
    if not access.may(actor, "equality.view"):
        raise NotFoundOrForbidden("equality")
    return actor


@router.get("/equality/report", response=EqualityReportOut, summary="Equality report (aggregates)")
def equality_report_api(request: HttpRequest, params: Query[EqualityParams]) -> dict[str, Any]:
    """Cohort composition against the reference population, nationally and for each hub the caller may
    see. Withheld counts are null, and so are their share, index and interval."""
    actor = _equality_actor(request)
    if params.population is not None and not population_exists(params.population):
        raise ValidationFailed(
            {"population": refused_in_context("There is no reference population with this id")}
        )
    threshold = None if params.threshold is None else Decimal(str(params.threshold))
    options = EqualityOptions(
        cohort=str(params.cohort.value),
        tier=params.tier,
        population_id=params.population,
        threshold=threshold,
    )
    report = equality_report(actor=actor, options=options)
    services.equality_report_consult(
        actor=actor,
        details={"cohort": str(params.cohort.value), "tier": params.tier, "population": params.population},
        surface="api",
    )
    return {
        "cohort": options.cohort,
        "tier": options.tier,
        "as_of": report.as_of,
        "population_id": report.population.pk if report.population else None,
        "population": report.population.name if report.population else None,
        "threshold": float(report.threshold),
        "scopes": [
            {
                "scope": s.key,
                "label": s.label,
                "total": s.total,
                "tables": [
                    {
                        "characteristic": t.code,
                        "label": t.label,
                        "total": t.total,
                        "not_recorded": t.not_recorded,
                        "reference_approximate": t.approximate,
                        "groups": [
                            {
                                "group": r.code,
                                "label": r.label,
                                "count": r.count,
                                "share_pct": r.share,
                                "reference_share_pct": r.reference_share,
                                "rri": r.rate.rri if r.rate else None,
                                "ci95_lower": r.rate.lower if r.rate else None,
                                "ci95_upper": r.rate.upper if r.rate else None,
                                "flagged": r.flagged,
                            }
                            for r in t.rows
                        ],
                    }
                    for t in s.tables
                ],
            }
            for s in report.scopes
        ],
    }


def _population_out(p: ReferencePopulation) -> dict[str, Any]:
    order = {c.code: i for i, c in enumerate(CHARACTERISTICS)}
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "year": p.year,
        "scope": p.hub.code if p.hub else "national",
        "population": p.population,
        "source": p.source,
        "source_url": p.source_url,
        "flag_threshold": float(p.flag_threshold),
        "is_default": p.is_default,
        "shares": [
            {
                "characteristic": s.characteristic,
                "group": s.group,
                "share_pct": float(s.share),
                "approximate": s.approximate,
                "source": s.source,
            }
            for s in sorted(p.shares.all(), key=lambda s: (order.get(s.characteristic, 99), s.pk))
        ],
    }


@router.get("/equality/populations", response=list[PopulationOut], summary="Reference populations")
def population_list_api(request: HttpRequest) -> list[dict[str, Any]]:
    actor = _equality_actor(request)
    services.population_consult(actor=actor, population=None, surface="api")
    return [_population_out(p) for p in reference_populations()]


@router.get(
    "/equality/populations/{population_id}", response=PopulationOut, summary="One reference population"
)
def population_get_api(request: HttpRequest, population_id: int) -> dict[str, Any]:
    actor = _equality_actor(request)
    population = reference_populations().filter(pk=population_id).first()
    if population is None:
        raise NotFoundOrForbidden("equality")
    services.population_consult(actor=actor, population=population, surface="api")
    return _population_out(population)
