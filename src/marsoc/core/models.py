"""The s.62 audit log: append-only and hash-chained.

Rows are never updated or deleted (a PostgreSQL trigger enforces it). Each row's hash covers its
content and the previous row's hash, so any later change or removal breaks the chain and
`marsoc audit verify` names the first broken link.
"""

from django.conf import settings
from django.db import models

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

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor", "at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.at:%Y-%m-%d %H:%M} {self.operation} {self.action} by {self.actor_label}"


class AuditSubject(models.Model):
    """A nominal shown by a list or search consultation: lets the log be searched by person."""

    event = models.ForeignKey(AuditEvent, on_delete=models.DO_NOTHING, related_name="subjects")
    nominal_id = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"#{self.event_id} showed {self.nominal_id}"


class AuditChainHead(models.Model):
    """One row holding the newest hash; locking it serialises appends so the chain stays linear."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head at #{self.last_id}"


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
