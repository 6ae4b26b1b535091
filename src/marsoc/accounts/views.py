"""Sign-in with a password and a TOTP code, enrolment of an authenticator app, sign-out, password change."""

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, logout
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from .forms import CodeForm, EnrolForm, SignInForm
from .models import User
from .selectors import active_user, unconfirmed_device
from .services import totp_device, totp_enrol_confirm, totp_enrol_start
from .session import NEXT, PENDING, SSO, complete_sign_in, safe_next
from .sso.oidc import provider_logout_url
from .sso.selectors import sign_in_providers


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
    providers = sign_in_providers()
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if getattr(request, "axes_locked_out", False):
            return render(request, "accounts/locked_out.html", status=429)
        if user is None:
            form.add_error(None, "The username or password is not right")
        else:
            request.session.cycle_key()
            request.session.pop(SSO, None)
            request.session[PENDING] = user.pk
            request.session[NEXT] = safe_next(request, request.GET.get("next"))
            return redirect("accounts:code")
    return render(
        request,
        "accounts/sign_in.html",
        {"form": form, "providers": providers, "next": request.GET.get("next", "")},
    )


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING)
    return active_user(pk)


def sign_in_code(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    device = totp_device(user)
    if device is None:
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # verify_token applies django-otp's throttling: repeated wrong codes are refused for a while.
        if device.verify_token(form.cleaned_data["code"]):
            return complete_sign_in(request, user, device)
        form.add_error("code", "The security code is not right, or it has expired")
    return render(request, "accounts/code.html", {"form": form})


ENROL_DEVICE = "marsoc_enrol_device"


def sign_in_enrol(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("accounts:login")
    if totp_device(user) is not None:
        return redirect("accounts:code")
    form = EnrolForm(request.POST or None)
    device = None
    if request.method == "POST":
        device = unconfirmed_device(user, request.session.get(ENROL_DEVICE))
    if request.method == "POST" and device is not None and form.is_valid():
        if totp_enrol_confirm(device, form.cleaned_data["code"], form.cleaned_data["enrolment_code"]):
            request.session.pop(ENROL_DEVICE, None)
            return complete_sign_in(request, user, device)
        form.add_error(None, "The enrolment code or the security code is not right. Check both and try again")
    if device is None:
        # A new secret on every visit: one seen earlier (by anyone) can never be confirmed later.
        device = totp_enrol_start(user)
        request.session[ENROL_DEVICE] = device.pk
        if request.method == "POST":
            form = EnrolForm()
            form.add_error(None, "Scan the new code below and try again")
    secret = base64.b32encode(bytes.fromhex(device.key)).decode("ascii")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="Set-up QR code")
    return render(request, "accounts/enrol.html", {"form": form, "secret": secret, "qr_svg": qr_svg})


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """Ends our session; after a single sign-on, also at the provider where it offers RP-initiated logout."""
    signed_in_by = request.session.get(SSO) or {}
    logout(request)
    messages.info(request, "You have signed out")
    elsewhere = provider_logout_url(
        signed_in_by.get("provider"),
        id_token=signed_in_by.get("id_token"),
        return_to=request.build_absolute_uri(str(reverse_lazy("accounts:login"))),
    )
    if elsewhere is None:
        return redirect("accounts:login")
    # A page, not a redirect: the form-action policy (rightly) stops a form's redirect to another origin.
    provider_name = signed_in_by.get("name") or "your organisation's sign-in"
    return render(
        request, "accounts/signed_out.html", {"elsewhere": elsewhere, "provider_name": provider_name}
    )


class ChangePassword(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed")
        return response
