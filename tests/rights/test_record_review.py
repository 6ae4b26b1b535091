"""MoPI review of single records (domain.md §4.1): every kind an app declares has a review date by group
from its category and dates, on the person's rights page and in the hub's queue; a retain decision is
recorded with its reason and sets the next review; erasure of one record, where lawful, removes it and
what is derived from it, is audited as an erasure and leaves the audit chain verifiable. Partner records
about nobody in the cohort are the hub's to review."""

from datetime import timedelta

import pytest
from django.utils import timezone

from marsoc.casework.models import CaseNote
from marsoc.core.audit import audit_verify
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent
from marsoc.core.subjects import reviewed_kind
from marsoc.linkage.models import SourceRecord
from marsoc.network.models import Association
from marsoc.rights import services
from marsoc.rights.models import RecordReview
from marsoc.rights.selectors import (
    record_queue,
    record_reviews,
    review_years,
    unattached_reviews,
    years_after,
)

from ..conftest import make_user, signed_in, today, with_purpose
from .helpers import full_person
from .routes import partner_record_about_nobody

pytestmark = pytest.mark.django_db


@pytest.fixture
def full():
    return full_person()


def _due(nominal, key):
    return [d for d in record_reviews(nominal) if d.kind.key == key]


def test_every_kept_kind_of_the_person_has_a_review_by_group_and_dates(full):
    dues = record_reviews(full.nominal)
    assert {d.kind.key for d in dues} >= {
        "assessment",
        "case_note",
        "association",
        "membership",
        "plan",
        "order",
    }
    years = review_years()
    for d in dues:
        if d.last is None:  # else the retain decision set it (below)
            assert d.due == years_after(d.kind.clear_from(d.record), years[d.group]), d.kind.key
    # An order made for a serious offence is group 2; the rest take the person's group (3 until reviewed).
    (order,) = _due(full.nominal, "order")
    assert order.kind.group(order.record) == "2" and "in force" in order.why_kept  # it ends in 900 days
    assert order.last is not None and order.due == order.last.next_review  # the helper retained it
    assert {d.group for d in dues if d.kind.key != "order"} == {"3"}
    # The plan and the assessment the tier rests on go only with the person.
    assert _due(full.nominal, "plan")[0].why_kept and _due(full.nominal, "assessment")[0].why_kept
    assert not _due(full.nominal, "case_note")[0].why_kept
    # The rights page lists them with their reviews.
    client = with_purpose(signed_in(full.manager), full.nominal)
    page = client.get(f"/rights/people/{full.nominal.pk}/").content.decode()
    assert 'id="record-reviews"' in page and "Group 2: other sexual, violent or serious offences" in page


def test_retain_records_the_reason_and_moves_the_review(full):
    (note,) = _due(full.nominal, "case_note")
    review = services.record_review(
        actor=full.manager, kind=note.kind, record_id=note.record.pk, nominal=full.nominal, group="2",
        outcome="retain", reason="Contact still relevant to the licence",
    )  # fmt: skip
    assert isinstance(review, RecordReview)
    (after,) = _due(full.nominal, "case_note")
    assert after.group == "2" and after.due == years_after(today(), 10) and after.last == review
    entry = AuditEvent.objects.filter(action="rights.record.retain").get()
    assert (
        entry.nominal_id == full.nominal.pk and entry.justification and entry.details["kind"] == "case_note"
    )


def test_bad_decisions_name_the_field_and_change_nothing(full):
    (plan,) = _due(full.nominal, "plan")
    reviews = RecordReview.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.record_review(
            actor=full.manager, kind=plan.kind, record_id=plan.record.pk, nominal=full.nominal, group="3",
            outcome="erase", reason="Not needed",
        )  # fmt: skip
    assert set(exc.value.errors) == {"outcome"}
    (note,) = _due(full.nominal, "case_note")
    with pytest.raises(ValidationFailed) as exc:
        services.record_review(
            actor=full.manager, kind=note.kind, record_id=note.record.pk, nominal=full.nominal, group="9",
            outcome="burn", reason=" ",
        )  # fmt: skip
    assert set(exc.value.errors) == {"group", "outcome", "reason"}
    with pytest.raises(NotFoundOrForbidden):  # an officer does not decide reviews; a record of nobody here
        services.record_review(
            actor=full.officer, kind=note.kind, record_id=note.record.pk, nominal=full.nominal, group="3",
            outcome="erase", reason="x",
        )  # fmt: skip
    with pytest.raises(NotFoundOrForbidden):
        services.record_review(
            actor=full.manager, kind=note.kind, record_id=full.item.pk + 10_000, nominal=full.nominal,
            group="3", outcome="erase", reason="x",
        )  # fmt: skip
    assert CaseNote.objects.filter(pk=note.record.pk).exists() and RecordReview.objects.count() == reviews


def test_erasing_one_record_removes_it_and_its_derived_data_and_is_audited(full):
    (note,) = _due(full.nominal, "case_note")
    CaseNote.objects.create(
        nominal=full.nominal, contact_type="meeting", occurred_at=timezone.now(), outcome="completed",
        text="Addendum", agency=note.record.agency, author=full.officer, created_at=timezone.now(),
        addendum_to=note.record,
    )  # fmt: skip
    recounts = AuditEvent.objects.filter(action="reporting.figures.recount").count()
    for key, record in (("case_note", note.record), ("association", full.association)):
        services.record_review(
            actor=full.manager, kind=reviewed_kind(key), record_id=record.pk, nominal=full.nominal, group="3",
            outcome="erase", reason="No longer necessary",
        )  # fmt: skip
    assert not CaseNote.objects.filter(nominal=full.nominal).exists()  # the note and its addendum
    assert not Association.objects.filter(pk=full.association.pk).exists()  # the graph's edge
    erased = AuditEvent.objects.filter(action="rights.record.erase").order_by("id")
    assert [e.details["kind"] for e in erased] == ["case_note", "association"]
    assert all(e.operation == "erasure" and e.nominal_id == full.nominal.pk for e in erased)
    assert erased[0].details["removed"] == 2
    # The kept figures were recounted without the record (out, then back in without it), for each.
    assert AuditEvent.objects.filter(action="reporting.figures.recount").count() == recounts + 4
    assert audit_verify().ok


def test_a_partner_record_about_nobody_is_the_hubs_to_review(db):
    record = partner_record_about_nobody()
    london = make_user("lon.mgr", ["hub_manager"])
    national = make_user("nat.mgr", ["hub_manager"], hub_code="national", agency_code="hmpps-marsoc")
    (due,) = unattached_reviews(london.hub_id)
    assert due.record == record and due.group == "3" and not due.why_kept
    assert record_queue(actor=london) == []  # six years from its last change
    SourceRecord.objects.filter(pk=record.pk).update(updated_at=timezone.now() - timedelta(days=6 * 366))
    assert [d.record.pk for d in record_queue(actor=london)] == [record.pk]
    page = signed_in(london).get("/rights/").content.decode()
    assert f"/rights/records/partner_record/{record.pk}/review/" in page
    with pytest.raises(NotFoundOrForbidden):
        services.record_review(
            actor=national, kind=due.kind, record_id=record.pk, nominal=None, group="3", outcome="erase",
            reason="x",
        )  # fmt: skip
    response = signed_in(london).post(
        f"/rights/records/partner_record/{record.pk}/review/",
        {"group": "3", "outcome": "erase", "reason": "About nobody in the cohort, six years unchanged"},
    )
    assert response.status_code == 302
    assert not SourceRecord.objects.filter(pk=record.pk).exists()
    entry = AuditEvent.objects.get(action="rights.partner_record.erase")
    assert entry.operation == "erasure" and entry.object_id == str(record.pk)
    assert audit_verify().ok


def test_retaining_an_associate_moves_the_network_apps_own_review_date(full):
    """An associate outside the cohort keeps a review date in the network app (its retention queue); a
    retain decision on the rights page moves it too, so the two never disagree."""
    from marsoc.accounts.models import Agency, Hub
    from marsoc.network.models import Associate

    owned = {
        "owner_hub": Hub.objects.get(code="london"), "originating_agency": Agency.objects.get(code="mps"),
        "recorded_at": timezone.now(), "classification": "OFFICIAL-SENSITIVE",
    }  # fmt: skip
    visitor = Associate.objects.create(
        family_name="Visitor", data_subject_category="other", review_due=today() - timedelta(days=1), **owned
    )
    Association.objects.create(
        a_nominal=full.nominal, b_associate=visitor, association_type="criminal_associate",
        source_kind="feed", source_reference="feed 2", **owned,
    )  # fmt: skip
    (due,) = _due(full.nominal, "associate")
    assert due.record == visitor and due.due == today() - timedelta(days=1)
    review = services.record_review(
        actor=full.manager, kind=due.kind, record_id=visitor.pk, nominal=full.nominal, group="3",
        outcome="retain", reason="Still visits; relevant to the licence",
    )  # fmt: skip
    assert review is not None
    visitor.refresh_from_db()
    assert visitor.review_due == review.next_review == years_after(today(), review_years()["3"])
