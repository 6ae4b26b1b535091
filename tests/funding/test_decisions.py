"""Decision records: declarations by named people, four eyes, Part 1 and Part 2, deferral, and a public
register that shows exactly the publishable records."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.vocabulary import Role
from marsoc.funding import services
from marsoc.funding.deadlines import decision_deadline
from marsoc.funding.models import DecisionRecord
from marsoc.funding.register import public_agreements, public_decisions
from marsoc.funding.vocabulary import DeclarationKind

from ..conftest import make_user, signed_in
from .helpers import funding_people, seed_grant

SECRET = "Synthetic exempt detail that must never be published"


@pytest.fixture
def people(db):
    found = funding_people()
    found["maker"] = make_user(
        "decision.maker", [Role.DECISION_MAKER], hub_code=None, agency_code="hmpps-marsoc"
    )
    return found


def _draft(people, reference="PCD 9001", *, who="manager", **extra):
    data = {
        "reference": reference,
        "title": f"Decision {reference}",
        "executive_summary": "Summary (synthetic)",
        "recommendation": "Approve (synthetic)",
        "part1_body": "Public facts (synthetic)",
        "decision_maker_title": "Deputy Mayor for Policing and Crime",
    } | extra
    return services.decision_draft(actor=people[who], data=services.DecisionInput(**data))


def _tick_all(people, decision):
    for kind in DeclarationKind:
        services.decision_declare(actor=people["finance"], decision=decision, kind=kind)


def _approve(people, decision):
    return services.decision_approve(
        actor=people["maker"], decision=decision, interest_declaration="None", confirmed=True
    )


def test_approval_waits_for_every_declaration_and_a_declaration_of_interests(people):
    decision = _draft(people)
    services.decision_declare(actor=people["finance"], decision=decision, kind=DeclarationKind.FINANCIAL)
    with pytest.raises(ValidationFailed) as exc:
        services.decision_approve(
            actor=people["maker"], decision=decision, interest_declaration="", confirmed=False
        )
    errors = exc.value.errors
    assert errors["declarations"][0].startswith(
        "Every declaration must be ticked before approval. Not yet ticked: Legal advice"
    )
    assert "Chief executive's consultation" in errors["declarations"][0]
    assert "interest_declaration" in errors and "confirmed" in errors
    decision.refresh_from_db()
    assert decision.state == "draft" and decision.approved_by is None
    with pytest.raises(ValidationFailed, match="already ticked"):
        services.decision_declare(actor=people["manager"], decision=decision, kind=DeclarationKind.FINANCIAL)
    _tick_all_remaining = [k for k in DeclarationKind if k != DeclarationKind.FINANCIAL]
    for kind in _tick_all_remaining:
        services.decision_declare(actor=people["manager"], decision=decision, kind=kind)
    declaration = decision.declarations.get(kind=DeclarationKind.LEGAL)
    assert declaration.ticked_by == people["manager"] and declaration.ticked_on == timezone.localdate()
    decision = _approve(people, decision)
    assert decision.state == "approved" and decision.approved_by == people["maker"]
    with pytest.raises(PermissionDenied, match="can no longer change"):
        services.decision_declare(actor=people["manager"], decision=decision, kind=DeclarationKind.LEGAL)


def test_the_drafter_cannot_approve(people):
    both = make_user(
        "maker.drafter", [Role.HUB_MANAGER, Role.DECISION_MAKER], hub_code="london", agency_code="mps"
    )
    decision = services.decision_draft(
        actor=both,
        data=services.DecisionInput("PCD 9002", "T", "S", "R", "P", "Deputy Mayor for Policing and Crime"),
    )
    for kind in DeclarationKind:
        services.decision_declare(actor=both, decision=decision, kind=kind)
    with pytest.raises(PermissionDenied, match="drafted a decision cannot approve it"):
        services.decision_approve(actor=both, decision=decision, interest_declaration="None", confirmed=True)
    with pytest.raises(PermissionDenied, match="Only a decision maker"):
        services.decision_approve(
            actor=people["finance"], decision=decision, interest_declaration="None", confirmed=True
        )


def test_bad_drafts_are_refused_with_nothing_saved(people):
    with pytest.raises(ValidationFailed) as exc:
        _draft(
            people,
            title="",
            deferred_until=date(2020, 1, 1),
            part2=services.Part2Input(body="x", exemption="s99", rationale=""),
        )
    errors = exc.value.errors
    assert errors["title"] == ["Enter the title"]
    assert errors["deferred_until"] == ["A deferral must be to a date in the future"]
    assert errors["deferral_reason"] == ["Say why publication of Part 1 is deferred"]
    assert errors["part2_exemption"] == ["Select the exemption Part 2 rests on"]
    assert "part2_rationale" in errors
    assert not DecisionRecord.objects.exists()
    with pytest.raises(PermissionDenied):
        _draft(people, who="board")


@pytest.fixture
def every_state(people):
    """One decision in each state the register must tell apart."""
    today = timezone.localdate()
    grant = seed_grant(people)
    records = {}
    records["draft"] = _draft(people, "PCD 1")
    records["approved_unpublished"] = _draft(people, "PCD 2")
    records["published"] = _draft(people, "PCD 3", grant=grant)
    records["deferred"] = _draft(
        people, "PCD 4", deferred_until=today + timedelta(days=30), deferral_reason="Security"
    )
    records["deferral_passed"] = _draft(
        people, "PCD 5", deferred_until=today + timedelta(days=1), deferral_reason="Security"
    )
    records["with_part2"] = _draft(
        people, "PCD 6", part2=services.Part2Input(body=SECRET, exemption="s31", rationale="Section 31(1)(a)")
    )
    for key, decision in records.items():
        if key == "draft":
            continue
        _tick_all(people, decision)
        _approve(people, decision)
        if key != "approved_unpublished":
            services.decision_publish(actor=people["manager"], decision=decision)
    # The deferral date has come (moved into the past as time would move it).
    DecisionRecord.objects.filter(pk=records["deferral_passed"].pk).update(deferred_until=today)
    return records, grant


PUBLIC = {"published", "deferral_passed", "with_part2"}


def test_the_public_register_shows_exactly_the_publishable_records(every_state):
    records, _grant = every_state
    assert {d.pk for d in public_decisions()} == {records[k].pk for k in PUBLIC}
    anonymous = Client()
    page = anonymous.get("/register/")
    assert page.status_code == 200
    html = page.content.decode()
    for key, decision in records.items():
        assert (f"{decision.reference}:" in html) == (key in PUBLIC), key
        response = anonymous.get(f"/register/decisions/{decision.pk}/")
        assert response.status_code == (200 if key in PUBLIC else 404), key
    assert anonymous.get("/register/decisions/999999/").status_code == 404
    # Part 2 never appears, on the list or on its own decision's public page; nor its rationale.
    part2_page = anonymous.get(f"/register/decisions/{records['with_part2'].pk}/").content.decode()
    for text in (html, part2_page):
        assert SECRET not in text and "Section 31(1)(a)" not in text


def test_a_deferred_part1_appears_on_its_date(every_state):
    records, _ = every_state
    deferred = records["deferred"]
    later = deferred.deferred_until
    assert deferred.pk not in {d.pk for d in public_decisions(today=later - timedelta(days=1))}
    assert deferred.pk in {d.pk for d in public_decisions(today=later)}


def test_agreements_of_ten_thousand_pounds_or_more_are_listed_once_their_decision_is_public(
    every_state, people
):
    _records, grant = every_state
    assert [g.pk for g in public_agreements()] == [grant.pk]
    html = Client().get("/register/").content.decode()
    assert "£405,608" in html and "(decision PCD 3)" in html
    grant.amount_pence = 9_999_99
    grant.save()
    assert list(public_agreements()) == []


def test_part2_is_read_only_by_those_allowed(every_state, people):
    records, _ = every_state
    path = f"/funding/decisions/{records['with_part2'].pk}/"
    for key, sees in (("manager", True), ("maker", True), ("national", True), ("board", False)):
        response = signed_in(people[key]).get(path)
        assert response.status_code == 200, key
        assert (SECRET in response.content.decode()) == sees, key
    assert signed_in(people["officer"]).get(path).status_code == 404


def test_the_decision_form_pdf_is_laid_out_like_the_seed(every_state, people):
    records, _ = every_state
    response = signed_in(people["manager"]).get(f"/funding/decisions/{records['with_part2'].pk}/form.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages).split())
    for expected in (
        "Decision - PCD 6",
        "Executive summary",
        "Recommendation",
        "Deputy Mayor for Policing and Crime",
        "personal or prejudicial interest",
        "The above request has my approval",
        "Is the publication of Part 1 of this approval to be deferred? NO",
        "Is there a Part 2 form? YES",
        "Originating officer declaration",
        "Financial advice",
        "Chief executive's consultation",
    ):
        assert expected in text, expected
    assert SECRET not in text


def test_time_sensitivity_is_shown_and_flagged_overdue(people):
    today = timezone.localdate()
    soon = _draft(people, "PCD 7", decide_by=today + timedelta(days=5))
    late = _draft(people, "PCD 8", decide_by=today - timedelta(days=1))
    assert decision_deadline(soon, today).label.startswith("Decision needed in 5 days")
    assert decision_deadline(late, today).overdue
    html = signed_in(people["manager"]).get("/funding/decisions/").content.decode()
    assert "Overdue" in html and "Decision needed in 5 days" in html


def test_decision_journey_through_the_pages(people):
    manager, maker = signed_in(people["manager"]), signed_in(people["maker"])
    form = {
        "reference": "PCD 9100", "title": "Journey (synthetic)", "executive_summary": "S", "recommendation": "R",
        "part1_body": "P", "decision_maker_title": "Deputy Mayor for Policing and Crime", "grant": "",
        "part2_exemption": "",
    }  # fmt: skip
    response = manager.post("/funding/decisions/new/", form)
    decision = DecisionRecord.objects.get(reference="PCD 9100")
    assert response.status_code == 302
    response = maker.post(
        f"/funding/decisions/{decision.pk}/approve/", {"interest_declaration": "None", "confirmed": "on"}
    )
    assert response.status_code == 422 and "Every declaration must be ticked" in response.content.decode()
    for kind in DeclarationKind:
        assert manager.post(f"/funding/decisions/{decision.pk}/declare/", {"kind": kind}).status_code == 302
    page = manager.get(f"/funding/decisions/{decision.pk}/").content.decode()
    assert "Only a decision maker can approve" in page
    assert (
        maker.post(
            f"/funding/decisions/{decision.pk}/approve/", {"interest_declaration": "None", "confirmed": "on"}
        ).status_code
        == 302
    )
    assert manager.post(f"/funding/decisions/{decision.pk}/publish/").status_code == 302
    assert "PCD 9100:" in Client().get("/register/").content.decode()
