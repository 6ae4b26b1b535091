"""Demonstration data shows the whole plan cycle to a first-time user."""

import io

import pytest
from pypdf import PdfReader

from marsoc.accounts.models import User
from marsoc.core import access
from marsoc.demo.generate import generate
from marsoc.nominals.models import Participation
from marsoc.nominals.selectors import nominal_phase
from marsoc.plans.models import Agreement, Meeting, Order, Outcome, Plan
from marsoc.plans.services import plan_state
from marsoc.plans.vocabulary import PlanState

from ..conftest import signed_in

pytestmark = pytest.mark.django_db


def test_demo_has_plans_in_every_state_outcomes_and_a_meeting_with_its_pack():
    result = generate(nominals=400, seed=3)
    assert result.rows["plans"] > 0
    plans = list(Plan.objects.select_related("current_version", "nominal__owner_hub"))
    states = {plan_state(p) for p in plans}
    assert states == {PlanState.DRAFT, PlanState.AWAITING, PlanState.AGREED, PlanState.CHANGED}
    london = {plan_state(p) for p in plans if p.nominal.owner_hub.code == "london"}
    assert london == states  # the London demo users see the whole cycle
    for plan in plans:
        version = plan.current_version
        # Every acting agency participates (that is what gives its officers access).
        for agency_id in version.participating_agency_ids:
            assert Participation.objects.filter(
                nominal=plan.nominal, agency_id=agency_id, ended_at__isnull=True
            ).exists()
        # Every action suits the person's phase.
        for action in plan.actions.select_related("tactic"):
            assert nominal_phase(plan.nominal).value in action.tactic.phases
        if plan_state(plan) == PlanState.AGREED:
            agreed = set(Agreement.objects.filter(version=version).values_list("agency_id", flat=True))
            assert agreed == set(version.participating_agency_ids)
        if plan_state(plan) == PlanState.CHANGED:
            assert plan.agreed_version.number == 1 and version.number == 2
    assert set(Outcome.objects.values_list("status", flat=True)) >= {"claimed", "validated"}
    assert Order.objects.exists()
    held = Meeting.objects.filter(hub__code="london", status="held").get()
    assert held.attendance.exists() and held.decisions.exists()
    manager = User.objects.get(username="london.manager")
    upcoming = Meeting.objects.filter(hub__code="london", status="scheduled").get()
    pack = signed_in(manager).get(f"/plans/meetings/{upcoming.pk}/pack.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pack.content)).pages)
    assert "Outcomes awaiting validation" in text
    # The probation partner sees at least one plan through participation.
    partner = User.objects.get(username="partner.probation")
    assert any(access.may(partner, "nominal.view", p.nominal) for p in plans)
