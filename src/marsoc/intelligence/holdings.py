"""What the intelligence app holds about a person (items, their corrections and reviews, summaries
shared, access requests), for subject access and erasure (core.subjects)."""

from collections.abc import Iterator

from django.db.models import Count, Q, QuerySet

from marsoc.core.subjects import HeldRecord, held, holds, not_about_a_person, person_paths
from marsoc.nominals.models import Nominal

from .models import (
    AccessRequest,
    ConsentRequest,
    Disclosure,
    IntelItem,
    ItemRevision,
    ItemSubject,
    RetentionDecision,
    SummaryCategory,
    SummaryDisclosure,
)


def items_only_about(nominal: Nominal) -> QuerySet[IntelItem]:
    """Items about this person and nobody else: erased with the person (items about others stay,
    without this person as a subject)."""
    return IntelItem.objects.annotate(
        people=Count("subjects", distinct=True),
        this=Count("subjects", filter=Q(subjects__nominal=nominal), distinct=True),
    ).filter(people=1, this=1)


def _erase(nominal: Nominal) -> int:
    ids = set(items_only_about(nominal).values_list("pk", flat=True))
    removed = 0
    # Sanitised versions point at their original (PROTECT): remove them first.
    while ids:
        leaves = set(
            IntelItem.objects.filter(pk__in=ids)
            .exclude(sanitised_versions__isnull=False)
            .values_list("pk", flat=True)
        )
        if not leaves:
            break
        removed += IntelItem.objects.filter(pk__in=leaves).delete()[0]
        ids -= leaves
    return removed


person_paths("intel_item", "subjects__nominal")
person_paths("summary", "nominal")
person_paths("access_request", "nominal")
not_about_a_person("agreement", "information-sharing agreements between agencies")


@holds(
    "intelligence",
    models=[
        IntelItem,
        ItemSubject,
        Disclosure,
        ConsentRequest,
        ItemRevision,
        RetentionDecision,
        SummaryDisclosure,
        SummaryCategory,
        AccessRequest,
    ],
    erase=_erase,
)
def intelligence(nominal: Nominal) -> Iterator[HeldRecord]:
    hub = nominal.owner_hub_id
    subjects = ItemSubject.objects.filter(nominal=nominal).select_related(
        "item__originating_agency", "item__owner_hub"
    )
    for subject in subjects.order_by("item_id"):
        item = subject.item
        yield held(
            "Intelligence",
            item,
            reference=item.reference,
            exclude=("originating_officer", "recorded_by", "sanitised_from"),
            recorded=item.intelligence_date,
            agency=item.originating_agency,
            owner_hub_id=hub,
            extra=(("The person is recorded as", subject.get_data_subject_category_display()),),
        )
        # What hangs off the item: its corrections (earlier text), reviews and disclosures.
        children = (
            ("Corrections to intelligence", ItemRevision.objects.filter(item=item), ("item", "changed_by")),
            ("Retention reviews of intelligence", RetentionDecision.objects.filter(item=item), ("item",)),
            ("Intelligence shared", Disclosure.objects.filter(item=item), ("item", "disclosed_by")),
        )
        for section, rows, exclude in children:
            for row in rows.order_by("id"):
                yield held(
                    section,
                    row,
                    exclude=exclude,
                    reference=item.reference,
                    classification=item.classification,
                )
    for s in SummaryDisclosure.objects.filter(nominal=nominal).select_related("recipient_agency"):
        yield held(
            "Summaries shared",
            s,
            reference=s.reference,
            exclude=("nominal", "disclosed_by", "record"),
            recorded=s.disclosed_at,
        )
    for r in AccessRequest.objects.filter(nominal=nominal).select_related("requester_agency"):
        yield held(
            "Requests for access to intelligence", r, exclude=("nominal", "requested_by", "decided_by")
        )
