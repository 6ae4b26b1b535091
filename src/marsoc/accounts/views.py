"""Sign-in with a password and a TOTP code, enrolment of an authenticator app, sign-out, password change."""

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from .forms import CodeForm, EnrolForm, SignInForm
from .models import User
from .selectors import active_user, unconfirmed_device
from .services import totp_device, totp_enrol_confirm, totp_enrol_start

PENDING = "marsoc_pending_user"
NEXT = "marsoc_next"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return str(reverse_lazy("web:home"))


def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST or None)
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
            request.session[PENDING] = user.pk
            request.session[NEXT] = _safe_next(request, request.GET.get("next"))
            return redirect("accounts:code")
    return render(request, "accounts/sign_in.html", {"form": form})


def _pending_user(request: HttpRequest) -> User | None:
    pk = request.session.get(PENDING)
    return active_user(pk)


def _complete(request: HttpRequest, user: User, device: Any) -> HttpResponse:
    destination = request.session.get(NEXT) or str(reverse_lazy("web:home"))
    login(request, user, backend="marsoc.accounts.backends.UserBackend")
    otp_login(request, device)
    return redirect(destination)


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
            return _complete(request, user, device)
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
            return _complete(request, user, device)
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
    logout(request)
    messages.info(request, "You have signed out")
    return redirect("accounts:login")


class ChangePassword(PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed")
        return response
