"""Every signed-in page needs both factors; a session that somehow has only one is sent back."""

from collections.abc import Callable

from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

OPEN_PREFIXES = ("/sign-in", "/static/", "/assets/", "/api/", "/healthz", "/readyz", "/favicon")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
        ):
            logout(request)
            return redirect("accounts:login")
        return self.get_response(request)
