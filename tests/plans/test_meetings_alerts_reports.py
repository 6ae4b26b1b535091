"""Tasking agenda against a constructed scenario, meeting pack and minutes as real PDFs, alert
idempotence and visibility, and the reports' figures (hand-computed)."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from marsoc.accounts.models import User
from marsoc.assessment.models import PriorityStatus
from marsoc.assessment.services import active_method, assessment_submit, method_spec, tier_decide
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import MembershipChange, Participation
from marsoc.plans import services
from marsoc.plans.alerts import alerts_run, inbox
from marsoc.plans.models import Action, Alert, Meeting
from marsoc.plans.selectors import meeting_agenda
from marsoc.plans.services import meetings, orders

from ..conftest import agency, hub, make_nominal, make_user, signed_in, today
from .helpers import World, adopt, sentence, soon, tactic


def _age_changes(nominal, days: int) -> None:
    MembershipChange.objects.filter(nominal=nominal).update(effective_date=today() - timedelta(days=days))


@pytest.fixture
def scenario(db):
    w = World()
    london = hub("london")
    yorkshire_mgr = make_user(
        "york.mgr", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu"
    )
    # A previous meeting 14 days ago: the agenda looks back to it.
    Meeting.objects.create(hub=london, held_on=today() - timedelta(days=14), title="Previous")
    meeting = meetings.meeting_schedule(
        actor=w.manager, hub_id=london.pk, held_on=today() + timedelta(days=7), title="London T&CG"
    )

    referred = make_nominal(w.manager, family="Newcomer")  # referred today
    old = w.nominal  # "Planned": adopted long ago, has a plan
    _age_changes(old, 100)
    plan = w.plan()
    overdue = services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("poca-cash-seizure").pk,
        agency_id=w.mps.pk,
        due_date=soon(5),
    )
    Action.objects.filter(pk=overdue.pk).update(due_date=today() - timedelta(days=2))  # time has passed
    done = services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("scpo-high-court").pk,
        agency_id=w.mps.pk,
        due_date=soon(5),
    )
    services.action_update(actor=w.manager, action=done, status="completed")
    Action.objects.filter(pk=done.pk).update(due_date=today() - timedelta(days=2))
    claim = services.outcome_claim(
        actor=w.manager, action=done, occurred_on=today(), rating="minor", justification="Cash seized at port"
    )
    orders.order_record(
        actor=w.manager,
        nominal=old,
        order_type="scpo",
        start_date=today() - timedelta(days=700),
        end_date=soon(30),
    )
    orders.order_record(
        actor=w.manager,
        nominal=old,
        order_type="fro",
        start_date=today() - timedelta(days=10),
        end_date=soon(200),
    )
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    assessment_submit(actor=w.manager, nominal=old, levels=levels)
    tier_decide(
        actor=w.manager,
        nominal=old,
        decided_tier=active_method_tier(),
        rationale="Agreed at triage after a full review of the evidence",
    )
    PriorityStatus.objects.filter(nominal=old).update(next_review_due=today() + timedelta(days=3))

    adopted = adopt(make_nominal(w.manager, family="Adoptee"), w.manager)
    MembershipChange.objects.filter(nominal=adopted, to_state="referred").update(
        effective_date=today() - timedelta(days=60)
    )
    releasing = sentence(adopt(make_nominal(w.manager, family="Releasing"), w.manager), w.officer, 100)
    _age_changes(releasing, 90)
    later = sentence(adopt(make_nominal(w.manager, family="Later"), w.manager), w.officer, 300)
    _age_changes(later, 90)
    # Another hub's people never appear on London's agenda.
    elsewhere = adopt(
        make_nominal(yorkshire_mgr, hub_code="yorkshire-humber", family="Elsewhere"), yorkshire_mgr
    )
    sentence_elsewhere = sentence(elsewhere, yorkshire_mgr, 50)
    return {
        "w": w,
        "meeting": meeting,
        "referred": referred,
        "old": old,
        "adopted": adopted,
        "releasing": releasing,
        "later": later,
        "elsewhere": sentence_elsewhere,
        "overdue": overdue,
        "done": done,
        "claim": claim,
        "plan": plan,
        "yorkshire_mgr": yorkshire_mgr,
    }


def active_method_tier() -> str:
    return method_spec(active_method()).tiers[0].code


def _refs(items) -> list[str]:
    return [n.reference for n in items]


def test_agenda_contents_against_the_scenario(scenario):
    s = scenario
    agenda = meeting_agenda(actor=s["w"].manager, meeting=s["meeting"])
    assert agenda.since == today() - timedelta(days=14)
    assert _refs(c.nominal for c in agenda.referrals) == [s["referred"].reference]
    assert _refs(c.nominal for c in agenda.adoptions) == [s["adopted"].reference]
    assert _refs(d.nominal for d in agenda.tier_changes) == [s["old"].reference]
    assert [a.pk for a in agenda.overdue_actions] == [s["overdue"].pk]  # the completed one is not overdue
    assert _refs(r.nominal for r in agenda.reviews_due) == [s["old"].reference]
    assert [(r.nominal.reference, r.agreed) for r in agenda.releases] == [(s["releasing"].reference, False)]
    assert _refs(r.nominal for r in agenda.releases_without_plan) == [s["releasing"].reference]
    assert [o.pk for o in agenda.unvalidated] == [s["claim"].pk]
    assert [o.order_type for o in agenda.orders_expiring] == ["scpo"]
    assert s["elsewhere"].pk not in agenda.nominal_ids()


def test_a_national_analyst_sees_the_same_agenda_a_partner_none(scenario):
    s = scenario
    analyst = make_user(
        "nat.analyst", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    assert (
        meeting_agenda(actor=analyst, meeting=s["meeting"]).nominal_ids()
        == meeting_agenda(actor=s["w"].manager, meeting=s["meeting"]).nominal_ids()
    )
    assert signed_in(s["w"].hmrc).get(f"/plans/meetings/{s['meeting'].pk}/").status_code == 404


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_meeting_pack_and_minutes_are_real_pdfs(scenario):
    s = scenario
    client = signed_in(s["w"].manager)
    response = client.get(f"/plans/meetings/{s['meeting'].pk}/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response.content)
    assert "Meeting pack: London T&CG" in text
    assert s["releasing"].reference in text and "NO AGREED PLAN" in text
    assert "Outcomes awaiting validation" in text and "Cash seized at port" in text
    assert s["elsewhere"].reference not in text
    # Record the meeting, then the minutes.
    meeting = s["meeting"]
    client.post(
        f"/plans/meetings/{meeting.pk}/",
        {"form": "attendance", "agency": str(agency("hmrc").pk), "attendee": "Sam Reid, HMRC"},
    )
    client.post(
        f"/plans/meetings/{meeting.pk}/",
        {"form": "decision", "text": "Refer to NCA for civil recovery", "nominal": s["old"].reference},
    )
    client.post(
        f"/plans/meetings/{meeting.pk}/",
        {"form": "claims", f"decision_{s['claim'].pk}": "validate"},
    )
    client.post(
        f"/plans/meetings/{meeting.pk}/",
        {"form": "minutes", "minutes": "Quorate. All actions reviewed.", "held": "on"},
    )
    minutes = client.get(f"/plans/meetings/{meeting.pk}/minutes.pdf")
    text = _pdf_text(minutes.content)
    assert "Sam Reid, HMRC (HM Revenue and Customs)" in text
    assert "Refer to NCA for civil recovery" in text
    assert "Minor by Metropolitan Police Service - Validated" in text
    assert "Quorate. All actions reviewed." in text
    s["claim"].refresh_from_db()
    assert s["claim"].status == "validated" and s["claim"].meeting_id == meeting.pk


def test_meeting_form_errors_save_nothing(scenario):
    s = scenario
    client = signed_in(s["w"].manager)
    bad = client.post(
        f"/plans/meetings/{s['meeting'].pk}/", {"form": "decision", "text": "x", "nominal": "ABC"}
    )
    assert "Enter a MARSOC reference like MH0000061" in bad.content.decode()
    elsewhere = client.post(
        f"/plans/meetings/{s['meeting'].pk}/",
        {"form": "decision", "text": "x", "nominal": s["elsewhere"].reference},
    )
    assert "Select a person managed by this hub" in elsewhere.content.decode()
    assert not s["meeting"].decisions.exists()
    response = client.post(
        f"/plans/meetings/{s['meeting'].pk}/", {"form": "minutes", "minutes": "", "held": "on"}
    )
    assert response.status_code == 200
    assert "Enter the minutes before marking the meeting as held" in response.content.decode()
    s["meeting"].refresh_from_db()
    assert s["meeting"].status == "scheduled"


# ---- alerts


def test_alerts_are_idempotent_and_only_for_people_who_may_see(scenario):
    s = scenario
    w = s["w"]
    User.objects.filter(pk__in=[w.manager.pk, w.hmrc.pk, s["yorkshire_mgr"].pk]).update(
        email="x@example.test"
    )
    User.objects.filter(pk=w.manager.pk).update(email="manager@example.test")
    first = alerts_run()
    count, emails = Alert.objects.count(), len(mail.outbox)
    assert first.created > 0 and first.emailed == len(mail.outbox)
    second = alerts_run()
    assert (second.created, second.emailed) == (0, 0)
    assert Alert.objects.count() == count and len(mail.outbox) == emails
    call_command("plan_alerts", stdout=io.StringIO())  # the scheduled command: nothing new either
    assert Alert.objects.count() == count and len(mail.outbox) == emails
    kinds = set(Alert.objects.filter(user=w.manager).values_list("kind", flat=True))
    assert {"action_overdue", "release_no_plan", "order_expiring"} <= kinds
    releasing = Alert.objects.get(user=w.manager, kind="release_no_plan")
    assert releasing.nominal_id == s["releasing"].pk
    # Yorkshire's manager hears about Yorkshire's release only.
    york = set(Alert.objects.filter(user=s["yorkshire_mgr"]).values_list("nominal_id", flat=True))
    assert york == {s["elsewhere"].pk}
    # HMRC has no action on any of these people: it is told nothing.
    assert not Alert.objects.filter(user=w.hmrc).exists()
    # E-mails carry no personal data.
    assert all(s["releasing"].family_name not in m.body for m in mail.outbox)


def test_agreement_requested_alert_and_inbox_follow_access(scenario):
    s = scenario
    w = s["w"]
    services.action_add(
        actor=w.manager,
        plan=s["plan"],
        tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=w.hmrc_agency.pk,
        due_date=soon(20),
    )
    services.plan_request_agreement(actor=w.manager, plan=s["plan"])
    assigned = Alert.objects.get(user=w.hmrc, kind="action_assigned")
    requested = Alert.objects.get(user=w.hmrc, kind="agreement_requested")
    assert requested.nominal_id == s["old"].pk and assigned.nominal_id == s["old"].pk
    assert set(inbox(actor=w.hmrc).values_list("kind", flat=True)) == {
        "action_assigned",
        "agreement_requested",
    }
    page = signed_in(w.hmrc).get("/plans/alerts/")
    assert "Agreement requested" in page.content.decode()
    # When the agency's participation ends, the alerts about that person leave its inbox.
    Participation.objects.filter(agency=w.hmrc_agency).update(ended_at=timezone.now())
    assert inbox(actor=w.hmrc).count() == 0
    # Changing the plan after agreement was requested tells the owner and whoever had agreed.
    services.plan_agree(actor=w.manager, plan=s["plan"], version_number=1)
    services.objective_add(actor=w.manager, plan=s["plan"], text="Another objective")
    assert Alert.objects.filter(user=w.manager, kind="plan_changed").count() == 1


# ---- reports


def test_reports_figures_and_csv(scenario):
    s = scenario
    w = s["w"]
    services.outcome_decide(actor=w.manager, outcome=s["claim"], validate=True)
    services.plan_request_agreement(actor=w.manager, plan=s["plan"])
    services.plan_agree(actor=w.manager, plan=s["plan"], version_number=1)
    # "Planned" was adopted 100 days ago and the plan was first agreed today.
    client = signed_in(w.manager)
    page = client.get("/plans/reports/")
    assert page.status_code == 200
    charts = {key: [(b.label, b.count) for b in bars] for _label, key, bars in page.context["charts"]}
    assert charts["agency"] == [("Metropolitan Police Service", 1)]
    assert charts["tactic"] == [("Serious Crime Prevention Order (High Court)", 1)]
    assert charts["rating"] == [("Major", 0), ("Moderate", 0), ("Minor", 1), ("None", 0), ("Negative", 0)]
    assert charts["hub"] == [("London hub", 1)]
    assert [(b.label, b.count) for b in page.context["overdue"]] == [("Metropolitan Police Service", 1)]
    agreement = page.context["agreement"]
    assert [(r.hub, r.plans, r.median_days) for r in agreement] == [("London hub", 1, 100.0)]
    assert 'class="app-bar-chart__bar" max="100" value="100"' in page.content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/plans/reports/export.csv").content.decode())))
    assert rows[0] == ["table", "label", "count"]
    assert ["disruptions_by_rating", "Minor", "1"] in rows
    assert ["overdue_actions_by_agency", "Metropolitan Police Service", "1"] in rows
    assert ["median_days_adoption_to_first_agreed_plan", "London hub", "100.0"] in rows
    # Another hub's manager counts nothing of London's.
    york = signed_in(s["yorkshire_mgr"]).get("/plans/reports/")
    assert all(bar.count == 0 for _l, _k, bars in york.context["charts"] for bar in bars)


def test_tier_over_time_chart_for_hub_staff_not_partners(scenario):
    from ..conftest import with_purpose

    s = scenario
    w = s["w"]
    services.action_add(
        actor=w.manager,
        plan=s["plan"],
        tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=w.hmrc_agency.pk,
        due_date=soon(20),
    )
    page = with_purpose(signed_in(w.manager), s["old"]).get(f"/cohort/{s['old'].pk}/plan/")
    points = page.context["tiers"]
    assert len(points) == 1 and points[0].decision.decided_tier == active_method_tier()
    assert points[0].percent == 100  # the highest tier
    assert 'id="chart-tiers"' in page.content.decode()
    partner = with_purpose(signed_in(w.hmrc), s["old"]).get(f"/cohort/{s['old'].pk}/plan/")
    assert partner.status_code == 200 and partner.context["tiers"] is None
    assert "Tier over time" not in partner.content.decode()


def test_new_action_recorded_in_the_meeting_appears_in_the_minutes(scenario):
    from ..conftest import with_purpose

    s = scenario
    w = s["w"]
    meeting = s["meeting"]
    page = signed_in(w.manager).get(f"/plans/meetings/{meeting.pk}/")
    assert f"/cohort/{s['old'].pk}/plan/actions/add/?meeting={meeting.pk}" in page.content.decode()
    client = with_purpose(signed_in(w.manager), s["old"])
    due = soon(10)
    response = client.post(
        f"/cohort/{s['old'].pk}/plan/actions/add/?meeting={meeting.pk}",
        {
            "tactic": str(tactic("hmrc-tax-investigation").pk),
            "agency": str(w.hmrc_agency.pk),
            "due_date_day": str(due.day),
            "due_date_month": str(due.month),
            "due_date_year": str(due.year),
            "meeting": str(meeting.pk),
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/plans/meetings/{meeting.pk}/"
    action = Action.objects.get(meeting=meeting)
    assert action.tactic.code == "hmrc-tax-investigation"
    text = _pdf_text(signed_in(w.manager).get(f"/plans/meetings/{meeting.pk}/minutes.pdf").content)
    assert f"{s['old'].reference}: Tax investigation by HM Revenue and Customs" in text
    # Another hub's meeting cannot be used to record an action on a London person.
    york = meetings.meeting_schedule(
        actor=s["yorkshire_mgr"], hub_id=hub("yorkshire-humber").pk, held_on=today(), title="York"
    )
    assert client.get(f"/cohort/{s['old'].pk}/plan/actions/add/?meeting={york.pk}").status_code == 404


def test_alert_task_runs_through_the_worker_backend(scenario):
    from marsoc.plans.tasks import alerts_task

    result = alerts_task.enqueue()  # the test settings use the immediate backend
    assert result.return_value["created"] > 0
    again = alerts_task.enqueue()
    assert again.return_value == {"created": 0, "emailed": 0}
