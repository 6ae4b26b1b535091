"""The national team's commentary for a quarter's Board pack: saved, audited, printed at the front of the
pack; bad input named and nothing saved; nobody else may write it."""

import io

import pytest
from pypdf import PdfReader

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.reporting.models import PackCommentary
from marsoc.reporting.services import snapshots_refresh

from ..conftest import make_user, signed_in
from .helpers import TODAY, reporting_world

pytestmark = pytest.mark.django_db
PATH = "/reporting/pack/commentary/?at=2026-07"


@pytest.fixture
def world():
    w = reporting_world()
    snapshots_refresh(months=6, today=TODAY)
    w["analyst"] = make_user("national.analyst", [Role.NATIONAL_ANALYST], hub_code="national")
    w["board"] = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    return w


def test_the_national_team_writes_the_commentary_and_the_pack_prints_it(world):
    client = signed_in(world["analyst"])
    assert client.get(PATH).status_code == 200
    text = "Referrals rose in London.\n\nPlans agreed within a month rose to a third."
    response = client.post(PATH, {"summary": text})
    assert response.status_code == 302
    assert response["Location"].endswith("?period=quarter&at=2026-07#downloads")
    saved = PackCommentary.objects.get()
    assert saved.summary == text and saved.updated_by == world["analyst"]
    event = AuditEvent.objects.filter(action="reporting.pack.commentary").latest("id")
    assert event.details["quarter"] == "2026-07" and event.details["characters"] == len(text)
    pack = signed_in(world["board"]).get("/reporting/pack.pdf?at=2026-07")
    first_pages = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pack.content)).pages[:2])
    assert "Referrals rose in London." in first_pages
    assert "Plans agreed within a month rose to a third." in first_pages
    # Written again: replaced, not added.
    client.post(PATH, {"summary": "A shorter note."})
    assert PackCommentary.objects.get().summary == "A shorter note."


def test_empty_or_long_commentary_is_named_and_nothing_is_saved(world):
    client = signed_in(world["analyst"])
    for summary, reason in (("   ", "enter what the Board should know"), ("x" * 4001, "keep it to 4,000")):
        response = client.post(PATH, {"summary": summary})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Commentary: " in page and reason in page
    assert not PackCommentary.objects.exists()
    assert not AuditEvent.objects.filter(action="reporting.pack.commentary").exists()


def test_a_board_member_cannot_write_it_and_the_pack_says_none_was_written(world):
    client = signed_in(world["board"])
    assert client.get(PATH).status_code == 404
    assert client.post(PATH, {"summary": "Board note"}).status_code == 404
    assert not PackCommentary.objects.exists()
    pack = client.get("/reporting/pack.pdf?at=2026-07")
    first_pages = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pack.content)).pages[:2])
    assert "has not written a commentary" in first_pages


def test_a_quarter_that_is_not_one_is_named(world):
    response = signed_in(world["analyst"]).get("/reporting/pack/commentary/?at=2026-05")
    assert response.status_code == 400
    assert "a quarter starts in April" in response.content.decode()
