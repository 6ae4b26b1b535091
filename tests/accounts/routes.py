"""The access table's rows for single sign-on (issue 15). These routes come before anyone is signed in,
so they are open to every caller; what they allow is decided by the provider and the invitation, not a
role. tests/accounts/test_sso_routes.py holds the allow and deny rows (and tests/accounts/test_sso.py
and tests/browser/test_sso_journey.py the whole journeys against the real provider)."""

ROUTES = {
    "sign-in/sso/<slug:slug>/",
    "sign-in/sso/<slug:slug>/callback/",
    "sign-in/sso/<slug:slug>/invitation/",
}
