"""The intelligence pages: recording with the GOV.UK error summary, the purpose gate, sharing (C items
through the originator's consent), sanitisation (S1 and S2), deconfliction and access requests, and the
agreements pages."""

from datetime import timedelta

from django.utils import timezone

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import AccessRequest, ConsentRequest, Disclosure, IntelItem, SharingAgreement

from ..conftest import agency, make_nominal, make_user, signed_in
from .helpers import make_agreement, make_item


def _with_item_purpose(client, *items):
    session = client.session
    session["marsoc_intel_purposes"] = {str(i.pk): "Intelligence development" for i in items}
    session.save()
    return client


def test_record_form_shows_error_summary_and_saves_nothing(db, london_officer):
    client = signed_in(london_officer)
    response = client.post("/intelligence/new/", {"subjects": "MH0000001", "handling_code": "C"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Handling code C needs at least one condition" in body
    assert "Enter the intelligence" in body
    assert IntelItem.objects.count() == 0


def test_record_form_creates_a_graded_item(db, london_officer):
    nominal = make_nominal(london_officer)
    client = signed_in(london_officer)
    today = timezone.localdate() - timedelta(days=1)
    response = client.post(
        "/intelligence/new/",
        {
            "subjects": nominal.reference,
            "data_subject_category": "suspect",
            "text": "Uses a burner phone ending 442.",
            "intelligence_date_day": today.day,
            "intelligence_date_month": today.month,
            "intelligence_date_year": today.year,
            "owner_hub": london_officer.hub_id,
            "classification": "OFFICIAL-SENSITIVE",
            "source_evaluation": "2",
            "intelligence_assessment": "C",
            "handling_code": "C",
            "conditions": ["A2", "S2"],
            "purpose": "prevention_detection",
            "data_category": "criminal_intelligence",
            "record_group": "2",
        },
    )
    item = IntelItem.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/intelligence/{item.pk}/"
    page = client.get(f"/intelligence/{item.pk}/").content.decode()
    assert "[2CC] A2 S2" in page
    assert "handling-conditions" in page and "Covert action permitted" in page


def test_detail_asks_for_a_purpose_then_audits(db, london_officer):
    nominal = make_nominal(london_officer)
    item = make_item(nominal, agency_code=london_officer.agency.code)
    client = signed_in(london_officer)
    first = client.get(f"/intelligence/{item.pk}/")
    assert first.status_code == 302 and "/purpose/" in first["Location"]
    client.post(first["Location"], {"purpose": "intelligence"})
    assert client.get(f"/intelligence/{item.pk}/").status_code == 200
    event = AuditEvent.objects.filter(action="intel.item.view", details__surface="detail").get()
    assert event.justification == "Intelligence development"
    assert list(event.subjects.values_list("nominal_id", flat=True)) == [nominal.pk]


def test_share_p_item_discloses_with_recipients(db):
    originator = make_user("orig.one", [Role.HUB_OFFICER], agency_code="mps")
    nominal = make_nominal(originator)
    item = make_item(nominal, officer=originator)
    agreement = make_agreement(["mps", "nca"])
    client = _with_item_purpose(signed_in(originator), item)
    response = client.post(
        f"/intelligence/{item.pk}/share/",
        {"recipient": agency("nca").pk, "agreement": agreement.pk, "purpose": "Joint operation"},
    )
    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.recipient_agency.code == "nca"
    event = AuditEvent.objects.filter(action="intel.item.disclose", details__surface="share").get()
    assert event.operation == "disclosure" and event.recipients == ["National Crime Agency"]


def test_share_refused_by_agreement_names_the_reason(db):
    originator = make_user("orig.two", [Role.HUB_OFFICER], agency_code="mps")
    nominal = make_nominal(originator)
    item = make_item(nominal, officer=originator, classification="SECRET")
    agreement = make_agreement(["mps", "nca"], max_classification="OFFICIAL-SENSITIVE")
    client = _with_item_purpose(signed_in(originator), item)
    response = client.post(
        f"/intelligence/{item.pk}/share/",
        {"recipient": agency("nca").pk, "agreement": agreement.pk, "purpose": "Joint operation"},
    )
    assert response.status_code == 200
    assert "covers material up to OFFICIAL-SENSITIVE, this item is SECRET" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_c_item_shared_by_owner_hub_goes_to_originator_for_consent(db):
    originator = make_user(
        "orig.three", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu"
    )
    owner = make_user("own.three", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    nominal = make_nominal(owner)
    item = make_item(nominal, agency_code="yhrocu", grade="1AC", conditions=("A1", "S2"), officer=originator)
    agreement = make_agreement(["yhrocu", "nca"])
    client = _with_item_purpose(signed_in(owner), item)
    page = client.get(f"/intelligence/{item.pk}/share/").content.decode()
    assert "consent-needed" in page and "Seek the originator" in page
    client.post(
        f"/intelligence/{item.pk}/share/",
        {"recipient": agency("nca").pk, "agreement": agreement.pk, "purpose": "Joint operation"},
    )
    request = ConsentRequest.objects.get()
    assert not Disclosure.objects.exists()
    decider = signed_in(originator)
    assert (
        f"/intelligence/requests/consent/{request.pk}/"
        in decider.get("/intelligence/requests/").content.decode()
    )
    assert signed_in(owner).get(f"/intelligence/requests/consent/{request.pk}/").status_code == 404
    decider.post(f"/intelligence/requests/consent/{request.pk}/", {"decision": "grant", "reason": "Fine"})
    assert Disclosure.objects.get().recipient_agency.code == "nca"


def test_sanitise_s1_by_originating_agency_and_not_by_others(db):
    originator = make_user("orig.four", [Role.PARTNER_OFFICER], agency_code="mps")
    owner = make_user("own.four", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    nominal = make_nominal(owner)
    item = make_item(nominal, grade="2BC", conditions=("S1",))
    assert (
        _with_item_purpose(signed_in(owner), item).get(f"/intelligence/{item.pk}/sanitise/").status_code
        == 404
    )
    client = _with_item_purpose(signed_in(originator), item)
    client.post(
        f"/intelligence/{item.pk}/sanitise/",
        {"text": "A person is using a car wash.", "classification": "OFFICIAL"},
    )
    version = IntelItem.objects.get(sanitised_from=item)
    assert version.sanitisation_status == "approved" and version.classification == "OFFICIAL"


def test_sanitise_s2_needs_originator_approval(db):
    originator = make_user("orig.five", [Role.HUB_OFFICER], agency_code="mps")
    colleague = make_user("coll.five", [Role.HUB_OFFICER], agency_code="mps")
    nominal = make_nominal(originator)
    item = make_item(nominal, grade="2BC", conditions=("A2", "S2"), officer=originator)
    client = _with_item_purpose(signed_in(colleague), item)
    client.post(f"/intelligence/{item.pk}/sanitise/", {"text": "Sanitised.", "classification": "OFFICIAL"})
    version = IntelItem.objects.get(sanitised_from=item)
    assert version.sanitisation_status == "pending"
    assert signed_in(colleague).get(f"/intelligence/{version.pk}/approve/").status_code in (302, 404)
    decider = _with_item_purpose(signed_in(originator), version)
    assert decider.get(f"/intelligence/{version.pk}/approve/").status_code == 200
    decider.post(f"/intelligence/{version.pk}/approve/", {"decision": "grant", "reason": "Safe to share"})
    version.refresh_from_db()
    assert version.sanitisation_status == "approved"


def test_deconfliction_shows_contact_not_content_and_is_logged(db):
    owner = make_user("own.six", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu")
    nominal = make_nominal(owner, hub_code="yorkshire-humber", family="Quarrington")
    item = make_item(
        nominal, hub_code="yorkshire-humber", agency_code="yhrocu", text="Secret detail about boats"
    )
    searcher = make_user("srch.six", [Role.HUB_OFFICER], agency_code="mps")
    make_agreement(["mps", "yhrocu"])
    response = signed_in(searcher).get("/intelligence/?q=Quarrington")
    body = response.content.decode()
    assert "Another agency holds an interest" in body and "Yorkshire" in body
    assert "boats" not in body and item.reference not in body
    assert response.context["page"].paginator.count == 0
    hit = AuditEvent.objects.filter(action="intel.deconfliction.hit").get()
    assert hit.operation == "disclosure" and list(hit.subjects.values_list("nominal_id", flat=True)) == [
        nominal.pk
    ]
    # The searcher asks; the owner hub's manager grants; the item is disclosed under the agreement.
    signed_in(searcher).post(
        "/intelligence/requests/access/new/",
        {"q": "Quarrington", "hub": nominal.owner_hub_id, "reason": "Joint case"},
    )
    request = AccessRequest.objects.get()
    assert signed_in(searcher).get(f"/intelligence/requests/access/{request.pk}/").status_code == 404
    signed_in(owner).post(
        f"/intelligence/requests/access/{request.pk}/", {"decision": "grant", "reason": "Agreed"}
    )
    request.refresh_from_db()
    assert request.status == "granted"
    assert Disclosure.objects.get().recipient_agency.code == "mps"
    after = signed_in(searcher).get("/intelligence/?q=Quarrington")
    assert after.context["page"].paginator.count == 1 and not after.context["notices"]


def test_access_request_refused_with_reason(db):
    owner = make_user("own.seven", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu")
    nominal = make_nominal(owner, hub_code="yorkshire-humber", family="Pellingham")
    make_item(nominal, hub_code="yorkshire-humber", agency_code="yhrocu")
    searcher = make_user("srch.seven", [Role.HUB_OFFICER], agency_code="mps")
    signed_in(searcher).post(
        "/intelligence/requests/access/new/",
        {"q": "Pellingham", "hub": nominal.owner_hub_id, "reason": "Case"},
    )
    request = AccessRequest.objects.get()
    signed_in(owner).post(
        f"/intelligence/requests/access/{request.pk}/", {"decision": "refuse", "reason": "Live operation"}
    )
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == ("refused", "Live operation")
    assert not Disclosure.objects.exists()


def test_agreement_pages_for_national_manager(db, national_manager):
    client = signed_in(national_manager)
    bad = client.post("/intelligence/agreements/new/", {"reference": "ISA-9"})
    assert "There is a problem" in bad.content.decode()
    today = timezone.localdate()
    response = client.post(
        "/intelligence/agreements/new/",
        {
            "reference": "ISA-9",
            "title": "Test",
            "parties": [agency("mps").pk, agency("nca").pk],
            "legal_gateway": "s.115",
            "purposes": ["prevention_detection"],
            "data_categories": ["custody"],
            "max_classification": "OFFICIAL",
            "onward_sharing": "none",
            "retention": "6 years",
            "starts_on_day": today.day,
            "starts_on_month": today.month,
            "starts_on_year": today.year,
        },
    )
    agreement = SharingAgreement.objects.get()
    assert response["Location"] == f"/intelligence/agreements/{agreement.pk}/"
    client.post(f"/intelligence/agreements/{agreement.pk}/", {"to_status": "in_force", "reason": "Signed"})
    agreement.refresh_from_db()
    assert agreement.status == "in_force"
    # In force only once both parties have signed it off (recorded on the governance register).
    page = client.get(f"/intelligence/agreements/{agreement.pk}/").content.decode()
    assert "No party has signed it yet" in page and "not in force today" in page.lower()
    for code in ("mps", "nca"):
        client.post(
            f"/funding/governance/agreements/{agreement.pk}/sign-off/",
            {"agency": agency(code).pk, "signed_by": "Director", "signed_on_day": today.day,
             "signed_on_month": today.month, "signed_on_year": today.year},
        )  # fmt: skip
    page = client.get(f"/intelligence/agreements/{agreement.pk}/").content.decode()
    assert page.count(" by Director</li>") == 2 and 'id="not-in-force"' not in page


def test_agreement_status_change_refused_for_hub_manager(db, london_manager):
    agreement = make_agreement(["mps", "nca"])
    client = signed_in(london_manager)
    assert client.get(f"/intelligence/agreements/{agreement.pk}/").status_code == 200  # mps is a party
    assert (
        client.post(
            f"/intelligence/agreements/{agreement.pk}/", {"to_status": "ended", "reason": "x"}
        ).status_code
        == 404
    )
    agreement.refresh_from_db()
    assert agreement.status == "in_force"
