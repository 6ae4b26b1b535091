"""Erasure of a person (MoPI review "erase", DPA 2018 s.47(1)): nothing about them is left in any table
but the audit log, the other person's records stay, and the audit chain still verifies."""

from io import StringIO

import pytest
from django.core.management import call_command

from marsoc.core.audit import audit_verify
from marsoc.core.errors import NotFoundOrForbidden, ValidationFailed
from marsoc.core.models import AuditEvent, AuditSubject
from marsoc.core.subjects import records_about
from marsoc.intelligence.models import IntelItem
from marsoc.linkage.models import Merge, Person, QuarantinedRow, SourceRecord
from marsoc.nominals.models import Nominal
from marsoc.rights import services
from marsoc.rights.models import PersonReview

from ..conftest import make_user
from .helpers import full_person
from .test_registry import _rows_about, nominal_models


@pytest.fixture
def full(db):
    return full_person()


def test_erasure_leaves_no_trace_but_the_audit_log(full):
    pk = full.nominal.pk
    services.rectification_record(
        actor=full.manager,
        nominal=full.nominal,
        what="Date of birth",
        reason="Wrong",
        since=full.nominal.created_at.date(),
    )
    other_before = {m._meta.label: _rows_about(m, full.other) for m in nominal_models()}
    logged_before = AuditEvent.objects.filter(nominal_id=pk).count()
    assert logged_before > 0
    nominal = Nominal.objects.get(pk=pk)
    services.person_review(
        actor=full.manager, nominal=nominal, group="3", outcome="erase", reason="No longer necessary"
    )
    # Every table with a nominal reference: no row about the person.
    ghost = Nominal(pk=pk)
    left = {m._meta.label: _rows_about(m, ghost) for m in nominal_models() if m is not Nominal}
    assert not Nominal.objects.filter(pk=pk).exists()
    assert {k: v for k, v in left.items() if v} == {}
    # Records linked through others, and by identifier: gone.
    assert not IntelItem.objects.filter(pk=full.item.pk).exists()
    assert IntelItem.objects.filter(pk=full.shared_item.pk).exists()  # about the other person too: kept
    assert not SourceRecord.objects.filter(nomis="A1234BC").exists()
    assert SourceRecord.objects.filter(nomis="B2345CD").exists()
    assert list(QuarantinedRow.objects.values_list("source_key", flat=True)) == ["Q2"]  # the other's
    assert not Merge.objects.exists() and Person.objects.count() == 1
    # The other person is untouched.
    other_after = {m._meta.label: _rows_about(m, full.other) for m in nominal_models()}
    shared = {full.association.pk}
    other_before["network.Association"] -= shared  # the link between the two went with the erased end
    assert other_after == other_before
    assert records_about(Nominal.objects.get(pk=full.other.pk))
    # The audit log keeps what s.62 requires, and the erasure itself, naming the agencies to tell.
    erased = AuditEvent.objects.get(action="rights.person.erase")
    assert erased.operation == "erasure" and erased.nominal_id == pk and erased.justification
    assert erased.details["reference"].startswith("MH") and erased.details["removed"]["cascade"] > 20
    assert AuditEvent.objects.filter(nominal_id=pk).count() == logged_before + 1
    assert AuditSubject.objects.filter(nominal_id=pk).exists()
    assert audit_verify().ok
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert "ok" in out.getvalue().lower() or "verified" in out.getvalue().lower()


def test_retain_records_the_reason_and_next_review(full):
    review = services.person_review(
        actor=full.manager, nominal=full.nominal, group="2", outcome="retain", reason="Licence still running"
    )
    assert isinstance(review, PersonReview) and review.next_review.year == review.decided_at.year + 10
    assert AuditEvent.objects.filter(action="rights.person.retain", nominal_id=full.nominal.pk).exists()


def test_bad_review_input_names_the_field_and_changes_nothing(full):
    reviews = PersonReview.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        services.person_review(
            actor=full.manager, nominal=full.nominal, group="9", outcome="burn", reason=" "
        )
    assert set(exc.value.errors) == {"group", "outcome", "reason"}
    assert Nominal.objects.filter(pk=full.nominal.pk).exists() and PersonReview.objects.count() == reviews


def test_only_a_manager_of_the_owner_hub_erases(full):
    for user in (full.officer, make_user("york.mgr", ["hub_manager"], hub_code="yorkshire-humber")):
        with pytest.raises(NotFoundOrForbidden):
            services.person_erase(actor=user, nominal=full.nominal, reason="x")
    assert Nominal.objects.filter(pk=full.nominal.pk).exists()
