"""Work queues: each role's home page counts what is waiting, through the façade (never what the user may
not open), and each count links to the list, oldest first, whose opening is audited with its people."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal
from marsoc.plans import services as plan_services
from marsoc.workday.selectors import home_queues, queue_by_key, queue_items

from ..conftest import make_nominal, make_user, signed_in
from ..plans.helpers import World, adopt, sentence, soon, tactic


def counts(actor) -> dict[str, int]:
    return {q.key: q.count for q in home_queues(actor=actor)}


@pytest.fixture
def w(db) -> World:
    return World()


def test_manager_referrals_count_only_what_the_manager_may_see(w):
    york = make_user("york.mgr", [Role.HUB_MANAGER], hub_code="yorkshire-humber")
    national = make_user("nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    first = make_nominal(w.manager, family="First")
    second = make_nominal(w.manager, family="Second")
    make_nominal(york, hub_code="yorkshire-humber", family="Northern")
    Nominal.objects.filter(pk=first.pk).update(membership_changed_at=timezone.now() - timedelta(days=9))
    assert counts(w.manager)["referrals"] == 2  # the adopted World nominal is not a referral
    assert counts(york)["referrals"] == 1
    assert counts(national)["referrals"] == 3
    # Oldest first.
    queue = queue_by_key(w.manager, "referrals")
    assert queue is not None
    items, total = queue_items(actor=w.manager, queue=queue)
    assert total == 2 and [i.nominal_id for i in items] == [first.pk, second.pk]
    # A record above the manager's clearance leaves the count.
    low = make_user("low.mgr", [Role.HUB_MANAGER], clearance="OFFICIAL")
    assert counts(low)["referrals"] == 0  # both are OFFICIAL-SENSITIVE


def test_each_role_has_its_own_queues(w):
    analyst = make_user("london.analyst", [Role.ANALYST])
    board = make_user("board.x", [Role.BOARD_MEMBER], hub_code=None)
    assert {"referrals", "plans-awaiting", "outcome-claims", "alerts"} <= set(counts(w.manager))
    assert "my-actions" not in counts(w.manager)
    assert {"my-people", "my-actions", "releases-no-plan", "my-reviews"} <= set(counts(w.officer))
    assert "referrals" not in counts(w.officer)
    assert {"agency-agreements", "agency-actions", "shared-this-week"} <= set(counts(w.hmrc))
    assert set(counts(analyst)) == {"alerts"}
    assert counts(board) == {}


def test_plan_agreement_queues_for_manager_and_partner(w):
    plan = w.plan()
    plan_services.action_add(
        actor=w.manager, plan=plan, tactic_id=tactic("hmrc-tax-investigation").pk, agency_id=w.hmrc_agency.pk,
        due_date=soon(), officer_id=None,
    )  # fmt: skip
    plan.refresh_from_db()
    assert counts(w.manager)["plans-awaiting"] == 0  # not yet sent
    plan_services.plan_request_agreement(actor=w.manager, plan=plan)
    assert counts(w.manager)["plans-awaiting"] == 1
    assert counts(w.hmrc)["agency-agreements"] == 1
    assert counts(w.nca)["agency-agreements"] == 0  # the NCA was not asked
    assert counts(w.hmrc)["agency-actions"] == 1
    plan.refresh_from_db()
    plan_services.plan_agree(actor=w.hmrc, plan=plan, version_number=None)
    assert counts(w.hmrc)["agency-agreements"] == 0


def test_officer_actions_and_releases_without_plan(w):
    Nominal.objects.filter(pk=w.nominal.pk).update(lead_officer=w.officer)
    sentence(w.nominal, w.officer, release_in_days=90)
    assert counts(w.officer)["releases-no-plan"] == 1
    assert counts(w.officer)["my-people"] == 1
    plan = w.plan()
    prisons = w.officer.agency_id
    for days in (10, 40):
        plan_services.action_add(
            actor=w.manager, plan=plan, tactic_id=tactic("telecoms-restriction-order").pk, agency_id=prisons,
            due_date=soon(days), officer_id=w.officer.pk,
        )  # fmt: skip
    assert counts(w.officer)["my-actions"] == 1  # the one due within 14 days
    other = make_user("other.off", [Role.HUB_OFFICER])
    assert counts(other)["my-actions"] == 0 and counts(other)["my-people"] == 0


def test_home_page_links_each_count_to_its_list_and_the_list_is_audited(w):
    adopt(make_nominal(w.manager, family="Extra"), w.manager)
    referred = make_nominal(w.manager, family="Waiting")
    client = signed_in(w.manager)
    home = client.get("/").content.decode()
    assert 'href="/work/referrals/"' in home and 'id="queue-referrals"' in home
    page = client.get("/work/referrals/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "WAITING, Test" in body and f"/cohort/{referred.pk}/membership/" in body
    event = AuditEvent.objects.filter(action="work_queue.view").latest("id")
    assert event.operation == "consultation" and event.object_id == "referrals"
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {referred.pk}


def test_someone_elses_queue_is_the_same_404_as_none(w):
    client = signed_in(w.officer)
    mine = client.get("/work/referrals/")
    none = client.get("/work/nothing-here/")
    assert mine.status_code == none.status_code == 404
