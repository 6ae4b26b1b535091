"""The public register: what anyone may read without signing in. Its scope is defined here and only
here — approved decisions whose Part 1 has been published and whose deferral (if any) has passed, and the
agreements of £10,000 or more those decisions accepted. No query here touches Part 2, drafts or people
beyond the named office holders on the published form."""

from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from marsoc.core.errors import NotFoundOrForbidden

from .models import DecisionRecord, Grant
from .vocabulary import PUBLISH_AGREEMENTS_FROM_PENCE, DecisionState

# The Part 1 fields the public pages show; the queryset loads nothing else.
PUBLIC_FIELDS = (
    "id",
    "reference",
    "title",
    "executive_summary",
    "recommendation",
    "part1_body",
    "decision_maker_title",
    "approved_on",
    "published_at",
    "interest_declaration",
)


def publishable_q(today: date) -> Q:
    return Q(state=DecisionState.APPROVED, published_at__isnull=False) & (
        Q(deferred_until__isnull=True) | Q(deferred_until__lte=today)
    )


def public_decisions(*, today: date | None = None) -> QuerySet[DecisionRecord]:
    today = today or timezone.localdate()
    return (
        DecisionRecord.objects.filter(publishable_q(today))
        .only(*PUBLIC_FIELDS)
        .order_by("-approved_on", "reference")
    )


def public_decision_by_id(*, decision_id: int, today: date | None = None) -> DecisionRecord:
    found = public_decisions(today=today).filter(pk=decision_id).first() if 0 < decision_id < 2**63 else None
    if found is None:
        raise NotFoundOrForbidden("decision")
    return found


def public_agreements(*, today: date | None = None) -> QuerySet[Grant]:
    """Grants of £10,000 or more accepted by a published decision."""
    today = today or timezone.localdate()
    published = DecisionRecord.objects.filter(publishable_q(today)).values("pk")
    return (
        Grant.objects.filter(decision__in=published, amount_pence__gte=PUBLISH_AGREEMENTS_FROM_PENCE)
        .only("id", "reference", "title", "funder", "recipient", "amount_pence", "starts_on", "ends_on")
        .annotate(decision_reference=F("decision__reference"))
        .order_by("-starts_on", "reference")
    )
