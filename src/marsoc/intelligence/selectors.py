"""Reads of intelligence, always scoped by the policy before anything is counted, ranked or paged."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from marsoc.accounts.models import Hub
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.vocabulary import classifications_up_to
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import _search_filter as nominal_search_filter

from .models import (
    AccessRequest,
    ConsentRequest,
    IntelItem,
    ItemSubject,
    SharingAgreement,
    SummaryDisclosure,
)
from .policies import (
    agreement_in_force_q,
    agreement_scope,
    can_view_item,
    can_view_summary,
    is_originator,
    item_scope,
    summary_scope,
)
from .vocabulary import RequestStatus, SanitisationStatus

CANDIDATE_CAP = 50_000


def _text_filter(query: str) -> Q:
    text = Q()
    for token in query.split()[:6]:
        text &= Q(text__icontains=token)
    return text


def item_search_filter(query: str) -> Q:
    """Name, alias or identifier of a person the item is about, or words in its text.

    The two kinds of match are found separately (each uses its own index) and handed to the policy
    filter as one list of candidate ids: PostgreSQL will not turn `id IN (a) OR id IN (b)` into a join,
    and scanned every item in scope instead. Very broad searches fall back to the subqueries."""
    query = query.strip()
    if not query:
        return Q()
    people = Nominal.objects.filter(nominal_search_filter(query)).values("pk")
    about = ItemSubject.objects.filter(nominal_id__in=people).values_list("item_id", flat=True)
    text = IntelItem.objects.filter(_text_filter(query)).values_list("pk", flat=True)
    ids = set(about[: CANDIDATE_CAP + 1])
    if len(ids) <= CANDIDATE_CAP:
        ids |= set(text[: CANDIDATE_CAP + 1])
    if len(ids) > CANDIDATE_CAP:
        return Q(pk__in=about) | Q(pk__in=text)
    return Q(pk__in=sorted(ids))


def item_list(*, actor: Actor, query: str = "", today: date | None = None) -> QuerySet[IntelItem]:
    """The items the actor may see, searched: the policy filter is applied with the search, before the
    count and the page, so no total includes an item they may not see."""
    qs = IntelItem.objects.filter(item_scope(actor, today=today))
    if query.strip():
        qs = qs.filter(item_search_filter(query))
    return qs.select_related("owner_hub", "originating_agency").order_by("-intelligence_date", "-id")


def access_item_by_id(*, actor: Actor, item_id: int) -> IntelItem:
    """One item, or NotFoundOrForbidden whether it is missing or merely out of reach."""
    item = (
        IntelItem.objects.select_related(
            "owner_hub", "originating_agency", "originating_officer", "sanitised_from"
        )
        .filter(pk=item_id)
        .first()
    )
    if item is None or not can_view_item(actor, item):
        raise NotFoundOrForbidden(f"intel item {item_id}")
    return item


@dataclass(frozen=True)
class InterestNotice:
    """ "Another agency holds an interest": the owning hub and whom to contact, never the content."""

    hub_id: int
    hub_name: str
    contact_name: str
    contact_email: str
    contact_phone: str
    nominal_ids: tuple[int, ...]  # for the audit record and an access request; never shown


def deconfliction(*, actor: Actor, query: str, today: date | None = None) -> list[InterestNotice]:
    """Across the whole national store: people matching the search on whom intelligence is held that
    the actor may not see. Restricted and erased items take no part (s.47)."""
    if not query.strip() or len(query.strip()) < 2:
        return []
    people = Nominal.objects.filter(nominal_search_filter(query)).values("pk")
    hidden = (
        IntelItem.objects.filter(restricted=False, erased_at__isnull=True)
        .filter(Exists(ItemSubject.objects.filter(item_id=OuterRef("pk"), nominal_id__in=people)))
        .exclude(item_scope(actor, today=today))
    )
    rows = (
        ItemSubject.objects.filter(item__in=hidden.values("pk"), nominal_id__in=people)
        .values_list("item__owner_hub_id", "nominal_id")
        .distinct()
    )
    by_hub: dict[int, set[int]] = {}
    for hub_id, nominal_id in rows:
        by_hub.setdefault(hub_id, set()).add(nominal_id)
    hubs = Hub.objects.in_bulk(list(by_hub))
    return [
        InterestNotice(
            hub_id=h,
            hub_name=hubs[h].name,
            contact_name=hubs[h].contact_name,
            contact_email=hubs[h].contact_email,
            contact_phone=hubs[h].contact_phone,
            nominal_ids=tuple(sorted(ids)),
        )
        for h, ids in sorted(by_hub.items(), key=lambda kv: hubs[kv[0]].name)
    ]


def agreement_list(*, actor: Actor) -> QuerySet[SharingAgreement]:
    return (
        SharingAgreement.objects.filter(agreement_scope(actor))
        .distinct()
        .prefetch_related("parties", "purposes", "categories")
        .order_by("reference")
    )


def access_agreement_by_id(*, actor: Actor, agreement_id: int) -> SharingAgreement:
    agreement = agreement_list(actor=actor).filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFoundOrForbidden(f"agreement {agreement_id}")
    return agreement


def agreements_for_sharing(*, item: IntelItem) -> QuerySet[SharingAgreement]:
    """Agreements offered when sharing an item: those in force that its originating agency signed
    (the service checks the rest of the fit and names what does not)."""
    return SharingAgreement.objects.filter(status="in_force", parties=item.originating_agency_id).distinct()


def consent_requests_for(*, actor: Actor) -> list[ConsentRequest]:
    pending = ConsentRequest.objects.filter(status=RequestStatus.PENDING).select_related(
        "item", "recipient_agency", "agreement", "requested_by"
    )
    if actor.agency_id is None:
        return []
    pending = pending.filter(item__originating_agency_id=actor.agency_id)
    return [r for r in pending if is_originator(actor, r.item)]


def sanitisations_for(*, actor: Actor) -> list[IntelItem]:
    pending = IntelItem.objects.filter(
        sanitisation_status=SanitisationStatus.PENDING, originating_agency_id=actor.agency_id or 0
    ).select_related("sanitised_from")
    return [v for v in pending if v.sanitised_from is not None and is_originator(actor, v.sanitised_from)]


def access_requests_for(*, actor: Actor) -> QuerySet[AccessRequest]:
    """Requests the actor's hub must decide (hub managers of the owner hub)."""
    if "hub_manager" not in actor.role_codes or actor.hub_id is None:
        return AccessRequest.objects.none()
    return AccessRequest.objects.filter(
        status=RequestStatus.PENDING, owner_hub_id=actor.hub_id
    ).select_related("nominal", "requester_agency", "requested_by")


def today() -> date:
    return timezone.localdate()


def review_queue(*, actor: Actor, today: date | None = None) -> QuerySet[IntelItem]:
    """Items of the manager's hub whose MoPI review date has come (restricted ones too: they are kept)."""
    if "hub_manager" not in actor.role_codes or actor.hub_id is None:
        return IntelItem.objects.none()
    today = today or timezone.localdate()
    return (
        IntelItem.objects.filter(owner_hub_id=actor.hub_id, erased_at__isnull=True, review_due__lte=today)
        .select_related("originating_agency")
        .order_by("review_due", "id")
    )


def subject_access_rows(*, actor: Actor, nominal: Nominal) -> list[list[str]]:
    """Everything the owner hub holds on a person. Intelligence is marked for exemption review (s.45(4):
    prejudice to investigations, third parties): C-coded, SECRET, or from another agency."""
    rows: list[list[str]] = []
    for field in (
        "reference", "given_names", "family_name", "date_of_birth", "sex", "nationality", "ethnicity_self",
        "ethnicity_officer", "religion", "data_subject_category", "classification", "membership_state",
    ):  # fmt: skip
        rows.append(["record", field, str(getattr(nominal, field)), ""])
    rows += [["identifier", i.id_type, i.value, ""] for i in nominal.identifiers.all()]
    rows += [
        ["alias", a.alias_type, f"{a.given_names} {a.family_name}".strip(), ""] for a in nominal.aliases.all()
    ]
    rows += [
        ["custody", e.event_type, f"{e.occurred_on} {e.establishment or ''}".strip(), ""]
        for e in nominal.custody_events.select_related("establishment")
    ]
    rows += [
        ["membership", c.to_state, f"{c.effective_date}: {c.rationale}", ""]
        for c in nominal.membership_changes.all()
    ]
    cleared = classifications_up_to(actor.clearance)
    held = IntelItem.objects.filter(subjects__nominal=nominal).distinct().select_related("originating_agency")
    other_hubs: set[str] = set()
    for item in held.select_related("owner_hub"):
        if item.owner_hub_id != nominal.owner_hub_id:
            other_hubs.add(item.owner_hub.name)
            continue
        if item.classification not in cleared:
            rows.append(["intelligence", item.reference, "withheld: above your clearance", "yes"])
            continue
        review = (
            item.handling_code == "C"
            or item.classification == "SECRET"
            or item.originating_agency.hub_id != nominal.owner_hub_id
        )
        value = (
            "erased (tombstone)"
            if item.erased_at
            else f"{item.grade_label} {item.intelligence_date}: {item.text}"
        )
        if item.restricted:
            value += " [restricted]"
        rows.append(["intelligence", item.reference, value, "yes" if review else "no"])
    for hub_name in sorted(other_hubs):
        rows.append(
            ["intelligence", "held elsewhere", f"{hub_name} holds intelligence: forward the request", ""]
        )
    return rows


# --- nominal summaries ------------------------------------------------------------------------------------


def summary_list(
    *, actor: Actor, nominal_id: int | None = None, today: date | None = None
) -> QuerySet[SummaryDisclosure]:
    """The summaries the actor may see (received by their agency, or disclosed by their hub), newest
    first; scoped by the policy before anything is counted or paged."""
    qs = SummaryDisclosure.objects.filter(summary_scope(actor, today=today))
    if nominal_id is not None:
        qs = qs.filter(nominal_id=nominal_id)
    return qs.select_related(
        "recipient_agency", "sharing_agency", "owner_hub", "agreement", "disclosed_by"
    ).order_by("-disclosed_at", "-id")


def access_summary_by_id(*, actor: Actor, summary_id: int) -> SummaryDisclosure:
    """One summary, or NotFoundOrForbidden whether it is missing or merely out of reach."""
    summary = (
        SummaryDisclosure.objects.select_related(
            "recipient_agency", "sharing_agency", "owner_hub", "agreement", "disclosed_by"
        )
        .filter(pk=summary_id)
        .first()
    )
    if summary is None or not can_view_summary(actor, summary):
        raise NotFoundOrForbidden(f"summary {summary_id}")
    return summary


def summary_items(*, actor: Actor, summary: SummaryDisclosure, today: date | None = None) -> list[IntelItem]:
    """The items of a summary the actor may open now: those disclosed with it and those whose originator
    later consented, each still through the item policy (an item erased, restricted or no longer covered
    simply drops out)."""
    ids = set(summary.item_ids) | set(
        ConsentRequest.objects.filter(summary=summary, status=RequestStatus.GRANTED).values_list(
            "item_id", flat=True
        )
    )
    return list(
        IntelItem.objects.filter(pk__in=sorted(ids))
        .filter(item_scope(actor, today=today))
        .select_related("originating_agency")
        .order_by("-intelligence_date", "-id")
    )


def summary_consent_requests(*, summary: SummaryDisclosure) -> QuerySet[ConsentRequest]:
    """For the owner side: the consent requests made with a summary and how they were decided."""
    return ConsentRequest.objects.filter(summary=summary).select_related("item").order_by("id")


def agreements_for_summary(*, actor: Actor, today: date | None = None) -> QuerySet[SharingAgreement]:
    """Agreements offered when sharing a summary: in force today, signed by the sharer's agency (the
    service checks the recipient and the purpose, and names what does not fit)."""
    today = today or timezone.localdate()
    return (
        SharingAgreement.objects.filter(agreement_in_force_q(today), parties=actor.agency_id or 0)
        .distinct()
        .order_by("reference")
    )


def person_items(*, actor: Actor, nominal_id: int, today: date | None = None) -> QuerySet[IntelItem]:
    """The items about one person that the actor may see (the same scope as every list)."""
    return (
        IntelItem.objects.filter(item_scope(actor, today=today))
        .filter(subjects__nominal_id=nominal_id)
        .select_related("owner_hub", "originating_agency")
        .order_by("-intelligence_date", "-id")
    )
