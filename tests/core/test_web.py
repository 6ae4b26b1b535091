"""core.web and HiddenAsMissingMiddleware: one purpose gate for every kind of record, and a hidden record
answering exactly as a missing one on every page (status, body and content type). Summaries and the
other kinds are compared at the selector level, query by query, in tests/test_equal_work.py."""

import pytest
from django.test import Client

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence import views as intelligence_views
from marsoc.nominals import views as nominal_views

from ..conftest import make_nominal, make_user, signed_in
from ..intelligence.helpers import make_item

MISSING = 987_654


@pytest.fixture
def world(db):
    owner = make_user("london.mgr", [Role.HUB_MANAGER], hub_code="london", agency_code="mps")
    outsider = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    person = make_nominal(owner, family="Hidden")
    item = make_item(person)
    return owner, outsider, person, item


def _answer(client: Client, url: str) -> tuple[int, bytes, str]:
    response = client.get(url)
    # The CSRF token and nonce-like values are per request: compare what the server chose to say.
    return response.status_code, response.content, response.get("Content-Type", "")


PAGES = [
    "/cohort/{}/",
    "/cohort/{}/purpose/",
    "/cohort/{}/edit/",
    "/cohort/{}/plan/",
    "/cohort/{}/plan/actions/add/",
    "/cohort/{}/assessments/",
    "/cohort/{}/notes/",
    "/intelligence/{}/",
    "/intelligence/{}/purpose/",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_hidden_record_answers_as_a_missing_one(world, page):
    _owner, outsider, person, item = world
    client = signed_in(outsider)
    record_id = item.pk if page.startswith("/intelligence/{}") else person.pk
    hidden = _answer(client, page.format(record_id))
    missing = _answer(client, page.format(MISSING))
    assert hidden[0] == 404
    assert hidden == missing


def test_the_owner_sees_the_page_so_the_404_above_is_the_refusal(world):
    owner, _outsider, person, item = world
    client = signed_in(owner)
    assert client.get(f"/cohort/{person.pk}/").status_code == 302  # asked the purpose first
    assert client.get(f"/intelligence/{item.pk}/").status_code == 302


def test_the_gate_asks_the_purpose_once_then_records_each_consultation(world):
    owner, _outsider, person, _item = world
    client = signed_in(owner)
    response = client.get(f"/cohort/{person.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/cohort/{person.pk}/purpose/?next=%2Fcohort%2F{person.pk}%2F"
    before = AuditEvent.objects.filter(action="nominal.view").count()
    response = client.post(
        f"/cohort/{person.pk}/purpose/?next=/cohort/{person.pk}/", {"purpose": "case_management"}
    )
    assert response.status_code == 302 and response["Location"] == f"/cohort/{person.pk}/"
    assert client.get(f"/cohort/{person.pk}/").status_code == 200
    assert client.get(f"/cohort/{person.pk}/").status_code == 200
    events = AuditEvent.objects.filter(action="nominal.view").order_by("pk")[before:]
    assert [e.justification for e in events] == ["Case management of this person"] * 2


def test_the_purpose_page_returns_only_to_this_site(world):
    owner, _outsider, person, _item = world
    client = signed_in(owner)
    response = client.post(
        f"/cohort/{person.pk}/purpose/?next=https://evil.example/", {"purpose": "case_management"}
    )
    assert response["Location"] == f"/cohort/{person.pk}/"


def test_a_purpose_is_kept_per_kind_of_record(world):
    """A purpose given for person 5 does not open intelligence item 5: each kind has its own gate."""
    owner, _outsider, _person, item = world
    client = signed_in(owner)
    session = client.session
    session[nominal_views.GATE.session_key] = {str(item.pk): "Case management of this person"}
    session.save()
    assert client.get(f"/intelligence/{item.pk}/").status_code == 302
    assert nominal_views.GATE.session_key != intelligence_views.ITEM_GATE.session_key
    assert intelligence_views.ITEM_GATE.session_key != intelligence_views.SUMMARY_GATE.session_key


def test_other_than_the_gate_no_view_module_keeps_its_own_copy():
    """The purpose decorator lives in core.web alone (issue 12: nine copies before)."""
    import inspect

    for module in (nominal_views, intelligence_views):
        source = inspect.getsource(module)
        assert "url_has_allowed_host_and_scheme" not in source
        assert "PurposeForm" not in source


def _maps_hidden_to_404_by_hand(source: str) -> list[int]:
    """Lines where a handler catches NotFoundOrForbidden only to raise Http404 (the middleware's job)."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ExceptHandler) or node.type is None:
            continue
        names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
        only_raises_404 = (
            len(node.body) == 1
            and isinstance(node.body[0], ast.Raise)
            and isinstance(node.body[0].exc, ast.Call)
            and getattr(node.body[0].exc.func, "id", "") == "Http404"
        )
        if "NotFoundOrForbidden" in names and only_raises_404:
            lines.append(node.lineno)
    return lines


def test_no_page_maps_a_hidden_record_to_404_by_hand():
    """HiddenAsMissingMiddleware answers every NotFoundOrForbidden: a view that maps it itself is a copy
    that could drift (another message, another template)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "marsoc"
    found = {
        str(path.relative_to(src)): lines
        for path in sorted(src.glob("*/views*.py"))
        if (lines := _maps_hidden_to_404_by_hand(path.read_text()))
    }
    assert found == {}


def test_the_check_above_catches_a_hand_written_mapping():
    source = (
        "def page(request, pk):\n"
        "    try:\n"
        "        return fetch(pk)\n"
        "    except NotFoundOrForbidden as exc:\n"
        '        raise Http404("No such thing") from exc\n'
    )
    assert _maps_hidden_to_404_by_hand(source) == [4]
