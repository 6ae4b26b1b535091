"""A subject access request (DPA 2018 s.45) from receipt to release: the deadline, identity, the search
through every app's holdings, exemptions record by record, consultation of partner agencies, a second
manager's approval, and the response as PDF, JSON and CSV, each audited as a disclosure to the person."""

import json
from datetime import date, timedelta

import pytest

from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.rights import services
from marsoc.rights.models import RequestStatus
from marsoc.rights.selectors import add_months

from ..conftest import make_user, signed_in, today, with_purpose
from .helpers import full_person


def test_a_month_is_a_calendar_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert add_months(date(2024, 1, 30), 1) == date(2024, 2, 29)


@pytest.fixture
def full(db):
    return full_person()


def test_request_from_receipt_to_release(full):
    second = make_user("full.mgr2", [Role.HUB_MANAGER])
    with pytest.raises(ValidationFailed) as exc:
        services.request_record(
            actor=full.officer,
            nominal=full.nominal,
            requester=" ",
            address="",
            received_on=today() + timedelta(days=1),
        )
    assert set(exc.value.errors) == {"requester", "received_on"}
    sar = services.request_record(
        actor=full.officer,
        nominal=full.nominal,
        requester="The person",
        address="1 High St",
        received_on=today(),
    )
    assert sar.due_on == add_months(today(), 1) and sar.status == RequestStatus.RECEIVED
    with pytest.raises(PermissionDenied):
        services.request_search(actor=full.officer, request=sar)  # identity first
    services.request_identity(actor=full.officer, request=sar, evidence="Passport seen")
    with pytest.raises(ValidationFailed):
        services.request_extend(
            actor=full.officer, request=sar, to=add_months(sar.due_on, 3), reason="Complex"
        )
    services.request_extend(actor=full.officer, request=sar, to=add_months(sar.due_on, 2), reason="Complex")
    found = services.request_search(actor=full.manager, request=sar)
    sections = set(sar.records.values_list("section", flat=True))
    assert found == sar.records.count() > 25
    assert {"Record", "Custody events", "Assessments", "Plan actions", "Intelligence", "Case notes",
            "Partner records", "Group memberships"} <= sections  # fmt: skip
    # Withhold one item, with its reason; a partner's item needs its agency consulted before approval.
    item = sar.records.get(reference=full.item.reference, section="Intelligence")
    with pytest.raises(ValidationFailed) as exc:
        services.record_decide(
            actor=full.manager,
            record=item,
            exemption="crime",
            reason="",
            consulted_on=None,
            consultation_note="",
        )
    assert "reason" in exc.value.errors
    services.record_decide(
        actor=full.manager,
        record=item,
        exemption="crime",
        reason="Live operation",
        consulted_on=None,
        consultation_note="",
    )
    partner = sar.records.filter(partner=True)
    assert partner.filter(reference=full.shared_item.reference).exists()
    with pytest.raises(PermissionDenied, match="Another manager"):
        services.request_approve(actor=full.manager, request=sar)  # the searcher does not approve
    with pytest.raises(PermissionDenied, match="consulted"):
        services.request_approve(actor=second, request=sar)
    for record in partner:
        services.record_decide(
            actor=full.manager,
            record=record,
            exemption="",
            reason="",
            consulted_on=today(),
            consultation_note="No objection",
        )
    with pytest.raises(PermissionDenied):
        services.request_export(actor=full.manager, request=sar, fmt="pdf")  # not approved yet
    services.request_approve(actor=second, request=sar)
    sar.refresh_from_db()
    assert sar.status == RequestStatus.APPROVED and sar.approved_by == second
    pdf = services.request_export(actor=full.officer, request=sar, fmt="pdf")
    assert pdf.content.startswith(b"%PDF") and pdf.content_type == "application/pdf"
    body = json.loads(services.request_export(actor=full.officer, request=sar, fmt="json").content)
    released = {r["record"] for r in body["records"]}
    assert full.shared_item.reference in released and body["withheld"] == 1
    assert not any(
        r["record"] == full.item.reference and r["section"] == "Intelligence" for r in body["records"]
    )
    csv = services.request_export(actor=full.officer, request=sar, fmt="csv").content.decode()
    assert csv.startswith("section,record,field,value") and "Everywhere" in csv
    sar.refresh_from_db()
    assert sar.status == RequestStatus.RELEASED
    exports = AuditEvent.objects.filter(action="rights.request.export", nominal_id=full.nominal.pk)
    assert exports.count() == 3
    for event in exports:
        assert event.operation == "disclosure" and event.recipients == ["the data subject (The person)"]
        assert list(event.subjects.values_list("nominal_id", flat=True)) == [full.nominal.pk]
    actions = set(AuditEvent.objects.filter(nominal_id=full.nominal.pk).values_list("action", flat=True))
    assert {"rights.request.record", "rights.request.identity", "rights.request.extend", "rights.request.search",
            "rights.request.decide", "rights.request.approve"} <= actions  # fmt: skip


def test_only_the_owner_hub_handles_requests(full):
    york = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber")
    analyst = make_user("london.an", [Role.ANALYST])
    for user in (york, analyst):
        with pytest.raises(NotFoundOrForbidden):
            services.request_record(
                actor=user, nominal=full.nominal, requester="X", address="", received_on=today()
            )


def test_the_pages_walk_the_request(full):
    client = with_purpose(signed_in(full.manager), full.nominal)
    page = client.get(f"/rights/people/{full.nominal.pk}/")
    assert page.status_code == 200 and "Subject access requests" in page.content.decode()
    bad = client.post(f"/rights/people/{full.nominal.pk}/requests/new/", {"requester": ""})
    assert bad.status_code == 200 and "Enter who made the request" in bad.content.decode()
    made = client.post(
        f"/rights/people/{full.nominal.pk}/requests/new/",
        {
            "requester": "The person",
            "received_on_day": today().day,
            "received_on_month": today().month,
            "received_on_year": today().year,
        },
    )
    sar_id = int(made["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/rights/requests/{sar_id}/identity/", {"evidence": "Passport"}).status_code == 302
    assert client.post(f"/rights/requests/{sar_id}/search/").status_code == 302
    body = client.get(f"/rights/requests/{sar_id}/").content.decode()
    assert "Consult before release" in body and "Another manager must approve" in body
    assert client.get(f"/rights/requests/{sar_id}/response.pdf").status_code == 302  # not approved: back
    assert client.get("/rights/").status_code == 200
