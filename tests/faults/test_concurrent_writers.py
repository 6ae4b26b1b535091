"""Concurrent writers on one plan, one outcome, one review pair and one import feed: each request
either succeeds or is refused with a clear 4xx, never a 500, and no write is lost.

Real concurrency on PostgreSQL: every thread is its own connection and transaction, and they are
released together by a barrier so that they really meet at the row locks. (SQLite serialises
writers at BEGIN, so there is no race there to test.)"""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from marsoc.core.vocabulary import Role
from marsoc.plans import services as plan_services
from marsoc.plans.models import Action, PlanVersion

from ..conftest import errors_by_field, make_user
from ..plans.helpers import World, soon, tactic

pytestmark = [pytest.mark.postgres, pytest.mark.flushes]


def together(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run the calls at the same moment, one thread (one database connection) each; their results
    (or the exception each raised) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except Exception as exc:  # returned to the test, which says what it expected
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def api_post(token: str, path: str, payload: dict[str, Any]) -> Callable[[], Any]:
    def call() -> Any:
        client = Client(raise_request_exception=False)
        return client.post(
            path, payload, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
        )

    return call


def test_four_users_adding_actions_to_one_frozen_plan_all_succeed(committed, postgres_only, token_for):
    """Defect 1: one 201 and three 500s, because after waiting for the plan's lock its current
    version came back as None."""
    w = World()
    plan = w.plan()
    plan_services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("poca-cash-seizure").pk,
        agency_id=w.mps.pk,
        due_date=soon(),
    )
    plan_services.plan_request_agreement(actor=w.manager, plan=plan)  # version 1 is frozen
    managers = [w.manager] + [make_user(f"london.mgr{i}", [Role.HUB_MANAGER]) for i in range(2, 5)]
    path = f"/api/nominals/{w.nominal.pk}/plan/actions"
    payload = {"tactic_id": tactic("poca-cash-seizure").pk, "agency_id": w.mps.pk, "due_date": str(soon())}

    answers = together([api_post(token_for(m), path, payload) for m in managers])

    assert [a.status_code for a in answers] == [201] * 4, [a.content[:300] for a in answers]
    assert Action.objects.filter(plan=plan).count() == 5  # none lost
    versions = PlanVersion.objects.filter(plan=plan).order_by("number")
    assert [v.number for v in versions] == [1, 2]  # one new version, holding all four
    plan.refresh_from_db()
    assert plan.current_version == versions[1]
    assert len(versions[1].snapshot["actions"]) == 5


def test_agreeing_a_version_someone_has_just_replaced_is_a_conflict(committed, postgres_only, token_for):
    """An agency agrees version 1 while the owner hub adds an action (which opens version 2): one of
    them goes first; if the change wins, the agreement is answered 409 "someone changed this plan"."""
    w = World()
    plan = w.plan()
    for code, agency in (("poca-cash-seizure", w.mps), ("hmrc-tax-investigation", w.hmrc_agency)):
        plan_services.action_add(
            actor=w.manager, plan=plan, tactic_id=tactic(code).pk, agency_id=agency.pk, due_date=soon()
        )
    plan_services.plan_request_agreement(actor=w.manager, plan=plan)
    n = w.nominal.pk
    change = api_post(
        token_for(w.manager),
        f"/api/nominals/{n}/plan/actions",
        {"tactic_id": tactic("poca-cash-seizure").pk, "agency_id": w.mps.pk, "due_date": str(soon())},
    )
    agree = api_post(token_for(w.hmrc), f"/api/nominals/{n}/plan/agree", {"version": 1})

    added, agreed = together([change, agree])

    assert added.status_code == 201, added.content
    assert agreed.status_code in (200, 409), agreed.content
    if agreed.status_code == 409:
        body = agreed.json()
        assert "changed this plan" in body["detail"] and "reload" in body["detail"]
        assert "version" in errors_by_field(body)


def test_agreeing_a_replaced_version_is_answered_409_with_reload(committed, token_for):
    w = World()
    plan = w.plan()
    for code, agency in (("poca-cash-seizure", w.mps), ("hmrc-tax-investigation", w.hmrc_agency)):
        plan_services.action_add(
            actor=w.manager, plan=plan, tactic_id=tactic(code).pk, agency_id=agency.pk, due_date=soon()
        )
    plan_services.plan_request_agreement(actor=w.manager, plan=plan)
    plan_services.action_add(  # opens version 2 while HMRC's page still shows version 1
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("poca-cash-seizure").pk,
        agency_id=w.mps.pk,
        due_date=soon(),
    )
    stale = api_post(token_for(w.hmrc), f"/api/nominals/{w.nominal.pk}/plan/agree", {"version": 1})()
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["detail"] == "Someone changed this plan while you were looking at it: reload it and try again"
    assert errors_by_field(body) == {"version": ["Version 1 has been replaced: the plan is now at version 2"]}


def test_two_managers_deciding_one_claim_at_once_one_decision_stands(committed, postgres_only):
    """Both read the claim as "claimed"; without a lock both writes succeed and the second silently
    replaces the first (a lost update). Now one wins, the other is told someone decided it."""
    from marsoc.core.errors import Conflict, ValidationFailed
    from marsoc.core.models import AuditEvent
    from marsoc.plans.models import Outcome
    from marsoc.plans.vocabulary import OutcomeStatus

    from ..conftest import today

    w = World()
    plan = w.plan()
    action = plan_services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("poca-cash-seizure").pk,
        agency_id=w.mps.pk,
        due_date=soon(),
    )
    claim = plan_services.outcome_claim(
        actor=w.manager, action=action, occurred_on=today(), rating="moderate", justification="Cash seized"
    )
    second = make_user("london.mgr2", [Role.HUB_MANAGER])

    def decide(user, validate):
        def call():
            stale = Outcome.objects.select_related("action__plan__nominal").get(pk=claim.pk)
            return plan_services.outcome_decide(
                actor=user, outcome=stale, validate=validate, reason="" if validate else "Not ours"
            )

        return call

    results = together([decide(w.manager, True), decide(second, False)])

    won = [r for r in results if isinstance(r, Outcome)]
    # The loser either waited on the lock (Conflict: reload) or, when the winner had committed before
    # it read the claim, was told the claim is already decided; both refuse and save nothing.
    lost = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(won) == 1 and len(lost) == 1, results
    assert "already been" in lost[0].errors["outcome"][0]
    assert not isinstance(lost[0], Conflict) or "reload" in lost[0].detail
    stored = Outcome.objects.get(pk=claim.pk)
    assert stored.status == won[0].status and stored.decided_by_id == won[0].decided_by_id
    decisions = AuditEvent.objects.filter(object_type="outcome", object_id=str(claim.pk)).exclude(
        action="outcome.claim"
    )
    assert decisions.count() == 1  # the loser wrote nothing, not even its audit record
    assert stored.status in (OutcomeStatus.VALIDATED, OutcomeStatus.REJECTED)


def test_two_reviewers_deciding_one_pair_at_once_merge_once(committed, postgres_only, tmp_path, settings):
    from marsoc.core.errors import ValidationFailed
    from marsoc.linkage import services as linkage_services
    from marsoc.linkage.models import CandidatePair, Merge, PairStatus

    from ..linkage.helpers import linkage_world

    settings.LINKAGE_STAGING_DIR = tmp_path / "staged"
    reviewers = [
        make_user(f"national.rev{i}", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
        for i in range(3)
    ]
    world = linkage_world(tmp_path, reviewers[0])
    merges_before = Merge.objects.count()

    def decide(user, decision):
        return lambda: linkage_services.pair_decide(actor=user, pair_id=world["pair"], decision=decision)

    results = together(
        [
            decide(reviewers[0], PairStatus.MATCH),
            decide(reviewers[1], PairStatus.MATCH),
            decide(reviewers[2], PairStatus.NOT_MATCH),
        ]
    )

    won = [r for r in results if isinstance(r, CandidatePair)]
    refused = [r for r in results if isinstance(r, ValidationFailed)]
    assert len(won) == 1 and len(refused) == 2, results
    assert all(r.errors == {"decision": ["This pair has already been decided"]} for r in refused)
    pair = CandidatePair.objects.get(pk=world["pair"])
    assert pair.status == won[0].status
    assert Merge.objects.count() == merges_before + (1 if pair.status == PairStatus.MATCH else 0)
