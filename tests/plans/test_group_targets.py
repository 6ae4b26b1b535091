"""Plans that target an organised crime group: an action names the group it disrupts (by reference, a
group the planner may see; a hidden one is refused like a missing one, nothing saved); its outcome says
what the disruption did to the group, beside the national scale's rating; the group page lists the
actions and outcomes against it for those who may see the people."""

import pytest

from marsoc.accounts.models import Agency
from marsoc.core.errors import ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.network import services as network_services
from marsoc.network.services import GroupInput
from marsoc.plans import services
from marsoc.plans.models import Action, Outcome

from ..conftest import hub, make_user, signed_in, today
from .helpers import World, soon, tactic


@pytest.fixture
def w(db) -> World:
    return World()


def _groups(w: World):
    national = make_user("ocg.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    mps, yhrocu = Agency.objects.get(code="mps").pk, Agency.objects.get(code="yhrocu").pk
    london = network_services.group_create(
        actor=national,
        data=GroupInput(name="Thames Crew", lead_agency_id=mps, crime_types=["drugs_supply"],
                        owner_hub_id=hub("london").pk),
    )  # fmt: skip
    york = network_services.group_create(
        actor=national,
        data=GroupInput(name="Humber Firm", lead_agency_id=yhrocu, crime_types=["firearms"],
                        owner_hub_id=hub("yorkshire-humber").pk),
    )  # fmt: skip
    return london, york


def _add(w: World, plan, target: str):
    return services.action_add(
        actor=w.manager, plan=plan, tactic_id=tactic("poca-cash-seizure").pk, agency_id=w.mps.pk,
        due_date=soon(), target_group=target,
    )  # fmt: skip


def test_an_action_targets_a_group_the_planner_may_see(w):
    london, york = _groups(w)
    plan = w.plan()
    for bad in ["OCG", "MH0000001", york.reference, "OCG999999"]:
        with pytest.raises(ValidationFailed) as exc:
            _add(w, plan, bad)
        assert exc.value.errors == {
            "target_group": ["Enter the reference of a group you may see, for example OCG000007"]
        }
    assert not Action.objects.exists()
    action = _add(w, plan, london.reference.lower())
    assert action.target_group == london
    event = AuditEvent.objects.filter(action="plan.action_add").latest("id")
    assert event.details["target_group"] == london.pk


def test_an_outcome_says_what_the_disruption_did_to_the_group(w):
    london, _york = _groups(w)
    plan = w.plan()
    targeted = _add(w, plan, london.reference)
    plain = _add(w, plan, "")
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_claim(actor=w.manager, action=targeted, occurred_on=today(), rating="major",
                               justification="Cash seized")  # fmt: skip
    assert exc.value.errors["group_effect"] == [
        "Select what the disruption did to Thames Crew, the group the action targets"
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_claim(actor=w.manager, action=plain, occurred_on=today(), rating="minor",
                               justification="Cash seized", group_effect="less_capable")  # fmt: skip
    assert exc.value.errors["group_effect"] == [
        "This action does not target a group: leave the effect on a group empty"
    ]
    assert not Outcome.objects.exists()
    outcome = services.outcome_claim(actor=w.manager, action=targeted, occurred_on=today(), rating="major",
                                     justification="Cash seized", group_effect="less_capable")  # fmt: skip
    assert outcome.get_group_effect_display() == "The group is less capable"

    # The group page lists it for those who may see the person, and records them as shown.
    page = signed_in(w.manager).get(f"/network/groups/{london.pk}/").content.decode()
    assert f'id="group-action-{targeted.pk}"' in page and "the group is less capable" in page
    event = AuditEvent.objects.filter(action="plan.group_actions", actor=w.manager).latest("id")
    assert set(event.subjects.values_list("nominal_id", flat=True)) == {w.nominal.pk}
    national = make_user(
        "ocg.reader", [Role.NATIONAL_ANALYST], hub_code="national", agency_code="hmpps-marsoc"
    )
    assert (
        f'id="group-action-{targeted.pk}"'
        in signed_in(national).get(f"/network/groups/{london.pk}/").content.decode()
    )
    # A partner who sees the group (an agreement covering networks) but not the person sees no action.
    from marsoc.sharing.models import AgreementCategory

    from ..conftest import partnership_agreement

    AgreementCategory.objects.create(agreement=partnership_agreement("probation-london"), code="associates")
    partner = make_user("ocg.partner", [Role.PARTNER_OFFICER], agency_code="probation-london")
    got = signed_in(partner).get(f"/network/groups/{london.pk}/")
    assert got.status_code == 200 and f'id="group-action-{targeted.pk}"' not in got.content.decode()
