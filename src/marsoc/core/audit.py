"""Writing and verifying the s.62 audit log. Services call `audit_record` (or `audit_about`, for an entry
about one record) inside the same transaction as the work it records; views and API modules never do
(tests/test_architecture.py).

The chain (docs/audit.md): each entry's hash is an HMAC-SHA-256, under a key kept outside the database
(settings.AUDIT_CHAIN_KEY), of its content, its recipients, its subjects (sorted nominal ids), the key's
fingerprint and the previous entry's hash. The head row carries a keyed signature, and signed, dated
checkpoints of the head can be exported to write-once storage. `audit_verify` walks the chain and names
the entry where it breaks: a changed entry (even with its plain hash recomputed), an added, removed or
re-pointed subject row, an entry removed, inserted or moved, a removed tail, or a rewritten head.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .actions import AuditAction
from .actor import Actor
from .models import AuditChainHead, AuditCheckpoint, AuditEvent, AuditSubject

GENESIS_HASH = "0" * 64
SCHEME_UNKEYED = 1
SCHEME_KEYED = 2


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


# --- keys --------------------------------------------------------------------------------------------------


def key_fingerprint(key: str) -> str:
    """A short public name for a key, stored on each entry so verification picks the right one."""
    return hashlib.sha256(b"marsoc-audit-key:" + key.encode("utf-8")).hexdigest()[:16]


def _current_key() -> tuple[str, bytes]:
    key = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if not key:
        raise ImproperlyConfigured(
            "AUDIT_CHAIN_KEY is not set (MARSOC_AUDIT_CHAIN_KEY in production): the audit log cannot be signed"
        )
    return key_fingerprint(key), key.encode("utf-8")


def _known_keys() -> dict[str, bytes]:
    """The current key and any retired ones still needed to verify older entries."""
    keys = [getattr(settings, "AUDIT_CHAIN_KEY", ""), *getattr(settings, "AUDIT_CHAIN_PREVIOUS_KEYS", [])]
    return {key_fingerprint(k): k.encode("utf-8") for k in keys if k}


def _sign(key: bytes, text: str) -> str:
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def head_signature(key: bytes, last_id: int, last_hash: str) -> str:
    return _sign(key, f"head:{last_id}:{last_hash}")


def checkpoint_signature(key: bytes, *, at: datetime, last_id: int, last_hash: str, entries: int) -> str:
    return _sign(key, f"checkpoint:{_iso(at)}:{last_id}:{last_hash}:{entries}")


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


# --- the entry's hash ----------------------------------------------------------------------------------------


def _body(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "prev": event.prev_hash,
        "at": _iso(event.at),
        "operation": event.operation,
        "action": event.action,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "nominal_id": event.nominal_id,
        "justification": event.justification,
        "recipients": event.recipients,
        "details": event.details,
    }


def unkeyed_hash(event: AuditEvent) -> str:
    """Scheme 1, for entries written before the keyed chain: SHA-256 of the entry, subjects outside."""
    return hashlib.sha256(_body(_fields(event)).encode("utf-8")).hexdigest()


def keyed_hash(event: AuditEvent, subjects: Sequence[int], key: bytes) -> str:
    """Scheme 2: HMAC-SHA-256 of the entry, its subjects (sorted nominal ids) and its key's fingerprint."""
    fields = _fields(event) | {"scheme": SCHEME_KEYED, "key_id": event.key_id, "subjects": sorted(subjects)}
    return _sign(key, _body(fields))


# --- writing -------------------------------------------------------------------------------------------------


def audit_record(
    *,
    actor: Actor | None,
    action: AuditAction,
    object_type: str = "",
    object_id: str | int = "",
    nominal_id: int | None = None,
    justification: str = "",
    recipients: Sequence[str] = (),
    details: dict[str, Any] | None = None,
    subject_ids: Iterable[int] = (),
    surface: str = "",
) -> AuditEvent:
    """Append one entry to the chain. Call from a service, inside the transaction of the work recorded.

    `action` carries its s.62 operation and the kind of record it is about (`object_type`, given here only
    for the few actions that are about more than one kind). `subject_ids` names every person the entry is about beyond
    `nominal_id` (each row of a list, search, export, pack or disclosure), so the inspector and "who has
    viewed this record" find it by person; the hash covers them. `surface` says where (page, API, ...)."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"audit actions come from marsoc.core.actions.AuditAction, not {action!r}")
    key_id, key = _current_key()
    actor_label = actor.display_label if actor is not None else "system"
    actor_id = actor.pk if actor is not None else None
    clean_details = dict(details or {})
    if surface:
        clean_details["surface"] = surface
    subjects = sorted({int(n) for n in subject_ids})
    # Everything that does not depend on the chain is made before its head is locked: every audited
    # request waits for that lock, which is held until the transaction commits.
    event = AuditEvent(
        operation=action.operation.value,
        action=action.value,
        actor_id=actor_id,
        actor_label=actor_label,
        object_type=object_type or action.object_type,
        object_id=_safe_text(str(object_id)),
        nominal_id=nominal_id,
        justification=_safe_text(justification),
        recipients=_canonical(list(recipients)),
        details=_canonical(clean_details),
        scheme=SCHEME_KEYED,
        key_id=key_id,
    )
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        event.at = timezone.now()
        event.prev_hash = head.last_hash
        event.hash = keyed_hash(event, subjects, key)
        event.save(force_insert=True)
        if subjects:
            AuditSubject.objects.bulk_create([AuditSubject(event=event, nominal_id=n) for n in subjects])
        head.last_id = event.pk
        head.last_hash = event.hash
        head.signature = head_signature(key, event.pk, event.hash)
        head.save(update_fields=["last_id", "last_hash", "signature"])
    return event


def audit_about(
    actor: Actor | None,
    action: AuditAction,
    obj: Any,
    *,
    nominal_id: int | None = None,
    **rest: Any,
) -> AuditEvent:
    """`audit_record` for the usual case: an entry about one saved record, which names its own person.

    The object id is the record's primary key; the person is the record itself when it is a nominal,
    otherwise its `nominal_id` when it has one (pass `nominal_id` to say otherwise). Everything else
    (`justification`, `details`, `subject_ids`, ...) passes through unchanged."""
    if nominal_id is None:
        if obj._meta.label_lower == "nominals.nominal":
            nominal_id = obj.pk
        else:
            nominal_id = getattr(obj, "nominal_id", None)
    return audit_record(actor=actor, action=action, object_id=obj.pk, nominal_id=nominal_id, **rest)


def audit_checkpoint() -> AuditCheckpoint:
    """Sign and keep a dated statement of the chain's head (export it with `marsoc audit checkpoint`)."""
    key_id, key = _current_key()
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        at = timezone.now()
        entries = AuditEvent.objects.filter(id__lte=head.last_id).count()
        return AuditCheckpoint.objects.create(
            at=at,
            last_id=head.last_id,
            last_hash=head.last_hash,
            entries=entries,
            key_id=key_id,
            signature=checkpoint_signature(
                key, at=at, last_id=head.last_id, last_hash=head.last_hash, entries=entries
            ),
        )


def checkpoint_as_dict(checkpoint: AuditCheckpoint) -> dict[str, Any]:
    return {
        "at": _iso(checkpoint.at),
        "last_id": checkpoint.last_id,
        "last_hash": checkpoint.last_hash,
        "entries": checkpoint.entries,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def checkpoint_from_dict(data: dict[str, Any]) -> AuditCheckpoint:
    """An exported checkpoint read back (not saved), for verification against the database."""
    try:
        return AuditCheckpoint(
            at=datetime.fromisoformat(str(data["at"])),
            last_id=int(data["last_id"]),
            last_hash=str(data["last_hash"]),
            entries=int(data["entries"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a checkpoint: {exc}") from exc


# --- verifying -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_break: ChainBreak | None
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return self.first_break is None


def _batches(batch: int = 5000) -> Iterator[tuple[list[AuditEvent], dict[int, list[int]]]]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last).order_by("id")[:batch])
        if not rows:
            return
        subjects: dict[int, list[int]] = {}
        for event_id, nominal_id in AuditSubject.objects.filter(
            event_id__in=[r.pk for r in rows]
        ).values_list("event_id", "nominal_id"):
            subjects.setdefault(event_id, []).append(nominal_id)
        yield rows, subjects
        last = rows[-1].pk


def _checkpoint_break(checkpoint: AuditCheckpoint, keys: dict[str, bytes], hashes: dict[int, str]) -> str:
    """Why the chain does not bear out the checkpoint ("" when it does)."""
    when = f"the checkpoint of {checkpoint.at.astimezone(UTC):%d %B %Y %H:%M} UTC"
    key = keys.get(checkpoint.key_id)
    if key is None:
        return f"{when} was signed with a key this service does not hold"
    expected = checkpoint_signature(
        key,
        at=checkpoint.at,
        last_id=checkpoint.last_id,
        last_hash=checkpoint.last_hash,
        entries=checkpoint.entries,
    )
    if not hmac.compare_digest(expected, checkpoint.signature):
        return f"{when} does not match its signature"
    if checkpoint.last_id == 0:
        return ""
    found = hashes.get(checkpoint.last_id)
    if found is None:
        return f"entry #{checkpoint.last_id}, named by {when}, is missing"
    if found != checkpoint.last_hash:
        return f"entry #{checkpoint.last_id} is not the entry {when} names"
    return ""


def audit_verify(external_checkpoints: Sequence[AuditCheckpoint] = ()) -> VerifyResult:
    """Walk the chain in order; report the first entry whose link, content or subjects do not check out,
    then the head and every checkpoint (those kept in the database and any exported ones given)."""
    keys = _known_keys()
    checkpoints = [*AuditCheckpoint.objects.order_by("id"), *external_checkpoints]
    wanted = {c.last_id for c in checkpoints}
    hashes: dict[int, str] = {}
    prev = GENESIS_HASH
    checked = 0
    last_id = 0
    keyed_seen = False
    for rows, subjects in _batches():
        for event in rows:
            if event.prev_hash != prev:
                return VerifyResult(
                    checked,
                    ChainBreak(
                        event.pk,
                        "does not follow the entry before it (an entry was removed, inserted or moved)",
                    ),
                )
            if event.scheme == SCHEME_KEYED:
                key = keys.get(event.key_id)
                if key is None:
                    return VerifyResult(
                        checked, ChainBreak(event.pk, "was signed with a key this service does not hold")
                    )
                expected = keyed_hash(event, subjects.get(event.pk, []), key)
                keyed_seen = True
            elif event.scheme == SCHEME_UNKEYED and not keyed_seen:
                expected = unkeyed_hash(event)
            else:
                return VerifyResult(
                    checked, ChainBreak(event.pk, "is in an older or unknown form after keyed entries")
                )
            if not hmac.compare_digest(expected, event.hash):
                return VerifyResult(
                    checked,
                    ChainBreak(event.pk, "its content, recipients or subjects do not match its signature"),
                )
            if event.pk in wanted:
                hashes[event.pk] = event.hash
            prev = event.hash
            last_id = event.pk
            checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_id or checked):
        key = keys.get(key_fingerprint(getattr(settings, "AUDIT_CHAIN_KEY", "")))
        signed_head_expected = bool(head.signature) or keyed_seen
        head_ok = key is not None and hmac.compare_digest(
            head_signature(key, head.last_id, head.last_hash), head.signature
        )
        if signed_head_expected and not head_ok:
            return VerifyResult(
                checked, ChainBreak(head.last_id, "the chain head does not match its signature")
            )
        if head.last_hash != prev or head.last_id != last_id:
            return VerifyResult(
                checked,
                ChainBreak(head.last_id, f"the newest entries are missing: the chain ends at #{last_id}"),
            )
    for checkpoint in checkpoints:
        reason = _checkpoint_break(checkpoint, keys, hashes)
        if reason:
            return VerifyResult(checked, ChainBreak(checkpoint.last_id, reason), len(checkpoints))
    return VerifyResult(checked, None, len(checkpoints))
