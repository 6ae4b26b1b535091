"""Assessments in the service: the known score, immutability and supersession, manager decisions,
the priority list's scope and order, exports recorded as disclosures, and review triggers."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from marsoc.assessment import services
from marsoc.assessment.models import Assessment, FactorScore, PriorityStatus, ScoringMethod
from marsoc.assessment.selectors import PriorityFilters, priority_list, reviews_due
from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals.services import custody_event_record

from ..conftest import add_participation, hub, make_nominal, make_user, signed_in, with_purpose
from .test_method import WORKED_GRADES, WORKED_LEVELS

pytestmark = pytest.mark.django_db


def _levels(value):
    spec = services.method_spec(services.active_method())
    return {f.code: value for f in spec.factors}


def test_the_default_method_is_active_after_migration():
    method = ScoringMethod.objects.get(status="active")
    assert method.code == "marsoc-priority-v1" and method.version == 1


def test_known_input_gives_the_hand_computed_score(london_officer):
    nominal = make_nominal(london_officer)
    assessment = services.assessment_submit(
        actor=london_officer,
        nominal=nominal,
        levels=WORKED_LEVELS,
        grades=WORKED_GRADES,
        evidence={"community": "Intel log 42"},
    )
    assert assessment.score == Decimal("77.7") and assessment.tier_code == "1"
    assert assessment.confidence == Decimal("0.611") and assessment.confidence_band == "Medium"
    assert assessment.top_factors[0] == "community"
    assert FactorScore.objects.get(assessment=assessment, factor_code="community").evidence == "Intel log 42"
    again = services.assessment_submit(
        actor=london_officer, nominal=nominal, levels=WORKED_LEVELS, grades=WORKED_GRADES
    )
    assert (again.score, again.tier_code, again.confidence) == (
        assessment.score,
        assessment.tier_code,
        assessment.confidence,
    )


def test_a_new_assessment_supersedes_and_the_old_one_is_kept(london_officer):
    nominal = make_nominal(london_officer)
    first = services.assessment_submit(actor=london_officer, nominal=nominal, levels=_levels(1))
    second = services.assessment_submit(actor=london_officer, nominal=nominal, levels=_levels(3))
    first.refresh_from_db()
    assert not first.is_current and first.superseded_by_id == second.pk and first.score < second.score
    assert Assessment.objects.filter(nominal=nominal, is_current=True).get() == second
    assert PriorityStatus.objects.get(nominal=nominal).assessment_id == second.pk
    assert AuditEvent.objects.filter(action="assessment.submit", nominal_id=nominal.pk).count() == 2


def test_missing_levels_and_bad_grades_save_nothing(london_officer):
    nominal = make_nominal(london_officer)
    levels = _levels(2)
    levels.pop("weapons")
    with pytest.raises(ValidationFailed) as err:
        services.assessment_submit(actor=london_officer, nominal=nominal, levels=levels)
    assert "level_weapons" in err.value.errors
    with pytest.raises(ValidationFailed):
        services.assessment_submit(
            actor=london_officer, nominal=nominal, levels=_levels(2), grades={"weapons": "9Z"}
        )
    with pytest.raises(ValidationFailed):
        services.assessment_submit(actor=london_officer, nominal=nominal, levels=_levels(7))
    assert not Assessment.objects.filter(nominal=nominal).exists()


def test_tier_is_decided_by_a_manager_and_disagreement_is_recorded(london_officer, london_manager):
    nominal = make_nominal(london_officer)
    with pytest.raises(ValidationFailed):
        services.tier_decide(
            actor=london_manager, nominal=nominal, decided_tier="1", rationale="No assessment"
        )
    assessment = services.assessment_submit(actor=london_officer, nominal=nominal, levels=_levels(2))
    with pytest.raises(PermissionDenied):
        services.tier_decide(actor=london_officer, nominal=nominal, decided_tier="1", rationale="I think so")
    other = "1" if assessment.tier_code != "1" else "2"
    with pytest.raises(ValidationFailed) as err:
        services.tier_decide(actor=london_manager, nominal=nominal, decided_tier=other, rationale="Because")
    assert "rationale" in err.value.errors
    decision = services.tier_decide(
        actor=london_manager,
        nominal=nominal,
        decided_tier=other,
        rationale="Directing violence from custody: intelligence since the assessment",
    )
    assert decision.disagrees and decision.computed_tier == assessment.tier_code
    status = PriorityStatus.objects.get(nominal=nominal)
    assert status.tier == other and status.computed_tier == assessment.tier_code
    event = AuditEvent.objects.get(action="tier.decide")
    assert event.details["disagrees"] is True and event.actor_id == london_manager.pk


def test_priority_list_ranks_nationally_and_scopes_by_hub(london_officer, national_manager):
    yorkshire = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    low = make_nominal(london_officer, family="Low")
    high = make_nominal(yorkshire, hub_code="yorkshire-humber", family="High")
    mid = make_nominal(london_officer, family="Mid")
    services.assessment_submit(actor=london_officer, nominal=low, levels=_levels(1))
    services.assessment_submit(actor=yorkshire, nominal=high, levels=_levels(4))
    services.assessment_submit(actor=london_officer, nominal=mid, levels=_levels(2))
    national = [s.nominal_id for s in priority_list(actor=national_manager, filters=PriorityFilters())]
    assert national == [high.pk, mid.pk, low.pk]
    assert [s.nominal_id for s in priority_list(actor=london_officer, filters=PriorityFilters())] == [
        mid.pk,
        low.pk,
    ]
    partner = make_user("probation.p", [Role.PARTNER_OFFICER], agency_code="probation-london")
    add_participation(low, "probation-london", london_officer)
    assert list(priority_list(actor=partner, filters=PriorityFilters())) == []
    tier_one = priority_list(actor=national_manager, filters=PriorityFilters(tier="1"))
    assert all(s.tier == "1" for s in tier_one)


def test_exports_are_recorded_as_disclosures(london_officer):
    nominal = make_nominal(london_officer, family="Exported")
    services.assessment_submit(actor=london_officer, nominal=nominal, levels=_levels(3))
    client = signed_in(london_officer)
    response = client.get("/priority/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Rank", "Reference", "Family name"] and rows[1][2] == "Exported"
    xlsx = client.get("/priority/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(row=2, column=3).value == "Exported"
    events = AuditEvent.objects.filter(action="priority.export").order_by("id")
    assert [e.details["surface"] for e in events] == ["csv", "xlsx"]
    assert all(e.operation == "disclosure" and e.details["rows"] == 1 for e in events)
    # Every person in the file is a subject of the disclosure, so "who has viewed" and the inspector's
    # filter by person find it.
    assert all(list(e.subjects.values_list("nominal_id", flat=True)) == [nominal.pk] for e in events)


def test_reviews_are_due_by_schedule_and_by_custody_events(london_officer):
    scheduled = make_nominal(london_officer, family="Scheduled")
    moved = make_nominal(london_officer, family="Moved")
    services.assessment_submit(actor=london_officer, nominal=scheduled, levels=_levels(4))
    services.assessment_submit(actor=london_officer, nominal=moved, levels=_levels(1))
    PriorityStatus.objects.filter(nominal=scheduled).update(
        next_review_due=timezone.localdate() - timedelta(days=3)
    )
    assert {r.status.nominal_id for r in reviews_due(actor=london_officer)} == {scheduled.pk}
    est = hub("london").establishments.first()
    custody_event_record(
        actor=london_officer,
        nominal=moved,
        event_type="reception",
        occurred_on=timezone.localdate() - timedelta(days=30),
        establishment_id=est.pk,
        reception_status="remand",
    )
    custody_event_record(
        actor=london_officer,
        nominal=moved,
        event_type="transfer",
        occurred_on=timezone.localdate(),
        establishment_id=hub("london").establishments.last().pk,
    )
    rows = {r.status.nominal_id: r for r in reviews_due(actor=london_officer)}
    assert moved.pk in rows and any("Custody event" in reason for reason in rows[moved.pk].reasons)
    assert rows[scheduled.pk].overdue


def test_assessment_pages_work_end_to_end(london_officer, london_manager):
    nominal = make_nominal(london_officer)
    client = with_purpose(signed_in(london_officer), nominal)
    data = {f"level_{code}": str(level) for code, level in WORKED_LEVELS.items()}
    data |= {f"grade_{code}": grade for code, grade in WORKED_GRADES.items()}
    response = client.post(f"/cohort/{nominal.pk}/assessments/new/", data)
    assessment = Assessment.objects.get(nominal=nominal)
    assert response.status_code == 302 and response["Location"].endswith(f"/assessments/{assessment.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "77.7" in page and "What drove the score" in page
    bad = client.post(f"/cohort/{nominal.pk}/assessments/new/", {"level_physical": "2"})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    assert Assessment.objects.filter(nominal=nominal).count() == 1
    manager = with_purpose(signed_in(london_manager), nominal)
    assert (
        manager.post(f"/cohort/{nominal.pk}/tier/", {"decided_tier": "1", "rationale": "Agreed"}).status_code
        == 302
    )
    assert PriorityStatus.objects.get(nominal=nominal).decided_tier == "1"
