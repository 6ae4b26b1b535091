"""Single sign-on through a partner's identity provider: start, the provider's answer, and an invitation
code for a first sign-in. The decisions are in sso/services.py; these views only carry the session."""

import time
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from ..forms import InvitationCodeForm
from ..models import IdentityProvider
from ..session import NEXT, PENDING, SSO, complete_sign_in, safe_next
from . import oidc
from .claims import Assertion
from .selectors import active_provider
from .services import Refusal, Refused, SignIn, sso_refusal_record, sso_sign_in

# A verified but unlinked sign-in, kept briefly so the person can enter an invitation code.
UNLINKED = "marsoc_sso_unlinked"
UNLINKED_SECONDS = 600
CODE_TRIES = 5


def _provider(slug: str) -> IdentityProvider:
    provider = active_provider(slug)
    if provider is None:
        raise Http404("No such identity provider")
    return provider


def _refused(
    request: HttpRequest, provider: IdentityProvider, reason: Refusal, form: Any = None
) -> HttpResponse:
    offers_code = reason in (Refusal.NOT_INVITED, Refusal.WRONG_CODE) and UNLINKED in request.session
    context = {
        "provider": provider,
        "reason": reason,
        "form": form or (InvitationCodeForm() if offers_code else None),
        "offers_code": offers_code,
    }
    return render(request, "accounts/sso_refused.html", context, status=403)


def _signed_in(
    request: HttpRequest, result: SignIn, provider: IdentityProvider, id_token: str
) -> HttpResponse:
    request.session.pop(UNLINKED, None)
    signed_in_by = {"provider": provider.slug, "name": provider.name, "id_token": id_token}
    if result.provider_mfa:
        response = complete_sign_in(request, result.user, result.link)
        request.session[SSO] = signed_in_by
        return response
    # The agency does not let its provider's sign-in stand in for ours: the security code still applies.
    request.session.cycle_key()
    request.session[PENDING] = result.user.pk
    request.session[SSO] = signed_in_by
    return redirect("accounts:code")


@require_GET
def sso_start(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    request.session[NEXT] = safe_next(request, request.GET.get("next"))
    callback = request.build_absolute_uri(reverse("accounts:sso_callback", args=[provider.slug]))
    try:
        return oidc.start(request, provider, callback)
    except oidc.SignInFailed:
        sso_refusal_record(provider, Refusal.PROVIDER_ERROR)
        return _refused(request, provider, Refusal.PROVIDER_ERROR)


@require_GET
def sso_callback(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    try:
        assertion, id_token = oidc.finish(request, provider)
    except oidc.SignInFailed:
        sso_refusal_record(provider, Refusal.PROVIDER_ERROR)
        return _refused(request, provider, Refusal.PROVIDER_ERROR)
    try:
        result = sso_sign_in(provider, assertion)
    except Refused as refused:
        if refused.reason is Refusal.NOT_INVITED:
            request.session[UNLINKED] = {
                "provider": provider.slug,
                "claims": dict(assertion.claims),
                "id_token": id_token,
                "until": time.time() + UNLINKED_SECONDS,
                "tries": 0,
            }
        return _refused(request, provider, refused.reason)
    return _signed_in(request, result, provider, id_token)


@require_POST
def sso_invitation(request: HttpRequest, slug: str) -> HttpResponse:
    provider = _provider(slug)
    unlinked = request.session.get(UNLINKED) or {}
    if unlinked.get("provider") != provider.slug or unlinked.get("until", 0) < time.time():
        request.session.pop(UNLINKED, None)
        return redirect("accounts:login")
    form = InvitationCodeForm(request.POST)
    if not form.is_valid():
        return _refused(request, provider, Refusal.NOT_INVITED, form)
    unlinked["tries"] = unlinked.get("tries", 0) + 1
    if unlinked["tries"] >= CODE_TRIES:
        request.session.pop(UNLINKED)  # sign in at the provider again for more tries
    else:
        request.session[UNLINKED] = unlinked
    try:
        result = sso_sign_in(
            provider, Assertion.from_claims(unlinked["claims"]), code=form.cleaned_data["code"]
        )
    except Refused as refused:
        if refused.reason is Refusal.WRONG_CODE:
            form.add_error("code", refused.reason.label)
            return _refused(request, provider, refused.reason, form)
        return _refused(request, provider, refused.reason)
    return _signed_in(request, result, provider, unlinked.get("id_token", ""))
