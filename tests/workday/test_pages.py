"""Pages that look like the rest of the service when something goes wrong, and a layout that fits phones."""

import re
from pathlib import Path

from django.test import RequestFactory
from django.views import defaults

from marsoc.core.vocabulary import Role

from ..conftest import make_user, signed_in

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "marsoc"


def test_not_found_is_a_govuk_page(db):
    user = make_user("london.off", [Role.HUB_OFFICER])
    response = signed_in(user).get("/cohort/999999/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "govuk-header" in body and '<h1 class="govuk-heading-l">Page not found</h1>' in body
    assert "Go to your home page" in body


def test_server_error_page_renders_without_a_request_context():
    response = defaults.server_error(RequestFactory().get("/"))
    body = response.content.decode()
    assert response.status_code == 500 and "Sorry, there is a problem with the service" in body
    assert "govuk-header" in body


def test_service_navigation_has_the_menu_button_for_small_screens(db):
    body = signed_in(make_user("london.mgr", [Role.HUB_MANAGER])).get("/").content.decode()
    assert 'class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle"' in body
    assert 'aria-controls="navigation"' in body


def test_every_table_scrolls_inside_its_own_box():
    """A wide table never widens the page: each sits in a focusable scrolling region (app.css)."""
    bare = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text()
        for found in re.finditer(r"<table\b", text):
            if "app-table-scroll" not in text[max(0, found.start() - 160) : found.start()]:
                bare.append(f"{template.relative_to(TEMPLATES)}:{text[: found.start()].count(chr(10)) + 1}")
    assert not bare, bare
