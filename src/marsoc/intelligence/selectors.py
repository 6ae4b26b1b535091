"""Reads of intelligence, always scoped by the policy before anything is counted, ranked or paged."""

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from typing import Any

from django.db.models import Count, FloatField, Max, OuterRef, QuerySet, Subquery, Value, Window
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from marsoc.accounts.models import Hub
from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.search import TextMatches, snippet
from marsoc.core.sorting import Sort, SortOrder
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import name_relevance, people_matching
from marsoc.sharing.agreements import in_force_q

from .models import (
    AccessRequest,
    ConsentRequest,
    IntelItem,
    ItemSubject,
    SharingAgreement,
    SummaryDisclosure,
)
from .vocabulary import HandlingCode, RequestStatus, SanitisationStatus

PAGE_SIZE = 50


def _text_hits(query: str) -> QuerySet[Any]:
    return IntelItem.objects.filter(TextMatches("text", query)).values("pk")


def _candidates(query: str) -> QuerySet[Any]:
    """Ids of items about a person the search finds (name, alias, identifier; fuzzy) or whose text
    matches it (full text). Each half uses its own index; the union is handed to the policy filter."""
    about = ItemSubject.objects.filter(nominal_id__in=people_matching(query)).values("item_id")
    return about.union(_text_hits(query))


TEXT_MATCH_SCORE = 0.25  # below every name that contains the query or is similar to it (>= 0.3)


def _relevance(query: str) -> Any:
    """How well the best-matching person an item is about matches the query, and never less than 0.25.

    Every candidate was found by a person's name or by its text. A name match scores at least 0.3 (1 or
    more when the name contains every word), so an item found only by its text ranks below them, at
    0.25 or at whatever its people happen to score. Text matches are not ranked by ts_rank, which would
    rebuild each text's vector (most of the cost of a broad text search); newest first settles ties."""
    # An aggregate, not ORDER BY ... LIMIT 1: no sort to set up for each of thousands of items.
    best_subject = (
        ItemSubject.objects.filter(item_id=OuterRef("pk"))
        .values("item_id")
        .annotate(score=Max(name_relevance(query, "nominal__", "nominal_id")))
        .values("score")
    )
    score = Coalesce(Subquery(best_subject, output_field=FloatField()), Value(0.0))
    return Greatest(score, Value(TEXT_MATCH_SCORE))


# The intelligence list's sortable columns (the page's headings); every order ends with the item's id.
ITEM_SORT = SortOrder(
    {
        "reference": (),
        "grade": ("source_evaluation", "intelligence_assessment", "handling_code"),
        "classification": ("classification",),  # the codes sort as the levels do: OFFICIAL first
        "date": ("intelligence_date",),
        "hub": ("owner_hub__name",),
        "agency": ("originating_agency__name",),
    },
    first_descending=frozenset({"date"}),
)


@dataclass(frozen=True)
class ItemFilters:
    """The list's filters beside the search, and the column it is sorted by (none: ranked)."""

    hub_id: int | None = None
    classification: str = ""
    sort: Sort = dataclass_field(default_factory=Sort)


def _ranked(
    *, actor: Actor, query: str, today: date | None = None, filters: ItemFilters | None = None
) -> QuerySet[IntelItem]:
    filters = filters or ItemFilters()
    qs = IntelItem.objects.filter(access.scope(actor, "intel_item", today=today))
    if filters.hub_id:
        qs = qs.filter(owner_hub_id=filters.hub_id)
    if filters.classification:
        qs = qs.filter(classification=filters.classification)
    query = query.strip()
    if query:
        qs = qs.filter(pk__in=_candidates(query))
    if filters.sort.key:
        return qs.order_by(*ITEM_SORT.order_by(filters.sort))
    if not query:
        return qs.order_by("-intelligence_date", "-id")
    return qs.annotate(relevance=_relevance(query)).order_by("-relevance", "-intelligence_date", "-id")


def item_list(
    *, actor: Actor, query: str = "", today: date | None = None, filters: ItemFilters | None = None
) -> QuerySet[IntelItem]:
    """The items the actor may see, searched and ranked: the policy filter is applied with the search,
    before anything is ranked, counted or paged, so no total includes an item they may not see.

    With a query, the best matches come first (every word in a subject's name, then the most similar
    names, then text matches), newest first among equals; without one, newest first; sorted by a column
    of `ITEM_SORT` when `filters` names one."""
    ranked = _ranked(actor=actor, query=query, today=today, filters=filters)
    return ranked.select_related("owner_hub", "originating_agency")


@dataclass
class ResultPage:
    """One page of search results and the total. Offers what the GOV.UK pagination template reads from
    a Django page (`page.paginator.count`, `page.has_next()` and so on)."""

    object_list: list[IntelItem]
    number: int
    count: int
    page_size: int = PAGE_SIZE

    @property
    def paginator(self) -> "ResultPage":
        return self

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.page_size))

    @property
    def page_range(self) -> range:
        return range(1, self.num_pages + 1)

    def has_next(self) -> bool:
        return self.number < self.num_pages

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.num_pages > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page_rows(ranked: QuerySet[IntelItem], start: int, size: int) -> tuple[list[IntelItem], int | None]:
    """Two steps: rank and count on ids alone (the total rides on each row as a window count), then read
    the page's rows whole. The first step touches only indexed columns, the second only 50 rows."""
    fields = ["pk", "relevance"] if "relevance" in ranked.query.annotations else ["pk"]
    head = list(ranked.annotate(total=Window(Count("pk"))).values(*fields, "total")[start : start + size])
    if not head:
        return [], None
    rows = IntelItem.objects.select_related("owner_hub", "originating_agency").in_bulk(
        [h["pk"] for h in head]
    )
    page = []
    for h in head:
        item = rows[h["pk"]]
        item.relevance = h.get("relevance")  # type: ignore[attr-defined]
        page.append(item)
    return page, int(head[0]["total"])


def search_page(
    *,
    actor: Actor,
    query: str = "",
    page: int | str | None = 1,
    page_size: int = PAGE_SIZE,
    today: date | None = None,
    clamp: bool = True,
    filters: ItemFilters | None = None,
) -> ResultPage:
    """A page of `item_list` and its total. Anything that is not a page number gives the first page,
    and with `clamp` a page past the end gives the last, as Django's Paginator.get_page does (the API
    passes clamp=False: a client paging on until the results run out must see them run out)."""
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    ranked = _ranked(actor=actor, query=query, today=today, filters=filters)
    rows, total = _page_rows(ranked, (number - 1) * page_size, page_size)
    if total is not None:
        return ResultPage(rows, number, total, page_size)
    count = ranked.count()
    last = max(1, -(-count // page_size))
    if count == 0 or number <= last or not clamp:
        return ResultPage([], number if not clamp else 1 if count == 0 else number, count, page_size)
    rows, total = _page_rows(ranked, (last - 1) * page_size, page_size)
    return ResultPage(rows, last, total or count, page_size)


def access_item_by_id(*, actor: Actor, item_id: int) -> IntelItem:
    """One item, or NotFoundOrForbidden whether it is missing or merely out of reach."""
    qs = IntelItem.objects.select_related(
        "owner_hub", "originating_agency", "originating_officer", "sanitised_from"
    )
    # The page for one record may open a restricted record or a tombstone for the owner side.
    return access.fetch(actor, "intel_item", qs, item_id, include_restricted=True)


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
    # One pass over the items about the people found: each is checked against the policy once, and
    # only the (owner hub, person) pairs of those the actor may not see come back.
    rows = (
        IntelItem.objects.filter(
            subjects__nominal_id__in=people_matching(query), restricted=False, erased_at__isnull=True
        )
        .exclude(access.scope(actor, "intel_item", today=today))
        .values_list("owner_hub_id", "subjects__nominal_id")
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
        SharingAgreement.objects.filter(access.scope(actor, "agreement"))
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
    return [r for r in pending if access.may(actor, "intel_item.originator", r.item)]


def sanitisations_for(*, actor: Actor) -> list[IntelItem]:
    pending = IntelItem.objects.filter(
        sanitisation_status=SanitisationStatus.PENDING, originating_agency_id=actor.agency_id or 0
    ).select_related("sanitised_from")
    return [
        v
        for v in pending
        if v.sanitised_from is not None and access.may(actor, "intel_item.originator", v.sanitised_from)
    ]


def access_requests_for(*, actor: Actor) -> QuerySet[AccessRequest]:
    """Requests the actor's hub must decide (hub managers of the owner hub)."""
    pending = AccessRequest.objects.filter(status=RequestStatus.PENDING)
    return access.visible(actor, "access_request", pending).select_related(
        "nominal", "requester_agency", "requested_by"
    )


def today() -> date:
    return timezone.localdate()


def review_queue(*, actor: Actor, today: date | None = None) -> QuerySet[IntelItem]:
    """Items of the manager's hub whose MoPI review date has come (restricted ones too: they are kept)."""
    if not access.may(actor, "retention.review") or actor.hub_id is None:
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
        # Labels, not codes: the response goes to the person the data is about.
        display = getattr(nominal, f"get_{field}_display", None)
        value = display() if callable(display) else getattr(nominal, field)
        model_field = Nominal._meta.get_field(field) if field != "reference" else None
        label = str(getattr(model_field, "verbose_name", "Reference")).capitalize()
        rows.append(["record", label, str(value), ""])
    rows += [["identifier", i.get_id_type_display(), i.value, ""] for i in nominal.identifiers.all()]
    rows += [
        ["alias", a.get_alias_type_display(), f"{a.given_names} {a.family_name}".strip(), ""]
        for a in nominal.aliases.all()
    ]
    rows += [
        [
            "custody",
            e.get_event_type_display(),
            f"{e.occurred_on:%d/%m/%Y} {e.establishment or ''}".strip(),
            "",
        ]
        for e in nominal.custody_events.select_related("establishment")
    ]
    rows += [
        ["membership", c.get_to_state_display(), f"{c.effective_date:%d/%m/%Y}: {c.rationale}", ""]
        for c in nominal.membership_changes.all()
    ]
    held = IntelItem.objects.filter(subjects__nominal=nominal).distinct().select_related("originating_agency")
    other_hubs: set[str] = set()
    for item in held.select_related("owner_hub"):
        if item.owner_hub_id != nominal.owner_hub_id:
            other_hubs.add(item.owner_hub.name)
            continue
        if not access.may(actor, "clearance.covers", item.classification):
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
    qs = SummaryDisclosure.objects.filter(access.scope(actor, "summary", today=today))
    if nominal_id is not None:
        qs = qs.filter(nominal_id=nominal_id)
    return qs.select_related(
        "recipient_agency", "sharing_agency", "owner_hub", "agreement", "disclosed_by"
    ).order_by("-disclosed_at", "-id")


def access_summary_by_id(*, actor: Actor, summary_id: int) -> SummaryDisclosure:
    """One summary, or NotFoundOrForbidden whether it is missing or merely out of reach."""
    qs = SummaryDisclosure.objects.select_related(
        "recipient_agency", "sharing_agency", "owner_hub", "agreement", "disclosed_by"
    )
    return access.fetch(actor, "summary", qs, summary_id)


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
        .filter(access.scope(actor, "intel_item", today=today))
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
        SharingAgreement.objects.filter(in_force_q(today), parties=actor.agency_id or 0)
        .distinct()
        .order_by("reference")
    )


def person_items(*, actor: Actor, nominal_id: int, today: date | None = None) -> QuerySet[IntelItem]:
    """The items about one person that the actor may see (the same scope as every list)."""
    return (
        IntelItem.objects.filter(access.scope(actor, "intel_item", today=today))
        .filter(subjects__nominal_id=nominal_id)
        .select_related("owner_hub", "originating_agency")
        .order_by("-intelligence_date", "-id")
    )


@dataclass(frozen=True)
class ResultDetail:
    """What a search result shows beside its reference: the people it is about whom the viewer may see,
    and the passage of its text the search found (highlighted), unless handling conditions apply (then
    the text is read on the item's own page, under its conditions)."""

    people: list[Nominal]
    passage: list[tuple[str, bool]]
    conditions: bool


def result_details(*, actor: Actor, items: list[IntelItem], query: str) -> dict[int, ResultDetail]:
    visible = Nominal.objects.filter(access.scope(actor, "nominal"))
    people: dict[int, list[Nominal]] = {}
    subjects = (
        ItemSubject.objects.filter(item_id__in=[i.pk for i in items], nominal__in=visible)
        .select_related("nominal")
        .order_by("nominal__family_name", "nominal__given_names", "nominal_id")
    )
    for s in subjects:
        people.setdefault(s.item_id, []).append(s.nominal)
    out = {}
    for item in items:
        conditions = item.handling_code == HandlingCode.C
        passage = [] if conditions or not item.text or not query.strip() else snippet(item.text, query)
        out[item.pk] = ResultDetail(people.get(item.pk, []), passage, conditions)
    return out
