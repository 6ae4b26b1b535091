"""The keyed chain proves itself: every way of tampering with the log behind the application's back is
caught by `audit_verify` (and `marsoc audit verify`), which names the entry."""

import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from marsoc.core.actions import AuditAction
from marsoc.core.audit import (
    SCHEME_UNKEYED,
    _body,
    _fields,
    audit_checkpoint,
    audit_record,
    audit_verify,
    checkpoint_as_dict,
    checkpoint_from_dict,
    unkeyed_hash,
)
from marsoc.core.models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditSubject

pytestmark = pytest.mark.django_db
TABLES = ("core_auditevent", "core_auditsubject", "core_auditcheckpoint")


def _tamper(sql: str, params: list) -> None:
    """Change rows behind the application's back (on PostgreSQL the append-only triggers are lifted)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in TABLES:
                cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        cur.execute(sql, params)
        if connection.vendor == "postgresql":
            for table in TABLES:
                cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


def _three_with_subjects() -> list[AuditEvent]:
    return [
        audit_record(actor=None, action=AuditAction.NOMINAL_LIST, subject_ids=[5, 3], justification="one"),
        audit_record(
            actor=None, action=AuditAction.PRIORITY_EXPORT, subject_ids=[7, 8, 9], recipients=["an officer"]
        ),
        audit_record(actor=None, action=AuditAction.NOMINAL_VIEW, nominal_id=9, justification="three"),
    ]


def _break_at() -> int | None:
    result = audit_verify()
    assert not result.ok, "tampering went unnoticed"
    assert result.first_break is not None
    return result.first_break.event_id


def test_an_untouched_chain_verifies_with_its_subjects():
    events = _three_with_subjects()
    assert sorted(AuditSubject.objects.filter(event=events[1]).values_list("nominal_id", flat=True)) == [
        7,
        8,
        9,
    ]
    result = audit_verify()
    assert result.ok and result.checked == AuditEvent.objects.count()


def test_a_deleted_subject_row_is_caught():
    _first, export, _third = _three_with_subjects()
    _tamper("DELETE FROM core_auditsubject WHERE event_id = %s AND nominal_id = %s", [export.pk, 8])
    assert _break_at() == export.pk


def test_an_added_subject_row_is_caught():
    first, _export, _third = _three_with_subjects()
    _tamper("INSERT INTO core_auditsubject (event_id, nominal_id) VALUES (%s, %s)", [first.pk, 42])
    assert _break_at() == first.pk


def test_a_repointed_subject_row_is_caught():
    _first, export, _third = _three_with_subjects()
    _tamper(
        "UPDATE core_auditsubject SET nominal_id = %s WHERE event_id = %s AND nominal_id = %s",
        [1234, export.pk, 7],
    )
    assert _break_at() == export.pk


def test_changed_recipients_are_caught():
    _first, export, _third = _three_with_subjects()
    _tamper("UPDATE core_auditevent SET recipients = %s WHERE id = %s", [json.dumps([]), export.pk])
    assert _break_at() == export.pk


def test_a_rewritten_newest_entry_with_its_plain_hash_recomputed_is_caught():
    """Without the key, an attacker can only recompute an unkeyed hash: under either scheme the
    rewritten entry no longer checks out."""
    *_rest, last = _three_with_subjects()
    last.justification = "forged"
    plain = hashlib.sha256(_body(_fields(last)).encode()).hexdigest()
    _tamper(
        "UPDATE core_auditevent SET justification = %s, hash = %s WHERE id = %s", ["forged", plain, last.pk]
    )
    AuditChainHead.objects.filter(id=1).update(last_hash=plain)
    assert _break_at() == last.pk
    # The same, passed off as an entry of the older unkeyed form.
    _tamper("UPDATE core_auditevent SET scheme = %s WHERE id = %s", [SCHEME_UNKEYED, last.pk])
    assert _break_at() == last.pk


def test_an_appended_forged_entry_is_caught():
    *_rest, last = _three_with_subjects()
    forged = AuditEvent(
        at=last.at,
        operation="consultation",
        action="nominal.view",
        actor_label="system",
        prev_hash=last.hash,
        details={},
        recipients=[],
        key_id=last.key_id,
    )
    forged.hash = hashlib.sha256(_body(_fields(forged)).encode()).hexdigest()
    _tamper(
        "INSERT INTO core_auditevent (at, operation, action, actor_label, object_type, object_id, "
        "justification, recipients, details, prev_hash, hash, scheme, key_id) "
        "VALUES (%s, 'consultation', 'nominal.view', 'system', '', '', '', '[]', '{}', %s, %s, 2, %s)",
        [last.at, last.hash, forged.hash, last.key_id],
    )
    forged_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()
    AuditChainHead.objects.filter(id=1).update(last_id=forged_id, last_hash=forged.hash)
    assert _break_at() == forged_id


def test_a_deleted_entry_in_the_middle_is_caught():
    _first, export, third = _three_with_subjects()
    _tamper("DELETE FROM core_auditsubject WHERE event_id = %s", [export.pk])
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [export.pk])
    assert _break_at() == third.pk


def test_reordered_entries_are_caught():
    """Swapping two entries' places (their ids) breaks the links between them."""
    first, export, _third = _three_with_subjects()
    _tamper("DELETE FROM core_auditsubject WHERE event_id IN (%s, %s)", [first.pk, export.pk])
    spare = export.pk + 1000
    _tamper("UPDATE core_auditevent SET id = %s WHERE id = %s", [spare, first.pk])
    _tamper("UPDATE core_auditevent SET id = %s WHERE id = %s", [first.pk, export.pk])
    _tamper("UPDATE core_auditevent SET id = %s WHERE id = %s", [export.pk, spare])
    assert _break_at() == first.pk


def test_a_deleted_tail_is_caught_by_the_head():
    _first, _export, third = _three_with_subjects()
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [third.pk])
    assert _break_at() == third.pk  # the head still names it


def test_a_deleted_tail_with_the_head_rewritten_is_caught_by_its_signature():
    _first, export, third = _three_with_subjects()
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [third.pk])
    AuditChainHead.objects.filter(id=1).update(last_id=export.pk, last_hash=export.hash)
    result = audit_verify()
    assert not result.ok and "head does not match its signature" in result.first_break.reason


def test_an_exported_checkpoint_proves_a_removed_tail_even_after_a_full_rewrite(tmp_path):
    """The attacker deletes the tail, the checkpoints kept in the database and rewrites the head (say,
    with the signature of an earlier head they copied): only the exported checkpoint remains."""
    _first, export, third = _three_with_subjects()
    path = tmp_path / "checkpoints.jsonl"
    call_command("audit", "checkpoint", "--output", str(path), stdout=io.StringIO())
    assert json.loads(path.read_text())["last_id"] == third.pk
    head_after_export = AuditChainHead.objects.get(id=1)
    # An earlier head and its signature, as the attacker might have copied them before.
    audit_record(actor=None, action=AuditAction.AUDIT_BROWSE)
    _tamper("DELETE FROM core_auditcheckpoint", [])
    _tamper("DELETE FROM core_auditsubject WHERE event_id >= %s", [third.pk])
    _tamper("DELETE FROM core_auditevent WHERE id >= %s", [third.pk])
    earlier = AuditEvent.objects.get(pk=export.pk)
    from django.conf import settings

    from marsoc.core.audit import head_signature

    # Suppose the attacker also held a valid head signature for #export (copied when it was the head).
    signature = head_signature(settings.AUDIT_CHAIN_KEY.encode(), earlier.pk, earlier.hash)
    AuditChainHead.objects.filter(id=1).update(
        last_id=earlier.pk, last_hash=earlier.hash, signature=signature
    )
    assert audit_verify().ok  # the database alone can no longer tell
    assert head_after_export.last_id == third.pk
    with pytest.raises(CommandError, match=f"#{third.pk}.*checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(path))


def test_checkpoints_are_signed_and_a_forged_one_is_refused():
    _three_with_subjects()
    checkpoint = audit_checkpoint()
    data = checkpoint_as_dict(checkpoint)
    assert audit_verify([checkpoint_from_dict(data)]).ok
    data["last_hash"] = "f" * 64
    result = audit_verify([checkpoint_from_dict(data)])
    assert not result.ok and "does not match its signature" in result.first_break.reason


def test_entries_of_the_older_unkeyed_form_verify_before_keyed_ones():
    """A log upgraded in place: its earlier entries keep the unkeyed scheme and still verify."""
    from django.utils import timezone

    old = AuditEvent(
        at=timezone.now(),
        operation="collection",
        action="nominal.refer",
        actor_label="system",
        recipients=[],
        details={},
        prev_hash="0" * 64,
        scheme=SCHEME_UNKEYED,
    )
    old.hash = unkeyed_hash(old)
    old.save(force_insert=True)
    AuditChainHead.objects.update_or_create(id=1, defaults={"last_id": old.pk, "last_hash": old.hash})
    audit_record(actor=None, action=AuditAction.NOMINAL_VIEW)
    assert audit_verify().ok


def test_the_key_must_be_set(settings):
    settings.AUDIT_CHAIN_KEY = ""
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="AUDIT_CHAIN_KEY"):
        audit_record(actor=None, action=AuditAction.NOMINAL_VIEW)


def test_the_wrong_key_fails_verification(settings):
    _three_with_subjects()
    settings.AUDIT_CHAIN_KEY = "another-key-entirely-0123456789abcdef"
    result = audit_verify()
    assert not result.ok and "key this service does not hold" in result.first_break.reason
    settings.AUDIT_CHAIN_PREVIOUS_KEYS = ["test-audit-chain-key-not-secret-0123456789"]
    # A retired key still verifies what it signed; the head is re-signed by the next entry.
    audit_record(actor=None, action=AuditAction.AUDIT_BROWSE)
    assert audit_verify().ok


def test_only_vocabulary_actions_are_accepted():
    with pytest.raises(TypeError):
        audit_record(actor=None, action="nominal.view")  # type: ignore[arg-type]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only triggers are PostgreSQL's")
def test_postgres_triggers_cover_subjects_and_checkpoints():
    event = audit_record(actor=None, action=AuditAction.NOMINAL_LIST, subject_ids=[1, 2])
    checkpoint = audit_checkpoint()
    for statement, params in (
        ("UPDATE core_auditsubject SET nominal_id = 3 WHERE event_id = %s", [event.pk]),
        ("DELETE FROM core_auditsubject WHERE event_id = %s", [event.pk]),
        ("UPDATE core_auditcheckpoint SET last_id = 0 WHERE id = %s", [checkpoint.pk]),
        ("DELETE FROM core_auditcheckpoint WHERE id = %s", [checkpoint.pk]),
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement, params)
    assert AuditSubject.objects.filter(event=event).count() == 2
    assert AuditCheckpoint.objects.filter(pk=checkpoint.pk).exists()
