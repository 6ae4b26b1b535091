"""The API writes: recording an item and sharing one go through the same services, policy and audit as
the pages; a refusal is 403, a missing or unseen item 404, bad input 422 with the errors by field."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from marsoc.accounts.models import Hub
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import ConsentRequest, Disclosure, IntelItem

from ..conftest import agency, errors_by_field, make_nominal, make_user
from .helpers import disclose, make_agreement, make_item


def _post(token, path, body):
    return Client().post(
        path, data=body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def _item_body(nominal, hub_id, **changes):
    body = {
        "subjects": [{"nominal_id": nominal.pk, "category": "suspect"}],
        "text": "Stores cash at a lock-up on Mill Lane.",
        "intelligence_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "owner_hub_id": hub_id,
        "classification": "OFFICIAL-SENSITIVE",
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "C",
        "conditions": ["A1", "S2"],
        "purpose": "prevention_detection",
        "data_category": "criminal_intelligence",
    }
    return body | changes


def test_record_item_via_api_creates_and_audits(db, token_for):
    officer = make_user("api.rec", [Role.HUB_OFFICER], agency_code="mps")
    nominal = make_nominal(officer)
    response = _post(token_for(officer), "/api/intelligence", _item_body(nominal, officer.hub_id))
    assert response.status_code == 201, response.content
    body = response.json()
    item = IntelItem.objects.get()
    assert body["id"] == item.pk and body["reference"] == f"IR{item.pk:08d}"
    assert body["grade"] == "[2BC]" and body["conditions"] == ["A1", "S2"]
    assert body["subjects"] == [
        {"nominal_id": nominal.pk, "reference": nominal.reference, "category": "suspect"}
    ]
    assert item.originating_agency.code == "mps" and item.originating_officer == officer
    event = AuditEvent.objects.get(action="intel.item.record")
    assert event.operation == "collection" and event.actor_id == officer.pk
    assert event.details == {"grade": "[2BC] A1 S2", "classification": "OFFICIAL-SENSITIVE"}


def test_record_item_via_api_422_names_fields_and_saves_nothing(db, token_for):
    officer = make_user("api.bad", [Role.HUB_OFFICER], agency_code="mps")
    nominal = make_nominal(officer)
    york = Hub.objects.get(code="yorkshire-humber")
    response = _post(
        token_for(officer),
        "/api/intelligence",
        _item_body(nominal, york.pk, text=" ", handling_code="P", purpose="gossip"),
    )
    # What the document states (a text, one of the purposes) is checked first: 422 by field.
    assert response.status_code == 422
    errors = errors_by_field(response.json())
    assert set(errors) == {"text", "purpose"}
    assert errors["text"] == ["Enter a value"] and "prevention_detection" in errors["purpose"][0]
    # Well formed, but refused by the rules between fields and the records: 409 by field.
    response = _post(token_for(officer), "/api/intelligence", _item_body(nominal, york.pk, handling_code="P"))
    assert response.status_code == 409
    assert errors_by_field(response.json()) == {
        "conditions": ["Handling code P (lawful sharing permitted) takes no conditions"],
        "owner_hub": ["You can only record intelligence for your own hub"],
    }
    assert not IntelItem.objects.exists()
    assert not AuditEvent.objects.filter(action="intel.item.record").exists()


def test_record_item_via_api_403_for_roles_that_cannot_record(db, token_for):
    officer = make_user("api.own", [Role.HUB_OFFICER], agency_code="mps")
    nominal = make_nominal(officer)
    for username, roles in (("api.analyst", [Role.ANALYST]), ("api.board", [Role.BOARD_MEMBER])):
        user = make_user(username, roles, agency_code="mps")
        response = _post(token_for(user), "/api/intelligence", _item_body(nominal, officer.hub_id))
        assert response.status_code == 403
    assert not IntelItem.objects.exists()


def test_record_item_via_api_refuses_people_the_user_cannot_see(db, token_for):
    york_officer = make_user(
        "api.york", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu"
    )
    hidden = make_nominal(york_officer, hub_code="yorkshire-humber")
    officer = make_user("api.lon", [Role.HUB_OFFICER], agency_code="mps")
    response = _post(token_for(officer), "/api/intelligence", _item_body(hidden, officer.hub_id))
    assert response.status_code == 409
    assert errors_by_field(response.json()) == {"subjects": ["Link only people whose records you can see"]}


def test_share_via_api_discloses_p_item_for_originator(db, token_for):
    originator = make_user("api.orig", [Role.HUB_OFFICER], agency_code="mps")
    item = make_item(make_nominal(originator), officer=originator)
    agreement = make_agreement(["mps", "nca"])
    response = _post(
        token_for(originator),
        f"/api/intelligence/{item.pk}/share",
        {"recipient_agency_id": agency("nca").pk, "agreement_id": agreement.pk, "purpose": "Joint operation"},
    )
    assert response.status_code == 201, response.content
    disclosure = Disclosure.objects.get()
    assert response.json() == {
        "outcome": "disclosed",
        "disclosure_id": disclosure.pk,
        "consent_request_id": None,
        "recipient_agency": "National Crime Agency",
        "agreement": agreement.reference,
    }
    event = AuditEvent.objects.get(action="intel.item.disclose", details__surface="share")
    assert event.operation == "disclosure" and event.recipients == ["National Crime Agency"]
    assert event.details["agreement"] == agreement.reference


def test_share_via_api_c_item_by_owner_hub_becomes_consent_request(db, token_for):
    originator = make_user("api.yorig", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu")
    owner = make_user("api.lowner", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    item = make_item(
        make_nominal(owner), agency_code="yhrocu", grade="1AC", conditions=("A1",), officer=originator
    )
    agreement = make_agreement(["yhrocu", "nca"])
    response = _post(
        token_for(owner),
        f"/api/intelligence/{item.pk}/share",
        {"recipient_agency_id": agency("nca").pk, "agreement_id": agreement.pk, "purpose": "Joint operation"},
    )
    assert response.status_code == 201
    request = ConsentRequest.objects.get()
    assert response.json()["outcome"] == "consent_requested"
    assert response.json()["consent_request_id"] == request.pk
    assert not Disclosure.objects.exists()


def test_share_via_api_422_gives_agreement_refusals_by_field(db, token_for):
    originator = make_user("api.o2", [Role.HUB_OFFICER], agency_code="mps")
    item = make_item(make_nominal(originator), officer=originator, classification="SECRET")
    agreement = make_agreement(["mps", "nca"], max_classification="OFFICIAL-SENSITIVE")
    response = _post(
        token_for(originator),
        f"/api/intelligence/{item.pk}/share",
        {"recipient_agency_id": agency("nca").pk, "agreement_id": agreement.pk, "purpose": ""},
    )
    assert response.status_code == 422
    assert errors_by_field(response.json()) == {
        "agreement": ["The agreement covers material up to OFFICIAL-SENSITIVE, this item is SECRET"],
        "purpose": ["Give the purpose of the disclosure"],
    }
    assert not Disclosure.objects.exists()


def test_share_via_api_403_when_onward_sharing_is_not_allowed(db, token_for):
    originator = make_user("api.o3", [Role.HUB_OFFICER], agency_code="mps")
    item = make_item(make_nominal(originator), officer=originator)
    agreement = make_agreement(["mps", "nca", "probation-london"], onward="none")
    disclose(item, "nca", agreement)
    recipient = make_user("api.nca", [Role.PARTNER_OFFICER], agency_code="nca")
    response = _post(
        token_for(recipient),
        f"/api/intelligence/{item.pk}/share",
        {
            "recipient_agency_id": agency("probation-london").pk,
            "agreement_id": agreement.pk,
            "purpose": "Onward",
        },
    )
    assert response.status_code == 403
    assert "does not allow onward sharing" in response.json()["detail"]
    assert Disclosure.objects.count() == 1


def test_share_via_api_404_for_missing_and_unseen_alike(db, token_for):
    originator = make_user("api.o4", [Role.HUB_OFFICER], agency_code="mps")
    item = make_item(make_nominal(originator), officer=originator)
    outsider = make_user("api.out", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    token = token_for(outsider)
    body = {"recipient_agency_id": agency("nca").pk, "agreement_id": 1, "purpose": "x y z"}
    unseen = _post(token, f"/api/intelligence/{item.pk}/share", body)
    missing = _post(token, f"/api/intelligence/{item.pk + 1000}/share", body)
    assert unseen.status_code == missing.status_code == 404
    assert unseen.json() == missing.json()
    assert _post(token, f"/api/intelligence/{2**40}/share", body).status_code == 404
    assert not Disclosure.objects.exists()
