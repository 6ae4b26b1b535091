"""What a sign-in keeps in the session between its steps, shared by the password and the single sign-on
routes: who is part-way through, where they were going, and how the sign-in ends."""

from typing import Any

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login

from .models import User

PENDING = "marsoc_pending_user"
NEXT = "marsoc_next"
# Which identity provider signed this session in, and its ID token (for signing out there too).
SSO = "marsoc_sso"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return reverse("web:home")


def complete_sign_in(request: HttpRequest, user: User, device: Any) -> HttpResponse:
    """Both factors passed: sign the person in, verified by `device`, and send them on."""
    destination = request.session.get(NEXT) or reverse("web:home")
    login(request, user, backend="marsoc.accounts.backends.UserBackend")
    otp_login(request, device)
    request.session.pop(PENDING, None)
    return redirect(destination)
