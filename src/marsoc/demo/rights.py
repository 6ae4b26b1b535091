"""Demonstration data for data-subject rights: subject access requests in each state, a restricted
person (restriction managers: London's manager and officer), a correction told to two agencies, and
people due for MoPI review with one record of each due. Written through the rights services (each write
audited), except the old review decisions that make people and records due now, which the generator
writes as history."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from marsoc.accounts.models import Agency, User
from marsoc.core import access
from marsoc.nominals.models import Nominal
from marsoc.nominals.services import participation_add
from marsoc.rights import services
from marsoc.rights.models import PersonReview, RecordGroup, RecordReview, SubjectAccessRequest
from marsoc.rights.selectors import record_reviews


def _ts(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def generate_rights(*, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["london.manager", "london.officer", "national.manager"])
    }
    manager, officer, national = (
        users.get(k) for k in ("london.manager", "london.officer", "national.manager")
    )
    if manager is None or officer is None or national is None:
        return {}
    if SubjectAccessRequest.objects.exists():  # made by an earlier run (a reset removes them with the people)
        return {}
    # The newest London people the officer may see (the other demo stories use the oldest).
    visible = Nominal.objects.filter(access.scope(officer, "nominal"), owner_hub_id=manager.hub_id)
    people = list(visible.order_by("-pk")[:10])
    if not people:
        return {}
    counts = {"rights_requests": 0}
    steps = ["received", "checked", "in_review", "approved", "released"]
    for i, (person, state) in enumerate(zip(people, steps, strict=False)):
        sar = services.request_record(
            actor=officer, nominal=person, requester="The person (synthetic)", address="1 Example Street",
            received_on=today - timedelta(days=5 + 9 * i),
        )  # fmt: skip
        counts["rights_requests"] += 1
        if state == "received":
            continue
        services.request_identity(actor=officer, request=sar, evidence="Passport and a utility bill seen")
        if state == "checked":
            continue
        services.request_search(actor=manager, request=sar)
        if state == "in_review":
            continue
        for record in sar.records.filter(partner=True):
            services.record_decide(
                actor=manager, record=record, exemption="", reason="", consulted_on=today,
                consultation_note="No objection to release (synthetic)",
            )  # fmt: skip
        first = sar.records.filter(section="Intelligence").first()
        if first is not None:
            services.record_decide(
                actor=manager, record=first, exemption="crime", reason="Release would alert him to a live operation",
                consulted_on=first.consulted_on, consultation_note=first.consultation_note,
            )  # fmt: skip
        services.request_approve(actor=national, request=sar)
        if state == "released":
            services.request_export(actor=officer, request=sar, fmt="pdf")
    corrected = people[6] if len(people) > 6 else people[0]
    for code in ("nca", "hmrc"):
        agency = Agency.objects.filter(code=code).first()
        if agency is not None and not corrected.participations.filter(agency=agency).exists():
            participation_add(
                actor=manager, nominal=corrected, agency_id=agency.pk, rationale="Joint work (synthetic)"
            )
    services.rectification_record(
        actor=manager, nominal=corrected, what="Date of birth recorded as 1958, is 1985 (synthetic)",
        reason="Typing error found on a subject access request", since=corrected.created_at.date(),
    )  # fmt: skip
    if len(people) > 5:  # restricted last: the steps above must still see him
        services.person_restrict(
            actor=manager, nominal=people[5], reason="He contests the accuracy of his custody record (synthetic)",
            review_on=today + timedelta(days=60), manager_ids=[officer.pk],
        )  # fmt: skip
    old = today - timedelta(days=365 * 6 + 30)
    for person in people[7:10] or people[:1]:
        PersonReview.objects.create(
            nominal=person, record_group=RecordGroup.OTHER, reason="Retained at the last review (synthetic)",
            next_review=today - timedelta(days=10), decided_by=manager, decided_at=_ts(old),
        )  # fmt: skip
    records_due = 0
    for person in people[7:10] or people[:1]:  # and one record of each, retained then, due again now
        for due in record_reviews(person)[:1]:
            RecordReview.objects.create(
                kind=due.kind.key, record_id=due.record.pk, nominal=person, owner_hub_id=person.owner_hub_id,
                record_group=due.group, reason="Retained at the last review (synthetic)",
                next_review=today - timedelta(days=5), decided_by=manager, decided_at=_ts(old),
            )  # fmt: skip
            records_due += 1
    counts["rights_records_due"] = records_due
    counts["rights_restrictions"] = int(len(people) > 5)
    counts["rights_reviews_due"] = len(people[7:10] or people[:1])
    return counts
