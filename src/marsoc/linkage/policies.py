"""Who may import feeds, see source records, review pairs and undo merges. Deny by default.

A person built from several agencies' records is shown attribute by attribute from the records the
actor may see: `source_record_scope` decides which, and every page and selector asks it.
"""

from django.db.models import Q

from marsoc.core.actor import Actor
from marsoc.core.vocabulary import Role, classifications_up_to

from .models import FeedImport, SourceRecord

NOTHING = Q(pk__in=[])
# Identity resolution is hub work: partners see their own records through their own systems.
LINKAGE_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST, Role.NATIONAL_ANALYST})
REVIEW_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER, Role.ANALYST, Role.NATIONAL_ANALYST})
IMPORT_ROLES = frozenset({Role.HUB_MANAGER, Role.HUB_OFFICER})


def _national(actor: Actor) -> bool:
    return Role.NATIONAL_ANALYST in actor.role_codes or (
        actor.is_national and bool(actor.role_codes & LINKAGE_ROLES)
    )


def can_use_linkage(actor: Actor) -> bool:
    return bool(actor.role_codes & LINKAGE_ROLES)


def source_record_scope(actor: Actor) -> Q:
    """The source records `actor` may see: their hub's feeds (all hubs for national staff), and
    never above their clearance."""
    if not can_use_linkage(actor):
        return NOTHING
    clearance = Q(classification__in=classifications_up_to(actor.clearance))
    if _national(actor):
        return clearance
    if actor.hub_id is None:
        return NOTHING
    return clearance & Q(owner_hub_id=actor.hub_id)


def can_view_record(actor: Actor, record: SourceRecord) -> bool:
    if not can_use_linkage(actor):
        return False
    if record.classification not in classifications_up_to(actor.clearance):
        return False
    return _national(actor) or (actor.hub_id is not None and actor.hub_id == record.owner_hub_id)


def feed_import_scope(actor: Actor) -> Q:
    """As for records: an import's quarantined rows hold its rows as sent, at the feed's classification."""
    if not can_use_linkage(actor):
        return NOTHING
    clearance = Q(classification__in=classifications_up_to(actor.clearance))
    if _national(actor):
        return clearance
    return clearance & Q(owner_hub_id=actor.hub_id) if actor.hub_id is not None else NOTHING


def can_view_import(actor: Actor, feed_import: FeedImport) -> bool:
    if not can_use_linkage(actor):
        return False
    if feed_import.classification not in classifications_up_to(actor.clearance):
        return False
    return _national(actor) or (actor.hub_id is not None and actor.hub_id == feed_import.owner_hub_id)


def can_import_for_hub(actor: Actor, hub_id: int) -> bool:
    if not actor.role_codes & IMPORT_ROLES:
        return False
    return actor.is_national or actor.hub_id == hub_id


def can_import_any(actor: Actor) -> bool:
    return bool(actor.role_codes & IMPORT_ROLES) and actor.hub_id is not None


def can_review(actor: Actor, left: SourceRecord, right: SourceRecord) -> bool:
    """Deciding a pair needs the role and sight of both records."""
    return (
        bool(actor.role_codes & REVIEW_ROLES)
        and can_view_record(actor, left)
        and can_view_record(actor, right)
    )


def can_run_linkage(actor: Actor) -> bool:
    return _national(actor) and bool(actor.role_codes & {Role.HUB_MANAGER, Role.NATIONAL_ANALYST})


def can_undo_merge(actor: Actor, records: list[SourceRecord]) -> bool:
    """A named manager decides (as for adoption), and only over records they can see."""
    return Role.HUB_MANAGER in actor.role_codes and all(can_view_record(actor, r) for r in records)
