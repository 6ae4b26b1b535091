"""A hidden record and a missing one cost the same work: every `access_*_by_id` runs the same SQL
statements for both (literal values aside), so neither the answer nor its timing tells an id exists.
bench/access_timing.py prints both latency distributions (docs/performance.md)."""

import re
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marsoc.assessment.selectors import access_assessment_by_id, access_exercise_by_id, dry_run_by_id
from marsoc.assessment.services import active_method, assessment_submit, dry_run_request, method_spec
from marsoc.casework.selectors import access_case_note_by_id
from marsoc.core.errors import NotFoundOrForbidden
from marsoc.core.vocabulary import Role
from marsoc.funding.selectors import access_grant_by_id
from marsoc.intelligence.selectors import access_agreement_by_id, access_item_by_id, access_summary_by_id
from marsoc.linkage.selectors import access_import_by_id, access_pair_by_id, access_person
from marsoc.network.selectors import access_associate_by_id, access_group_by_id
from marsoc.nominals.models import Nominal
from marsoc.nominals.selectors import access_nominal_by_id
from marsoc.plans.models import Meeting, Order
from marsoc.plans.selectors import access_action_by_id, access_meeting_by_id, access_order_by_id

from .conftest import add_participation, make_nominal, make_user, today
from .intelligence.helpers import make_agreement, make_item, make_summary
from .linkage.helpers import linkage_world

MISSING = 987_654


def _statements(call: Callable[[], object]) -> list[str]:
    with CaptureQueriesContext(connection) as captured, pytest.raises(NotFoundOrForbidden):
        call()
    # The same statements: numbers and quoted literals (ids, dates) may differ, nothing else.
    return [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in captured.captured_queries]


@pytest.fixture
def world(db, tmp_path, settings):
    settings.LINKAGE_STAGING_DIR = tmp_path
    manager = make_user("london.mgr", [Role.HUB_MANAGER], hub_code="london", agency_code="mps")
    national = make_user("nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    outsider = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    partner = make_user("nca.off", [Role.PARTNER_OFFICER], hub_code=None, agency_code="nca")
    person = make_nominal(manager, family="Hidden")
    # A partner whose agency takes part, without an agreement: the most expensive way to be refused.
    add_participation(person, "nca", manager, agreement=False)
    Nominal.objects.filter(pk=person.pk).update(membership_state="adopted")
    person.refresh_from_db()
    from marsoc.accounts.models import Agency, Hub
    from marsoc.plans.models import Action, Tactic
    from marsoc.plans.services import plan_create

    plan = plan_create(actor=manager, nominal=person, owner_agency_id=Agency.objects.get(code="mps").pk)
    action = Action.objects.create(
        plan=plan,
        tactic=Tactic.objects.get(code="poca-account-freezing"),
        agency=Agency.objects.get(code="nca"),
        due_date=today(),
        created_at=plan.created_at,
    )
    order = Order.objects.create(nominal=person, order_type="scpo", start_date=today(), end_date=today())
    meeting = Meeting.objects.create(hub=Hub.objects.get(code="london"), held_on=today(), title="London")
    item = make_item(person)
    agreement = make_agreement(["mps", "hmrc"])
    summary = make_summary(person, agreement, recipient="hmrc", sharing_agency="mps")
    levels = {f.code: 2 for f in method_spec(active_method()).factors}
    assessment = assessment_submit(actor=manager, nominal=person, levels=levels)
    from marsoc.assessment import services as assessment_services

    exercise = assessment_services.calibration_create(
        actor=national, name="Draft", opens_on=today(), closes_on=today()
    )
    run = dry_run_request(actor=national, candidate=active_method())
    linkage = linkage_world(tmp_path, manager)
    # The kinds added since (case notes, grants, networks) fetch through the same façade.
    from marsoc.casework.models import CaseNote
    from marsoc.demo.funding import load_seed_grant
    from marsoc.network import services as network_services

    note = CaseNote.objects.create(
        nominal=person,
        contact_type="meeting",
        occurred_at=plan.created_at,
        outcome="attended",
        text="Met at the office",
        classification=person.classification,
        agency=manager.agency,
        author=manager,
        created_at=plan.created_at,
    )
    grant = load_seed_grant(recorder=national, keeper=manager)
    group = network_services.group_create(
        actor=national,
        data=network_services.GroupInput(
            name="Thames Crew",
            lead_agency_id=Agency.objects.get(code="mps").pk,
            crime_types=["drugs_supply"],
            owner_hub_id=Hub.objects.get(code="london").pk,
        ),
    )
    associate = network_services.associate_create(
        actor=national,
        data=network_services.AssociateInput(
            family_name="Visitor", given_names="Val", owner_hub_id=Hub.objects.get(code="london").pk
        ),
    )
    return locals()


CASES = {
    "nominal": lambda w, a, i: access_nominal_by_id(actor=a, nominal_id=i),
    "intelligence item": lambda w, a, i: access_item_by_id(actor=a, item_id=i),
    "nominal summary": lambda w, a, i: access_summary_by_id(actor=a, summary_id=i),
    "agreement": lambda w, a, i: access_agreement_by_id(actor=a, agreement_id=i),
    "plan action": lambda w, a, i: access_action_by_id(actor=a, nominal=w["person"], action_id=i),
    "order": lambda w, a, i: access_order_by_id(actor=a, nominal=w["person"], order_id=i),
    "meeting": lambda w, a, i: access_meeting_by_id(actor=a, meeting_id=i),
    "assessment": lambda w, a, i: access_assessment_by_id(actor=a, assessment_id=i),
    "calibration exercise": lambda w, a, i: access_exercise_by_id(actor=a, exercise_id=i),
    "dry run": lambda w, a, i: dry_run_by_id(actor=a, run_id=i),
    "feed import": lambda w, a, i: access_import_by_id(a, i),
    "candidate pair": lambda w, a, i: access_pair_by_id(a, i),
    "linked person": lambda w, a, i: access_person(a, i),
    "case note": lambda w, a, i: access_case_note_by_id(actor=a, nominal=w["person"], note_id=i),
    "grant": lambda w, a, i: access_grant_by_id(actor=a, grant_id=i),
    "network group": lambda w, a, i: access_group_by_id(actor=a, group_id=i),
    "associate": lambda w, a, i: access_associate_by_id(actor=a, associate_id=i),
}
HIDDEN_ID = {
    "nominal": lambda w: w["person"].pk,
    "intelligence item": lambda w: w["item"].pk,
    "nominal summary": lambda w: w["summary"].pk,
    "agreement": lambda w: w["agreement"].pk,
    "plan action": lambda w: w["action"].pk,
    "order": lambda w: w["order"].pk,
    "meeting": lambda w: w["meeting"].pk,
    "assessment": lambda w: w["assessment"].pk,
    "calibration exercise": lambda w: w["exercise"].pk,
    "dry run": lambda w: w["run"].pk,
    "feed import": lambda w: w["linkage"]["import"],
    "candidate pair": lambda w: w["linkage"]["pair"],
    "linked person": lambda w: w["linkage"]["person"],
    "case note": lambda w: w["note"].pk,
    "grant": lambda w: w["grant"].pk,
    "network group": lambda w: w["group"].pk,
    "associate": lambda w: w["associate"].pk,
}


NO_REACH_FOR_OFFICERS = {"grant"}


@pytest.mark.parametrize("actor_key", ["outsider", "partner"])
@pytest.mark.parametrize("case", list(CASES))
def test_hidden_and_missing_run_the_same_sql(world, case, actor_key):
    actor = world[actor_key]
    actor.role_codes, actor.is_national  # noqa: B018  (loaded once per request in real use)
    fetch = CASES[case]
    hidden = _statements(lambda: fetch(world, actor, HIDDEN_ID[case](world)))
    missing = _statements(lambda: fetch(world, actor, MISSING))
    assert hidden == missing, f"{case}: hidden ran {len(hidden)} statements, missing {len(missing)}"
    # A partner has no reach at all over some kinds (meetings, assessments, linkage), nor a hub officer
    # over funding: the scope is empty and no query runs, for either id. Otherwise the outsider, a hub
    # officer elsewhere, always queries.
    assert hidden or actor_key == "partner" or case in NO_REACH_FOR_OFFICERS, "the check ran no query at all"


def test_the_owner_still_gets_the_records(world):
    """The same selectors answer those who may see (so the test above is not about selectors that
    refuse everyone)."""
    manager = world["manager"]
    assert access_nominal_by_id(actor=manager, nominal_id=world["person"].pk) == world["person"]
    assert access_item_by_id(actor=manager, item_id=world["item"].pk) == world["item"]
    assert access_action_by_id(actor=manager, nominal=world["person"], action_id=world["action"].pk)
    assert access_order_by_id(actor=manager, nominal=world["person"], order_id=world["order"].pk)
    assert access_meeting_by_id(actor=manager, meeting_id=world["meeting"].pk)
    assert access_assessment_by_id(actor=manager, assessment_id=world["assessment"].pk)
    assert access_person(manager, world["linkage"]["person"]).records
    note = access_case_note_by_id(actor=manager, nominal=world["person"], note_id=world["note"].pk)
    assert note == world["note"]
    assert access_grant_by_id(actor=manager, grant_id=world["grant"].pk) == world["grant"]
    assert access_group_by_id(actor=manager, group_id=world["group"].pk) == world["group"]
    assert access_associate_by_id(actor=manager, associate_id=world["associate"].pk) == world["associate"]
