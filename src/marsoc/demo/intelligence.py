"""Synthetic intelligence for demonstration data: agreements in every state, graded items with P and C
handling codes on a subset of nominals, disclosures under the agreements that allow them, a few
requests waiting for a decision, and two nominal summaries shared with the NCA (one under an agreement in
force, one under an agreement since suspended). Bulk inserts, so 100,000-nominal runs stay fast (items go
to a sample)."""

import random
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub, User
from marsoc.intelligence.agreements import agreement_refusals, summary_part_refusals
from marsoc.intelligence.models import (
    AgreementCategory,
    AgreementPurpose,
    AgreementStatusChange,
    ConsentRequest,
    Disclosure,
    IntelItem,
    ItemSubject,
    SharingAgreement,
    SummaryCategory,
    SummaryDisclosure,
)
from marsoc.intelligence.services import review_due_for, summary_disclose, summary_identity, summary_plan
from marsoc.nominals.models import Nominal
from marsoc.sharing.models import AgreementSignOff

DEFAULT_LIMIT = 1500  # nominals that get intelligence

AGREEMENTS = [
    # reference, title, parties, status, purposes, categories, max, onward
    (
        "ISA-DEMO-01",
        "London SOC partnership",
        ["mps", "hmpps-prisons-london", "probation-london", "nca", "hmpps-marsoc"],
        "in_force",
        ["prevention_detection", "offender_management", "prosecution"],
        ["criminal_intelligence", "custody", "associates", "identity"],
        "OFFICIAL-SENSITIVE",
        "parties",
    ),
    (
        "ISA-DEMO-02",
        "Yorkshire and Humber ROCU with HMPPS",
        ["yhrocu", "probation-yorkshire", "hmpps-prisons-yorkshire", "hmpps-marsoc"],
        "in_force",
        ["prevention_detection", "offender_management"],
        ["criminal_intelligence", "custody", "identity"],
        "OFFICIAL-SENSITIVE",
        "none",
    ),
    (
        "ISA-DEMO-03",
        "NCA national tasking",
        ["nca", "mps", "yhrocu", "titan", "ersou", "hmpps-marsoc"],
        "in_force",
        ["prevention_detection", "prosecution"],
        ["criminal_intelligence", "financial", "associates"],
        "SECRET",
        "originator_consent",
    ),
    (
        "ISA-DEMO-04",
        "HMRC financial intelligence (suspended pending DPIA review)",
        ["hmrc", "mps", "nca"],
        "suspended",
        ["prevention_detection"],
        ["financial", "identity"],
        "OFFICIAL-SENSITIVE",
        "none",
    ),
    (
        "ISA-DEMO-05",
        "Eastern region MoU 2021 (ended)",
        ["ersou", "probation-east", "hmpps-prisons-eastern"],
        "ended",
        ["offender_management"],
        ["criminal_intelligence", "custody"],
        "OFFICIAL-SENSITIVE",
        "none",
    ),
    (
        "ISA-DEMO-06",
        "Home Office Immigration Enforcement (draft, not yet signed)",
        ["home-office-ie", "mps", "hmpps-marsoc"],
        "draft",
        ["prevention_detection", "safeguarding"],
        ["criminal_intelligence"],
        "OFFICIAL-SENSITIVE",
        "none",
    ),
]

TEXTS = [
    "Subject seen meeting a known courier at a car wash on {place}.",
    "Subject is using a new mobile handset; contact with associates in custody continues.",
    "Subject is said to be collecting cash from {place} on Fridays.",
    "Subject's partner is believed to hold a vehicle used for supply runs.",
    "Subject has asked a prison visitor to pass messages to an associate.",
    "Subject is believed to be planning to move to {place} after release.",
    "Subject attended a gym linked to an organised crime group in {place}.",
]
PLACES = ["Leeds", "Croydon", "Hull", "Enfield", "Bradford", "Lewisham", "Sheffield", "Barking"]


def reset_intelligence() -> None:
    with transaction.atomic():
        SummaryDisclosure.objects.all().delete()
        IntelItem.objects.filter(sanitised_from__isnull=False).delete()
        IntelItem.objects.all().delete()
        SharingAgreement.objects.all().delete()


def _sign_every_party(agreement: SharingAgreement, on: date) -> None:
    """Each party's sign-off (demo rows, written directly)."""
    AgreementSignOff.objects.bulk_create(
        AgreementSignOff(
            agreement=agreement,
            agency=party,
            signed_by=f"Head of information management, {party.name}",
            signed_on=on,
            recorded_at=timezone.now(),
        )
        for party in agreement.parties.all()
    )


def _agreements(today: date) -> list[SharingAgreement]:
    agencies = {a.code: a for a in Agency.objects.all()}
    made = []
    for ref, title, parties, status, purposes, categories, maximum, onward in AGREEMENTS:
        agreement, created = SharingAgreement.objects.get_or_create(
            reference=ref,
            defaults={
                "title": title,
                "legal_gateway": "Crime and Disorder Act 1998 s.115; DPA 2018 Part 3 (law enforcement purposes)",
                "max_classification": maximum,
                "onward_sharing": onward,
                "retention": "Review after 6 years (MoPI group 3) unless retained with a recorded reason",
                "starts_on": today - timedelta(days=400 if status != "draft" else -30),
                "ends_on": today - timedelta(days=20) if status == "ended" else None,
                "status": status,
            },
        )
        if created:
            agreement.parties.set([agencies[c] for c in parties if c in agencies])
            if status != "draft":
                _sign_every_party(agreement, agreement.starts_on)
            AgreementPurpose.objects.bulk_create(
                [AgreementPurpose(agreement=agreement, code=p) for p in purposes]
            )
            AgreementCategory.objects.bulk_create(
                [AgreementCategory(agreement=agreement, code=c) for c in categories]
            )
            AgreementStatusChange.objects.create(
                agreement=agreement,
                from_status="",
                to_status=status,
                reason="Demonstration data",
                changed_at=timezone.now(),
            )
        made.append(agreement)
    return made


def _grade(rng: random.Random) -> tuple[str, str, str, list[str]]:
    source = rng.choices("123", weights=[30, 55, 15])[0]
    assessment = rng.choices("ABCDE", weights=[25, 30, 30, 10, 5])[0]
    if rng.random() < 0.6:
        return source, assessment, "P", []
    conditions = [rng.choice(["A1", "A2", "A3"])]
    conditions.append(rng.choice(["S1", "S2", "S2"]))
    return source, assessment, "C", sorted(conditions)


def generate_intelligence(
    *, seed: int, limit: int = DEFAULT_LIMIT, today: date | None = None
) -> dict[str, int]:
    rng = random.Random(seed * 104729)
    today = today or timezone.localdate()
    for hub in Hub.objects.filter(contact_email=""):
        # Deconfliction tells people whom to contact: give every demo hub a duty contact.
        hub.contact_name = f"{hub.name} duty intelligence desk"
        hub.contact_email = f"{hub.code}.intel@marsoc.example"
        hub.contact_phone = "020 7946 0" + str(100 + hub.pk)[-3:]
        hub.save(update_fields=["contact_name", "contact_email", "contact_phone"])
    agreements = _agreements(today)
    agencies_by_hub: dict[int | None, list[int]] = {}
    for agency_id, hub_id in Agency.objects.filter(active=True).values_list("id", "hub_id"):
        agencies_by_hub.setdefault(hub_id, []).append(agency_id)
    national_bodies = agencies_by_hub.get(None, [])
    officers = {u.agency_id: u.pk for u in User.objects.filter(is_service_account=False).order_by("-id")}
    nominals = list(
        Nominal.objects.order_by("id").values_list("id", "owner_hub_id", "data_subject_category")[: limit * 4]
    )
    rng.shuffle(nominals)
    chosen = sorted(nominals[:limit])
    items: list[IntelItem] = []
    subjects: list[tuple[int, int, str]] = []  # (item index, nominal id, category)
    for nominal_id, hub_id, category in chosen:
        for _ in range(rng.choices((1, 2, 3), weights=(50, 35, 15))[0]):
            local = agencies_by_hub.get(hub_id, [])
            agency_id = rng.choice(local) if local and rng.random() < 0.8 else rng.choice(national_bodies)
            source, assessment, code, conditions = _grade(rng)
            when = today - timedelta(days=rng.randint(5, 1500))
            group = rng.choices("1234", weights=[5, 25, 60, 10])[0]
            legacy = rng.random() < 0.1 and when < today - timedelta(days=1000)
            items.append(
                IntelItem(
                    owner_hub_id=hub_id,
                    originating_agency_id=agency_id,
                    originating_officer_id=officers.get(agency_id),
                    text=rng.choice(TEXTS).format(place=rng.choice(PLACES)),
                    intelligence_date=when,
                    classification=rng.choices(
                        ["OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET"], weights=[20, 70, 10]
                    )[0],
                    source_evaluation=source,
                    intelligence_assessment=assessment,
                    handling_code=code,
                    conditions=conditions,
                    purpose=rng.choices(
                        ["prevention_detection", "offender_management", "prosecution", "safeguarding"],
                        weights=[50, 30, 15, 5],
                    )[0],
                    data_category=rng.choices(
                        ["criminal_intelligence", "custody", "associates", "financial"],
                        weights=[55, 20, 15, 10],
                    )[0],
                    legacy_source=rng.choice("ABCDE") if legacy else "",
                    legacy_intelligence=rng.choice("12345") if legacy else "",
                    legacy_handling=rng.choice("12345") if legacy else "",
                    record_group=group,
                    review_due=review_due_for(group, when),
                )
            )
            subjects.append((len(items) - 1, nominal_id, category))
    with transaction.atomic():
        IntelItem.objects.bulk_create(items, batch_size=2000)
        ItemSubject.objects.bulk_create(
            [ItemSubject(item_id=items[i].pk, nominal_id=n, data_subject_category=c) for i, n, c in subjects],
            batch_size=5000,
        )
        # Disclose about a third of the items to another party of an agreement that fits (and a few under
        # agreements that were later suspended or ended, so the demo shows access stopping).
        agreements = list(
            SharingAgreement.objects.filter(pk__in=[a.pk for a in agreements])
            .prefetch_related("parties", "purposes", "categories")
            .order_by("reference")
        )
        parties = {a.pk: [p.pk for p in a.parties.all()] for a in agreements}
        disclosures: list[Disclosure] = []
        stamp = timezone.now()
        for item in items:
            if rng.random() > 0.35:
                continue
            for agreement in rng.sample(agreements, len(agreements)):
                if item.originating_agency_id not in parties[agreement.pk]:
                    continue
                others = [p for p in parties[agreement.pk] if p != item.originating_agency_id]
                recipient = rng.choice(others)
                if agreement.status == "in_force" and agreement_refusals(agreement, item, recipient):
                    continue
                disclosures.append(
                    Disclosure(
                        item=item,
                        recipient_agency_id=recipient,
                        agreement=agreement,
                        purpose="Demonstration: shared under " + agreement.reference,
                        conditions=item.conditions,
                        disclosed_at=_disclosed_at(len(disclosures), item, agreement, stamp),
                    )
                )
                break
        Disclosure.objects.bulk_create(disclosures, batch_size=5000)
        # A consent request for a C item waiting on a demo originator (london.manager, MPS).
        pending = 0
        mps = Agency.objects.filter(code="mps").first()
        london_manager = User.objects.filter(username="london.manager").first()
        nca = Agency.objects.filter(code="nca").first()
        isa1 = next(a for a in agreements if a.reference == "ISA-DEMO-01")
        if mps and nca and london_manager:
            for item in items:
                if item.originating_agency_id == mps.pk and item.handling_code == "C" and pending < 2:
                    if agreement_refusals(isa1, item, nca.pk):
                        continue
                    ConsentRequest.objects.create(
                        item=item,
                        recipient_agency=nca,
                        agreement=isa1,
                        purpose="Joint operation against a supply network",
                        requested_by=london_manager,
                        requested_at=stamp,
                    )
                    pending += 1
    summaries = _summaries(agreements, today)
    return {
        "intel_items": len(items),
        "intel_disclosures": len(disclosures),
        "sharing_agreements": len(agreements),
        "nominal_summaries": summaries,
    }


def _disclosed_at(n: int, item: IntelItem, agreement: SharingAgreement, stamp: datetime) -> datetime:
    """Every other disclosure today (the partners' "shared this week" queues), the rest a week after
    the item or the agreement's start, whichever is later, so the Board's sharing trend has a history."""
    if n % 2 == 0:
        return stamp
    day = max(item.intelligence_date, agreement.starts_on) + timedelta(days=7)
    return min(stamp, stamp - timedelta(days=(stamp.date() - day).days))


def _summaries(agreements: list[SharingAgreement], today: date) -> int:
    """The London hub manager (MPS) shares a summary of a London person with the NCA under the London
    partnership agreement (in force), through the real service, so items go with it and C items of other
    agencies go to their originators; and an earlier summary of another London person went to the NCA
    under the HMRC agreement, which has since been suspended: `partner.nca` sees the first, not the second."""
    manager = User.objects.filter(username="london.manager").first()
    nca = Agency.objects.filter(code="nca").first()
    by_ref = {a.reference: a for a in agreements}
    london, suspended = by_ref.get("ISA-DEMO-01"), by_ref.get("ISA-DEMO-04")
    if manager is None or manager.agency_id is None or nca is None or london is None or suspended is None:
        return 0
    people = (
        Nominal.objects.filter(owner_hub__code="london", intel_items__isnull=False)
        .exclude(classification="SECRET")
        .distinct()
        .order_by("id")[:40]
    )
    made = 0
    first: Nominal | None = None
    for nominal in people:
        plan = summary_plan(
            actor=manager,
            nominal=nominal,
            recipient_agency_id=nca.pk,
            agreement_id=london.pk,
            purpose="prevention_detection",
            reason="Demonstration: joint tasking with the NCA",
            today=today,
        )
        if plan.disclose and len(plan.allowed_parts) == 2:
            summary_disclose(
                actor=manager,
                nominal=nominal,
                recipient_agency_id=nca.pk,
                agreement_id=london.pk,
                purpose="prevention_detection",
                reason="Demonstration: joint tasking with the NCA ahead of release",
            )
            first, made = nominal, 1
            break
    second = next((n for n in people if n != first), None)
    if second is not None:
        earlier = SummaryDisclosure.objects.create(
            nominal=second,
            owner_hub_id=second.owner_hub_id,
            sharing_agency_id=manager.agency_id,
            recipient_agency=nca,
            agreement=suspended,
            purpose="prevention_detection",
            reason="Demonstration: financial enquiry (shared before the agreement was suspended)",
            classification=second.classification,
            snapshot={
                "reference": second.reference,
                "owner_hub": second.owner_hub.name,
                "identity": summary_identity(second),
                "items": [],
            },
            record={
                "parts_left_out": summary_part_refusals(suspended, second),
                "left_out": {},
                "consent_requested": [],
                "withheld": [],
            },
            disclosed_by=manager,
            disclosed_at=timezone.now() - timedelta(days=60),
        )
        SummaryCategory.objects.create(summary=earlier, code="identity")
        made += 1
    return made
