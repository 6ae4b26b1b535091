"""Sign-in with password and TOTP, enrolment, lockout, sign-out, password change and session settings."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from marsoc.accounts.services import enrolment_code_issue
from marsoc.core.errors import ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role

from ..conftest import PASSWORD, make_user, signed_in

pytestmark = pytest.mark.django_db


def _code(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def test_two_step_sign_in(london_officer):
    client = Client()
    response = client.post("/sign-in/", {"username": "london.off", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/sign-in/code/"
    # Password alone is not a session: protected pages still send you to sign in.
    assert client.get("/cohort/").status_code == 302
    wrong = client.post("/sign-in/code/", {"code": "000000" if _code("london.off") != "000000" else "111111"})
    assert wrong.status_code == 200 and "not right" in wrong.content.decode()
    # django-otp throttles after a failure (1 s, doubling): even the right code is refused meanwhile.
    assert client.post("/sign-in/code/", {"code": _code("london.off")}).status_code == 200
    TOTPDevice.objects.filter(user__username="london.off").update(throttling_failure_timestamp=None)
    response = client.post("/sign-in/code/", {"code": _code("london.off")})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/cohort/").status_code == 200


def test_wrong_password_is_refused_without_saying_which_part(london_officer):
    response = Client().post("/sign-in/", {"username": "london.off", "password": "wrong"})
    assert response.status_code == 200
    assert "The username or password is not right" in response.content.decode()


def test_lockout_after_five_failures(london_officer):
    client = Client()
    for _ in range(5):
        client.post("/sign-in/", {"username": "london.off", "password": "wrong"})
    response = client.post("/sign-in/", {"username": "london.off", "password": PASSWORD})
    assert response.status_code in (403, 429)
    assert "locked" in response.content.decode().lower()


def _start_enrolment(username):
    client = Client()
    client.post("/sign-in/", {"username": username, "password": PASSWORD})
    assert client.get("/sign-in/code/")["Location"] == "/sign-in/set-up/"
    page = client.get("/sign-in/set-up/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    return client, device


def test_first_sign_in_enrols_an_authenticator_with_the_enrolment_code():
    user = make_user("new.starter", [Role.HUB_OFFICER])
    code = enrolment_code_issue(actor=None, user=user)
    client, device = _start_enrolment("new.starter")
    totp = f"{TOTP(device.bin_key).token():06d}"
    refused = client.post("/sign-in/set-up/", {"enrolment_code": "0000-0000-0000", "code": totp})
    assert refused.status_code == 200 and "not right" in refused.content.decode()
    assert client.post("/sign-in/set-up/", {"enrolment_code": code.lower(), "code": totp})["Location"] == "/"
    assert TOTPDevice.objects.get(user=user).confirmed
    user.refresh_from_db()
    assert user.enrolment_code_hash == ""  # one use only
    assert AuditEvent.objects.filter(action="user.authenticator_enrolled", object_id=str(user.pk)).exists()


def test_password_alone_cannot_plant_an_authenticator():
    """An attacker with the password sees a secret; it is discarded before the real user enrols."""
    user = make_user("target.user", [Role.HUB_OFFICER])
    code = enrolment_code_issue(actor=None, user=user)
    _attacker, attacker_device = _start_enrolment("target.user")
    attacker_key = attacker_device.key
    victim, victim_device = _start_enrolment("target.user")
    assert victim_device.key != attacker_key
    assert not TOTPDevice.objects.filter(key=attacker_key).exists()
    totp = f"{TOTP(victim_device.bin_key).token():06d}"
    assert victim.post("/sign-in/set-up/", {"enrolment_code": code, "code": totp})["Location"] == "/"
    # Without an enrolment code the attacker cannot confirm any device of their own either.
    attacker, device = _start_enrolment_after_reset(user)
    guess = f"{TOTP(device.bin_key).token():06d}"
    assert (
        attacker.post("/sign-in/set-up/", {"enrolment_code": "AAAA-BBBB-CCCC", "code": guess}).status_code
        == 200
    )
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _start_enrolment_after_reset(user):
    TOTPDevice.objects.filter(user=user).delete()
    return _start_enrolment(user.username)


def test_sign_out_ends_the_session(london_officer):
    client = signed_in(london_officer)
    assert client.get("/").status_code == 200
    assert client.get("/sign-out/").status_code == 405  # sign-out is a POST (CSRF-protected)
    client.post("/sign-out/")
    assert client.get("/").status_code == 302


def test_password_change(london_officer):
    client = signed_in(london_officer)
    bad = client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    good = client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-pass-2026",
            "new_password2": "a-much-longer-pass-2026",
        },
    )
    assert good.status_code == 302
    london_officer.refresh_from_db()
    assert london_officer.check_password("a-much-longer-pass-2026")


def test_session_and_cookie_settings():
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert settings.SESSION_COOKIE_HTTPONLY and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_security_headers(london_officer):
    response = signed_in(london_officer).get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_csrf_is_enforced():
    make_user("csrf.user", [Role.HUB_OFFICER])
    client = Client(enforce_csrf_checks=True)
    assert client.post("/sign-in/", {"username": "csrf.user", "password": PASSWORD}).status_code == 403


def test_admin_is_for_system_administrators_only(london_manager):
    admin_user = make_user("sys.admin", [Role.SYSTEM_ADMIN], hub_code=None, agency_code="hmpps-marsoc")
    assert admin_user.is_staff and not admin_user.is_superuser
    client = signed_in(admin_user)
    index = client.get("/admin/")
    assert index.status_code == 200
    html = index.content.decode()
    assert "Hubs" in html and "Establishments" in html and "Users" in html
    assert "Nominal" not in html and "TOTP" not in html and "Task results" not in html
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert signed_in(london_manager).get("/admin/").status_code == 302


def test_administrator_cannot_grant_themselves_case_roles_and_changes_are_audited(london_manager):
    from marsoc.accounts.models import RoleGrant

    admin_user = make_user("sys.admin2", [Role.SYSTEM_ADMIN], hub_code=None, agency_code="hmpps-marsoc")
    client = signed_in(admin_user)
    own = client.get(f"/admin/accounts/user/{admin_user.pk}/change/").content.decode()
    assert "role_grants-TOTAL_FORMS" not in own  # no roles inline on one's own record
    with pytest.raises(ValidationFailed):
        make_user(
            "both.roles",
            [Role.SYSTEM_ADMIN, Role.NATIONAL_ANALYST],
            hub_code=None,
            agency_code="hmpps-marsoc",
        )
    page = client.get(f"/admin/accounts/user/{london_manager.pk}/change/")
    form = page.context["adminform"].form
    data = {
        k: v
        for k, v in form.initial.items()
        if v is not None and k not in ("password", "last_login", "date_joined")
    }
    data |= {
        "agency": london_manager.agency_id,
        "hub": london_manager.hub_id,
        "is_active": "on",
        "role_grants-TOTAL_FORMS": "2",
        "role_grants-INITIAL_FORMS": "1",
        "role_grants-MIN_NUM_FORMS": "0",
        "role_grants-MAX_NUM_FORMS": "1000",
        "role_grants-0-id": london_manager.role_grants.get().pk,
        "role_grants-0-user": london_manager.pk,
        "role_grants-0-role": Role.HUB_MANAGER,
        "role_grants-1-user": london_manager.pk,
        "role_grants-1-role": Role.ANALYST,
    }
    response = client.post(f"/admin/accounts/user/{london_manager.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(RoleGrant.objects.filter(user=london_manager).values_list("role", flat=True)) == {
        Role.HUB_MANAGER,
        Role.ANALYST,
    }
    event = AuditEvent.objects.filter(action="admin.user.roles").latest("id")
    assert event.actor_id == admin_user.pk and event.details["added"] == [Role.ANALYST]
