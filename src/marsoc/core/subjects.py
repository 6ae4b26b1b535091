"""What the service holds about a person, declared by each app: the registry behind the data-subject
rights of DPA 2018 Part 3 (subject access s.45, restriction s.47, erasure s.47 and MoPI review).

Every app that keeps a record about a nominal registers a *holding* in its own `holdings.py`
(discovered when the `rights` app starts): the models it covers, a selector giving the person's
records as `HeldRecord`s, and, where deleting the nominal would not reach them by cascade, what to
remove when the person's records are erased. `tests/rights/test_registry.py` walks the app registry and
fails when a model with a foreign key to a nominal is covered by no holding, so a new app cannot be
left out of a subject access response or an erasure.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ParamSpec

from django.conf import settings
from django.db import models
from django.utils import timezone

# Fields never shown in a response: internal keys and hashes, and the link back to the person.
P = ParamSpec("P")

_INTERNAL = {"id", "hash", "content_hash", "prev_hash", "search_vector", "key"}


@dataclass(frozen=True)
class HeldRecord:
    """One record about the person, as the response to the person shows it."""

    section: str  # the kind of record, in words ("Custody events")
    reference: str  # how staff find the record again
    model: str  # "app_label.model", with `pk`: the record an exemption or a consultation is about
    pk: int
    fields: tuple[tuple[str, str], ...]  # (label, value) in words
    recorded: date | datetime | None = None
    agency: str = ""  # the agency the data came from, if known
    partner: bool = False  # it came from outside the owning hub: consult that agency before release
    classification: str = ""

    @property
    def key(self) -> str:
        return f"{self.model}:{self.pk}"


Selector = Callable[[Any], Iterable[HeldRecord]]
Eraser = Callable[[Any], int]


@dataclass(frozen=True)
class Holding:
    name: str
    models: tuple[type[models.Model], ...]
    records: Selector
    erase: Eraser | None = None  # removes what a cascade from the nominal would not; returns rows removed
    linked_by: str = "foreign key"  # or "identifiers" (partner records matched by PNC, CRO, ...)


_HOLDINGS: dict[str, Holding] = {}


def holds(
    name: str,
    *,
    models: Iterable[type[models.Model]],
    erase: Eraser | None = None,
    linked_by: str = "foreign key",
) -> Callable[[Selector], Selector]:
    """Register `records(nominal)` as the selector of what the app holds in `models` about a person."""

    def decorate(records: Selector) -> Selector:
        existing = _HOLDINGS.get(name)
        if existing is not None and existing.records is not records:
            raise ValueError(f"holding {name!r} registered twice")
        _HOLDINGS[name] = Holding(name, tuple(models), records, erase, linked_by)
        return records

    return decorate


def holdings() -> list[Holding]:
    return list(_HOLDINGS.values())


def covered_models() -> set[type[models.Model]]:
    return {m for h in _HOLDINGS.values() for m in h.models}


def records_about(nominal: Any) -> list[HeldRecord]:
    """Everything every app holds about the person, in the order the holdings were registered."""
    out: list[HeldRecord] = []
    for holding in _HOLDINGS.values():
        out.extend(holding.records(nominal))
    return out


# --- helpers for the apps' selectors ---------------------------------------------------------------------


def _shown(obj: models.Model, f: models.Field[Any, Any]) -> str | None:
    value = getattr(obj, f.attname)
    if value in (None, "", [], {}):
        return None
    if f.choices:
        return str(getattr(obj, f"get_{f.name}_display")())
    if isinstance(f, models.BooleanField):
        return "Yes" if value else "No"
    if f.is_relation:
        if f.related_model is not None and f.related_model._meta.label == settings.AUTH_USER_MODEL:
            # Staff are third parties: their agency is said, their name only on the staff copy.
            user = getattr(obj, f.name)
            agency = getattr(user, "agency", None)
            return f"an officer of {agency}" if agency is not None else "an officer"
        return str(getattr(obj, f.name))
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def record_fields(obj: models.Model, *, exclude: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    """Every filled-in field of the record, labelled as on its pages (choices as their labels), except
    internal keys and `exclude` (the link back to the person, fields that belong to someone else)."""
    skip = _INTERNAL | set(exclude)
    out = []
    for f in obj._meta.concrete_fields:
        if f.name in skip:
            continue
        shown = _shown(obj, f)
        if shown is not None:
            out.append((str(f.verbose_name).capitalize(), shown))
    return tuple(out)


def held(
    section: str,
    obj: models.Model,
    *,
    reference: str = "",
    exclude: Iterable[str] = ("nominal",),
    recorded: date | datetime | None = None,
    agency: Any = None,
    owner_hub_id: int | None = None,
    classification: str = "",
    extra: Iterable[tuple[str, str]] = (),
) -> HeldRecord:
    """A HeldRecord of one row: its fields in words, flagged as partner data when `agency` (the agency
    it came from) is outside the person's owner hub `owner_hub_id`."""
    partner = agency is not None and owner_hub_id is not None and agency.hub_id != owner_hub_id
    return HeldRecord(
        section=section,
        reference=reference or f"{section} {obj.pk}",
        model=obj._meta.label_lower,
        pk=int(obj.pk),
        fields=record_fields(obj, exclude=exclude) + tuple(extra),
        recorded=recorded,
        agency=str(agency) if agency is not None else "",
        partner=partner,
        classification=classification or str(getattr(obj, "classification", "") or ""),
    )


# --- restriction of a person (s.47): what the access façade hides ------------------------------------------

_PATHS: dict[str, tuple[str, ...]] = {}
Matcher = Callable[[Any], Any]  # a queryset of hidden nominal ids -> a Q for the rows about them
_MATCHERS: dict[str, Matcher] = {}
_NOT_ABOUT_A_PERSON: dict[str, str] = {}
HiddenPeople = Callable[[int | None], Any]  # actor id -> a queryset of the nominal ids hidden from them
_HIDDEN: list[HiddenPeople] = []


def person_paths(resource: str, *paths: str) -> None:
    """Declare how the rows of access resource `resource` reach the person(s) they are about ("pk" for
    the nominal itself, "plan__nominal", "subjects__nominal", ...): the façade then hides the rows about
    a restricted person from everyone but the restriction's managers."""
    _PATHS[resource] = tuple(paths)


def person_match(resource: str, matcher: Matcher) -> None:
    """Declare how the rows of `resource` reach a person other than by a foreign key (partner records,
    by the identifiers they carry): `matcher(people)` gives a Q for the rows about the nominals whose ids
    the queryset `people` yields. The façade hides those rows as it hides rows reached by a path."""
    _MATCHERS[resource] = matcher


def matcher_of(resource: str) -> Matcher | None:
    return _MATCHERS.get(resource)


def not_about_a_person(resource: str, why: str) -> None:
    """Declare that rows of `resource` are about no nominal (groups, agreements, grants, ...)."""
    _NOT_ABOUT_A_PERSON[resource] = why


def declared_resources() -> set[str]:
    return set(_PATHS) | set(_MATCHERS) | set(_NOT_ABOUT_A_PERSON)


def paths_of(resource: str) -> tuple[str, ...]:
    return _PATHS.get(resource, ())


def hides_people(builder: HiddenPeople) -> HiddenPeople:
    """Register the rule that says which people are hidden from an actor (the rights app's restriction)."""
    if builder not in _HIDDEN:
        _HIDDEN.append(builder)
    return builder


def hidden_people(actor_id: int | None) -> list[Any]:
    return [builder(actor_id) for builder in _HIDDEN]


# --- MoPI review of each kind of record (domain.md §4.1) ----------------------------------------------------


def _no_group(_record: Any) -> str | None:
    return None


def _no_reason(_record: Any) -> str:
    return ""


def _no_due(_record: Any) -> date | None:
    return None


def _nothing_kept(_record: Any, _next_review: date) -> None:
    return None


@dataclass(frozen=True)
class ReviewedKind:
    """A kind of record an app keeps that is reviewed on its own under MoPI. `records(nominal)` gives the
    person's records of the kind (`unattached(hub_id)`, for records about no nominal, the hub's);
    `dates` the record's dates (its clear period runs from the latest, `clear_from`); `group` its MoPI group
    ("1" to "4") where its category decides one (None: the person's group); `due` a review date the app
    already keeps (associates), which `retained(record, next_review)` moves on a retain decision; `erase` removes the record and what is derived from it, returning the rows
    removed, unless `kept_because` gives the reason it may not be erased on its own (or `erase` is None)."""

    key: str  # stored on a review decision: never renamed
    label: str  # in words, singular ("Case note")
    records: Callable[[Any], Iterable[Any]]
    dates: Callable[[Any], Iterable[date | datetime | None]]
    describe: Callable[[Any], str]
    group: Callable[[Any], str | None] = _no_group
    due: Callable[[Any], date | None] = _no_due
    erase: Eraser | None = None
    kept_because: Callable[[Any], str] = _no_reason
    unattached: Callable[[int], Any] | None = None
    # A retain decision's next review, for an app that keeps its own review date (`due`): kept in step.
    retained: Callable[[Any, date], None] = _nothing_kept

    def clear_from(self, record: Any) -> date:
        """The day the record's clear period runs from: its latest date."""
        return latest_day(*self.dates(record))

    def why_kept(self, record: Any) -> str:
        """ "" when the record may be erased on its own, else why not."""
        if self.erase is None:
            return self.kept_because(record) or "Reviewed and erased with the person's whole record"
        return self.kept_because(record)


_REVIEWED: dict[str, ReviewedKind] = {}


def _registering(make: Callable[P, ReviewedKind]) -> Callable[P, ReviewedKind]:
    def register(*args: P.args, **kwargs: P.kwargs) -> ReviewedKind:
        kind = make(*args, **kwargs)
        existing = _REVIEWED.get(kind.key)
        if existing is not None and existing != kind:
            raise ValueError(f"reviewed kind {kind.key!r} registered twice")
        _REVIEWED[kind.key] = kind
        return kind

    return register


# `reviewed(key=..., label=..., ...)`: register a kind of record reviewed on its own (from an app's
# holdings.py), with the fields of ReviewedKind.
reviewed = _registering(ReviewedKind)


def reviewed_kinds() -> list[ReviewedKind]:
    return list(_REVIEWED.values())


def reviewed_kind(key: str) -> ReviewedKind | None:
    return _REVIEWED.get(key)


def latest_day(*values: date | datetime | None) -> date:
    """The latest of the dates given (a datetime as its local day)."""
    days = [timezone.localtime(v).date() if isinstance(v, datetime) else v for v in values if v is not None]
    return max(days)
