"""API authentication: bearer tokens for scripts and service accounts, or a fully signed-in session."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja.security import HttpBearer, SessionAuth

from marsoc.core.api_errors import rate_limited_response
from marsoc.core.errors import PermissionDenied, RateLimited

from .models import TokenScope
from .services import api_token_authenticate


class TokenAuth(HttpBearer):
    """A bearer token. `scope` is what the operation needs: a token of another narrower scope (a partner
    system's feed token on anything but the feed operations) is refused with 403 saying why."""

    openapi_scheme = "bearer"

    def __init__(self, scope: str = TokenScope.ALL) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            held = user.api_token.scope  # type: ignore[attr-defined]  # set by api_token_authenticate
            if held != TokenScope.ALL and held != self.scope:
                raise PermissionDenied(
                    "This token may only push and follow feed extracts (a partner system's feed token)"
                )
            request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """A browser session counts only once both factors have been passed."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is not None and getattr(user, "is_verified", lambda: False)():
            return user
        return None


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The OpenAPI document and /api/docs are for the clients that code against them: a valid bearer
    token or a fully signed-in session reads them; anyone else gets the API's 401 (JSON, with
    WWW-Authenticate), never a redirect to a sign-in page a script cannot follow."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # The token is checked without making its user the request's user: the docs page is rendered
        # with the site's templates, which expect a session user.
        scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
        try:
            user = (scheme.lower() == "bearer" and raw.strip() and api_token_authenticate(raw.strip())) or (
                VerifiedSessionAuth()(request)
            )
        except RateLimited as limited:
            return rate_limited_response(limited)
        if not user:
            response = JsonResponse({"detail": "Sign in or give a valid API token", "errors": []}, status=401)
            response["WWW-Authenticate"] = "Bearer"
            return response
        return view(request, *args, **kwargs)

    return guarded
