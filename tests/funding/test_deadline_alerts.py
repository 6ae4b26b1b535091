"""Time sensitivity of decision records: the deadline shown (due soon, overdue) on the list and the page,
and alerted by the daily alert job to the drafter and whoever approval waits on — once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from marsoc.accounts.models import User
from marsoc.core.vocabulary import Role
from marsoc.funding import services
from marsoc.funding.deadlines import decision_alerts_produce, decision_deadline
from marsoc.funding.vocabulary import DeclarationKind
from marsoc.plans.alerts import alerts_run
from marsoc.plans.models import Alert
from marsoc.plans.tasks import alerts_task

from ..conftest import make_user, signed_in
from .helpers import funding_people


@pytest.fixture
def people(db):
    found = funding_people()
    found["maker"] = make_user(
        "decision.maker", [Role.DECISION_MAKER], hub_code=None, agency_code="hmpps-marsoc"
    )
    found["maker2"] = make_user(
        "decision.maker2", [Role.DECISION_MAKER], hub_code=None, agency_code="hmpps-marsoc"
    )
    User.objects.update(email="someone@example.test")
    return found


def _draft(people, reference, *, days, who="manager"):
    data = services.DecisionInput(
        reference=reference,
        title=f"Time-sensitive decision {reference} (synthetic)",
        executive_summary="Summary (synthetic)",
        recommendation="Approve (synthetic)",
        part1_body="Public facts (synthetic)",
        decision_maker_title="Deputy Mayor for Policing and Crime",
        decide_by=None if days is None else timezone.localdate() + timedelta(days=days),
        decide_by_reason="The bidding round closes (synthetic).",
    )
    return services.decision_draft(actor=people[who], data=data)


def _approve(people, decision):
    for kind in DeclarationKind:
        services.decision_declare(actor=people["finance"], decision=decision, kind=kind)
    return services.decision_approve(
        actor=people["maker"], decision=decision, interest_declaration="None", confirmed=True
    )


def _alerted(decision):
    return {
        (a.user.username, a.kind) for a in Alert.objects.filter(url__endswith=f"/decisions/{decision.pk}/")
    }


def test_deadline_is_tagged_due_soon_or_overdue(people):
    today = timezone.localdate()
    soon, late = _draft(people, "PCD 71", days=3), _draft(people, "PCD 72", days=-2)
    later, none = _draft(people, "PCD 73", days=40), _draft(people, "PCD 74", days=None)
    assert decision_deadline(soon, today).tag == "Due soon"
    assert decision_deadline(late, today).tag == "Overdue"
    assert decision_deadline(later, today).tag == "" and decision_deadline(none, today) is None
    assert decision_deadline(_approve(people, soon), today) is None  # approved: no longer pressing
    html = signed_in(people["manager"]).get("/funding/decisions/").content.decode()
    assert html.count('deadline-tag">Overdue') == 1 and 'deadline-tag">Due soon' not in html
    page = signed_in(people["manager"]).get(f"/funding/decisions/{late.pk}/").content.decode()
    assert 'deadline-tag">Overdue' in page and "The bidding round closes (synthetic)." in page
    with_soon = _draft(people, "PCD 75", days=0)
    page = signed_in(people["manager"]).get(f"/funding/decisions/{with_soon.pk}/").content.decode()
    assert 'deadline-tag">Due soon' in page and "Decision needed today" in page


def test_the_daily_job_alerts_the_drafter_and_the_decision_makers_once(people):
    soon = _draft(people, "PCD 81", days=5)
    late = _draft(people, "PCD 82", days=-1, who="finance")
    far = _draft(people, "PCD 83", days=30)
    done = _draft(people, "PCD 84", days=2)
    _approve(people, done)
    first = alerts_run()
    assert _alerted(soon) == {
        ("london.manager", "decision_due"),
        ("decision.maker", "decision_due"),
        ("decision.maker2", "decision_due"),
    }
    assert _alerted(late) == {
        ("london.finance", "decision_overdue"),
        ("decision.maker", "decision_overdue"),
        ("decision.maker2", "decision_overdue"),
    }
    assert _alerted(far) == set() and _alerted(done) == set()
    text = Alert.objects.get(user=people["maker"], kind="decision_overdue").text
    assert (
        text.startswith("Decision PCD 82 was needed by")
        and "declarations not yet ticked: Financial advice" in text
    )
    decision_mails = len(mail.outbox)
    assert first.emailed == decision_mails >= 6
    # E-mails say there is an alert, nothing of the decision.
    assert all("PCD 8" not in m.body and "PCD 8" not in m.subject for m in mail.outbox)
    assert {m.subject for m in mail.outbox} == {
        "MARSOC Hub: Decision due soon",
        "MARSOC Hub: Decision overdue",
    }
    # Idempotent: the job again, and the worker task, make and send nothing.
    assert (alerts_run().created, len(mail.outbox)) == (0, decision_mails)
    assert alerts_task.enqueue().return_value == {"created": 0, "emailed": 0}
    assert decision_alerts_produce() == 0


def test_approval_waits_on_the_decision_maker_once_declared_and_the_drafter_is_never_the_approver(people):
    both = make_user(
        "london.both", [Role.HUB_MANAGER, Role.DECISION_MAKER], hub_code="london", agency_code="mps"
    )
    decision = _draft(people, "PCD 91", days=1, who="manager")
    for kind in DeclarationKind:
        services.decision_declare(actor=people["finance"], decision=decision, kind=kind)
    own = services.decision_draft(
        actor=both,
        data=services.DecisionInput(
            reference="PCD 92",
            title="Drafted by a decision maker (synthetic)",
            executive_summary="S",
            recommendation="R",
            part1_body="P",
            decision_maker_title="Deputy Mayor",
            decide_by=timezone.localdate(),
        ),
    )
    decision_alerts_produce()
    text = Alert.objects.get(user=people["maker"], key__contains=f":{decision.pk}:").text
    assert text.endswith("waiting on approval by a decision maker")
    # The decision maker who drafted PCD 92 hears of it once, as its drafter; the others as approvers.
    assert Alert.objects.filter(user=both, key__contains=f":{own.pk}:").count() == 1
    assert {a.user.username for a in Alert.objects.filter(key__contains=f":{own.pk}:")} == {
        "london.both",
        "decision.maker",
        "decision.maker2",
    }


def test_decision_alerts_reach_the_inbox_and_home_page_of_those_alerted(people):
    _draft(people, "PCD 95", days=-3)
    alerts_run()
    for who in ("maker", "manager"):
        client = signed_in(people[who])
        inbox = client.get("/plans/alerts/")
        assert inbox.status_code == 200 and "Decision PCD 95 was needed by" in inbox.content.decode()
        home = client.get("/").content.decode()
        assert "/work/alerts/" in home
    # The Board reads decisions but is not alerted, and has no inbox.
    assert not Alert.objects.filter(user=people["board"]).exists()
    assert signed_in(people["board"]).get("/plans/alerts/").status_code == 404
