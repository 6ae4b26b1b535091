"""Nominal summaries: what the plan lets go and why, the snapshot and its audit, the two-step page, the
recipient's list, page and API under the one policy, and access stopping when the agreement changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.core import access
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence import services
from marsoc.intelligence.models import (
    AgreementCategory,
    AgreementPurpose,
    ConsentRequest,
    Disclosure,
    IntelItem,
    SummaryDisclosure,
)
from marsoc.intelligence.selectors import summary_list
from marsoc.nominals.models import Alias, Nominal

from ..conftest import agency, make_nominal, make_user, signed_in, with_purpose
from .helpers import make_agreement, make_item

PARTIES = ["hmpps-prisons-london", "mps", "nca"]
ALL_CATEGORIES = ("identity", "custody", "criminal_intelligence")


@pytest.fixture
def world(db):
    """A London person with items of every kind, an officer of the London hub (HMPPS prisons) who may
    share, the MPS originator of most items, and an NCA partner who receives."""
    officer = make_user("ldn.officer", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    originator = make_user("mps.originator", [Role.HUB_OFFICER], agency_code="mps")
    partner = make_user("nca.partner", [Role.PARTNER_OFFICER], hub_code=None, agency_code="nca")
    nominal = make_nominal(officer, given="Cassius", family="Harwood", identifiers=[("NOMIS", "A1234BC")])
    Alias.objects.create(nominal=nominal, given_names="Cass", family_name="Harewood")
    agreement = make_agreement(PARTIES, categories=ALL_CATEGORIES, max_classification="OFFICIAL-SENSITIVE")
    items = {
        "p": make_item(nominal, officer=originator, text="Uses a lock-up on Mill Road."),
        "c": make_item(
            nominal, officer=originator, grade="2BC", conditions=("A1", "S2"), text="Meets a courier."
        ),
        "secret": make_item(nominal, officer=originator, classification="SECRET", text="Secret source."),
        "financial": make_item(nominal, officer=originator, category="financial", text="Cash deposits."),
        "restricted": make_item(nominal, officer=originator, restricted=True, text="Restricted."),
        "nca_own": make_item(nominal, agency_code="nca", text="NCA's own report."),
        "yorkshire": make_item(
            nominal, hub_code="yorkshire-humber", agency_code="yhrocu", text="Yorkshire report."
        ),
    }
    return {
        "officer": officer,
        "originator": originator,
        "partner": partner,
        "nominal": nominal,
        "agreement": agreement,
        "items": items,
    }


def _share(w, **overrides):
    args = {
        "actor": w["officer"],
        "nominal": w["nominal"],
        "recipient_agency_id": agency("nca").pk,
        "agreement_id": w["agreement"].pk,
        "purpose": "prevention_detection",
        "reason": "Joint tasking before release",
    }
    return services.summary_disclose(**(args | overrides))


def test_plan_sorts_every_item_the_sharer_may_see(world):
    w = world
    plan = services.summary_plan(
        actor=w["officer"],
        nominal=w["nominal"],
        recipient_agency_id=agency("nca").pk,
        agreement_id=w["agreement"].pk,
        purpose="prevention_detection",
        reason="Joint tasking",
    )
    items = w["items"]
    assert [i.pk for i in plan.disclose] == [items["p"].pk]
    assert [i.pk for i in plan.consent] == [items["c"].pk]  # owner hub, not the originator: consent
    assert plan.left_out == {
        "Originated by the recipient agency, which holds it already": 1,
        "The agreement covers material up to OFFICIAL-SENSITIVE, this item is SECRET": 1,
        "The agreement does not cover the data category 'Financial information'": 1,
    }  # the restricted item and the Yorkshire item (not visible to the sharer) are not counted at all
    assert plan.part_refusals == {}
    assert plan.identity["family_name"] == "Harwood"
    assert plan.identity["identifiers"] == [{"type": "Prison number (NOMIS)", "value": "A1234BC"}]
    assert plan.identity["aliases"][0]["name"] == "Cass Harewood"
    assert plan.status["membership_state"] == "Referred"


def test_share_stores_the_snapshot_discloses_items_and_asks_consent(world):
    w = world
    summary = _share(w)
    items = w["items"]
    assert summary.classification == "OFFICIAL-SENSITIVE"
    assert summary.sharing_agency == agency("hmpps-prisons-london")
    assert summary.owner_hub_id == w["nominal"].owner_hub_id
    assert set(summary.categories.values_list("code", flat=True)) == set(ALL_CATEGORIES)
    assert summary.snapshot["identity"]["date_of_birth"] == "1985-03-27"
    assert summary.snapshot["status"]["phase"]
    assert summary.item_ids == [items["p"].pk]
    assert "ethnicity" not in str(summary.snapshot) and "religion" not in str(summary.snapshot)
    # Each item disclosed on its own, with its own s.62 record naming the recipient.
    disclosure = Disclosure.objects.get(item=items["p"])
    assert disclosure.recipient_agency == agency("nca") and disclosure.agreement == w["agreement"]
    item_event = AuditEvent.objects.get(
        action="intel.item.disclose", details__surface="summary", object_id=str(items["p"].pk)
    )
    assert item_event.recipients == ["National Crime Agency"]
    # The C item went to its originator, linked to the summary.
    request = ConsentRequest.objects.get(item=items["c"])
    assert request.summary == summary and request.status == "pending"
    assert summary.record["consent_requested"][0]["id"] == items["c"].pk
    # The summary's own disclosure record.
    event = AuditEvent.objects.get(action="intel.summary.disclose")
    assert event.operation == "disclosure"
    assert event.recipients == ["National Crime Agency"]
    assert event.nominal_id == w["nominal"].pk
    assert event.details["items"] == [items["p"].pk]
    assert event.details["consent_requested"] == [items["c"].pk]
    assert event.details["agreement"] == w["agreement"].reference
    assert list(event.subjects.values_list("nominal_id", flat=True)) == [w["nominal"].pk]


def test_sharer_chooses_parts_items_and_withholding(world):
    w = world
    summary = _share(w, choices=services.SummaryChoices(parts=["status"], item_ids=[], consent_item_ids=[]))
    assert "identity" not in summary.snapshot and "status" in summary.snapshot
    assert summary.item_ids == []
    assert set(summary.categories.values_list("code", flat=True)) == {"custody"}
    assert summary.record["parts_left_out"] == {"identity": "Left out by the sharer"}
    assert summary.record["left_out"]["Left out by the sharer"] == 1
    assert [w_["id"] for w_ in summary.record["withheld"]] == [w["items"]["c"].pk]
    assert not ConsentRequest.objects.exists() and not Disclosure.objects.exists()


def test_parts_follow_the_agreement_categories_and_classification(world):
    w = world
    AgreementCategory.objects.filter(agreement=w["agreement"], code="identity").delete()
    summary = _share(w)
    assert "identity" not in summary.snapshot and "status" in summary.snapshot
    assert summary.record["parts_left_out"]["identity"].startswith("The agreement does not cover")
    with pytest.raises(ValidationFailed) as exc:
        _share(w, choices=services.SummaryChoices(parts=["identity"]))
    assert "Identifying details cannot go" in exc.value.errors["parts"][0]
    # A person's record above the agreement's maximum: neither part may go, items still can.
    Nominal.objects.filter(pk=w["nominal"].pk).update(classification="SECRET")
    w["nominal"].refresh_from_db()
    summary = _share(w)
    assert "status" not in summary.snapshot and summary.item_ids == [w["items"]["p"].pk]
    assert summary.classification == "OFFICIAL-SENSITIVE"  # the highest of what it contains


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"recipient_agency_id": None}, "recipient", "Select the agency to share with"),
        ({"recipient_agency_id": "own"}, "recipient", "your own agency"),
        ({"recipient_agency_id": "hmrc"}, "agreement", "The recipient agency is not a party"),
        ({"agreement_id": None}, "agreement", "Select the agreement"),
        ({"agreement_id": "suspended"}, "agreement", "suspended, not in force"),
        ({"agreement_id": "not_ours"}, "agreement", "Your agency is not a party"),
        ({"purpose": "safeguarding"}, "purpose", "does not cover the purpose"),
        ({"purpose": "nonsense"}, "purpose", "Select the purpose"),
        ({"reason": "  "}, "reason", "Give the reason"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, change, field, message):
    w = world
    value = next(iter(change.values()))
    if value == "own":
        change = {"recipient_agency_id": agency("hmpps-prisons-london").pk}
    elif value == "hmrc":
        change = {"recipient_agency_id": agency("hmrc").pk}
    elif value == "suspended":
        change = {"agreement_id": make_agreement(PARTIES, status="suspended").pk}
    elif value == "not_ours":
        change = {"agreement_id": make_agreement(["mps", "nca"]).pk}
    with pytest.raises(ValidationFailed) as exc:
        _share(w, **change)
    assert any(message in m for m in exc.value.errors[field]), exc.value.errors
    assert not SummaryDisclosure.objects.exists() and not Disclosure.objects.exists()
    assert not AuditEvent.objects.filter(action="intel.summary.disclose").exists()


def test_stale_choices_and_empty_summaries_are_refused(world):
    w = world
    with pytest.raises(ValidationFailed) as exc:
        _share(w, choices=services.SummaryChoices(item_ids=[w["items"]["secret"].pk]))
    assert "can no longer go" in exc.value.errors["items"][0]
    with pytest.raises(ValidationFailed) as exc:
        _share(w, choices=services.SummaryChoices(parts=[], item_ids=[]))
    assert "Nothing would be disclosed" in exc.value.errors["summary"][0]
    assert not SummaryDisclosure.objects.exists() and not ConsentRequest.objects.exists()


@pytest.mark.parametrize(
    ("roles", "hub", "agency_code"),
    [
        ([Role.ANALYST], "london", "mps"),  # owner hub, but analysts do not disseminate
        ([Role.HUB_MANAGER], "national", "hmpps-marsoc"),  # the national team is no exception
        ([Role.PARTNER_OFFICER], "london", "probation-london"),
        ([Role.HUB_OFFICER], "yorkshire-humber", "yhrocu"),
    ],
)
def test_only_the_owner_hubs_managers_and_officers_share(world, roles, hub, agency_code):
    user = make_user("not.sharer", roles, hub_code=hub, agency_code=agency_code)
    with pytest.raises(NotFoundOrForbidden):
        _share(world, actor=user)


def test_recipient_sees_what_went_and_never_what_was_left_out(world, token_for):
    w = world
    summary = _share(w)
    client = signed_in(w["partner"])
    listing = client.get("/intelligence/summaries/")
    assert [s.pk for s in listing.context["page"].object_list] == [summary.pk]
    first = client.get(f"/intelligence/summaries/{summary.pk}/")
    assert first.status_code == 302 and "/purpose/" in first["Location"]
    client.post(first["Location"], {"purpose": "intelligence"})
    page = client.get(f"/intelligence/summaries/{summary.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "HARWOOD, Cassius" in body and "A1234BC" in body and "Cass Harewood" in body
    assert "27 March 1985" in body  # the snapshot keeps ISO dates; the page shows them the usual way
    assert w["items"]["p"].reference in body
    for hidden in ("c", "secret", "financial", "nca_own", "restricted", "yorkshire"):
        assert w["items"][hidden].reference not in body, hidden
    for leak in ("Left out", "left out", "Withheld", "consent", "SECRET", "Financial information"):
        assert leak not in body, leak
    assert "open the record" not in body  # the partner cannot open the person's record itself
    event = AuditEvent.objects.filter(action="intel.summary.view", details__surface="page").latest("id")
    assert event.justification == "Intelligence development"
    assert list(event.subjects.values_list("nominal_id", flat=True)) == [w["nominal"].pk]
    # The item disclosed with it opens as any shared item does.
    session = client.session
    session["marsoc_intel_purposes"] = {str(w["items"]["p"].pk): "x"}
    session.save()
    assert client.get(f"/intelligence/{w['items']['p'].pk}/").status_code == 200
    # The API: the same summary, the same items, no record of what was left out.
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(w['partner'])}"}
    api = client.get("/api/summaries", **auth).json()
    assert api["count"] == 1 and api["results"][0]["person"] == f"{w['nominal'].reference} HARWOOD, Cassius"
    assert client.get(f"/api/summaries/{summary.pk}", **auth).status_code == 422  # no purpose
    detail = client.get(f"/api/summaries/{summary.pk}?purpose=joint+tasking", **auth).json()
    assert [i["id"] for i in detail["items"]] == [w["items"]["p"].pk]
    assert detail["record"] is None and detail["identity"]["family_name"] == "Harwood"


def test_a_consented_item_joins_the_summary_for_the_recipient(world):
    w = world
    summary = _share(w)
    client = signed_in(w["partner"])
    session = client.session
    session["marsoc_summary_purposes"] = {str(summary.pk): "x"}
    session.save()
    assert (
        w["items"]["c"].reference not in client.get(f"/intelligence/summaries/{summary.pk}/").content.decode()
    )
    request = ConsentRequest.objects.get(summary=summary)
    services.consent_decide(actor=w["originator"], request=request, grant=True, reason="A1 applies")
    body = client.get(f"/intelligence/summaries/{summary.pk}/").content.decode()
    assert w["items"]["c"].reference in body
    assert "handling-conditions" not in body  # per-item warning, not the page banner
    assert "Handling code C: conditions apply to " + w["items"]["c"].reference in body


def test_owner_side_sees_the_record_of_the_disclosure(world):
    w = world
    summary = _share(w)
    client = signed_in(w["officer"])
    session = client.session
    session["marsoc_summary_purposes"] = {str(summary.pk): "x"}
    session.save()
    body = client.get(f"/intelligence/summaries/{summary.pk}/").content.decode()
    assert "Record of the disclosure" in body
    assert "this item is SECRET" in body and w["items"]["c"].reference in body
    # Another London hub member sees it too; a Yorkshire officer does not.
    analyst = make_user("ldn.analyst", [Role.ANALYST], agency_code="mps")
    assert access.may(analyst, "summary.view", summary)
    assert not access.may(
        make_user("y.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber"), "summary.view", summary
    )


@pytest.mark.parametrize("step", ["suspended", "ended", "expired", "category", "purpose", "maximum", "party"])
def test_access_stops_at_once_when_the_agreement_no_longer_covers_it(world, token_for, step):
    w = world
    summary = _share(w)
    partner = w["partner"]
    client = signed_in(partner)
    session = client.session
    session["marsoc_summary_purposes"] = {str(summary.pk): "x"}
    session.save()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(partner)}"}
    assert client.get(f"/intelligence/summaries/{summary.pk}/").status_code == 200
    agreement = w["agreement"]
    if step in ("suspended", "ended"):
        agreement.status = step
        agreement.save()
    elif step == "expired":
        agreement.ends_on = timezone.localdate() - timedelta(days=1)
        agreement.save()
    elif step == "category":
        AgreementCategory.objects.filter(agreement=agreement, code="custody").delete()
    elif step == "purpose":
        AgreementPurpose.objects.filter(agreement=agreement, code="prevention_detection").delete()
    elif step == "maximum":
        agreement.max_classification = "OFFICIAL"
        agreement.save()
    elif step == "party":
        agreement.parties.remove(agency("hmpps-prisons-london"))
    assert client.get(f"/intelligence/summaries/{summary.pk}/").status_code == 404
    assert client.get("/intelligence/summaries/").context["page"].paginator.count == 0
    assert client.get(f"/api/summaries/{summary.pk}?purpose=xyz", **auth).status_code == 404
    assert client.get("/api/summaries", **auth).json()["count"] == 0
    # The disclosing hub keeps its record whatever became of the agreement.
    assert access.may(w["officer"], "summary.view", summary)


def test_clearance_applies_to_recipients(world):
    w = world
    summary = _share(w)
    low = make_user("nca.low", [Role.PARTNER_OFFICER], hub_code=None, agency_code="nca", clearance="OFFICIAL")
    assert not access.may(low, "summary.view", summary)
    assert summary_list(actor=low).count() == 0
    assert access.may(w["partner"], "summary.view", summary)


def test_share_pages_preview_then_share(world):
    w = world
    client = with_purpose(signed_in(w["officer"]), w["nominal"])
    person = client.get(f"/intelligence/people/{w['nominal'].pk}/")
    assert person.status_code == 200
    assert "Share a summary with another agency" in person.content.decode()
    url = f"/intelligence/people/{w['nominal'].pk}/share-summary/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"action": "preview", "purpose": "prevention_detection"})
    assert bad.status_code == 200 and "There is a problem" in bad.content.decode()
    assert "Select the agency to share with" in bad.content.decode()
    base = {
        "recipient": agency("nca").pk,
        "agreement": w["agreement"].pk,
        "purpose": "prevention_detection",
        "reason": "Joint tasking",
    }
    preview = client.post(url, base | {"action": "preview"})
    body = preview.content.decode()
    assert preview.status_code == 200 and "Check the summary before you share it" in body
    assert "A1234BC" in body and w["items"]["p"].reference in body
    assert "Handling code C: conditions apply to " + w["items"]["c"].reference in body
    assert "May be combined or corroborated" in body
    assert "this item is SECRET" in body and "Only you see this" in body
    assert not SummaryDisclosure.objects.exists()  # a preview changes nothing
    # Share the status and the P item; withhold the C item.
    done = client.post(
        url,
        base
        | {
            "action": "share",
            "parts": ["status"],
            "items": [str(w["items"]["p"].pk)],
            f"consent_{w['items']['c'].pk}": "withhold",
        },
    )
    summary = SummaryDisclosure.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/intelligence/summaries/{summary.pk}/"
    assert "identity" not in summary.snapshot and summary.item_ids == [w["items"]["p"].pk]
    assert summary.record["withheld"][0]["id"] == w["items"]["c"].pk
    assert not ConsentRequest.objects.exists()
    detail = client.get(done["Location"])
    assert detail.status_code == 200 and "Record of the disclosure" in detail.content.decode()


def test_share_page_refuses_a_tampered_choice(world):
    w = world
    client = with_purpose(signed_in(w["officer"]), w["nominal"])
    response = client.post(
        f"/intelligence/people/{w['nominal'].pk}/share-summary/",
        {
            "recipient": agency("nca").pk,
            "agreement": w["agreement"].pk,
            "purpose": "prevention_detection",
            "reason": "Joint tasking",
            "action": "share",
            "items": [str(w["items"]["secret"].pk)],
            f"consent_{w['items']['c'].pk}": "consent",
        },
    )
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert not SummaryDisclosure.objects.exists() and not ConsentRequest.objects.exists()


def test_share_page_is_only_for_those_who_may_share(world):
    w = world
    for user in (
        w["partner"],
        make_user("ldn.an", [Role.ANALYST], agency_code="mps"),
        make_user("nat.mgr", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc"),
    ):
        client = with_purpose(signed_in(user), w["nominal"])
        url = f"/intelligence/people/{w['nominal'].pk}/share-summary/"
        assert client.get(url).status_code == 404
        posted = client.post(
            url,
            {
                "recipient": agency("nca").pk,
                "agreement": w["agreement"].pk,
                "purpose": "prevention_detection",
                "reason": "Joint tasking",
                "action": "share",
            },
        )
        assert posted.status_code == 404
    assert not SummaryDisclosure.objects.exists() and not Disclosure.objects.exists()


def test_profile_links_to_the_persons_intelligence(world):
    w = world
    client = with_purpose(signed_in(w["officer"]), w["nominal"])
    assert 'id="intelligence-link"' in client.get(f"/cohort/{w['nominal'].pk}/").content.decode()
    board = make_user("board.x", [Role.BOARD_MEMBER], hub_code=None)
    assert signed_in(board).get(f"/intelligence/people/{w['nominal'].pk}/").status_code == 404


def test_items_of_a_summary_still_follow_the_item_policy(world):
    """An item erased or restricted after it went drops out of the summary for the recipient."""
    w = world
    summary = _share(w)
    IntelItem.objects.filter(pk=w["items"]["p"].pk).update(restricted=True)
    client = signed_in(w["partner"])
    session = client.session
    session["marsoc_summary_purposes"] = {str(summary.pk): "x"}
    session.save()
    body = client.get(f"/intelligence/summaries/{summary.pk}/").content.decode()
    assert w["items"]["p"].reference not in body and "No intelligence items" in body


def test_api_refuses_out_of_range_ids_like_missing_ones(world, token_for):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world['partner'])}"}
    client = signed_in(world["partner"])
    assert client.get("/api/summaries/9999999999?purpose=abc", **auth).status_code == 404
    assert client.get("/api/summaries", {"page": 0}, **auth).status_code == 422
