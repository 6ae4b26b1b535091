"""Independent review of the apps merged on 27 November (plans, linkage, assessment calibration / equality /
dry runs) against the access and audit rules. Each test shows one gap found in review."""

from datetime import timedelta

import pytest
from django.urls import reverse

from marsoc.core.vocabulary import Classification, Role
from marsoc.plans import services as plan_services
from marsoc.plans.services import meetings as plan_meetings

from ..conftest import hub, make_nominal, make_user, signed_in, today
from ..linkage.helpers import police_row, run_import, write_csv
from ..plans.helpers import adopt

# --------------------------------------------------------------------------------------------- plans


@pytest.fixture
def secret_decision(db):
    """A London meeting with a decision about a SECRET London nominal, recorded by a SECRET-cleared
    manager; and a London officer cleared only to OFFICIAL, who may see the meeting but not that person."""
    manager = make_user("london.mgr", [Role.HUB_MANAGER])  # SECRET clearance
    low = make_user("london.low", [Role.HUB_OFFICER], clearance=Classification.OFFICIAL)
    secret = adopt(
        make_nominal(manager, family="Hiddenperson", classification=Classification.SECRET), manager
    )
    meeting = plan_meetings.meeting_schedule(
        actor=manager, hub_id=hub("london").pk, held_on=today() + timedelta(days=7), title="London T&CG"
    )
    plan_meetings.meeting_decision_add(
        actor=manager, meeting=meeting, text="Refer to the asset-denial panel", nominal=secret
    )
    return {"manager": manager, "low": low, "secret": secret, "meeting": meeting}


def test_meeting_page_does_not_show_a_decision_about_a_person_above_the_viewers_clearance(secret_decision):
    low, secret, meeting = secret_decision["low"], secret_decision["secret"], secret_decision["meeting"]
    client = signed_in(low)
    # The officer cannot open the person: the nominal policy denies them.
    assert client.get(reverse("nominals:detail", args=[secret.pk])).status_code == 404
    response = client.get(reverse("plans:meeting", args=[meeting.pk]))
    assert response.status_code == 200
    assert secret.reference not in response.content.decode()


def test_meeting_minutes_pdf_does_not_show_a_person_above_the_viewers_clearance(secret_decision):
    import io

    from pypdf import PdfReader

    low, secret, meeting = secret_decision["low"], secret_decision["secret"], secret_decision["meeting"]
    response = signed_in(low).get(reverse("plans:meeting_minutes", args=[meeting.pk]))
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert secret.reference not in text


def test_meeting_page_consultation_names_the_people_in_its_decisions(secret_decision):
    """The page shows each decision's person (reference and text); the consultation record must name
    them too, or the inspector's by-person search and "who viewed" miss this page."""
    from marsoc.core.models import AuditEvent
    from marsoc.nominals.models import MembershipChange

    manager, secret, meeting = (
        secret_decision["manager"],
        secret_decision["secret"],
        secret_decision["meeting"],
    )
    # Adopted long ago: the person is not on this meeting's agenda, only in its decisions.
    MembershipChange.objects.filter(nominal=secret).update(effective_date=today() - timedelta(days=100))
    response = signed_in(manager).get(reverse("plans:meeting", args=[meeting.pk]))
    assert secret.reference in response.content.decode()
    event = AuditEvent.objects.filter(action="meeting.view").latest("id")
    assert secret.pk in set(event.subjects.values_list("nominal_id", flat=True))


# --------------------------------------------------------------------------------------------- linkage


def test_import_report_of_a_secret_feed_is_404_to_an_officer_cleared_only_to_official(db, tmp_path):
    """Quarantined rows hold personal data as the partner sent it; the feed's classification must bind
    the import page as it binds the records (source_record_scope checks clearance, can_view_import not)."""
    low = make_user("london.low", [Role.HUB_OFFICER], clearance=Classification.OFFICIAL)
    done = run_import(
        write_csv(tmp_path / "police.csv", [police_row("P1"), police_row("P2", family="")]),
        classification=Classification.SECRET,
    )
    assert done.rows_quarantined == 1
    response = signed_in(low).get(reverse("linkage:import", args=[done.pk]))
    assert response.status_code == 404


def test_an_officer_cannot_stage_a_feed_above_their_own_clearance(db, tmp_path):
    """Follows from the previous finding: once an import is bound by its classification, staging one above
    your clearance would hand you a 404 for your own upload. The classification field says why instead,
    and nothing is staged."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marsoc.accounts.models import Agency, Hub
    from marsoc.linkage.models import FeedImport

    low = make_user("london.low", [Role.HUB_OFFICER], clearance=Classification.OFFICIAL)
    path = write_csv(tmp_path / "up.csv", [police_row("U1")])
    with open(path, "rb") as handle:
        response = signed_in(low).post(
            "/linkage/imports/new/",
            {
                "file": SimpleUploadedFile("up.csv", handle.read(), content_type="text/csv"),
                "mapping": "police-pnc",
                "source_agency": Agency.objects.get(code="mps").pk,
                "owner_hub": Hub.objects.get(code="london").pk,
                "classification": Classification.SECRET,
            },
        )
    assert response.status_code == 200
    assert "above your clearance" in response.context["form"].errors["classification"][0]
    assert not FeedImport.objects.exists()


def test_plan_api_post_that_returns_the_plan_records_a_consultation(db, token_for):
    """POST .../plan/agree answers with the whole plan (objectives, actions, officers, agreements), so the
    partner's reading of it is logged as a consultation, as GET /api/nominals/{id}/plan logs it."""
    from marsoc.core.models import AuditEvent
    from marsoc.core.vocabulary import Operation

    from ..plans.helpers import World, soon, tactic

    w = World()
    plan = w.plan()
    plan_services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=w.hmrc_agency.pk,
        due_date=soon(),
    )
    plan_services.plan_request_agreement(actor=w.manager, plan=plan)
    client = signed_in(w.hmrc)
    response = client.post(
        f"/api/nominals/{w.nominal.pk}/plan/agree",
        {"version": 1},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(w.hmrc)}",
    )
    assert response.status_code == 200
    assert response.json()["actions"][0]["tactic"] == "hmrc-tax-investigation"  # the plan is shown
    assert AuditEvent.objects.filter(
        operation=Operation.CONSULTATION, actor_id=w.hmrc.pk, nominal_id=w.nominal.pk
    ).exists()


def test_minutes_pdf_naming_a_secret_person_is_not_marked_below_secret(secret_decision):
    import io

    from pypdf import PdfReader

    manager, secret, meeting = (
        secret_decision["manager"],
        secret_decision["secret"],
        secret_decision["meeting"],
    )
    response = signed_in(manager).get(reverse("plans:meeting_minutes", args=[meeting.pk]))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert secret.reference in text  # a SECRET person's record is in this document
    assert "SECRET" in text.replace("OFFICIAL-SENSITIVE", "")
