"""MoPI retention review, restriction of processing (s.47) and subject access export (s.45)."""

import csv
import io
from datetime import timedelta

from django.utils import timezone

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.intelligence.models import IntelItem, RetentionDecision

from ..conftest import make_nominal, make_user, signed_in
from .helpers import make_item


def _purpose(client, *items):
    session = client.session
    session["marsoc_intel_purposes"] = {str(i.pk): "Retention review" for i in items}
    session.save()
    return client


def test_review_queue_retain_and_delete(db, london_manager, london_officer):
    nominal = make_nominal(london_manager)
    due = make_item(nominal, review_due=timezone.localdate() - timedelta(days=1), record_group="2")
    later = make_item(nominal, review_due=timezone.localdate() + timedelta(days=100))
    client = signed_in(london_manager)
    queue = client.get("/intelligence/retention/")
    assert [i.pk for i in queue.context["items"]] == [due.pk]
    assert signed_in(london_officer).get("/intelligence/retention/").status_code == 404
    _purpose(client, due, later)
    bad = client.post(f"/intelligence/{due.pk}/review/", {"outcome": "retain"})
    assert "MoPI requires every retain decision to be recorded" in bad.content.decode()
    client.post(f"/intelligence/{due.pk}/review/", {"outcome": "retain", "reason": "Live investigation"})
    due.refresh_from_db()
    assert due.review_due == timezone.localdate().replace(year=timezone.localdate().year + 10)
    assert RetentionDecision.objects.get().reason == "Live investigation"
    client.post(f"/intelligence/{later.pk}/review/", {"outcome": "delete", "reason": "No longer necessary"})
    later.refresh_from_db()
    assert later.erased_at is not None and later.text == ""
    assert IntelItem.objects.filter(pk=later.pk).exists()  # the tombstone stays
    erasure = AuditEvent.objects.get(action="intel.item.erase")
    assert erasure.operation == "erasure" and erasure.justification == "No longer necessary"


def test_restriction_takes_the_item_out_of_search(db, london_manager):
    nominal = make_nominal(london_manager, family="Restrictington")
    item = make_item(nominal)
    client = _purpose(signed_in(london_manager), item)
    assert client.get("/intelligence/?q=Restrictington").context["page"].paginator.count == 1
    client.post(f"/intelligence/{item.pk}/restrict/", {"reason": "Data subject's request under s.47"})
    item.refresh_from_db()
    assert item.restricted
    assert client.get("/intelligence/?q=Restrictington").context["page"].paginator.count == 0
    assert client.get(f"/intelligence/{item.pk}/").status_code == 200  # kept, and its owner can open it
    assert client.get(f"/intelligence/{item.pk}/share/").status_code == 404  # not shareable


def test_subject_access_export(db, london_manager, london_officer):
    nominal = make_nominal(london_manager, identifiers=[("NOMIS", "A1234BC")])
    make_item(nominal, grade="1AC", conditions=("A1",), text="Condition C item")
    make_item(nominal, text="Plain item")
    other = make_user("y.mgr", [Role.HUB_MANAGER], hub_code="yorkshire-humber", agency_code="yhrocu")
    make_item(nominal, hub_code="yorkshire-humber", agency_code="yhrocu", officer=other, text="Elsewhere")
    response = signed_in(london_manager).get(f"/intelligence/subject-access/{nominal.pk}/")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["identifier", "Prison number (NOMIS)", "A1234BC", ""] in rows  # labels, not codes
    intel = {r[2].split(": ", 1)[-1]: r[3] for r in rows if r[0] == "intelligence" and r[1].startswith("IR")}
    assert intel == {"Condition C item": "yes", "Plain item": "no"}
    assert any("Yorkshire" in r[2] for r in rows if r[1] == "held elsewhere")
    assert "Elsewhere" not in response.content.decode()
    assert AuditEvent.objects.filter(action="intel.subject_access.export", nominal_id=nominal.pk).exists()
    assert signed_in(london_officer).get(f"/intelligence/subject-access/{nominal.pk}/").status_code == 404
