"""Issue 14, defect 8: every API failure answers JSON in the one error shape, including the ones
Django itself produces (an oversized body, an unknown address, a method not allowed), and a filter
that cannot match is refused (422), not answered with an empty list."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _client_and_token(user, token_for) -> tuple[Client, dict[str, str]]:
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {token_for(user)}"}


def _is_error_shape(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"] and isinstance(body["errors"], list)
    return body


def test_a_10_mb_body_answers_json_413(london_officer, token_for):
    client, auth = _client_and_token(london_officer, token_for)
    body = '{"given_names": "' + "x" * (10 * 1024 * 1024) + '"}'
    response = client.post("/api/nominals", body, content_type="application/json", **auth)
    assert "accepts at most" in _is_error_shape(response, 413)["detail"]


def test_unknown_address_and_wrong_method_answer_json(london_officer, token_for):
    client, auth = _client_and_token(london_officer, token_for)
    _is_error_shape(client.get("/api/no-such-thing", **auth), 404)
    _is_error_shape(
        client.generic("PATCH", "/api/nominals", "{}", content_type="application/json", **auth), 405
    )


def test_a_control_character_in_a_parameter_answers_json(london_officer, token_for):
    client, auth = _client_and_token(london_officer, token_for)
    body = _is_error_shape(client.get("/api/nominals?x=%00", **auth), 400)
    assert "control character" in body["detail"]


def test_an_unknown_tier_is_409_naming_the_tiers(london_manager, token_for):
    # The tiers are the active method's (data, not the document): a well-formed but unknown one is the
    # records' refusal, 409 (decision 0019).
    client, auth = _client_and_token(london_manager, token_for)
    body = _is_error_shape(client.get("/api/priority?tier=abc", **auth), 409)
    assert body["errors"][0]["field"] == "tier" and "'abc' is not a tier" in body["errors"][0]["message"]
    assert client.get("/api/priority?tier=1", **auth).status_code == 200
