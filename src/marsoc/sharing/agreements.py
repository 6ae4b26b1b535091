"""What an agreement allows, as query expressions the access rules compose, and in words for forms.

The one partner rule (docs/access-model.md): a partner agency reaches a record only while an agreement
is in force today (status "in force", started, not past its end date, and signed off by every party on
or before today) that has the partner as a party,
has the owning side as a party (an agency of the record's owner hub, or of the national team), and
covers the purpose, the category of data and the classification of what is reached. Nothing is cached:
suspending or ending an agreement stops access on the next request.
"""

from datetime import date
from typing import Any

from django.db.models import CharField, Exists, ExpressionWrapper, IntegerField, OuterRef, Q, QuerySet
from django.utils import timezone

from marsoc.accounts.models import Agency
from marsoc.core.vocabulary import Classification, classification_rank, classifications_up_to

from .models import AgreementCategory, AgreementPurpose, AgreementSignOff, SharingAgreement
from .vocabulary import AgreementStatus

NOTHING = Q(pk__in=[])


def today_or(today: date | None) -> date:
    return today or timezone.localdate()


def in_force_q(today: date, prefix: str = "") -> Q:
    """Agreements (reached through `prefix`) in force on `today`: the status, the dates, and no party
    without a sign-off dated on or before today."""
    parties = SharingAgreement.parties.through.objects
    unsigned = parties.filter(sharingagreement_id=OuterRef(f"{prefix}pk")).exclude(
        Exists(
            AgreementSignOff.objects.filter(
                agreement_id=OuterRef("sharingagreement_id"),
                agency_id=OuterRef("agency_id"),
                signed_on__lte=today,
            )
        )
    )
    return (
        Q(**{f"{prefix}status": AgreementStatus.IN_FORCE, f"{prefix}starts_on__lte": today})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": today}))
        & Q(~Exists(unsigned))
    )


def classification_covered_q(prefix: str, classification_field: str) -> Q:
    """The agreement's maximum classification (through `prefix`) is at or above `classification_field`."""
    q = NOTHING
    for maximum in Classification.values:
        q |= Q(
            **{
                f"{prefix}max_classification": maximum,
                f"{classification_field}__in": classifications_up_to(maximum),
            }
        )
    return q


def _is_expression(value: Any) -> bool:
    return hasattr(value, "resolve_expression")


def agreements_allowing(
    *,
    partner_agency_id: int,
    purpose: Any,
    category: Any,
    classification: Any,
    owner_hub: Any,
    today: date | None = None,
) -> QuerySet[SharingAgreement]:
    """Agreements in force today that let the owning side of a record share it with `partner_agency_id`
    for `purpose`, covering data `category` at `classification`. Each argument but the agency may be a
    value or an expression of the enclosing query (OuterRef), so the rule runs inside one SQL statement.

    Each "covers ..." is its own EXISTS rather than a join (joins of many tables cost PostgreSQL tens of
    milliseconds of planning on every query)."""
    parties = SharingAgreement.parties.through.objects
    agreement = OuterRef("pk")
    qs = SharingAgreement.objects.filter(in_force_q(today_or(today)))
    refs: dict[str, Any] = {}
    for name, value, field in (
        ("purpose", purpose, CharField()),
        ("category", category, CharField()),
        ("classification", classification, CharField()),
        ("owner_hub", owner_hub, IntegerField()),
    ):
        if _is_expression(value):
            qs = qs.alias(**{f"_{name}": ExpressionWrapper(value, output_field=field)})
            refs[name] = OuterRef(f"_{name}")
        else:
            refs[name] = value
    if _is_expression(classification):
        qs = qs.filter(classification_covered_q("", "_classification"))
    else:
        qs = qs.filter(max_classification__in=_at_or_above(classification))
    owner_side = Q(agency__hub__is_national=True)
    if owner_hub is not None:
        owner_side |= Q(agency__hub_id=refs["owner_hub"])
    return (
        qs.filter(Exists(parties.filter(sharingagreement_id=agreement, agency_id=partner_agency_id)))
        # The owning side is another party than the partner itself (a partner may belong to the hub).
        .filter(
            Exists(
                parties.filter(sharingagreement_id=agreement)
                .exclude(agency_id=partner_agency_id)
                .filter(owner_side)
            )
        )
        .filter(Exists(AgreementPurpose.objects.filter(agreement_id=agreement, code=refs["purpose"])))
        .filter(Exists(AgreementCategory.objects.filter(agreement_id=agreement, code=refs["category"])))
    )


def _at_or_above(classification: str) -> list[str]:
    rank = classification_rank(classification)
    return [c for c in Classification.values if classification_rank(c) >= rank]


def agreement_allows(**kwargs: Any) -> Exists:
    """`agreements_allowing(...)` as an EXISTS condition."""
    return Exists(agreements_allowing(**kwargs))


# --- in words -----------------------------------------------------------------------------------------


def not_in_force_reason(agreement: SharingAgreement, *, today: date | None = None) -> str:
    """Why the agreement is not in force today ("" when it is)."""
    today = today_or(today)
    if agreement.status != AgreementStatus.IN_FORCE:
        return f"The agreement is {agreement.get_status_display().lower()}, not in force"
    if agreement.starts_on > today:
        return f"The agreement does not start until {agreement.starts_on:%d %B %Y}"
    if agreement.ends_on is not None and agreement.ends_on < today:
        return f"The agreement ended on {agreement.ends_on:%d %B %Y}"
    waiting = unsigned_parties(agreement, today=today)
    if waiting:
        return "The agreement is not in force until every party signs it: waiting for " + ", ".join(
            a.name for a in waiting
        )
    return ""


def unsigned_parties(agreement: SharingAgreement, *, today: date | None = None) -> list[Agency]:
    """The parties with no sign-off dated on or before today, by name."""
    signed = AgreementSignOff.objects.filter(agreement=agreement, signed_on__lte=today_or(today)).values(
        "agency_id"
    )
    return list(agreement.parties.exclude(pk__in=signed).order_by("name"))


def covers_classification(agreement: SharingAgreement, classification: str) -> bool:
    return classification_rank(classification) <= classification_rank(agreement.max_classification)
