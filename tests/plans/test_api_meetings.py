"""The meetings and orders API (issue 15): same selectors, services, policy and s.62 records as the pages;
allow and deny for each operation."""

from datetime import timedelta

import pytest
from django.test import Client

from marsoc.accounts.models import Hub
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.plans.models import Order, OrderBreach
from marsoc.plans.services import meetings

from ..conftest import errors_by_field, make_user, today
from .helpers import World


@pytest.fixture
def w(db) -> World:
    return World()


def _client(token: str) -> tuple[Client, dict[str, str]]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_meetings_list_read_and_packs(w, token_for):
    london = Hub.objects.get(code="london")
    meeting = meetings.meeting_schedule(
        actor=w.manager, hub_id=london.pk, held_on=today(), title="London T&CG"
    )
    meetings.meeting_decision_add(actor=w.manager, meeting=meeting, text="Refer to HMRC", nominal=w.nominal)
    client, auth = _client(token_for(w.manager))
    listed = client.get("/api/meetings", **auth).json()
    assert [m["id"] for m in listed] == [meeting.pk] and listed[0]["status_label"] == "Scheduled"
    got = client.get(f"/api/meetings/{meeting.pk}", **auth).json()
    assert got["decisions"] == [{"text": "Refer to HMRC", "nominal_id": w.nominal.pk}]
    assert "referrals" in got["agenda"] and got["hub"] == "london"
    assert AuditEvent.objects.filter(action="meeting.view", actor=w.manager).exists()
    for kind, action in (("pack", "meeting.pack_pdf"), ("minutes", "meeting.minutes_pdf")):
        response = client.get(f"/api/meetings/{meeting.pk}/{kind}.pdf", **auth)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        disclosed = AuditEvent.objects.filter(action=action).latest("id")
        assert disclosed.operation == "disclosure" and disclosed.actor_id == w.manager.pk
    # Another hub's manager and a partner do not see London's meeting: 404, as a missing one.
    york = make_user("york.mgr", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu")
    y_client, y_auth = _client(token_for(york))
    assert y_client.get("/api/meetings", **y_auth).json() == []
    for path in (f"/api/meetings/{meeting.pk}", f"/api/meetings/{meeting.pk}/pack.pdf"):
        hidden, missing = (
            y_client.get(path, **y_auth),
            y_client.get(path.replace(str(meeting.pk), "999999"), **y_auth),
        )
        assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    h_client, h_auth = _client(token_for(w.hmrc))
    assert h_client.get("/api/meetings", **h_auth).status_code == 404


def test_orders_recorded_read_and_breached(w, token_for):
    w.plan()
    n = w.nominal.pk
    client, auth = _client(token_for(w.manager))
    future = client.post(
        f"/api/nominals/{n}/orders",
        {
            "order_type": "scpo",
            "start_date": str(today() + timedelta(days=1)),
            "end_date": str(today() + timedelta(days=30)),
        },
        "application/json",
        **auth,
    )
    assert future.status_code == 409  # relative to today: a refusal in context
    assert "start_date" in errors_by_field(future.json())
    assert not Order.objects.exists()
    as_number = client.post(
        f"/api/nominals/{n}/orders",
        {"order_type": "scpo", "start_date": 0, "end_date": "2000-01-01"},
        "application/json",
        **auth,
    )
    assert as_number.status_code == 422 and "start_date" in errors_by_field(as_number.json())
    assert not Order.objects.exists()  # a number is not a date, though pydantic would take it as 1970
    created = client.post(
        f"/api/nominals/{n}/orders",
        {
            "order_type": "scpo",
            "start_date": str(today() - timedelta(days=10)),
            "end_date": str(today() + timedelta(days=300)),
            "conditions": "No more than one phone",
        },
        "application/json",
        **auth,
    )
    assert created.status_code == 201
    order_id = created.json()["id"]
    breach = client.post(
        f"/api/nominals/{n}/orders/{order_id}/breaches",
        {"occurred_on": str(today()), "details": "Second phone found at address"},
        "application/json",
        **auth,
    )
    assert breach.status_code == 201 and OrderBreach.objects.filter(order_id=order_id).count() == 1
    assert client.get(f"/api/nominals/{n}/orders", **auth).status_code == 422  # no purpose stated
    listed = client.get(f"/api/nominals/{n}/orders?purpose=tasking+review", **auth).json()
    assert listed[0]["order_type_label"] == "Serious Crime Prevention Order"
    assert listed[0]["breaches"][0]["details"] == "Second phone found at address"
    consult = AuditEvent.objects.filter(action="nominal.view", nominal_id=n).latest("id")
    assert consult.justification == "tasking review" and consult.details["surface"] == "api.orders"
    assert AuditEvent.objects.filter(action="order.record", nominal_id=n).count() == 1
    # HMRC does not participate: the person, the orders and a write all answer 404.
    h_client, h_auth = _client(token_for(w.hmrc))
    assert h_client.get(f"/api/nominals/{n}/orders?purpose=tasking", **h_auth).status_code == 404
    denied = h_client.post(
        f"/api/nominals/{n}/orders",
        {"order_type": "fro", "start_date": str(today()), "end_date": str(today() + timedelta(days=9))},
        "application/json",
        **h_auth,
    )
    assert denied.status_code == 404 and Order.objects.count() == 1
