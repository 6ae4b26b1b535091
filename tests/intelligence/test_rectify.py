"""Rectification with history (DPA 2018 s.46): the service keeps the replaced version with who, when and
why, audits an alteration, refuses bad input field by field; the page is for the owner hub's managers and
officers and the originating agency's recording users; the history shows on the item page."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from marsoc.core.errors import NotFoundOrForbidden, PermissionDenied, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence import services
from marsoc.intelligence.models import IntelItem, ItemRevision

from ..conftest import make_nominal, make_user, signed_in
from .helpers import disclose, make_agreement, make_item


def _with_item_purpose(client, *items):
    session = client.session
    session["marsoc_intel_purposes"] = {str(i.pk): "Intelligence development" for i in items}
    session.save()
    return client


def _data(item, **changes):
    values = {
        "text": item.text,
        "intelligence_date": item.intelligence_date,
        "source_evaluation": item.source_evaluation,
        "intelligence_assessment": item.intelligence_assessment,
        "handling_code": item.handling_code,
        "conditions": list(item.conditions or []),
    }
    return services.RectifyInput(**(values | changes))


@pytest.fixture
def setting(db):
    owner = make_user("rect.officer", [Role.HUB_OFFICER], agency_code="hmpps-prisons-london")
    nominal = make_nominal(owner)
    item = make_item(nominal, text="Drives a blue Audi.", grade="2CP", record_group="3")
    return owner, nominal, item


def test_rectify_keeps_previous_version_and_audits_alteration(setting):
    owner, _nominal, item = setting
    old_date = item.intelligence_date
    new_date = date(2025, 3, 14)
    revision = services.item_rectify(
        actor=owner,
        item=item,
        data=_data(
            item,
            text="Drives a blue Vauxhall.",
            intelligence_date=new_date,
            intelligence_assessment="B",
            handling_code="C",
            conditions=["S2", "A1"],
        ),
        reason="Subject's request: the car is a Vauxhall",
    )
    item.refresh_from_db()
    assert item.text == "Drives a blue Vauxhall."
    assert item.grade_label == "[2BC] A1 S2"
    assert item.intelligence_date == new_date
    # Group 3 is reviewed after 6 years: from 14 March 2025 that is 14 March 2031.
    assert item.review_due == date(2031, 3, 14)
    assert revision.previous == {
        "text": "Drives a blue Audi.",
        "intelligence_date": old_date.isoformat(),
        "source_evaluation": "2",
        "intelligence_assessment": "C",
        "handling_code": "P",
        "conditions": [],
    }
    assert revision.changed_fields == [
        "text",
        "intelligence_date",
        "intelligence_assessment",
        "handling_code",
        "conditions",
    ]
    assert revision.changed_by == owner and revision.reason == "Subject's request: the car is a Vauxhall"
    assert revision.previous_grade_label == "[2CP]"
    event = AuditEvent.objects.get(action="intel.item.rectify")
    assert event.operation == "alteration" and event.actor_id == owner.pk
    assert event.object_id == str(item.pk)
    assert event.justification == "Subject's request: the car is a Vauxhall"
    assert event.details["grade_before"] == "[2CP]" and event.details["grade_after"] == "[2BC] A1 S2"
    assert "Audi" not in str(event.details)  # the superseded text is kept in the revision, not the log


def test_second_correction_adds_a_second_revision(setting):
    owner, _nominal, item = setting
    services.item_rectify(actor=owner, item=item, data=_data(item, text="One."), reason="First")
    services.item_rectify(actor=owner, item=item, data=_data(item, text="Two."), reason="Second")
    revisions = list(item.revisions.all())
    assert [r.previous["text"] for r in revisions] == ["Drives a blue Audi.", "One."]
    assert IntelItem.objects.get(pk=item.pk).text == "Two."


def test_bad_input_names_each_field_and_saves_nothing(setting):
    owner, _nominal, item = setting
    with pytest.raises(ValidationFailed) as caught:
        services.item_rectify(
            actor=owner,
            item=item,
            data=_data(
                item,
                text="  ",
                intelligence_date=timezone.localdate() + timedelta(days=1),
                handling_code="P",
                conditions=["A1"],
            ),
            reason="",
        )
    assert caught.value.errors == {
        "text": ["Enter the intelligence"],
        "intelligence_date": ["The date of the intelligence must be today or in the past"],
        "conditions": ["Handling code P (lawful sharing permitted) takes no conditions"],
        "reason": ["Give the reason for the correction (for example the data subject's request)"],
    }
    with pytest.raises(ValidationFailed) as unchanged:
        services.item_rectify(actor=owner, item=item, data=_data(item), reason="No change")
    assert "nothing differs" in unchanged.value.errors["text"][0]
    assert not ItemRevision.objects.exists()
    assert not AuditEvent.objects.filter(action="intel.item.rectify").exists()
    assert IntelItem.objects.get(pk=item.pk).text == "Drives a blue Audi."


def test_recipient_and_analyst_may_not_rectify(setting):
    _owner, _nominal, item = setting
    agreement = make_agreement(["mps", "nca"])
    disclose(item, "nca", agreement)
    recipient = make_user("nca.off", [Role.PARTNER_OFFICER], hub_code="london", agency_code="nca")
    with pytest.raises(PermissionDenied):
        services.item_rectify(actor=recipient, item=item, data=_data(item, text="X."), reason="Mine")
    analyst = make_user("rect.analyst", [Role.ANALYST], agency_code="mps")
    with pytest.raises(PermissionDenied):
        services.item_rectify(actor=analyst, item=item, data=_data(item, text="X."), reason="Mine")
    outsider = make_user("york.off", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="yhrocu")
    with pytest.raises(NotFoundOrForbidden):
        services.item_rectify(actor=outsider, item=item, data=_data(item, text="X."), reason="Mine")
    assert not ItemRevision.objects.exists()


def test_originating_agency_officer_in_another_hub_may_rectify(setting):
    _owner, _nominal, item = setting  # originated by the MPS, owned by London
    mps_elsewhere = make_user("mps.york", [Role.HUB_OFFICER], hub_code="yorkshire-humber", agency_code="mps")
    services.item_rectify(actor=mps_elsewhere, item=item, data=_data(item, text="Fixed."), reason="Typo")
    assert IntelItem.objects.get(pk=item.pk).text == "Fixed."


def test_tombstone_cannot_be_rectified(setting):
    owner, _nominal, item = setting
    item.erased_at = timezone.now()
    item.text = ""
    item.save()
    with pytest.raises(PermissionDenied):
        services.item_rectify(actor=owner, item=item, data=_data(item, text="Back."), reason="x")


def test_page_shows_error_summary_then_corrects_and_shows_history(setting):
    owner, _nominal, item = setting
    client = _with_item_purpose(signed_in(owner), item)
    form = client.get(f"/intelligence/{item.pk}/rectify/")
    assert form.status_code == 200 and "Drives a blue Audi." in form.content.decode()
    d = item.intelligence_date
    base = {
        "intelligence_date_day": d.day,
        "intelligence_date_month": d.month,
        "intelligence_date_year": d.year,
        "source_evaluation": "2",
        "intelligence_assessment": "C",
    }
    bad = client.post(
        f"/intelligence/{item.pk}/rectify/",
        base | {"text": "Drives a red Audi.", "handling_code": "C", "reason": ""},
    )
    body = bad.content.decode()
    assert bad.status_code == 200 and "There is a problem" in body
    assert "Handling code C needs at least one condition" in body
    assert "Give the reason for the correction" in body
    assert not ItemRevision.objects.exists()
    ok = client.post(
        f"/intelligence/{item.pk}/rectify/",
        base | {"text": "Drives a red Audi.", "handling_code": "P", "reason": "Colour was wrong"},
    )
    assert ok.status_code == 302 and ok["Location"] == f"/intelligence/{item.pk}/"
    page = client.get(f"/intelligence/{item.pk}/").content.decode()
    assert 'id="revisions"' in page
    assert "Colour was wrong" in page and "Drives a blue Audi." in page and "Drives a red Audi." in page
    assert f'href="/intelligence/{item.pk}/rectify/"' in page


def test_page_is_404_for_recipient_and_history_hidden_from_them(setting):
    owner, _nominal, item = setting
    services.item_rectify(actor=owner, item=item, data=_data(item, text="Corrected."), reason="Why")
    agreement = make_agreement(["mps", "nca"])
    disclose(item, "nca", agreement)
    recipient = make_user("nca.two", [Role.PARTNER_OFFICER], hub_code="london", agency_code="nca")
    client = _with_item_purpose(signed_in(recipient), item)
    assert client.get(f"/intelligence/{item.pk}/rectify/").status_code == 404
    assert (
        client.post(f"/intelligence/{item.pk}/rectify/", {"text": "Hack", "reason": "x"}).status_code == 404
    )
    page = client.get(f"/intelligence/{item.pk}/").content.decode()
    assert "Corrected." in page and "Drives a blue Audi." not in page and 'id="revisions"' not in page
    assert IntelItem.objects.get(pk=item.pk).text == "Corrected."
