"""The access rows of the OpenAPI document and /api/docs (issue 15): every role with a bearer token or a
fully signed-in session may read them (they describe the API, not anyone's data); no token, a wrong or
revoked token, or a session that passed only the password: 401 JSON."""

import pytest
from django.test import Client

from marsoc.accounts.services import api_token_revoke
from marsoc.core.vocabulary import Role

from ..conftest import make_user, signed_in
from ..test_access_matrix import ACTORS

PATHS = ("/api/openapi.json", "/api/docs")


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.key)
def test_every_role_reads_the_schema_with_a_token_and_with_a_session(db, actor, token_for):
    user = make_user(actor.key.replace("_", "."), actor.roles, hub_code=actor.hub, agency_code=actor.agency)
    token = token_for(user)
    schema = Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert schema.status_code == 200 and "/api/nominals" in schema.json()["paths"]
    assert Client().get("/api/docs", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert signed_in(user).get("/api/openapi.json").status_code == 200


@pytest.mark.parametrize("path", PATHS)
def test_no_token_a_wrong_token_or_half_a_sign_in_is_refused(db, path, token_for):
    user = make_user("docs.reader", [Role.HUB_OFFICER])
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}, {"HTTP_AUTHORIZATION": "Basic eDp5"}):
        response = Client().get(path, **headers)
        assert response.status_code == 401, headers
        assert response.json()["detail"] == "Sign in or give a valid API token"
    password_only = Client()
    password_only.force_login(user)  # a session without the second factor
    assert password_only.get(path).status_code == 401


def test_a_revoked_token_no_longer_reads_the_schema(db, token_for):
    user = make_user("docs.revoked", [Role.HUB_OFFICER])
    token = token_for(user)
    assert Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    for api_token in user.api_tokens.all():
        api_token_revoke(actor=user, token=api_token)
    assert Client().get("/api/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
