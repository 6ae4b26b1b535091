"""Writing and verifying the s.62 audit log. Every service and view that touches personal data calls
`audit_record` inside the same transaction as the work it records."""

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from .actor import Actor
from .models import AuditChainHead, AuditEvent, AuditSubject
from .vocabulary import Operation

GENESIS_HASH = "0" * 64


def _safe_text(text: str) -> str:
    # PostgreSQL text cannot hold NUL, and a lone surrogate cannot be encoded: keep them visible, escaped.
    return text.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _safe_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        # jsonb rewrites some floats (1e20, -0.0), which would break the hash on read-back: store text.
        return repr(value)
    if isinstance(value, dict):
        return {_safe_text(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value]
    return _safe_text(str(value))


def _canonical(value: Any) -> Any:
    """JSON-safe form that survives a round trip through either database unchanged."""
    return json.loads(json.dumps(_clean(value), sort_keys=True, allow_nan=False))


def compute_hash(
    *,
    prev_hash: str,
    at: datetime,
    operation: str,
    action: str,
    actor_id: int | None,
    actor_label: str,
    object_type: str,
    object_id: str,
    nominal_id: int | None,
    justification: str,
    recipients: Any,
    details: Any,
) -> str:
    body = json.dumps(
        {
            "prev": prev_hash,
            "at": at.astimezone(UTC).isoformat(timespec="microseconds"),
            "operation": operation,
            "action": action,
            "actor_id": actor_id,
            "actor_label": actor_label,
            "object_type": object_type,
            "object_id": object_id,
            "nominal_id": nominal_id,
            "justification": justification,
            "recipients": recipients,
            "details": details,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def audit_record(
    *,
    actor: Actor | None,
    operation: Operation | str,
    action: str,
    object_type: str = "",
    object_id: str | int = "",
    nominal_id: int | None = None,
    justification: str = "",
    recipients: Sequence[str] = (),
    details: dict[str, Any] | None = None,
    subject_ids: Sequence[int] = (),
) -> AuditEvent:
    """Append one entry to the chain. Call inside the transaction of the work being recorded.

    `subject_ids` names every nominal a list or search showed, so the inspector and "who viewed"
    find those consultations by nominal as well (they are also inside the hashed details)."""
    operation = Operation(operation)
    actor_label = actor.display_label if actor is not None else "system"
    actor_id = actor.pk if actor is not None else None
    clean_recipients = _canonical(list(recipients))
    clean_details = _canonical(details or {})
    justification = _safe_text(justification)
    action = _safe_text(action)
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now()
        digest = compute_hash(
            prev_hash=head.last_hash,
            at=at,
            operation=operation.value,
            action=action,
            actor_id=actor_id,
            actor_label=actor_label,
            object_type=object_type,
            object_id=str(object_id),
            nominal_id=nominal_id,
            justification=justification,
            recipients=clean_recipients,
            details=clean_details,
        )
        event = AuditEvent.objects.create(
            at=at,
            operation=operation.value,
            action=action,
            actor_id=actor_id,
            actor_label=actor_label,
            object_type=object_type,
            object_id=str(object_id),
            nominal_id=nominal_id,
            justification=justification,
            recipients=clean_recipients,
            details=clean_details,
            prev_hash=head.last_hash,
            hash=digest,
        )
        if subject_ids:
            AuditSubject.objects.bulk_create(
                [AuditSubject(event=event, nominal_id=n) for n in sorted(set(subject_ids))]
            )
        head.last_id = event.pk
        head.last_hash = digest
        head.save(update_fields=["last_id", "last_hash"])
    return event


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _iter_events(batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].pk


def audit_verify(events: Iterable[AuditEvent] | None = None) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or content does not check out."""
    prev = GENESIS_HASH
    checked = 0
    last_id: int | None = None
    for event in events if events is not None else _iter_events():
        if event.prev_hash != prev:
            return VerifyResult(checked, ChainBreak(event.pk, "previous-hash link does not match"))
        expected = compute_hash(
            prev_hash=event.prev_hash,
            at=event.at,
            operation=event.operation,
            action=event.action,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            object_type=event.object_type,
            object_id=event.object_id,
            nominal_id=event.nominal_id,
            justification=event.justification,
            recipients=event.recipients,
            details=event.details,
        )
        if expected != event.hash:
            return VerifyResult(checked, ChainBreak(event.pk, "content does not match its hash"))
        prev = event.hash
        last_id = event.pk
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if events is None and head is not None and (head.last_hash != prev or (last_id or 0) != head.last_id):
        return VerifyResult(
            checked, ChainBreak(head.last_id, "the newest entries are missing (head mismatch)")
        )
    return VerifyResult(checked, None)
