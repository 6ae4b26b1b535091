"""The s.62 audit log: what is recorded, the hash chain, the verify command, append-only on PostgreSQL,
and the inspector's browse and export."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from marsoc.core.actions import AuditAction
from marsoc.core.audit import audit_record, audit_verify
from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Operation, Role

from ..conftest import make_nominal, make_user, signed_in, with_purpose

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back (on PostgreSQL the trigger must be lifted first)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Foreign-key checks (from audit subjects) must run now, not at commit, or the trigger cannot
            # be re-enabled while they are pending.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")


def test_chain_links_each_entry_to_the_one_before():
    first = audit_record(actor=None, action=AuditAction.DEMO_GENERATE, details={"n": 1})
    second = audit_record(actor=None, action=AuditAction.AUDIT_BROWSE, justification="why")
    assert second.prev_hash == first.hash
    result = audit_verify()
    assert result.ok and result.checked == AuditEvent.objects.count()


def test_verify_names_the_first_altered_entry():
    audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    target = audit_record(actor=None, action=AuditAction.AUDIT_BROWSE, justification="original")
    audit_record(actor=None, action=AuditAction.AUDIT_VERIFY)
    _tamper("UPDATE core_auditevent SET justification = %s WHERE id = %s", ["forged", target.pk])
    result = audit_verify()
    assert not result.ok
    assert result.first_break is not None and result.first_break.event_id == target.pk
    with pytest.raises(CommandError, match=f"#{target.pk}"):
        call_command("audit", "verify")


def test_verify_detects_a_deleted_entry():
    audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    gone = audit_record(actor=None, action=AuditAction.AUDIT_BROWSE)
    after = audit_record(actor=None, action=AuditAction.AUDIT_VERIFY)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [gone.pk])
    result = audit_verify()
    assert result.first_break is not None and result.first_break.event_id == after.pk


def test_verify_detects_a_removed_tail():
    audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    last = audit_record(actor=None, action=AuditAction.AUDIT_BROWSE)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [last.pk])
    assert not audit_verify().ok


def test_verify_command_reports_success():
    audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert "intact" in out.getvalue()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_postgres_trigger_refuses_update_and_delete():
    event = audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    for statement in (
        "UPDATE core_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM core_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement, [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    assert AuditEvent.objects.get(pk=event.pk).action == "demo.generate"


def test_opening_a_nominal_records_consultation_with_purpose(london_officer):
    nominal = make_nominal(london_officer)
    client = signed_in(london_officer)
    response = client.get(f"/cohort/{nominal.pk}/")
    assert response.status_code == 302 and "/purpose/" in response["Location"]
    assert not AuditEvent.objects.filter(nominal_id=nominal.pk, operation=Operation.CONSULTATION).exists()
    client.post(f"/cohort/{nominal.pk}/purpose/", {"purpose": "other", "detail": "Preparing a prison visit"})
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 200
    event = AuditEvent.objects.filter(nominal_id=nominal.pk, operation=Operation.CONSULTATION).latest("id")
    assert event.actor_id == london_officer.pk
    assert "Preparing a prison visit" in event.justification
    # Asked once per nominal per session: a second view needs no new purpose.
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 200


def test_purpose_other_needs_detail(london_officer):
    nominal = make_nominal(london_officer)
    client = signed_in(london_officer)
    response = client.post(f"/cohort/{nominal.pk}/purpose/", {"purpose": "other", "detail": ""})
    assert response.status_code == 200
    assert "Describe the purpose" in response.content.decode()
    assert client.get(f"/cohort/{nominal.pk}/").status_code == 302


def test_every_s62_operation_is_recorded_by_the_services(london_manager):
    nominal = make_nominal(london_manager)  # collection
    client = with_purpose(signed_in(london_manager), nominal)
    client.get(f"/cohort/{nominal.pk}/")  # consultation
    client.post(
        f"/cohort/{nominal.pk}/agencies/add/", {"agency": 2, "rationale": "Shared plan"}
    )  # disclosure
    client.post(
        f"/cohort/{nominal.pk}/aliases/add/", {"alias_type": "nickname", "given_names": "Tank"}
    )  # alteration
    operations = set(AuditEvent.objects.filter(nominal_id=nominal.pk).values_list("operation", flat=True))
    assert {
        Operation.COLLECTION,
        Operation.CONSULTATION,
        Operation.DISCLOSURE,
        Operation.ALTERATION,
    } <= operations
    disclosure = AuditEvent.objects.get(nominal_id=nominal.pk, operation=Operation.DISCLOSURE)
    assert disclosure.recipients and disclosure.justification == "Shared plan"


def test_inspector_filters_and_exports(london_officer):
    inspector = make_user("insp", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    nominal = make_nominal(london_officer)
    audit_record(
        actor=london_officer,
        action=AuditAction.NOMINAL_VIEW,
        surface="profile",
        nominal_id=nominal.pk,
        justification='=HYPERLINK("http://x")',
    )
    client = signed_in(inspector)
    page = client.get("/audit/", {"nominal": nominal.pk})
    assert page.status_code == 200
    shown = list(page.context["page"].object_list)
    assert shown and all(e.nominal_id == nominal.pk for e in shown)
    by_user = client.get("/audit/", {"user": "london.off"}).context["page"].object_list
    assert by_user and all(e.actor_label.startswith("london.off (") for e in by_user)
    response = client.get("/audit/export.csv", {"nominal": nominal.pk})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 + len(shown)
    header, *entries = rows
    assert header[:5] == ["Entry number", "When (UTC)", "Operation", "Action", "Action code"]
    by_code = {row[4]: row for row in entries}
    # The action in words, as the audit page shows it, the stored code beside it for inspectors.
    viewed = by_code["nominal.view"]
    assert viewed[3] == AuditAction.NOMINAL_VIEW.label and viewed[2] == "Consultation"
    assert viewed[header.index("Nominal reference")] == f"MH{nominal.pk:07d}"
    # A formula in a cell is neutralised so a spreadsheet cannot execute it.
    assert any(cell.startswith("'=HYPERLINK") for row in rows for cell in row)
    export = AuditEvent.objects.filter(action="audit.export").latest("id")
    assert export.operation == Operation.DISCLOSURE and export.recipients == ["insp"]


def test_inspector_date_filter_rejects_impossible_dates():
    inspector = make_user("insp2", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    response = signed_in(inspector).get(
        "/audit/", {"date_from_day": "31", "date_from_month": "2", "date_from_year": "2026"}
    )
    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()


def test_inspector_queues_a_chain_check_run_by_the_worker():
    from marsoc.core.models import AuditVerification

    inspector = make_user("insp3", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    client = signed_in(inspector)
    response = client.post("/audit/verify/")  # the test settings run tasks at once (immediate backend)
    assert response.status_code == 302
    run = AuditVerification.objects.get()
    assert run.ok is True and run.checked == AuditEvent.objects.count()  # its own request entry included
    assert run.requested_by == inspector and run.finished_at is not None
    page = client.get("/audit/").content.decode()
    assert "Intact" in page


def test_chain_check_reports_tampering():
    from marsoc.core.models import AuditVerification

    inspector = make_user("insp4", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    target = audit_record(actor=None, action=AuditAction.DEMO_GENERATE)
    _tamper("UPDATE core_auditevent SET action = %s WHERE id = %s", ["audit.browse", target.pk])
    signed_in(inspector).post("/audit/verify/")
    run = AuditVerification.objects.get()
    assert run.ok is False and run.first_break_id == target.pk


def test_awkward_values_round_trip_and_verify():
    audit_record(
        actor=None,
        action=AuditAction.DEMO_GENERATE,
        details={"big": 1e20, "neg_zero": -0.0, "text": "Zoë \x00 \ud800", "n": 10**18},
        justification="with a NUL \x00",
    )
    assert audit_verify().ok


def test_list_consultations_are_found_by_nominal(london_officer):
    inspector = make_user("insp5", [Role.INSPECTOR], hub_code=None, agency_code="hmpps-marsoc")
    nominal = make_nominal(london_officer)
    signed_in(london_officer).get("/cohort/")
    shown = signed_in(inspector).get("/audit/", {"nominal": nominal.pk}).context["page"].object_list
    assert any(e.action == "nominal.list" and e.details["surface"] == "page" for e in shown)


def test_form_shown_again_after_a_post_is_a_consultation(london_officer):
    nominal = make_nominal(london_officer)
    client = with_purpose(signed_in(london_officer), nominal)
    before = AuditEvent.objects.filter(nominal_id=nominal.pk, operation=Operation.CONSULTATION).count()
    response = client.post(f"/cohort/{nominal.pk}/edit/", {})
    assert response.status_code == 200 and nominal.family_name in response.content.decode()
    after = AuditEvent.objects.filter(nominal_id=nominal.pk, operation=Operation.CONSULTATION).count()
    assert after == before + 1


def test_nul_in_a_parameter_is_refused_plainly(london_officer):
    response = signed_in(london_officer).get("/cohort/", {"q": "a\x00b"})
    assert response.status_code == 400 and "control character" in response.content.decode()
