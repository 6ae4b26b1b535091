"""Referral, editing, identifiers, custody events, membership and participation: rules and bad input."""

from datetime import date

import pytest

from marsoc.core.errors import PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals import services
from marsoc.nominals.models import CustodyEvent, Identifier, MembershipChange, Nominal
from marsoc.nominals.selectors import nominal_phase
from marsoc.nominals.vocabulary import MembershipState, Phase
from marsoc.sharing.models import SharingAgreement

from ..conftest import (
    agency,
    hub,
    make_nominal,
    make_user,
    partnership_agreement,
    signed_in,
    today,
    with_purpose,
)

pytestmark = pytest.mark.django_db


def _refer_form(**overrides):
    data = {
        "given_names": "Dale",
        "family_name": "Marsh",
        "date_of_birth_day": "27",
        "date_of_birth_month": "3",
        "date_of_birth_year": "1985",
        "sex": "M",
        "ethnicity_self": "NS",
        "ethnicity_officer": "IC9",
        "nationality": "British",
        "data_subject_category": "convicted",
        "classification": "OFFICIAL-SENSITIVE",
        "owner_hub": "",
        "rationale": "Prison intelligence shows continued supply activity",
        "pnc": "2001/0123456F",
        "nomis": "A1234BC",
    }
    data.update(overrides)
    return data


def test_referral_through_the_page_saves_everything(london_officer):
    client = signed_in(london_officer)
    response = client.post("/cohort/refer/", _refer_form(owner_hub=hub("london").pk, pnc="01/123456f"))
    nominal = Nominal.objects.get(family_name="Marsh")
    assert response.status_code == 302 and response["Location"] == f"/cohort/{nominal.pk}/"
    assert set(nominal.identifiers.values_list("id_type", "value")) == {
        ("PNC", "2001/0123456F"),
        ("NOMIS", "A1234BC"),
    }
    assert nominal.membership_state == MembershipState.REFERRED
    change = MembershipChange.objects.get(nominal=nominal)
    assert change.changed_by == london_officer and "supply" in change.rationale


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"pnc": "2001/0123456A"}, "pnc", "should be F"),
        ({"date_of_birth_day": "31", "date_of_birth_month": "2"}, "date_of_birth", "must be a real date"),
        ({"date_of_birth_year": "2090"}, "date_of_birth", "must be in the past"),
        ({"cro": "123456/08A"}, "cro", "should be T"),
        ({"nomis": "1234ABC"}, "nomis", "like A1234BC"),
        ({"crn": "X12345"}, "crn", "X123456"),
        ({"given_names": ""}, "given_names", "Enter the given names"),
        ({"rationale": ""}, "rationale", "Enter why"),
        ({"sex": ""}, "sex", "sex"),
    ],
)
def test_invalid_referral_names_the_field_and_saves_nothing(london_officer, overrides, field, message):
    before = (Nominal.objects.count(), AuditEvent.objects.count(), Identifier.objects.count())
    client = signed_in(london_officer)
    response = client.post("/cohort/refer/", _refer_form(owner_hub=hub("london").pk, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and any(message in e for e in form.errors[field]), form.errors
    html = response.content.decode()
    assert "govuk-error-summary" in html and message in html
    assert (Nominal.objects.count(), AuditEvent.objects.count(), Identifier.objects.count()) == before


def test_error_summary_links_reach_the_inputs_they_name(london_officer):
    """Each link in the error summary points at an element id the page really has (the day box for a
    date, the first radio for a choice)."""
    import re

    client = signed_in(london_officer)
    response = client.post(
        "/cohort/refer/",
        _refer_form(owner_hub=hub("london").pk, date_of_birth_day="31", date_of_birth_month="2", sex=""),
    )
    html = response.content.decode()
    summary = html[html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))]
    targets = re.findall(r'href="#([^"]+)"', summary)
    assert "id_date_of_birth_0" in targets  # the day box
    for target in targets:
        assert f'id="{target}"' in html, f"the error summary links to #{target}, which is not on the page"


def test_prison_number_held_by_another_nominal_is_refused(london_officer):
    make_nominal(london_officer, identifiers=[("NOMIS", "A1234BC")])
    before = Nominal.objects.count()
    response = signed_in(london_officer).post("/cohort/refer/", _refer_form(owner_hub=hub("london").pk))
    assert "already recorded against MH" in " ".join(response.context["form"].errors["nomis"])
    assert Nominal.objects.count() == before


def test_identifier_held_by_a_hidden_nominal_deconflicts_and_is_logged(london_officer):
    other = make_user("yorks.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    hidden = make_nominal(
        other, hub_code="yorkshire-humber", family="Quexley", identifiers=[("PNC", "2001/0123456F")]
    )
    response = signed_in(london_officer).post(
        "/cohort/refer/", _refer_form(owner_hub=hub("london").pk, pnc="01/123456F", nomis="")
    )
    message = " ".join(response.context["form"].errors["pnc"])
    assert "Yorkshire and the Humber hub" in message and "contact" in message
    assert hidden.family_name not in response.content.decode() and hidden.reference not in message
    hit = AuditEvent.objects.get(action="deconfliction.identifier")
    assert hit.nominal_id == hidden.pk and hit.actor_id == london_officer.pk and hit.operation == "disclosure"


def test_short_and_long_pnc_forms_are_one_identifier(london_officer):
    make_nominal(london_officer, identifiers=[("PNC", "2001/0123456F")])
    with pytest.raises(ValidationFailed) as err:
        make_nominal(london_officer, identifiers=[("PNC", "01/123456F")])
    assert "identifier_pnc" in err.value.errors


def test_officer_cannot_refer_into_another_hub(london_officer):
    with pytest.raises(ValidationFailed) as err:
        make_nominal(london_officer, hub_code="yorkshire-humber")
    assert "owner_hub" in err.value.errors


def test_edit_records_the_changed_fields_and_reason(london_officer):
    nominal = make_nominal(london_officer)
    client = with_purpose(signed_in(london_officer), nominal)
    response = client.post(
        f"/cohort/{nominal.pk}/edit/",
        {
            "given_names": "Test",
            "family_name": "Persson",
            "date_of_birth_day": "27",
            "date_of_birth_month": "3",
            "date_of_birth_year": "1985",
            "sex": "M",
            "ethnicity_self": "NS",
            "ethnicity_officer": "IC9",
            "nationality": "British",
            "data_subject_category": "convicted",
            "classification": "OFFICIAL-SENSITIVE",
            "owner_hub": hub("london").pk,
            "reason": "Spelling corrected from court record",
        },
    )
    assert response.status_code == 302
    nominal.refresh_from_db()
    assert nominal.family_name == "Persson"
    event = AuditEvent.objects.filter(action="nominal.update").latest("id")
    assert event.details["fields"] == ["family_name"] and "court record" in event.justification


def test_custody_events_drive_the_phase(london_officer):
    nominal = make_nominal(london_officer)
    est = hub("london").establishments.first()
    services.custody_event_record(
        actor=london_officer,
        nominal=nominal,
        event_type="reception",
        occurred_on=date(2025, 1, 10),
        establishment_id=est.pk,
        reception_status="remand",
    )
    assert nominal_phase(nominal) is Phase.REMAND
    services.custody_event_record(
        actor=london_officer,
        nominal=nominal,
        event_type="sentence",
        occurred_on=date(2025, 3, 1),
        expected_release_date=today().replace(year=today().year + 3),
        licence_end_date=today().replace(year=today().year + 5),
    )
    assert nominal_phase(nominal) is Phase.SENTENCED
    assert nominal.current_establishment_id == est.pk


def test_custody_event_out_of_sequence_saves_nothing(london_officer):
    nominal = make_nominal(london_officer)
    client = with_purpose(signed_in(london_officer), nominal)
    response = client.post(
        f"/cohort/{nominal.pk}/custody/add/",
        {
            "event_type": "release",
            "occurred_on_day": "1",
            "occurred_on_month": "2",
            "occurred_on_year": "2025",
        },
    )
    assert response.status_code == 200
    assert "Only a person in custody can be released" in response.content.decode()
    assert not CustodyEvent.objects.filter(nominal=nominal).exists()
    future = client.post(
        f"/cohort/{nominal.pk}/custody/add/",
        {
            "event_type": "reception",
            "occurred_on_day": "1",
            "occurred_on_month": "2",
            "occurred_on_year": "2099",
        },
    )
    assert "cannot be in the future" in future.content.decode()


def test_membership_adoption_is_for_managers_and_kept_as_history(london_officer, london_manager):
    nominal = make_nominal(london_officer)
    services.membership_change(
        actor=london_officer,
        nominal=nominal,
        to_state="under_assessment",
        rationale="Meets referral criteria",
    )
    with pytest.raises(PermissionDenied):
        services.membership_change(actor=london_officer, nominal=nominal, to_state="adopted", rationale="x")
    with pytest.raises(ValidationFailed) as err:
        services.membership_change(actor=london_manager, nominal=nominal, to_state="adopted", rationale="  ")
    assert "rationale" in err.value.errors
    services.membership_change(
        actor=london_manager, nominal=nominal, to_state="adopted", rationale="Highest harm in the region"
    )
    with pytest.raises(ValidationFailed) as err:
        services.membership_change(actor=london_manager, nominal=nominal, to_state="exited", rationale="Done")
    assert "exit_reason" in err.value.errors
    services.membership_change(
        actor=london_manager, nominal=nominal, to_state="exited", rationale="Deported", exit_reason="deported"
    )
    history = list(nominal.membership_changes.values_list("from_state", "to_state", "changed_by__username"))
    assert history == [
        ("", "referred", "london.off"),
        ("referred", "under_assessment", "london.off"),
        ("under_assessment", "adopted", "london.mgr"),
        ("adopted", "exited", "london.mgr"),
    ]
    with pytest.raises(ValidationFailed):
        services.membership_change(
            actor=london_manager, nominal=nominal, to_state="adopted", rationale="again"
        )


def test_participation_gives_and_ending_removes_access(london_officer):
    partner = make_user("probation.partner", [Role.PARTNER_OFFICER], agency_code="probation-london")
    nominal = make_nominal(london_officer)
    client = with_purpose(signed_in(partner), nominal)
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 404
    participation = services.participation_add(
        actor=london_officer,
        nominal=nominal,
        agency_id=agency("probation-london").pk,
        rationale="Licence conditions",
    )
    # Taking part is not enough: an information-sharing agreement in force must cover it.
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 404
    agreement = partnership_agreement("probation-london")
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 200
    SharingAgreement.objects.filter(pk=agreement.pk).update(status="suspended")
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 404
    SharingAgreement.objects.filter(pk=agreement.pk).update(status="in_force")
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 200
    with pytest.raises(ValidationFailed):
        services.participation_add(
            actor=london_officer, nominal=nominal, agency_id=agency("probation-london").pk, rationale="again"
        )
    services.participation_end(actor=london_officer, participation=participation, reason="Licence ended")
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 404


def test_cohort_list_filters_and_search(london_officer):
    a = make_nominal(london_officer, given="Kofi", family="Mensah", identifiers=[("NOMIS", "B2345CD")])
    make_nominal(london_officer, given="Dean", family="Walsh")
    services.alias_add(
        actor=london_officer, nominal=a, alias_type="nickname", given_names="Tank", family_name=""
    )
    client = signed_in(london_officer)

    def shown(**params):
        return {n.pk for n in client.get("/cohort/", params).context["page"].object_list}

    assert shown(q="mensah") == {a.pk}
    assert shown(q="tank") == {a.pk}
    assert shown(q="b2345cd") == {a.pk}
    assert shown(q="kofi mensah") == {a.pk}
    assert len(shown(state="referred")) == 2 and shown(state="adopted") == set()
    assert len(shown(phase="pre_custody")) == 2 and shown(phase="remand") == set()
    names = [n.family_name for n in client.get("/cohort/", {"sort": "-name"}).context["page"].object_list]
    assert names == sorted(names, reverse=True)
    event = AuditEvent.objects.filter(action="nominal.list", details__surface="page").latest("id")
    assert event.details["query"] == {"sort": "-name"}
    # An invalid filter is reported; the valid ones still apply (and the log says what was applied).
    response = client.get("/cohort/", {"q": "mensah", "sort": "password", "hub": "999999"})
    assert {n.pk for n in response.context["page"].object_list} == {a.pk}
    # A sort the list does not know is named and ignored (never passed to the database).
    assert "cannot be sorted by “password”" in response.content.decode()
    applied = (
        AuditEvent.objects.filter(action="nominal.list", details__surface="page")
        .latest("id")
        .details["query"]
    )
    assert applied == {"query": "mensah"}
