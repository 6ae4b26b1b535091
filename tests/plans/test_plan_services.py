"""Catalogue, plans, joint agreement, participation, bad input, outcomes and orders."""

from datetime import timedelta

import pytest

from marsoc.core import access
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.nominals.models import Participation
from marsoc.plans import services
from marsoc.plans.models import Action, Agreement, Outcome, PlanVersion, Tactic
from marsoc.plans.services import orders
from marsoc.plans.vocabulary import OutcomeStatus, PlanState

from ..conftest import make_nominal, signed_in, today, with_purpose
from .helpers import World, adopt, soon, tactic


@pytest.fixture
def w(db) -> World:
    return World()


def _two_agency_plan(w: World):
    plan = w.plan()
    services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("poca-cash-seizure").pk,
        agency_id=w.mps.pk,
        due_date=soon(),
    )
    services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=w.hmrc_agency.pk,
        due_date=soon(60),
    )
    plan.refresh_from_db()
    return plan


# ---- catalogue


def test_catalogue_loaded_with_distinct_tro_codes_and_a_retired_entry(db):
    travel = Tactic.objects.get(code="travel-restriction-order")
    telecoms = Tactic.objects.get(code="telecoms-restriction-order")
    assert travel.agency_type == "police" and travel.life_area == "travel"
    assert travel.legal_basis == "Criminal Justice and Police Act 2001, s.33"
    assert telecoms.agency_type == "prison" and telecoms.phases == ["remand", "sentenced", "release_6m"]
    assert Tactic.objects.get(code="licence-curfew-em").phases == ["release_6m", "on_licence"]
    assert Tactic.objects.get(code="financial-reporting-order").retired
    assert Tactic.objects.count() == 34
    assert set(Tactic.objects.values_list("life_area", flat=True)) == {
        "lifestyle",
        "behaviour",
        "vehicles",
        "travel",
        "business",
        "crime",
    }


def test_catalogue_is_edited_by_a_national_administrator_only(w, national_manager):
    data = services.TacticInput(
        code="dvla-seizure",
        name="Vehicle seizure",
        agency_type="other",
        legal_basis="",
        life_area="vehicles",
        strand="pursue",
        phases=["pre_custody"],
    )
    with pytest.raises(PermissionDenied):
        services.tactic_save(actor=w.manager, data=data, reason="new")
    created = services.tactic_save(actor=national_manager, data=data, reason="new tactic on the menu")
    assert created.code == "dvla-seizure"
    with pytest.raises(ValidationFailed) as exc:
        services.tactic_save(actor=national_manager, data=data, reason="again")
    assert exc.value.errors["code"] == ["The code dvla-seizure is already in the catalogue"]


def test_retired_entry_cannot_be_chosen_but_stays_readable_on_old_plans(w, national_manager):
    plan = w.plan()
    action = services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("poca-cash-seizure").pk,
        agency_id=w.mps.pk,
        due_date=soon(),
    )
    services.tactic_retire(
        actor=national_manager, tactic=tactic("poca-cash-seizure"), retire=True, reason="gone"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.action_add(
            actor=w.manager,
            plan=plan,
            tactic_id=tactic("poca-cash-seizure").pk,
            agency_id=w.mps.pk,
            due_date=soon(),
        )
    assert "retired" in exc.value.errors["tactic"][0]
    page = with_purpose(signed_in(w.manager), w.nominal).get(f"/cohort/{w.nominal.pk}/plan/")
    assert page.status_code == 200
    assert "Cash seizure and forfeiture" in page.content.decode() and "retired" in page.content.decode()
    assert Action.objects.get(pk=action.pk).tactic.retired


# ---- plans and agreement


def test_plan_needs_an_adopted_nominal(w):
    other = make_nominal(w.manager, family="Referred")
    with pytest.raises(ValidationFailed) as exc:
        services.plan_create(actor=w.manager, nominal=other, owner_agency_id=w.mps.pk)
    assert exc.value.errors["nominal"] == [
        "Only an adopted nominal has a disruption plan: adopt the person first"
    ]


def test_joint_agreement_needs_every_participating_agency(w):
    plan = _two_agency_plan(w)
    assert services.plan_state(plan) == PlanState.DRAFT
    version = services.plan_request_agreement(actor=w.manager, plan=plan)
    assert version.number == 1
    assert version.participating_agency_ids == sorted([w.mps.pk, w.hmrc_agency.pk])
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.AWAITING
    services.plan_agree(actor=w.manager, plan=plan, version_number=1)
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.AWAITING  # HMRC has not agreed yet
    assert plan.agreed_version is None
    services.plan_agree(actor=w.hmrc, plan=plan, version_number=1, note="HMRC content")
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.AGREED
    assert plan.agreed_version_id == version.pk and plan.first_agreed_at is not None
    reps = set(Agreement.objects.filter(version=version).values_list("representative__username", flat=True))
    assert reps == {"london.mgr", "hmrc.partner"}


def test_any_change_makes_a_new_version_and_the_agreed_one_stays_visible(w):
    plan = _two_agency_plan(w)
    services.plan_request_agreement(actor=w.manager, plan=plan)
    services.plan_agree(actor=w.manager, plan=plan, version_number=1)
    services.plan_agree(actor=w.hmrc, plan=plan, version_number=1)
    first_agreed = plan.__class__.objects.get(pk=plan.pk).first_agreed_at
    services.objective_add(actor=w.manager, plan=plan, text="Remove access to criminal cash")
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.CHANGED
    assert plan.current_version.number == 2
    assert plan.agreed_version.number == 1
    assert plan.agreed_version.snapshot["objectives"] == []
    assert plan.current_version.snapshot["objectives"][0]["text"] == "Remove access to criminal cash"
    # A second change while v2 is still a draft goes into v2, not a v3.
    services.objective_add(actor=w.manager, plan=plan, text="Second objective")
    assert PlanVersion.objects.filter(plan=plan).count() == 2
    # Agreement to v2 starts again from nobody.
    services.plan_request_agreement(actor=w.manager, plan=plan)
    services.plan_agree(actor=w.hmrc, plan=plan, version_number=2)
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.CHANGED and plan.agreed_version.number == 1
    with pytest.raises(ValidationFailed) as exc:
        services.plan_agree(actor=w.manager, plan=plan, version_number=1)
    assert exc.value.errors["version"] == ["Version 1 has been replaced: the plan is now at version 2"]
    services.plan_agree(actor=w.manager, plan=plan, version_number=2)
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.AGREED and plan.agreed_version.number == 2
    assert plan.first_agreed_at == first_agreed  # the first agreement date does not move


def test_a_change_after_agreement_was_requested_also_opens_a_version(w):
    plan = _two_agency_plan(w)
    services.plan_request_agreement(actor=w.manager, plan=plan)
    services.plan_agree(actor=w.manager, plan=plan, version_number=1)
    services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("scpo-high-court").pk,
        agency_id=w.mps.pk,
        due_date=soon(90),
    )
    plan.refresh_from_db()
    assert plan.current_version.number == 2 and plan.current_version.requested_at is None
    assert services.plan_state(plan) == PlanState.DRAFT  # never agreed: back to a draft
    with pytest.raises(ValidationFailed) as exc:
        services.plan_agree(actor=w.hmrc, plan=plan, version_number=2)
    assert exc.value.errors["version"] == ["Version 2 has not been put forward for agreement"]


def test_agreement_by_a_non_participating_agency_is_refused_and_saves_nothing(w):
    plan = _two_agency_plan(w)
    services.plan_request_agreement(actor=w.manager, plan=plan)
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.plan_agree(actor=w.officer, plan=plan, version_number=1)  # HMPPS Prisons, no action
    assert exc.value.errors["version"] == [
        "HMPPS Prisons – London has no action in version 1 of this plan, so it is not a participating agency "
        "and cannot agree it"
    ]
    assert Agreement.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_agreement_page_shows_the_refusal_for_a_non_participating_agency(w):
    plan = _two_agency_plan(w)
    services.plan_request_agreement(actor=w.manager, plan=plan)
    client = with_purpose(signed_in(w.officer), w.nominal)
    response = client.post(f"/cohort/{w.nominal.pk}/plan/agree/", {"version": "1"})
    assert response.status_code == 200
    assert "is not a participating agency and cannot agree it" in response.content.decode()
    assert Agreement.objects.count() == 0


# ---- participation through the plan


def test_an_action_makes_the_agency_participate_and_gives_its_officers_access(w):
    plan = w.plan()
    assert not access.may(w.hmrc, "nominal.view", w.nominal)
    client = with_purpose(signed_in(w.hmrc), w.nominal)
    assert client.get(f"/cohort/{w.nominal.pk}/plan/").status_code == 404
    services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=w.hmrc_agency.pk,
        due_date=soon(),
    )
    part = Participation.objects.get(nominal=w.nominal, agency=w.hmrc_agency, ended_at__isnull=True)
    assert part.rationale == "Acting agency on the person's disruption plan"
    assert AuditEvent.objects.filter(action="participation.add", nominal_id=w.nominal.pk).exists()
    assert access.may(w.hmrc, "nominal.view", w.nominal)
    assert client.get(f"/cohort/{w.nominal.pk}/plan/").status_code == 200
    assert client.get(f"/cohort/{w.nominal.pk}/").status_code == 200
    # The NCA has no action: still no access.
    nca = with_purpose(signed_in(w.nca), w.nominal)
    assert nca.get(f"/cohort/{w.nominal.pk}/plan/").status_code == 404
    # A second action for the same agency does not add a second participation.
    services.action_add(
        actor=w.manager,
        plan=plan,
        tactic_id=tactic("hmrc-tax-investigation").pk,
        agency_id=w.hmrc_agency.pk,
        due_date=soon(40),
    )
    assert Participation.objects.filter(nominal=w.nominal, agency=w.hmrc_agency).count() == 1


def test_partners_cannot_change_the_plan(w):
    plan = _two_agency_plan(w)
    with pytest.raises(PermissionDenied):
        services.objective_add(actor=w.hmrc, plan=plan, text="mine")


# ---- bad input


def test_due_date_in_the_past_is_refused_and_nothing_saved(w):
    plan = w.plan()
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.action_add(
            actor=w.manager,
            plan=plan,
            tactic_id=tactic("hmrc-tax-investigation").pk,
            agency_id=w.hmrc_agency.pk,
            due_date=today() - timedelta(days=1),
        )
    assert exc.value.errors == {"due_date": ["The due date must be today or in the future"]}
    assert Action.objects.count() == 0
    assert not Participation.objects.filter(agency=w.hmrc_agency).exists()
    assert AuditEvent.objects.count() == before


def test_catalogue_entry_not_applicable_to_the_phase_is_refused(w):
    plan = w.plan()  # the person is pre-custody
    with pytest.raises(ValidationFailed) as exc:
        services.action_add(
            actor=w.manager,
            plan=plan,
            tactic_id=tactic("telecoms-restriction-order").pk,
            agency_id=w.officer.agency_id,
            due_date=soon(),
        )
    assert exc.value.errors["tactic"] == [
        "Telecommunications Restriction Order does not apply to a person who is pre-custody: it applies when "
        "remand, sentenced, release within 6 months"
    ]
    assert Action.objects.count() == 0


def test_tactic_of_another_agency_type_is_refused(w):
    plan = w.plan()
    with pytest.raises(ValidationFailed) as exc:
        services.action_add(
            actor=w.manager,
            plan=plan,
            tactic_id=tactic("hmrc-tax-investigation").pk,
            agency_id=w.mps.pk,
            due_date=soon(),
        )
    assert exc.value.errors["agency"] == [
        "Metropolitan Police Service cannot use Tax investigation: it is a HM Revenue and Customs power"
    ]


def test_action_form_shows_the_errors_and_saves_nothing(w):
    w.plan()
    client = with_purpose(signed_in(w.manager), w.nominal)
    past = today() - timedelta(days=3)
    response = client.post(
        f"/cohort/{w.nominal.pk}/plan/actions/add/",
        {
            "tactic": str(tactic("licence-curfew-em").pk),
            "agency": str(w.mps.pk),
            "due_date_day": str(past.day),
            "due_date_month": str(past.month),
            "due_date_year": str(past.year),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in body, body
    assert "The due date must be today or in the future" in body
    assert "does not apply to a person who is pre-custody" in body
    assert Action.objects.count() == 0


def test_claim_on_another_agencys_action_is_refused(w):
    plan = _two_agency_plan(w)
    hmrc_action = plan.actions.get(agency=w.hmrc_agency)
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_claim(
            actor=w.manager,
            action=hmrc_action,
            occurred_on=today(),
            rating="major",
            justification="Ours really",
        )
    assert exc.value.errors["action"] == [
        "This action belongs to HM Revenue and Customs: only that agency can claim its outcome"
    ]
    assert Outcome.objects.count() == 0


# ---- outcomes


def test_outcomes_claimed_validated_rejected_and_merged(w):
    plan = _two_agency_plan(w)
    hmrc_action = plan.actions.get(agency=w.hmrc_agency)
    mps_action = plan.actions.get(agency=w.mps)
    first = services.outcome_claim(
        actor=w.hmrc,
        action=hmrc_action,
        occurred_on=today(),
        rating="moderate",
        justification="Assessment raised",
    )
    dup = services.outcome_claim(
        actor=w.hmrc,
        action=hmrc_action,
        occurred_on=today(),
        rating="moderate",
        justification="Same assessment",
    )
    mine = services.outcome_claim(
        actor=w.manager, action=mps_action, occurred_on=today(), rating="negative", justification="Backfired"
    )
    with pytest.raises(PermissionDenied):
        services.outcome_decide(actor=w.hmrc, outcome=first, validate=True)
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_decide(actor=w.manager, outcome=mine, validate=False, reason="")
    assert exc.value.errors["reason"] == ["Enter the reason for rejecting the claim"]
    services.outcome_decide(actor=w.manager, outcome=first, validate=True)
    services.outcome_merge(actor=w.manager, outcome=dup, into_id=first.pk, reason="Same disruption")
    services.outcome_decide(actor=w.manager, outcome=mine, validate=False, reason="No evidence of impact")
    statuses = dict(Outcome.objects.values_list("pk", "status"))
    assert statuses == {
        first.pk: OutcomeStatus.VALIDATED,
        dup.pk: OutcomeStatus.MERGED,
        mine.pk: OutcomeStatus.REJECTED,
    }
    assert Outcome.objects.get(pk=dup.pk).merged_into_id == first.pk
    with pytest.raises(ValidationFailed):
        services.outcome_decide(actor=w.manager, outcome=Outcome.objects.get(pk=first.pk), validate=True)


def test_outcome_in_the_future_or_without_rating_is_refused(w):
    plan = _two_agency_plan(w)
    action = plan.actions.get(agency=w.hmrc_agency)
    with pytest.raises(ValidationFailed) as exc:
        services.outcome_claim(
            actor=w.hmrc,
            action=action,
            occurred_on=today() + timedelta(days=1),
            rating="huge",
            justification="",
        )
    assert set(exc.value.errors) == {"occurred_on", "rating", "justification"}


# ---- orders


def test_orders_and_breaches(w):
    order = orders.order_record(
        actor=w.manager,
        nominal=w.nominal,
        order_type="scpo",
        start_date=today() - timedelta(days=100),
        end_date=today() + timedelta(days=20),
        conditions="No more than one mobile phone",
    )
    with pytest.raises(ValidationFailed) as exc:
        orders.order_record(
            actor=w.manager, nominal=w.nominal, order_type="scpo", start_date=today(), end_date=today()
        )
    assert exc.value.errors["end_date"] == ["The end date must be after the start date"]
    with pytest.raises(ValidationFailed) as exc:
        orders.order_breach_report(
            actor=w.manager, order=order, occurred_on=today() - timedelta(days=200), details="Second phone"
        )
    assert exc.value.errors["occurred_on"] == ["The breach must fall while the order was in force"]
    breach = orders.order_breach_report(
        actor=w.manager, order=order, occurred_on=today(), details="Second phone"
    )
    assert breach.order_id == order.pk


def test_cancelling_an_action_changes_the_agreed_plan(w):
    plan = _two_agency_plan(w)
    services.plan_request_agreement(actor=w.manager, plan=plan)
    services.plan_agree(actor=w.manager, plan=plan, version_number=1)
    services.plan_agree(actor=w.hmrc, plan=plan, version_number=1)
    hmrc_action = plan.actions.get(agency=w.hmrc_agency)
    # Progress by the acting agency is not a change to what was agreed.
    services.action_update(actor=w.hmrc, action=hmrc_action, status="in_progress")
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.AGREED
    with pytest.raises(ValidationFailed):
        services.action_update(actor=w.hmrc, action=hmrc_action, status="cancelled")
    services.action_update(actor=w.manager, action=hmrc_action, status="cancelled")
    plan.refresh_from_db()
    assert services.plan_state(plan) == PlanState.CHANGED
    assert plan.current_version.participating_agency_ids == [w.mps.pk]


def test_adopt_helper_is_real(w):
    assert adopt  # the helper drives the real membership service
    assert w.nominal.membership_state == "adopted"


def test_erasing_the_person_removes_the_whole_plan(w):
    """Whole-record erasure (e.g. the demo reset) must not be blocked by the plan's own links."""
    plan = _two_agency_plan(w)
    services.plan_request_agreement(actor=w.manager, plan=plan)
    services.plan_agree(actor=w.manager, plan=plan, version_number=1)
    services.plan_agree(actor=w.hmrc, plan=plan, version_number=1)
    services.objective_add(actor=w.manager, plan=plan, text="Changed")
    action = plan.actions.get(agency=w.hmrc_agency)
    first = services.outcome_claim(
        actor=w.hmrc, action=action, occurred_on=today(), rating="minor", justification="a"
    )
    dup = services.outcome_claim(
        actor=w.hmrc, action=action, occurred_on=today(), rating="minor", justification="b"
    )
    services.outcome_merge(actor=w.manager, outcome=dup, into_id=first.pk, reason="Same")
    w.nominal.delete()
    assert not PlanVersion.objects.exists() and not Outcome.objects.exists() and not Action.objects.exists()


def test_catalogue_pages_add_and_retire(w, national_manager):
    client = signed_in(national_manager)
    form = {
        "code": "dvla-seizure",
        "name": "Vehicle seizure",
        "agency_type": "other",
        "life_area": "vehicles",
        "strand": "pursue",
        "reason": "New menu entry",
    }
    missing = client.post("/plans/catalogue/add/", form)
    assert "Select at least one lifecycle phase" in missing.content.decode()
    assert not Tactic.objects.filter(code="dvla-seizure").exists()
    done = client.post("/plans/catalogue/add/", {**form, "phases": ["pre_custody", "on_licence"]})
    assert done.status_code == 302
    entry = Tactic.objects.get(code="dvla-seizure")
    assert entry.phases == ["pre_custody", "on_licence"] and not entry.retired
    client.post(f"/plans/catalogue/{entry.pk}/", {**form, "phases": ["pre_custody"], "retire": "retire"})
    entry.refresh_from_db()
    assert entry.retired
    assert AuditEvent.objects.filter(action="tactic.retire", object_id=str(entry.pk)).exists()
    assert signed_in(w.manager).post("/plans/catalogue/add/", {**form, "code": "x"}).status_code == 404


@pytest.mark.django_db
def test_system_administrator_edits_the_catalogue_in_the_admin_audited_and_never_deletes():
    import json

    from marsoc.plans.catalogue import load_catalogue

    from ..conftest import make_user

    load_catalogue()
    admin_user = make_user("sys.cat", ["system_admin"], hub_code=None, agency_code="hmpps-marsoc")
    client = signed_in(admin_user)
    tactic = Tactic.objects.order_by("code").first()
    assert client.get("/admin/plans/tactic/").status_code == 200
    page = client.get(f"/admin/plans/tactic/{tactic.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["phases"] = json.dumps(tactic.phases)
    data["legal_basis"] = "Corrected legal basis (test)"
    data["retired_at_0"], data["retired_at_1"] = "", ""
    data.pop("retired_at", None)
    response = client.post(f"/admin/plans/tactic/{tactic.pk}/change/", data)
    assert response.status_code == 302, page.context["adminform"].form.errors
    tactic.refresh_from_db()
    assert tactic.legal_basis == "Corrected legal basis (test)"
    event = AuditEvent.objects.filter(action="admin.change", object_type="tactic", actor=admin_user).get()
    assert "legal_basis" in event.details["fields"]
    assert client.post(f"/admin/plans/tactic/{tactic.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Tactic.objects.filter(pk=tactic.pk).exists()
