"""The s.62 audit log: append-only and chained by a keyed hash.

Rows are never updated or deleted (a PostgreSQL trigger enforces it, on entries and subject rows alike).
Each entry's HMAC covers its content, its recipients, its subjects and the previous entry's hash, under a
key kept outside the database (settings.AUDIT_CHAIN_KEY), so any later change, removal, insertion or
reordering breaks the chain and `marsoc audit verify` names the entry. See docs/audit.md.
"""

from django.conf import settings
from django.db import models

from .actions import action_label
from .vocabulary import Operation


class AuditEvent(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    operation = models.CharField(max_length=16, choices=Operation.choices)
    action = models.CharField(max_length=64, help_text="What happened, e.g. nominal.view")
    # No database constraint and no cascade: deleting a user must never touch the log.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, help_text="Who, as recorded at the time")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    nominal_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    justification = models.TextField(blank=True)
    recipients = models.JSONField(default=list, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # 1: the first, unkeyed form (SHA-256 of the entry, subjects outside it), kept for entries written
    # before the keyed chain; 2: HMAC-SHA-256 under the key named by `key_id`, subjects inside.
    scheme = models.PositiveSmallIntegerField(default=2)
    key_id = models.CharField(max_length=16, blank=True, help_text="Fingerprint of the key that signed it")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.operation} {self.action} by {self.actor_label}"

    @property
    def action_label(self) -> str:
        """What happened, in words (the vocabulary's label for the stored code)."""
        return action_label(self.action)


class AuditSubject(models.Model):
    """A person an entry is about (a record opened, a list or search shown, an export or pack disclosed):
    lets the log be searched by person. The entry's hash covers its subjects."""

    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, related_name="subjects")
    nominal_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"#{self.event_id} showed {self.nominal_id}"


class AuditChainHead(models.Model):
    """One row holding the newest hash; locking it serialises appends so the chain stays linear. Its
    signature (keyed) lets verification tell a removed tail from a head rewritten to hide one."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    signature = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"audit head at #{self.last_id}"


class AuditCheckpoint(models.Model):
    """A signed, dated statement of the chain's head, to be exported to write-once storage: a later check
    against it proves no entry up to it was removed or changed, even if the database was rewritten."""

    at = models.DateTimeField()
    last_id = models.BigIntegerField()
    last_hash = models.CharField(max_length=64)
    entries = models.PositiveBigIntegerField()
    key_id = models.CharField(max_length=16)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"checkpoint at #{self.last_id} ({self.at:%Y-%m-%d %H:%M})"


class AuditVerification(models.Model):
    """One run of the chain check, requested by an inspector and carried out by the task worker."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    checked = models.PositiveBigIntegerField(default=0)
    ok = models.BooleanField(null=True)
    first_break_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        state = (
            "pending" if self.ok is None else ("intact" if self.ok else f"broken at #{self.first_break_id}")
        )
        return f"verification {self.pk}: {state}"


class WorkerHeartbeat(models.Model):
    """One row per task-worker process (`marsoc db_worker`), written every few seconds while it runs
    (core.heartbeat). Operations read it (the admin, a readiness check: `core.heartbeat.worker_status`)
    to know a worker is alive, reaching the database, and what it is doing."""

    class State(models.TextChoices):
        RUNNING = "running", "Running"
        RECONNECTING = "reconnecting", "Waiting for the database"
        STOPPED = "stopped", "Stopped"

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True, help_text="When the worker last wrote this row")
    state = models.CharField(max_length=12, choices=State.choices, default=State.RUNNING)
    task = models.CharField(max_length=200, blank=True, help_text="The task it is running, if any")
    task_started_at = models.DateTimeField(null=True, blank=True)
    reconnects = models.PositiveIntegerField(default=0, help_text="Times it lost the database and came back")

    class Meta:
        ordering = ["-beat_at"]

    def __str__(self) -> str:
        return f"worker {self.hostname}:{self.pid} ({self.state})"
