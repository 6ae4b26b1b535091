"""The plans API: same policy, services and audit as the pages; allow and deny."""

from datetime import timedelta

import pytest

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.plans import services

from ..conftest import errors_by_field, make_user, signed_in, today
from .helpers import World, soon, tactic


@pytest.fixture
def w(db) -> World:
    return World()


def _api(user, token, method, path, payload=None):
    client = signed_in(user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if method == "get":
        return client.get(path, **auth)
    return client.post(path, payload or {}, content_type="application/json", **auth)


def test_plan_api_journey_with_allow_and_deny(w, token_for):
    plan = w.plan()
    n = w.nominal.pk
    mgr, hmrc = token_for(w.manager), token_for(w.hmrc)
    # HMRC cannot see the person yet: 404, exactly like a missing one.
    forbidden = _api(w.hmrc, hmrc, "get", f"/api/nominals/{n}/plan?purpose=tasking")
    missing = _api(w.hmrc, hmrc, "get", f"/api/nominals/{n + 999}/plan?purpose=tasking")
    assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
    bad = _api(
        w.manager,
        mgr,
        "post",
        f"/api/nominals/{n}/plan/actions",
        {
            "tactic_id": tactic("hmrc-tax-investigation").pk,
            "agency_id": w.hmrc_agency.pk,
            "due_date": str(today() - timedelta(days=1)),
        },
    )
    assert bad.status_code == 409  # a date relative to today: the document cannot state it (decision 0019)
    assert errors_by_field(bad.json()) == {"due_date": ["The due date must be today or in the future"]}
    for code, agency in (("hmrc-tax-investigation", w.hmrc_agency), ("poca-cash-seizure", w.mps)):
        created = _api(
            w.manager,
            mgr,
            "post",
            f"/api/nominals/{n}/plan/actions",
            {"tactic_id": tactic(code).pk, "agency_id": agency.pk, "due_date": str(soon())},
        )
        assert created.status_code == 201
    # Now HMRC participates and can read the plan (with a purpose, which is logged).
    assert _api(w.hmrc, hmrc, "get", f"/api/nominals/{n}/plan").status_code == 422
    got = _api(w.hmrc, hmrc, "get", f"/api/nominals/{n}/plan?purpose=tasking")
    assert got.status_code == 200 and got.json()["state"] == "draft"
    assert AuditEvent.objects.filter(
        action="nominal.view", details__surface="api.plan", actor_id=w.hmrc.pk
    ).exists()
    # A partner cannot change the plan.
    assert _api(w.hmrc, hmrc, "post", f"/api/nominals/{n}/plan/request-agreement").status_code == 403
    assert (
        _api(w.manager, mgr, "post", f"/api/nominals/{n}/plan/request-agreement").json()["state"]
        == "awaiting"
    )
    officer = w.officer
    refused = _api(officer, token_for(officer), "post", f"/api/nominals/{n}/plan/agree", {"version": 1})
    assert (
        refused.status_code == 409
        and "not a participating agency" in errors_by_field(refused.json())["version"][0]
    )
    _api(w.manager, mgr, "post", f"/api/nominals/{n}/plan/agree", {"version": 1})
    done = _api(w.hmrc, hmrc, "post", f"/api/nominals/{n}/plan/agree", {"version": 1})
    assert done.status_code == 200 and done.json()["state"] == "agreed" and done.json()["agreed_version"] == 1
    mps_action = plan.actions.get(agency=w.mps)
    wrong = _api(
        w.hmrc,
        hmrc,
        "post",
        f"/api/nominals/{n}/plan/actions/{mps_action.pk}/outcomes",
        {"occurred_on": str(today()), "rating": "major", "justification": "Not ours"},
    )
    assert (
        wrong.status_code == 409
        and "only that agency can claim" in errors_by_field(wrong.json())["action"][0]
    )
    hmrc_action = plan.actions.get(agency=w.hmrc_agency)
    ok = _api(
        w.hmrc,
        hmrc,
        "post",
        f"/api/nominals/{n}/plan/actions/{hmrc_action.pk}/outcomes",
        {"occurred_on": str(today()), "rating": "moderate", "justification": "Tax assessment raised"},
    )
    assert ok.status_code == 201
    inbox = _api(w.hmrc, hmrc, "get", "/api/alerts")
    assert {a["kind"] for a in inbox.json()} == {"action_assigned", "agreement_requested"}


def test_catalogue_and_alerts_api_deny_roles_without_case_work(w, token_for):
    board = make_user("board.x", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    token = token_for(board)
    assert _api(board, token, "get", "/api/catalogue").status_code == 404
    assert _api(board, token, "get", "/api/alerts").status_code == 404
    rows = _api(w.hmrc, token_for(w.hmrc), "get", "/api/catalogue").json()
    codes = {r["code"] for r in rows}
    assert {"travel-restriction-order", "telecoms-restriction-order"} <= codes
    assert next(r for r in rows if r["code"] == "financial-reporting-order")["retired"] is True
    assert services.plan_state  # imported for the API's state names
