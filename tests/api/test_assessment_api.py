"""The assessment API: methods, dry runs, assessments, tier decisions, the priority list and reviews,
under the same policy and audit as the pages."""

import pytest
from django.test import Client

from marsoc.assessment import services
from marsoc.assessment.models import Assessment, MethodDryRun
from marsoc.core.models import AuditEvent, AuditSubject
from marsoc.core.vocabulary import Role

from ..assessment.test_dry_run import candidate_text
from ..assessment.test_method import WORKED_GRADES, WORKED_LEVELS
from ..conftest import errors_by_field, make_nominal, make_user

pytestmark = pytest.mark.django_db


def _get(path, token):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def _post(path, token, body):
    return Client().post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def people(london_officer):
    mine = make_nominal(london_officer, family="Mine")
    national = make_user("nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    theirs = make_nominal(national, hub_code="wales", family="Theirs")
    return mine, theirs, national


def test_submit_and_read_an_assessment(people, london_officer, token_for):
    mine, _theirs, _national = people
    token = token_for(london_officer)
    response = _post(
        f"/api/nominals/{mine.pk}/assessments",
        token,
        {"levels": WORKED_LEVELS, "grades": WORKED_GRADES, "evidence": {"community": "Intel log 42"}},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["score"] == 77.7 and body["tier"] == "1" and body["confidence_band"] == "Medium"
    assert body["top_factors"][0] == "community" and body["is_current"]
    community = next(f for f in body["factors"] if f["code"] == "community")
    assert community["evidence"] == "Intel log 42" and community["contribution"] > 0
    history = _get(f"/api/nominals/{mine.pk}/assessments?purpose=case+review", token)
    assert history.status_code == 200 and [a["id"] for a in history.json()] == [body["id"]]
    assert AuditEvent.objects.filter(
        action="nominal.view", details__surface="api_assessments", nominal_id=mine.pk
    ).exists()
    assert _get(f"/api/nominals/{mine.pk}/assessments", token).status_code == 422  # no purpose


def test_bad_levels_name_the_factor_and_save_nothing(people, london_officer, token_for):
    mine, _theirs, _national = people
    levels = dict(WORKED_LEVELS)
    levels.pop("weapons")
    response = _post(f"/api/nominals/{mine.pk}/assessments", token_for(london_officer), {"levels": levels})
    # The factors are the active method's: the document cannot list them, so a missing one is 409.
    assert response.status_code == 409 and "level_weapons" in errors_by_field(response.json())
    assert not Assessment.objects.filter(nominal=mine).exists()


def test_another_hubs_person_is_404_like_a_missing_one(people, london_officer, token_for):
    _mine, theirs, _national = people
    token = token_for(london_officer)
    forbidden = _get(f"/api/nominals/{theirs.pk}/assessments?purpose=case+review", token)
    missing = _get(f"/api/nominals/{theirs.pk + 999}/assessments?purpose=case+review", token)
    assert forbidden.status_code == missing.status_code == 404 and forbidden.json() == missing.json()
    posted = _post(f"/api/nominals/{theirs.pk}/assessments", token, {"levels": WORKED_LEVELS})
    assert posted.status_code == 404 and not Assessment.objects.filter(nominal=theirs).exists()


def test_tier_decision_needs_a_hub_manager(people, london_officer, london_manager, token_for):
    mine, _theirs, _national = people
    services.assessment_submit(actor=london_officer, nominal=mine, levels=WORKED_LEVELS)
    refused = _post(
        f"/api/nominals/{mine.pk}/tier", token_for(london_officer), {"decided_tier": "1", "rationale": "ok"}
    )
    assert refused.status_code == 403
    too_short = _post(
        f"/api/nominals/{mine.pk}/tier", token_for(london_manager), {"decided_tier": "2", "rationale": "no"}
    )
    assert too_short.status_code == 409 and "rationale" in errors_by_field(too_short.json())
    decided = _post(
        f"/api/nominals/{mine.pk}/tier",
        token_for(london_manager),
        {"decided_tier": "2", "rationale": "The hub holds context the factors do not capture"},
    )
    assert decided.status_code == 201 and decided.json()["disagrees"] is True


def test_priority_list_is_scoped_ranked_and_logged(people, london_officer, token_for):
    mine, theirs, national = people
    low = {code: 1 for code in WORKED_LEVELS}
    services.assessment_submit(actor=london_officer, nominal=mine, levels=low)
    services.assessment_submit(actor=national, nominal=theirs, levels=WORKED_LEVELS)
    hub_view = _get("/api/priority", token_for(london_officer)).json()
    assert hub_view["count"] == 1 and [r["nominal_id"] for r in hub_view["results"]] == [mine.pk]
    analyst = make_user(
        "nat.analyst", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    national_view = _get("/api/priority", token_for(analyst)).json()
    assert [r["nominal_id"] for r in national_view["results"]] == [theirs.pk, mine.pk]
    assert [r["rank"] for r in national_view["results"]] == [1, 2]
    assert national_view["results"][0]["tier"] == "1" and national_view["results"][0]["phase"]
    event = AuditEvent.objects.filter(action="priority.list", actor=analyst).latest("id")
    assert set(AuditSubject.objects.filter(event=event).values_list("nominal_id", flat=True)) == {
        mine.pk,
        theirs.pk,
    }
    tier1 = _get("/api/priority?tier=1", token_for(analyst)).json()
    assert [r["nominal_id"] for r in tier1["results"]] == [theirs.pk]
    partner = make_user("partner", [Role.PARTNER_OFFICER], agency_code="probation-london")
    assert _get("/api/priority", token_for(partner)).status_code == 404
    assert _get("/api/reviews", token_for(partner)).status_code == 404
    assert _get("/api/reviews", token_for(london_officer)).status_code == 200


def test_methods_and_dry_runs(people, london_officer, token_for):
    mine, _theirs, _national = people
    services.assessment_submit(actor=london_officer, nominal=mine, levels={c: 2 for c in WORKED_LEVELS})
    analyst = make_user(
        "nat.analyst", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    token = token_for(analyst)
    methods = _get("/api/methods", token).json()
    assert [m["status"] for m in methods] == ["active"]
    detail = _get(f"/api/methods/{methods[0]['id']}", token).json()
    assert len(detail["factors"]) == 20 and [t["code"] for t in detail["tiers"]] == ["1", "2", "3", "4"]
    candidate = services.method_load(actor=analyst, text=candidate_text())
    assert _post(f"/api/methods/{candidate.pk}/dry-runs", token_for(london_officer), {}).status_code == 404
    queued = _post(f"/api/methods/{candidate.pk}/dry-runs", token, {})
    assert queued.status_code == 202, queued.content
    run = MethodDryRun.objects.get(candidate=candidate)
    body = _get(f"/api/dry-runs/{run.pk}", token).json()
    assert body["status"] == "done" and body["changed"] == 1 and body["changes_count"] == 1
    assert body["changes"][0]["nominal_id"] == mine.pk and body["changes"][0]["new_tier"] == "2"
    assert _get(f"/api/dry-runs/{run.pk}", token_for(london_officer)).status_code == 404
    assert (
        _get("/api/methods", token_for(make_user("board", [Role.BOARD_MEMBER], hub_code=None))).status_code
        == 404
    )
