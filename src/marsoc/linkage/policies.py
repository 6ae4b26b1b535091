"""Rules for feed imports, source records, pair review and merges, registered with the access façade.

A person built from several agencies' records is shown attribute by attribute from the records the
actor may see: resource "source_record" decides which, and every page and selector asks it.
Identity resolution is hub work: partners see their own records through their own systems.
"""

from django.db.models import Q

from marsoc.core import access
from marsoc.core.access import NOTHING, Facts

from .models import FeedImport, SourceRecord


def _national(f: Facts) -> bool:
    return f.national_analyst or (f.national_team and f.hub_staff)


@access.rule("linkage.use")
def can_use_linkage(f: Facts) -> bool:
    return f.hub_staff or f.national_analyst


def _hub_feeds(f: Facts) -> Q:
    if not can_use_linkage(f):
        return NOTHING
    if _national(f):
        return Q()
    return Q(owner_hub_id=f.hub_id) if f.hub_id is not None else NOTHING


@access.resource("source_record")
def source_record_reach(f: Facts) -> Q:
    """Their hub's feeds (all hubs for national staff)."""
    return _hub_feeds(f)


@access.resource("feed_import", case_only=False)  # a feed account is no case user; the reach decides
def feed_import_reach(f: Facts) -> Q:
    """As for records: an import's quarantined rows hold its rows as sent, at the feed's classification.
    A partner system's feed account follows only what its agency sent to its hub."""
    if f.feed_account:
        if f.hub_id is None or f.agency_id is None:
            return NOTHING
        return Q(owner_hub_id=f.hub_id, source_agency_id=f.agency_id)
    return _hub_feeds(f)


def _sees_hub_record(f: Facts, owner_hub_id: int, classification: str) -> bool:
    if not can_use_linkage(f) or not f.cleared_for(classification):
        return False
    return _national(f) or (f.hub_id is not None and f.hub_id == owner_hub_id)


@access.rule("source_record.view")
def can_view_record(f: Facts, record: SourceRecord) -> bool:
    """Their hub's record at their clearance, unless it carries the identifier of a person restricted
    from them (DPA 2018 s.47: the façade's scope says so, as for the lists)."""
    if not _sees_hub_record(f, record.owner_hub_id, record.classification):
        return False
    return SourceRecord.objects.filter(access.scope_of(f, "source_record"), pk=record.pk).exists()


@access.rule("feed_import.view")
def can_view_import(f: Facts, feed_import: FeedImport) -> bool:
    if f.feed_account:
        return _pushes(f, feed_import.owner_hub_id, feed_import.source_agency_id) and f.cleared_for(
            feed_import.classification
        )
    return _sees_hub_record(f, feed_import.owner_hub_id, feed_import.classification)


def _pushes(f: Facts, hub_id: int, agency_id: int) -> bool:
    return f.feed_account and f.hub_id == hub_id and f.of_agency(agency_id)


@access.rule("feed_import.follow")
def can_follow_feeds(f: Facts) -> bool:
    """Reading imports through the API: linkage users, and a partner system's feed account (its own)."""
    return can_use_linkage(f) or f.feed_account


@access.rule("feed_import.send")
def can_send_feeds(f: Facts) -> bool:
    """Sending an extract through the API: whoever may import on the page, or a feed account."""
    return can_import_any(f) or (f.feed_account and f.hub_id is not None and f.agency_id is not None)


@access.rule("feed_import.push")
def can_push_feed(f: Facts, hub_id: int, agency_id: int) -> bool:
    """A partner system's feed account sends its own agency's extracts to its own hub only."""
    return _pushes(f, hub_id, agency_id)


@access.rule("feed_import.create_for_hub")
def can_import_for_hub(f: Facts, hub_id: int) -> bool:
    return f.writes_for(hub_id)


@access.rule("feed_import.create")
def can_import_any(f: Facts) -> bool:
    return f.case_writer and f.hub_id is not None


@access.rule("linkage.review")
def can_review(f: Facts, left: SourceRecord, right: SourceRecord) -> bool:
    """Deciding a pair needs the role and sight of both records."""
    return can_use_linkage(f) and can_view_record(f, left) and can_view_record(f, right)


@access.rule("linkage.run")
def can_run_linkage(f: Facts) -> bool:
    return _national(f) and (f.manager or f.national_analyst)


@access.rule("linkage.undo_merge")
def can_undo_merge(f: Facts, records: list[SourceRecord]) -> bool:
    """A named manager decides (as for adoption), and only over records they can see."""
    return f.manager and all(can_view_record(f, r) for r in records)
