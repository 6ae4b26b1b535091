"""Reads of nominal data, always scoped by the policy before anything is counted or ranked."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Upper
from django.utils import timezone

from marsoc.core import access
from marsoc.core.actor import Actor
from marsoc.core.identifiers import IdentifierError, IdentifierType, normalise
from marsoc.core.models import AuditEvent
from marsoc.core.search import Similarity, SimilarTo
from marsoc.core.sorting import SortOrder
from marsoc.core.vocabulary import Operation

from .lifecycle import RELEASE_WINDOW, phase_of
from .models import Alias, Identifier, Nominal, Participation
from .vocabulary import CustodyStatus, MembershipState, Phase

# The cohort list's sortable columns (the page's headings and the API's `sort`); every order ends with id.
COHORT_SORT = SortOrder(
    {
        "name": ("family_name", "given_names"),
        "reference": (),
        "dob": ("date_of_birth",),
        "hub": ("owner_hub__name",),
        "state": ("membership_state",),
        "establishment": ("current_establishment__code",),
        "release": ("expected_release_date",),
        "updated": ("updated_at",),
    },
    first_descending=frozenset({"updated"}),
)
SORTS = COHORT_SORT.choices


def phase_expression(today: date, prefix: str = "") -> Case:
    """The lifecycle phase as SQL; mirrors lifecycle.phase_of (a test keeps the two in step).
    `prefix` reaches the nominal through a relation (e.g. "nominal__")."""
    window_end = today + RELEASE_WINDOW

    def when(then: Phase, **lookups: object) -> When:
        return When(Q(**{prefix + k: v for k, v in lookups.items()}), then=Value(then.value))

    return Case(
        when(Phase.EXITED, membership_state=MembershipState.EXITED),
        when(Phase.REMAND, custody_status=CustodyStatus.REMAND),
        when(Phase.RELEASE_6M, custody_status=CustodyStatus.SENTENCED, expected_release_date__lte=window_end),
        when(Phase.SENTENCED, custody_status=CustodyStatus.SENTENCED),
        when(Phase.ON_LICENCE, custody_status=CustodyStatus.RELEASED_ON_LICENCE, licence_end_date__gte=today),
        when(Phase.POST_SENTENCE, custody_status=CustodyStatus.RELEASED_ON_LICENCE),
        when(Phase.POST_SENTENCE, custody_status=CustodyStatus.RELEASED, ever_sentenced=True),
        default=Value(Phase.PRE_CUSTODY.value),
        output_field=CharField(),
    )


def phase_filter(phase: str, today: date) -> Q:
    """The same rules as phase_expression, as a WHERE clause that can use indexes."""
    window_end = today + RELEASE_WINDOW
    live = ~Q(membership_state=MembershipState.EXITED)
    rules = {
        Phase.EXITED: Q(membership_state=MembershipState.EXITED),
        Phase.REMAND: live & Q(custody_status=CustodyStatus.REMAND),
        Phase.RELEASE_6M: live
        & Q(custody_status=CustodyStatus.SENTENCED, expected_release_date__lte=window_end),
        Phase.SENTENCED: live
        & Q(custody_status=CustodyStatus.SENTENCED)
        & (Q(expected_release_date__gt=window_end) | Q(expected_release_date__isnull=True)),
        Phase.ON_LICENCE: live
        & Q(custody_status=CustodyStatus.RELEASED_ON_LICENCE, licence_end_date__gte=today),
        Phase.POST_SENTENCE: live
        & (
            (
                Q(custody_status=CustodyStatus.RELEASED_ON_LICENCE)
                & (Q(licence_end_date__lt=today) | Q(licence_end_date__isnull=True))
            )
            | Q(custody_status=CustodyStatus.RELEASED, ever_sentenced=True)
        ),
        Phase.PRE_CUSTODY: live
        & (
            Q(custody_status=CustodyStatus.NONE)
            | Q(custody_status=CustodyStatus.RELEASED, ever_sentenced=False)
        ),
    }
    return rules[Phase(phase)]


def identifier_lookup(text: str) -> list[tuple[str, str]]:
    """Every (type, canonical value) that `text` could be; empty when it is no identifier."""
    found = []
    for id_type in IdentifierType:
        try:
            found.append((id_type.value, normalise(id_type, text)))
        except IdentifierError:
            continue
    return found


def _identifier_filter(matches: list[tuple[str, str]]) -> Q:
    id_q = Q(pk__in=[])
    for id_type, value in matches:
        id_q |= Q(id_type=id_type, value=value)
    return Q(Exists(Identifier.objects.filter(id_q, nominal_id=OuterRef("pk"))))


def _upper(field: str) -> Upper:
    # The same expression as the trigram indexes (nominals/0003): UPPER(column::text).
    return Upper(Cast(field, TextField()))


def _name_token_q(token: str, *, fuzzy: bool) -> Q:
    q = Q(given_names__icontains=token) | Q(family_name__icontains=token)
    if fuzzy and len(token) >= 3:
        q |= Q(SimilarTo(_upper("given_names"), token.upper()))
        q |= Q(SimilarTo(_upper("family_name"), token.upper()))
    return q


def people_matching(query: str, *, fuzzy: bool = True) -> QuerySet[Nominal, Any]:
    """Nominals found by a search, unscoped (the caller applies its policy), as a `values("pk")` query.

    An identifier finds its holder exactly. Otherwise every word must match one of the person's names or
    aliases: contained in it, or, with `fuzzy`, similar to it by trigrams (Smyth, Smith). Names and
    aliases are searched apart and united, so each search uses its own index."""
    query = query.strip()
    if not query:
        return Nominal.objects.none().values("pk")
    matches = identifier_lookup(query)
    if matches:
        return Nominal.objects.filter(_identifier_filter(matches)).values("pk")
    people = Nominal.objects.all()
    for token in query.split()[:6]:
        own = Nominal.objects.filter(_name_token_q(token, fuzzy=fuzzy)).values("pk")
        aliases = Alias.objects.filter(_name_token_q(token, fuzzy=fuzzy)).values("nominal_id")
        people = people.filter(pk__in=own.union(aliases))
    return people.values("pk")


def _contains_every_word(query: str, given: str, family: str) -> Q:
    contained = Q()
    for token in query.split()[:6]:
        contained &= Q(**{f"{given}__icontains": token}) | Q(**{f"{family}__icontains": token})
    return contained


def _name_score(query: str, given: str, family: str) -> Any:
    """1 when every word of the query is in the name, plus how similar the name is (0 to 1)."""
    bonus = Case(
        When(_contains_every_word(query, given, family), then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    similar = [Similarity(F(family), query), Similarity(F(given), query)]
    if len(query.split()) > 1:
        similar.append(Similarity(Concat(F(given), Value(" "), F(family), output_field=TextField()), query))
    return bonus + Greatest(*similar)


def name_relevance(query: str, prefix: str = "", pk: str = "pk") -> Any:
    """How well the person reached through `prefix` (whose id is the outer field `pk`) matches a name
    search. Their own names when those contain every word; otherwise the better of their own names and
    their best alias. So names containing every word come first, then the most similar."""
    given, family = f"{prefix}given_names", f"{prefix}family_name"
    own = _name_score(query, given, family)
    best_alias = (
        Alias.objects.filter(nominal_id=OuterRef(pk))
        .values("nominal_id")
        .annotate(score=Max(_name_score(query, "given_names", "family_name")))
        .values("score")
    )
    # The alias lookup runs only when needed (a CASE branch is evaluated lazily): the common case of a
    # search by the person's own name costs no alias read.
    return Case(
        When(_contains_every_word(query, given, family), then=own),
        default=Greatest(own, Coalesce(Subquery(best_alias, output_field=FloatField()), Value(0.0))),
        output_field=FloatField(),
    )


@dataclass(frozen=True)
class CohortFilters:
    query: str = ""
    hub_id: int | None = None
    phase: str = ""
    membership_state: str = ""
    establishment_id: int | None = None
    sort: str = ""  # a COHORT_SORT key ("-" first for the reverse); "" is the best match first, then by name


def nominal_list(*, actor: Actor, filters: CohortFilters, today: date | None = None) -> QuerySet[Nominal]:
    today = today or timezone.localdate()
    qs = Nominal.objects.filter(access.scope(actor, "nominal"))
    if filters.query:
        # The one matcher of every search (intelligence too): identifiers exactly, names and aliases
        # contained or similar by trigrams, so "Smyth" finds Smith.
        qs = qs.filter(pk__in=people_matching(filters.query))
    if filters.hub_id:
        qs = qs.filter(owner_hub_id=filters.hub_id)
    if filters.phase:
        qs = qs.filter(phase_filter(filters.phase, today))
    if filters.membership_state:
        qs = qs.filter(membership_state=filters.membership_state)
    if filters.establishment_id:
        qs = qs.filter(current_establishment_id=filters.establishment_id)
    sort = COHORT_SORT.parse(filters.sort)
    order = COHORT_SORT.order_by(sort, default=("family_name", "given_names", "id"))
    if filters.query.strip() and not sort.key and not identifier_lookup(filters.query):
        qs = qs.annotate(relevance=name_relevance(filters.query.strip()))
        order = ("-relevance", *order)  # the best match first, as in every search, unless a column is chosen
    # The phase of the rows shown is worked out in Python (lifecycle.phase_of): as an SQL CASE it was
    # computed for every row in scope before sorting.
    return qs.select_related("owner_hub", "current_establishment").order_by(*order)


@dataclass(frozen=True)
class PersonMatch:
    nominal: Nominal
    matched_on: str  # what a user reads: "identifier", "name", "alias" or "similar name"


def people_search(*, actor: Actor, query: str, limit: int = 10) -> list[PersonMatch]:
    """The people the actor may see whom a search finds, best match first, each saying why it matched.
    Scoped by the nominal policy before ranking and the limit."""
    query = query.strip()
    if not query:
        return []
    found = (
        Nominal.objects.filter(access.scope(actor, "nominal"))
        .filter(pk__in=people_matching(query))
        .annotate(relevance=name_relevance(query))
        .order_by("-relevance", "family_name", "given_names", "id")
        .select_related("owner_hub")
        .prefetch_related("aliases")[:limit]
    )
    tokens = [t.lower() for t in query.split()[:6]]

    def contains_all(given: str, family: str) -> bool:
        name = f"{given} {family}".lower()
        return all(t in name for t in tokens)

    by_identifier = bool(identifier_lookup(query))
    matches = []
    for nominal in found:
        if by_identifier:
            why = "identifier"
        elif contains_all(nominal.given_names, nominal.family_name):
            why = "name"
        elif any(contains_all(a.given_names, a.family_name) for a in nominal.aliases.all()):
            why = "alias"
        else:
            why = "similar name"
        matches.append(PersonMatch(nominal, why))
    return matches


def access_nominal_by_id(*, actor: Actor, nominal_id: int) -> Nominal:
    """One nominal, or NotFoundOrForbidden whether it is missing or merely out of reach: the scope is part
    of the one query, so both cost the same SQL (tests/test_equal_work.py)."""
    qs = Nominal.objects.select_related("owner_hub", "lead_officer", "current_establishment")
    return access.fetch(actor, "nominal", qs, nominal_id)


def nominal_phase(nominal: Nominal, today: date | None = None) -> Phase:
    return phase_of(
        membership_state=nominal.membership_state,
        custody_status=nominal.custody_status,
        expected_release_date=nominal.expected_release_date,
        licence_end_date=nominal.licence_end_date,
        ever_sentenced=nominal.ever_sentenced,
        today=today or timezone.localdate(),
    )


def nominal_viewers(*, actor: Actor, nominal: Nominal, limit: int = 50) -> QuerySet[AuditEvent]:
    """Who has viewed this record, for the managers allowed to ask: every consultation and every
    disclosure (exports, meeting packs, subject access, summaries) that named the person."""
    if not access.may(actor, "nominal.see_viewers", nominal):
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.filter(Q(nominal_id=nominal.pk) | Q(subjects__nominal_id=nominal.pk))
        .filter(operation__in=[Operation.CONSULTATION, Operation.DISCLOSURE])
        .distinct()
        .order_by("-id")[:limit]
    )


SMALL_COUNT = 5


def suppress(count: int) -> str:
    """Counts under 5 are not shown: small numbers can identify a person."""
    return "fewer than 5" if 0 < count < SMALL_COUNT else str(count)


def cohort_summary(*, actor: Actor, today: date | None = None) -> list[dict[str, object]]:
    """Counts in the actor's own scope, for their home page."""
    today = today or timezone.localdate()
    scoped = Nominal.objects.filter(access.scope(actor, "nominal"))
    counts = dict(scoped.values_list("membership_state").annotate(n=Count("id")).order_by())
    release = scoped.filter(phase_filter(Phase.RELEASE_6M, today)).count()
    return [
        {"label": "referred", "count": counts.get(MembershipState.REFERRED, 0)},
        {"label": "under assessment", "count": counts.get(MembershipState.UNDER_ASSESSMENT, 0)},
        {"label": "adopted", "count": counts.get(MembershipState.ADOPTED, 0)},
        {"label": "due for release within 6 months", "count": release},
    ]


def cohort_counts_by_hub(*, actor: Actor) -> list[dict[str, object]]:
    """Aggregates for the Delivery Board: never a name, and small counts suppressed."""
    if not access.may(actor, "cohort.aggregates"):
        return []
    # Only what the viewer's clearance covers: a SECRET record must not show up as one more.
    rows = (
        Nominal.objects.filter(access.scope(actor, "nominal_aggregate"))
        .values_list("owner_hub__name", "membership_state")
        .annotate(n=Count("id"))
        .order_by()
    )
    table: dict[str, dict[str, int]] = {}
    for hub_name, state, n in rows:
        table.setdefault(hub_name, {})[state] = n
    return [
        {"hub": hub, "cells": [suppress(table[hub].get(s, 0)) for s in MembershipState.values]}
        for hub in sorted(table)
    ]


def active_participation(*, nominal: Nominal, participation_id: int) -> Participation | None:
    """An agency's current participation on a person the caller may already see."""
    return Participation.objects.filter(pk=participation_id, nominal=nominal, ended_at__isnull=True).first()
