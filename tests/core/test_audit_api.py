"""The audit log through the API (issue 15): inspectors filter, page and export; reading is logged, the
export as a disclosure; anyone else gets 404, as on the page."""

import pytest
from django.test import Client

from marsoc.core import api as audit_api
from marsoc.core.actions import AuditAction
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import make_nominal, make_user


def _get(token: str, path: str):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def logged(db):
    officer = make_user("london.officer", [Role.HUB_OFFICER])
    people = [make_nominal(officer, family=f"Audited{i}") for i in range(3)]
    return officer, people


def test_inspector_filters_and_pages_the_log(logged, token_for):
    _officer, people = logged
    inspector = make_user("inspector", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    token = token_for(inspector)
    about = _get(token, f"/api/audit/events?nominal_id={people[1].pk}").json()
    expected = AuditEvent.objects.filter(nominal_id=people[1].pk).count()
    assert about["count"] == expected >= 1
    assert all(people[1].pk == e["nominal_id"] or people[1].pk in e["subjects"] for e in about["results"])
    first = about["results"][0]
    assert first["action_label"] == AuditAction(first["action"]).label and first["operation_label"]
    by_user = _get(token, "/api/audit/events?user=london.officer&page_size=2").json()
    assert by_user["page_size"] == 2 and len(by_user["results"]) == 2
    assert all(e["actor"].startswith("london.officer (") for e in by_user["results"])
    second = _get(token, "/api/audit/events?user=london.officer&page_size=2&page=2").json()
    assert {e["id"] for e in second["results"]}.isdisjoint({e["id"] for e in by_user["results"]})
    # Reading the log is itself in the log, with the filters used.
    browsed = AuditEvent.objects.filter(action=AuditAction.AUDIT_BROWSE, actor=inspector)
    assert browsed.count() == 3 and browsed.first().details["filters"]["surface"] == "api"
    backwards = _get(token, "/api/audit/events?date_from=2026-02-01&date_to=2026-01-01")
    assert backwards.status_code == 409 and "date_to" in str(backwards.json()["errors"])


def test_export_is_a_disclosure_and_has_a_limit(logged, token_for, monkeypatch):
    inspector = make_user("inspector", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    token = token_for(inspector)
    everything = AuditEvent.objects.count()
    got = _get(token, "/api/audit/export").json()
    assert got["count"] == len(got["results"]) == everything
    export = AuditEvent.objects.get(action=AuditAction.AUDIT_EXPORT)
    assert export.operation == "disclosure" and export.recipients == ["inspector"]
    assert export.details["rows"] == everything
    monkeypatch.setattr(audit_api, "EXPORT_LIMIT", 2)
    too_many = _get(token, "/api/audit/export")
    assert too_many.status_code == 409 and "narrow" in too_many.json()["detail"]
    assert AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORT).count() == 1  # nothing given out


def test_no_one_but_an_inspector_reads_the_log(logged, token_for):
    officer, _ = logged
    for user in (
        officer,
        make_user("london.manager", [Role.HUB_MANAGER]),
        make_user("sysadmin", [Role.SYSTEM_ADMIN], hub_code=None, agency_code="hmpps-marsoc"),
    ):
        token = token_for(user)
        for path in ("/api/audit/events", "/api/audit/export"):
            assert _get(token, path).status_code == 404, (user.username, path)
    assert not AuditEvent.objects.filter(
        action__in=[AuditAction.AUDIT_BROWSE, AuditAction.AUDIT_EXPORT]
    ).exists()
