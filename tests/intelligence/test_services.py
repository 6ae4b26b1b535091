"""Recording graded items and agreements: the 3x5x2 rules, field-level errors, and the audit trail."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import IntelItem, SharingAgreement
from marsoc.intelligence.services import (
    AgreementInput,
    ItemInput,
    agreement_create,
    agreement_set_status,
    item_record,
    review_due_for,
    validate_grade,
)
from marsoc.intelligence.vocabulary import HandlingCondition

from ..conftest import agency, hub, make_nominal, make_user


def _input(nominal, **overrides):
    base = dict(
        text="Seen at the port with a known courier.",
        intelligence_date=timezone.localdate() - timedelta(days=3),
        owner_hub_id=hub("london").pk,
        classification="OFFICIAL-SENSITIVE",
        source_evaluation="1",
        intelligence_assessment="B",
        handling_code="P",
        purpose="prevention_detection",
        data_category="criminal_intelligence",
        subjects=[(nominal.pk, "suspect")],
    )
    base.update(overrides)
    return ItemInput(**base)


def test_condition_codes_are_exactly_the_app_codes():
    assert HandlingCondition.values == ["A1", "A2", "A3", "S1", "S2"]


@pytest.mark.parametrize(
    ("grade", "conditions", "errors"),
    [
        (("1", "B", "P"), [], set()),
        (("3", "E", "C"), ["A2", "S1"], set()),
        (("4", "B", "P"), [], {"source_evaluation"}),
        (("1", "F", "P"), [], {"intelligence_assessment"}),
        (("1", "A", "X"), [], {"handling_code"}),
        (("1", "A", "P"), ["A1"], {"conditions"}),  # P takes no conditions
        (("1", "A", "C"), [], {"conditions"}),  # C needs one
        (("1", "A", "C"), ["A1", "A3"], {"conditions"}),  # one action condition
        (("1", "A", "C"), ["S1", "S2"], {"conditions"}),
        (("1", "A", "C"), ["B7"], {"conditions"}),
    ],
)
def test_grade_rules(grade, conditions, errors):
    assert set(validate_grade(*grade, conditions)) == errors


def test_record_item_shows_grade_and_audits(db, london_officer):
    nominal = make_nominal(london_officer)
    item = item_record(actor=london_officer, data=_input(nominal, handling_code="C", conditions=["S2", "A1"]))
    assert item.grade_label == "[1BC] A1 S2"
    assert item.originating_agency == london_officer.agency
    assert item.review_due == review_due_for("3", item.intelligence_date)
    event = AuditEvent.objects.filter(action="intel.item.record").get()
    assert event.operation == "collection"
    assert list(event.subjects.values_list("nominal_id", flat=True)) == [nominal.pk]


def test_bad_item_names_every_field_and_saves_nothing(db, london_officer):
    nominal = make_nominal(london_officer)
    with pytest.raises(ValidationFailed) as exc:
        item_record(
            actor=london_officer,
            data=_input(
                nominal,
                text="",
                intelligence_date=timezone.localdate() + timedelta(days=1),
                source_evaluation="9",
                owner_hub_id=hub("yorkshire-humber").pk,
                legacy_source="B",
            ),
        )
    assert set(exc.value.errors) == {
        "text",
        "intelligence_date",
        "source_evaluation",
        "owner_hub",
        "legacy_source",
    }
    assert IntelItem.objects.count() == 0


def test_legacy_grade_is_kept(db, london_officer):
    nominal = make_nominal(london_officer)
    item = item_record(
        actor=london_officer,
        data=_input(nominal, legacy_source="B", legacy_intelligence="2", legacy_handling="4"),
    )
    assert item.legacy_grade == "B24"


def test_cannot_link_a_person_you_cannot_see(db, london_officer, national_manager):
    hidden = make_nominal(national_manager, hub_code="yorkshire-humber")
    with pytest.raises(ValidationFailed) as exc:
        item_record(actor=london_officer, data=_input(hidden))
    assert set(exc.value.errors) == {"subjects"}


def _agreement_input(**overrides):
    base = dict(
        reference="ISA-001",
        title="London SOC sharing",
        party_ids=[agency("mps").pk, agency("probation-london").pk],
        legal_gateway="Crime and Disorder Act 1998 s.115",
        purposes=["prevention_detection"],
        data_categories=["criminal_intelligence"],
        max_classification="OFFICIAL-SENSITIVE",
        onward_sharing="none",
        retention="6 years",
        starts_on=timezone.localdate(),
    )
    base.update(overrides)
    return AgreementInput(**base)


def test_agreement_lifecycle(db, national_manager):
    agreement = agreement_create(actor=national_manager, data=_agreement_input())
    assert agreement.status == "draft"
    agreement_set_status(actor=national_manager, agreement=agreement, to_status="in_force", reason="Signed")
    agreement_set_status(actor=national_manager, agreement=agreement, to_status="suspended", reason="Breach")
    agreement_set_status(actor=national_manager, agreement=agreement, to_status="ended", reason="Over")
    assert agreement.status == "ended" and agreement.ends_on == timezone.localdate()
    with pytest.raises(ValidationFailed):
        agreement_set_status(actor=national_manager, agreement=agreement, to_status="in_force", reason="x")
    assert [c.to_status for c in agreement.status_changes.all()] == [
        "draft",
        "in_force",
        "suspended",
        "ended",
    ]


def test_agreement_validation_and_permission(db, national_manager, london_manager):
    with pytest.raises(PermissionDenied):
        agreement_create(actor=london_manager, data=_agreement_input())
    with pytest.raises(ValidationFailed) as exc:
        agreement_create(
            actor=national_manager,
            data=_agreement_input(
                party_ids=[agency("mps").pk],
                purposes=[],
                starts_on=timezone.localdate(),
                ends_on=timezone.localdate() - timedelta(days=1),
            ),
        )
    assert set(exc.value.errors) == {"parties", "purposes", "ends_on"}
    assert SharingAgreement.objects.count() == 0


def test_partner_records_for_own_hub_only(db):
    partner = make_user("p.one", [Role.PARTNER_OFFICER], agency_code="probation-london")
    owner = make_user("o.one", [Role.HUB_MANAGER])
    nominal = make_nominal(owner)
    from ..conftest import add_participation

    add_participation(nominal, "probation-london", owner)
    item = item_record(actor=partner, data=_input(nominal))
    assert item.originating_agency.code == "probation-london"
