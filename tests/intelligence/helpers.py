"""Builders for intelligence tests: agreements in any state and graded items, written directly so a test
can set up states the services would refuse (e.g. a disclosure under an agreement that no longer fits)."""

from datetime import date, timedelta

from django.utils import timezone

from marsoc.accounts.models import Agency, Hub, User
from marsoc.intelligence.models import (
    AgreementCategory,
    AgreementPurpose,
    Disclosure,
    IntelItem,
    ItemSubject,
    SharingAgreement,
    SummaryCategory,
    SummaryDisclosure,
)
from marsoc.nominals.models import Nominal

from ..conftest import sign_for_every_party

_counter = {"n": 0}


def make_agreement(
    parties: list[str],
    *,
    status: str = "in_force",
    purposes: tuple[str, ...] = ("prevention_detection", "offender_management"),
    categories: tuple[str, ...] = ("criminal_intelligence", "custody"),
    max_classification: str = "SECRET",
    onward: str = "none",
    starts_on: date | None = None,
    ends_on: date | None = None,
    unsigned: tuple[str, ...] = (),
) -> SharingAgreement:
    _counter["n"] += 1
    agreement = SharingAgreement.objects.create(
        reference=f"ISA-T{_counter['n']:04d}",
        title="Test agreement",
        legal_gateway="Crime and Disorder Act 1998 s.115",
        max_classification=max_classification,
        onward_sharing=onward,
        retention="6 years",
        starts_on=starts_on or timezone.localdate() - timedelta(days=30),
        ends_on=ends_on,
        status=status,
    )
    agreement.parties.set(Agency.objects.filter(code__in=parties))
    sign_for_every_party(agreement, unsigned=unsigned)
    for p in purposes:
        AgreementPurpose.objects.create(agreement=agreement, code=p)
    for c in categories:
        AgreementCategory.objects.create(agreement=agreement, code=c)
    return agreement


def make_item(
    nominal: Nominal,
    *,
    hub_code: str = "london",
    agency_code: str = "mps",
    officer: User | None = None,
    classification: str = "OFFICIAL-SENSITIVE",
    grade: str = "1BP",
    conditions: tuple[str, ...] = (),
    purpose: str = "prevention_detection",
    category: str = "criminal_intelligence",
    text: str = "Seen meeting an associate at a car wash.",
    **extra: object,
) -> IntelItem:
    item = IntelItem.objects.create(
        owner_hub=Hub.objects.get(code=hub_code),
        originating_agency=Agency.objects.get(code=agency_code),
        originating_officer=officer,
        text=text,
        intelligence_date=timezone.localdate() - timedelta(days=10),
        recorded_by=officer,
        classification=classification,
        source_evaluation=grade[0],
        intelligence_assessment=grade[1],
        handling_code=grade[2],
        conditions=list(conditions),
        purpose=purpose,
        data_category=category,
        **extra,
    )
    ItemSubject.objects.create(item=item, nominal=nominal, data_subject_category="suspect")
    return item


def disclose(item: IntelItem, agency_code: str, agreement: SharingAgreement) -> Disclosure:
    return Disclosure.objects.create(
        item=item,
        recipient_agency=Agency.objects.get(code=agency_code),
        agreement=agreement,
        purpose="test",
        disclosed_at=timezone.now(),
    )


def make_summary(
    nominal: Nominal,
    agreement: SharingAgreement,
    *,
    recipient: str = "mps",
    sharing_agency: str = "yhrocu",
    hub_code: str | None = None,
    classification: str = "OFFICIAL-SENSITIVE",
    purpose: str = "prevention_detection",
    categories: tuple[str, ...] = ("custody",),
    items: tuple[IntelItem, ...] = (),
) -> SummaryDisclosure:
    """A summary disclosure written directly (the service would refuse one under a non-fitting agreement)."""
    summary = SummaryDisclosure.objects.create(
        nominal=nominal,
        owner_hub=Hub.objects.get(code=hub_code) if hub_code else nominal.owner_hub,
        sharing_agency=Agency.objects.get(code=sharing_agency),
        recipient_agency=Agency.objects.get(code=recipient),
        agreement=agreement,
        purpose=purpose,
        reason="test",
        classification=classification,
        snapshot={
            "reference": nominal.reference,
            "owner_hub": nominal.owner_hub.name,
            "status": {"membership_state": "Referred", "phase": "Pre-custody"},
            "items": [{"id": i.pk, "reference": i.reference} for i in items],
        },
        disclosed_at=timezone.now(),
    )
    SummaryCategory.objects.bulk_create([SummaryCategory(summary=summary, code=c) for c in categories])
    return summary
