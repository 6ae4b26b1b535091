"""API tokens for partner systems (issue 15): each token's own rate limit answers 429 with Retry-After
once the minute's allowance is spent (every web worker counts on the token's row), expiry ends a token,
and rotation gives a new secret while the old one keeps working for the grace period asked for.
Rotation's allow and deny rows: any token holder rotates the token it calls with (201, audited); a
signed-in browser session without a token, an expired or a revoked token cannot (401)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from marsoc.accounts.models import ApiToken
from marsoc.accounts.services import api_token_issue, api_token_revoke
from marsoc.core.audit import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import make_user, signed_in


def _get(raw: str, path: str = "/api/nominals") -> object:
    return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_token_over_its_limit_gets_429_with_retry_after_and_others_are_unaffected(db):
    feed = make_user("feed.system", [Role.HUB_OFFICER])
    token, raw = api_token_issue(user=feed, name="feed")
    ApiToken.objects.filter(pk=token.pk).update(rate_per_minute=3)
    _, other = api_token_issue(user=feed, name="other")
    answers = [_get(raw) for _ in range(4)]
    assert [a.status_code for a in answers[:3]] == [200, 200, 200]
    limited = answers[3]
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 60
    assert (
        limited.json() == {"detail": limited.json()["detail"], "errors": []}
        and "Retry-After" in limited.json()["detail"]
    )
    assert _get(raw, "/api/openapi.json").status_code == 429  # the document counts too
    assert _get(other).status_code == 200  # the limit is the token's, not the holder's
    # The next minute starts a new allowance.
    ApiToken.objects.filter(pk=token.pk).update(window_start=timezone.now() - timedelta(minutes=2))
    assert _get(raw).status_code == 200


def test_the_document_says_429_and_retry_after_for_every_operation(db):
    from marsoc.config.api import api

    for methods in api.get_openapi_schema()["paths"].values():
        for operation in methods.values():
            assert "Retry-After" in operation["responses"][429]["headers"]


def test_rotation_gives_a_new_secret_and_the_old_one_ends_after_the_grace(db):
    feed = make_user("feed.rotate", [Role.PARTNER_OFFICER], agency_code="probation-london")
    token, raw = api_token_issue(user=feed, name="probation feed")
    ApiToken.objects.filter(pk=token.pk).update(rate_per_minute=100)
    answer = Client().post(
        "/api/tokens/rotate",
        {"grace_hours": 2},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    new = ApiToken.objects.get(prefix=body["prefix"])
    assert (
        new.user == feed
        and new.name == "probation feed"
        and new.rate_per_minute == 100
        and new.rotated_from_id == token.pk
    )
    token.refresh_from_db()
    assert timedelta(hours=1, minutes=59) < token.expires_at - timezone.now() <= timedelta(hours=2)
    assert _get(body["token"]).status_code == 200 and _get(raw).status_code == 200  # both, during the grace
    event = AuditEvent.objects.get(action="api_token.rotate")
    assert event.actor_id == feed.pk and event.details["previous"] == token.prefix
    assert body["token"] not in str(event.details)  # the secret is never recorded
    # After the grace the old token is refused like an unknown one.
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get(raw).status_code == 401 and _get(body["token"]).status_code == 200


@pytest.mark.parametrize("how", ["session", "expired", "revoked"])
def test_rotation_is_refused_without_a_live_token(db, how):
    user = make_user(f"rot.{how}", [Role.HUB_MANAGER])
    token, raw = api_token_issue(user=user, name="script")
    client, headers = Client(), {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if how == "session":
        client, headers = signed_in(user), {}
    elif how == "expired":
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        api_token_revoke(actor=user, token=token)
    answer = client.post("/api/tokens/rotate", {}, content_type="application/json", **headers)
    assert answer.status_code == 401
    assert ApiToken.objects.filter(user=user).count() == 1
    assert not AuditEvent.objects.filter(action="api_token.rotate").exists()
