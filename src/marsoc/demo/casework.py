"""Synthetic case notes for demonstration data: a few contacts on adopted London people by the hub's
officer, and on the people London Probation takes part in by its partner officer, so the case notes page
and the chronology have something to show. Written in bulk by the system (the generator's audit entry
covers them)."""

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.casework.models import CaseNote
from marsoc.casework.vocabulary import ContactOutcome, ContactType
from marsoc.nominals.models import Nominal
from marsoc.nominals.vocabulary import MembershipState

TEXTS = [
    "Discussed compliance with licence conditions; no concerns raised (synthetic).",
    "Reported new employment at a car wash; to be verified with the employer (synthetic).",
    "Declined to discuss associates; reminded of the non-association condition (synthetic).",
    "Home visit: address confirmed, two unknown adults present (synthetic).",
    "Debrief after the search: phones seized, account details recorded (synthetic).",
]


def generate_case_notes(*, seed: int, today: date | None = None, limit: int = 60) -> dict[str, int]:
    rng = random.Random(seed * 7919 + 18)
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    authors = {
        u.username: u for u in User.objects.filter(username__in=["london.officer", "partner.probation"])
    }
    officer, probation = authors.get("london.officer"), authors.get("partner.probation")
    rows: list[CaseNote] = []
    if officer is not None and officer.agency_id is not None:
        people = Nominal.objects.filter(owner_hub_id=officer.hub_id, membership_state=MembershipState.ADOPTED)
        for person in people.order_by("pk")[:limit]:
            for _ in range(rng.randint(1, 3)):
                rows.append(_note(rng, person, officer, today, tz))
    if probation is not None and probation.agency_id is not None:
        partnered = Nominal.objects.filter(
            participations__agency_id=probation.agency_id, participations__ended_at__isnull=True
        ).distinct()
        for person in partnered.order_by("pk")[: limit // 2]:
            rows.append(_note(rng, person, probation, today, tz, kind=ContactType.LICENCE_APPOINTMENT))
    CaseNote.objects.bulk_create(rows, batch_size=1000)
    return {"case_notes": len(rows)}


def _note(
    rng: random.Random, person: Nominal, author: User, today: date, tz: object, kind: str | None = None
) -> CaseNote:
    day = today - timedelta(days=rng.randint(1, 120))
    at = datetime.combine(day, time(rng.randint(8, 17), rng.choice([0, 15, 30, 45])), tzinfo=tz)  # type: ignore[arg-type]
    assert author.agency_id is not None
    return CaseNote(
        nominal=person,
        contact_type=kind or rng.choice(ContactType.values),
        occurred_at=at,
        outcome=rng.choice(
            [ContactOutcome.COMPLETED, ContactOutcome.ATTENDED, ContactOutcome.FAILED_TO_ATTEND]
        ),
        text=rng.choice(TEXTS),
        classification="OFFICIAL-SENSITIVE",
        agency_id=author.agency_id,
        author=author,
        created_at=at + timedelta(hours=1),
    )
