"""The API: token authentication, the same policy and audit as the pages, clear errors for bad input."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from marsoc.accounts.models import ApiToken
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Operation, Role
from marsoc.nominals.models import Nominal

from ..conftest import errors_by_field, hub, make_nominal, make_user, signed_in

pytestmark = pytest.mark.django_db


def _get(path, token, **kw):
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **kw)


def _post(path, token, body):
    return Client().post(path, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_token_lists_only_the_scope_and_logs_it(london_officer, token_for):
    mine = make_nominal(london_officer, family="Mine")
    national = make_user("nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    make_nominal(national, hub_code="wales", family="Theirs")
    token = token_for(london_officer)
    body = _get("/api/nominals", token).json()
    assert body["count"] == 1 and [r["id"] for r in body["results"]] == [mine.pk]
    event = AuditEvent.objects.filter(action="nominal.list", details__surface="api").latest("id")
    assert event.actor_id == london_officer.pk and event.details["shown"] == [mine.pk]


def test_get_requires_a_purpose_and_logs_it(london_officer, token_for):
    nominal = make_nominal(london_officer, identifiers=[("CRO", "123456/08T")])
    token = token_for(london_officer)
    missing = _get(f"/api/nominals/{nominal.pk}", token)
    assert missing.status_code == 422 and "purpose" in errors_by_field(missing.json())
    response = _get(f"/api/nominals/{nominal.pk}", token, data={"purpose": "Tasking meeting preparation"})
    assert response.status_code == 200
    assert response.json()["identifiers"] == [{"id_type": "CRO", "value": "123456/08T"}]
    event = AuditEvent.objects.filter(action="nominal.view", details__surface="api").latest("id")
    assert event.nominal_id == nominal.pk and event.justification == "Tasking meeting preparation"


def test_refer_validates_and_saves_nothing_on_error(london_officer, token_for):
    token = token_for(london_officer)
    body = {
        "given_names": "Api",
        "family_name": "Person",
        "date_of_birth": "1990-05-01",
        "sex": "M",
        "data_subject_category": "convicted",
        "owner_hub_id": hub("london").pk,
        "rationale": "Feed referral",
        "pnc": "2012/0443211A",
    }
    before = Nominal.objects.count()
    bad = _post("/api/nominals", token, body)
    assert bad.status_code == 422
    assert "should be H" in errors_by_field(bad.json())["pnc"][0]
    assert Nominal.objects.count() == before
    impossible = _post("/api/nominals", token, body | {"pnc": "", "date_of_birth": "1990-02-31"})
    assert impossible.status_code == 422 and Nominal.objects.count() == before
    good = _post("/api/nominals", token, body | {"pnc": "2012/0443211H"})
    assert good.status_code == 201
    assert good.json()["identifiers"] == [{"id_type": "PNC", "value": "2012/0443211H"}]
    assert AuditEvent.objects.filter(
        action="nominal.refer", nominal_id=good.json()["id"], operation=Operation.COLLECTION
    ).exists()


def test_refer_denied_for_read_only_roles(token_for):
    analyst = make_user("ana.lyst", [Role.ANALYST])
    body = {
        "given_names": "A",
        "family_name": "B",
        "date_of_birth": "1990-05-01",
        "sex": "M",
        "data_subject_category": "convicted",
        "owner_hub_id": hub("london").pk,
        "rationale": "x",
    }
    assert _post("/api/nominals", token_for(analyst), body).status_code == 403


def test_revoked_and_expired_tokens_are_refused(london_officer, token_for):
    token = token_for(london_officer)
    assert _get("/api/nominals", token).status_code == 200
    ApiToken.objects.filter(user=london_officer).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get("/api/nominals", token).status_code == 401
    ApiToken.objects.filter(user=london_officer).update(expires_at=None, revoked_at=timezone.now())
    assert _get("/api/nominals", token).status_code == 401


def test_search_needs_a_query_and_finds_by_identifier(london_officer, token_for):
    nominal = make_nominal(london_officer, identifiers=[("CRN", "X123456")])
    token = token_for(london_officer)
    assert _get("/api/nominals/search", token).status_code == 422
    assert [
        r["id"] for r in _get("/api/nominals/search", token, data={"q": "x123456"}).json()["results"]
    ] == [nominal.pk]


def test_bad_filter_values_are_rejected(london_officer, token_for):
    token = token_for(london_officer)
    assert _get("/api/nominals", token, data={"phase": "nonsense"}).status_code == 422
    assert _get("/api/nominals", token, data={"sort": "password"}).status_code == 422
    assert _get("/api/nominals", token, data={"page_size": 5000}).status_code == 422


def test_openapi_schema_is_served(london_officer):
    client = signed_in(london_officer)
    schema = client.get("/api/openapi.json").json()
    assert client.get("/api/docs").status_code == 200
    assert "/api/nominals" in schema["paths"] and "/api/nominals/{nominal_id}" in schema["paths"]


def test_out_of_range_and_control_characters_are_refused_cleanly(london_officer, token_for):
    token = token_for(london_officer)
    assert _get("/api/nominals", token, data={"page": 99999999999999999999}).status_code == 422
    assert _get("/api/nominals", token, data={"hub": 10**22}).status_code == 422
    assert _get("/api/nominals/99999999999999999999", token, data={"purpose": "abc"}).status_code in (
        404,
        422,
    )
    assert _get("/api/nominals", token, data={"q": "a\x00b"}).status_code == 400
    body = {
        "given_names": "A\x00",
        "family_name": "B",
        "date_of_birth": "1990-05-01",
        "sex": "M",
        "data_subject_category": "convicted",
        "owner_hub_id": hub("london").pk,
        "rationale": "x\ud800",
    }
    before = Nominal.objects.count()
    response = Client().post(
        "/api/nominals",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422 and Nominal.objects.count() == before


def test_api_docs_need_a_token_or_a_session():
    """Anonymous: the API's 401 in JSON, not a redirect to a page a script cannot sign in to."""
    for path in ("/api/docs", "/api/openapi.json"):
        response = Client().get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Sign in or give a valid API token", "errors": []}
        assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("name", ["\x01Smith", "Smi\tth", "Smith\n", "\x1bSmith"])
def test_names_refuse_control_characters(london_officer, token_for, name):
    """A control character anywhere in a name is refused at input, by the API as by the pages."""
    token = token_for(london_officer)
    body = {
        "given_names": "Api",
        "family_name": name,
        "date_of_birth": "1990-05-01",
        "sex": "M",
        "data_subject_category": "convicted",
        "owner_hub_id": hub("london").pk,
        "rationale": "Feed referral",
    }
    before = Nominal.objects.count()
    response = _post("/api/nominals", token, body)
    assert response.status_code == 422
    assert "control characters" in errors_by_field(response.json())["family_name"][0]
    assert Nominal.objects.count() == before


def test_cohort_and_api_search_tolerate_misspellings(london_officer, token_for):
    """The cohort list and the API's nominal search use the one matcher intelligence search uses
    (nominals.selectors.people_matching): "Smyth" finds Smith, the exact name first."""
    smith = make_nominal(london_officer, given="Callum", family="Smith")
    smyth = make_nominal(london_officer, given="Dean", family="Smyth")
    make_nominal(london_officer, given="Aled", family="Jones")
    token = token_for(london_officer)
    found = [r["id"] for r in _get("/api/nominals/search", token, data={"q": "Smyth"}).json()["results"]]
    assert found == [smyth.pk, smith.pk]
    listed = [r["id"] for r in _get("/api/nominals", token, data={"q": "Smiht"}).json()["results"]]
    assert smith.pk in listed and len(listed) <= 2
    page = signed_in(london_officer).get("/cohort/", {"q": "Smyth"})
    assert [n.pk for n in page.context["page"].object_list] == [smyth.pk, smith.pk]
    assert "Jones" not in page.content.decode()
