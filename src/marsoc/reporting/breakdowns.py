"""The raw monthly counts of the Board's cross-tabulations and governance figures: the cohort by tier and
lifecycle phase, releases due with and without a plan, actions by agency and state, claims by tactic
and crime type, deconfliction hits, method versions in force, key identifiers, and the two data-quality
queues that belong to a feed rather than a person (the linkage review backlog, quarantined import rows).

A cross-tabulation is one measure whose category names both parts ("tier|phase"), so the tables drawn
from it (by hub, and the national cross-table) add up and are suppressed together (figures.py). Like the
other measures, counts are by the owner hub and classification of what is counted, never shown before
suppression. Stocks are as at the month's last day; flows in the month they happened."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Concat

from marsoc.assessment.models import Assessment, TierDecision
from marsoc.core.actions import AuditAction
from marsoc.core.models import AuditSubject
from marsoc.core.subjects import matcher_of
from marsoc.core.vocabulary import classification_rank
from marsoc.linkage.models import CandidatePair, PairStatus, QuarantinedRow, SourceRecord
from marsoc.linkage.selectors import identifier_values, rows_carrying
from marsoc.network.models import Membership
from marsoc.nominals.lifecycle import CustodySequenceError, derive_custody, phase_of
from marsoc.nominals.models import CustodyEvent, Identifier, IdentifierTypes, Nominal
from marsoc.nominals.vocabulary import MembershipState, Phase
from marsoc.plans.models import Action

from .measures import (
    OUTCOME_PATHS,
    PLAN_AGREED,
    PLAN_NOT_AGREED,
    Count_,
    counted,
    end_of_day,
    outcomes_between,
    rows_of,
    state_at,
    uncounted_people,
)
from .timings import histogram

TIER_PHASE = "tier_phase"  # the cohort at the month's end; category: "tier|phase"
NOT_ASSESSED = "none"  # the tier of someone not yet assessed
RELEASE_PLAN = "release_plan"  # adopted people due for release within 6 months; category: plan agreed?
ACTION_STATE = "action_state"  # people with an action; category: "acting agency type|action state"
CLAIM_TACTIC = "claim_tactic"  # people with an outcome claimed; category: "tactic code|claim status"
CLAIM_CRIME = "claim_crime"  # the same by crime type of the group; category: "crime type|claim status"
CLAIM_AGENCY = "claim_agency"  # the same by the claiming agency's type; category: "agency type|status"
NO_GROUP = "none"  # a claim about no organised crime group
DECONFLICTION = "deconfliction"  # people someone was told another hub holds an interest in; category:
# the searcher's agency type
METHOD_VERSION = "method_version"  # people assessed; category: the scoring method (id) of their latest
KEY_IDENTIFIERS = "key_identifiers"  # the cohort at the month's end; category: which key ids are held
KEY_BOTH, KEY_NO_CRO, KEY_NO_PNC, KEY_NEITHER = "both", "no_cro", "no_pnc", "neither"
LINKAGE_BACKLOG = "linkage_backlog"  # pairs of records waiting for review; category: how long waiting
QUARANTINED = "quarantined"  # import rows quarantined in the month; category: the feed's agency type
WAITING = {"week": 7, "month": 28}  # waiting bands: under a week, under four weeks, longer
IN_COHORT = (MembershipState.REFERRED, MembershipState.UNDER_ASSESSMENT, MembershipState.ADOPTED)


def breakdown_counts(start: date, end: date) -> list[Count_]:
    return [
        *cohort_breakdowns(end),
        *action_counts(end),
        *claim_counts(start, end),
        *deconfliction_counts(start, end),
        *method_counts(end),
        *key_identifier_counts(end),
        *backlog_counts(end),
        *quarantine_counts(start, end),
    ]


def _tiers_at(end: date, people: Iterable[int]) -> dict[int, str]:
    """Each person's tier on `end`: a manager's decision on their latest assessment, else its tier."""
    ids = list(people)
    latest: dict[int, tuple[int, str]] = {}
    rows = Assessment.objects.filter(nominal_id__in=ids, submitted_at__lte=end_of_day(end)).order_by(
        "nominal_id", "submitted_at", "id"
    )
    for nominal_id, pk, tier in rows.values_list("nominal_id", "pk", "tier_code"):
        latest[nominal_id] = (pk, tier)
    decided = TierDecision.objects.filter(
        assessment_id__in=[pk for pk, _ in latest.values()], decided_at__lte=end_of_day(end)
    ).order_by("decided_at", "id")
    by_assessment = dict(decided.values_list("assessment_id", "decided_tier"))
    return {n: by_assessment.get(pk, tier) for n, (pk, tier) in latest.items()}


def _phases_at(end: date, people: dict[int, tuple[str, object]]) -> dict[int, str]:
    """Each person's lifecycle phase on `end`, from their custody events up to that day (the stored
    custody facts are today's; a history that cannot be replayed falls back to them)."""
    events: dict[int, list[CustodyEvent]] = defaultdict(list)
    for event in CustodyEvent.objects.filter(nominal_id__in=list(people), occurred_on__lte=end).order_by(
        "nominal_id", "occurred_on", "id"
    ):
        events[event.nominal_id].append(event)
    phases = {}
    for nominal_id, (state, fallback) in people.items():
        try:
            custody = derive_custody(events[nominal_id])
            facts = (
                custody.status,
                custody.expected_release_date,
                custody.licence_end_date,
                custody.ever_sentenced,
            )
        except CustodySequenceError:
            facts = fallback  # type: ignore[assignment]
        status, release, licence, sentenced = facts
        phases[nominal_id] = phase_of(
            membership_state=state,
            custody_status=status,
            expected_release_date=release,
            licence_end_date=licence,
            ever_sentenced=sentenced,
            today=end,
        ).value
    return phases


def cohort_breakdowns(end: date) -> list[Count_]:
    """The cohort on `end` by tier and lifecycle phase, and the adopted people due for release within
    six months by whether their plan had been jointly agreed by then."""
    cohort = (
        counted(Nominal.objects.annotate(state_then=state_at(end)))
        .filter(state_then__in=IN_COHORT)
        .values_list(
            "pk",
            "owner_hub_id",
            "classification",
            "state_then",
            "custody_status",
            "expected_release_date",
            "licence_end_date",
            "ever_sentenced",
            "plan__first_agreed_at",
        )
    )
    people = {row[0]: row for row in cohort}
    tiers = _tiers_at(end, people)
    phases = _phases_at(end, {pk: (row[3], row[4:8]) for pk, row in people.items()})
    cross, releases = [], []
    for pk, row in people.items():
        hub, classification, state, agreed_at = row[1], row[2], row[3], row[8]
        cross.append((pk, classification, hub, f"{tiers.get(pk, NOT_ASSESSED)}|{phases[pk]}"))
        if state == MembershipState.ADOPTED and phases[pk] == Phase.RELEASE_6M:
            agreed = agreed_at is not None and agreed_at <= end_of_day(end)
            releases.append((pk, classification, hub, PLAN_AGREED if agreed else PLAN_NOT_AGREED))
    return [*histogram(cross, TIER_PHASE), *histogram(releases, RELEASE_PLAN)]


def action_counts(end: date) -> list[Count_]:
    """People with an action recorded by `end`, by the acting agency's type and the action's state.
    Actions keep no state history: a month holds the states as it was built (and is kept once ended)."""
    actions = Action.objects.filter(created_at__lte=end_of_day(end))
    paths = ("plan__nominal__owner_hub_id", "plan__nominal__classification", "plan__nominal_id")
    return _by_status(actions, "agency__agency_type", ACTION_STATE, paths)


def _by_status(qs: QuerySet[Any, Any], field: str, measure: str, paths: tuple[str, str, str]) -> list[Count_]:
    """Distinct people by `field` and status as one category, "field|status" (`paths`: to the person's
    hub, classification and id)."""
    hub, classification, person = paths
    pair = Concat(F(field), Value("|"), F("status"), output_field=CharField())
    return list(rows_of(qs.annotate(pair=pair), measure, hub, classification, "pair", person=person))


def claim_counts(start: date, end: date) -> list[Count_]:
    """People with a disruption outcome claimed in the month, by the action's tactic and where the claim
    stands; by the claiming agency's type and where it stands; and by the crime type of the group the action targeted (else the person's groups), a claim
    about no group as such. A person counts once in each pair they are in."""
    outcomes = outcomes_between(start, end)
    hub, classification, person = OUTCOME_PATHS
    tactics = _by_status(outcomes, "action__tactic__code", CLAIM_TACTIC, OUTCOME_PATHS)
    tactics += _by_status(outcomes, "agency__agency_type", CLAIM_AGENCY, OUTCOME_PATHS)
    rows = list(
        counted(outcomes, person).values_list(
            person, classification, hub, "status", "action__target_group__crime_types"
        )
    )
    groups: dict[int, set[str]] = defaultdict(set)
    for nominal_id, crimes in Membership.objects.filter(
        nominal_id__in={r[0] for r in rows}, group__isnull=False
    ).values_list("nominal_id", "group__crime_types"):
        groups[nominal_id].update(crimes or [])
    crime_rows = []
    for nominal_id, cls, hub_id, status, targeted in rows:
        crimes = set(targeted or []) or groups.get(nominal_id) or {NO_GROUP}
        crime_rows += [(nominal_id, cls, hub_id, f"{crime}|{status}") for crime in crimes]
    return [*tactics, *histogram(crime_rows, CLAIM_CRIME)]


def deconfliction_counts(start: date, end: date) -> list[Count_]:
    """People someone was told, in the month, that another hub holds an interest in (a deconfliction
    hit, from the audit log that records each such disclosure), by the searcher's agency type."""
    after, before = end_of_day(start - timedelta(days=1)), end_of_day(end)
    subjects = AuditSubject.objects.filter(
        event__action=AuditAction.INTEL_DECONFLICTION_HIT.value, event__at__gt=after, event__at__lte=before
    ).values_list("nominal_id", "event__actor__agency__agency_type")
    told: dict[int, set[str]] = defaultdict(set)
    for nominal_id, agency_type in subjects:
        told[nominal_id].add(agency_type or "other")
    people = counted(Nominal.objects.filter(pk__in=list(told))).values_list(
        "pk", "classification", "owner_hub_id"
    )
    rows = [(pk, cls, hub, kind) for pk, cls, hub in people for kind in told[pk]]
    return histogram(rows, DECONFLICTION)


def method_counts(end: date) -> list[Count_]:
    """People assessed by `end`, by the scoring method version of their latest assessment: how far each
    version in force reaches the cohort."""
    latest = (
        counted(Assessment.objects.filter(submitted_at__lte=end_of_day(end)), "nominal_id")
        .order_by("nominal_id", "submitted_at", "id")
        .values_list("nominal_id", "method_id", "nominal__classification", "nominal__owner_hub_id")
    )
    last: dict[int, tuple[int, str, int]] = {}
    for nominal_id, method_id, cls, hub in latest:
        last[nominal_id] = (method_id, cls, hub)
    rows = [(n, cls, hub, str(method)) for n, (method, cls, hub) in last.items()]
    return histogram(rows, METHOD_VERSION)


def key_identifier_counts(end: date) -> list[Count_]:
    """The cohort on `end` by the key identifiers partners match on: a PNC ID and a CRO number, both,
    one or neither (identifiers have no history: a month keeps what it was built with)."""

    def held(kind: str) -> Exists:
        return Exists(Identifier.objects.filter(nominal=OuterRef("pk"), id_type=kind))

    people = (
        Nominal.objects.annotate(state_then=state_at(end))
        .filter(state_then__in=IN_COHORT)
        .annotate(pnc=held(IdentifierTypes.PNC), cro=held(IdentifierTypes.CRO))
        .annotate(
            held=Case(
                When(pnc=True, cro=True, then=Value(KEY_BOTH)),
                When(pnc=True, then=Value(KEY_NO_CRO)),
                When(cro=True, then=Value(KEY_NO_PNC)),
                default=Value(KEY_NEITHER),
                output_field=CharField(),
            )
        )
    )
    return list(rows_of(people, KEY_IDENTIFIERS, "owner_hub_id", "classification", "held"))


def _band(days: int) -> str:
    if days < WAITING["week"]:
        return "week"
    return "month" if days < WAITING["month"] else "longer"


def backlog_counts(end: date) -> list[Count_]:
    """Pairs of partner records waiting for a person's review on `end` (scored by then, not yet decided
    by then), by how long they had waited. A pair is counted in the hub that owns its first record and
    at the higher classification of its two records (a reader must be cleared for both)."""
    pairs = CandidatePair.objects.filter(run__started_at__lte=end_of_day(end)).filter(
        Q(status=PairStatus.PENDING) | Q(decided_at__gt=end_of_day(end))
    )
    people, keep = uncounted_people()
    match = matcher_of("source_record")
    records = SourceRecord.objects.filter(match(people) if match else Q(pk__in=[])).values("pk")
    about = Q(left__in=records) | Q(right__in=records)
    pending = (pairs.filter(about) if keep else pairs.exclude(about)).values_list(
        "pk", "left__owner_hub_id", "left__classification", "right__classification", "run__started_at"
    )
    rows = []
    for pk, hub, left, right, since in pending:
        higher = left if classification_rank(left) >= classification_rank(right) else right
        rows.append((pk, higher, hub, _band((end - since.date()).days)))
    return histogram(rows, LINKAGE_BACKLOG)


def quarantine_counts(start: date, end: date) -> list[Count_]:
    """Rows of partner feeds quarantined (failed validation, not imported) in imports received in the
    month, in the hub the feed was imported for, by the sending agency's type. A row carrying an
    identifier of a person the figures do not count is left out (as the import's own report leaves it)."""
    after, before = end_of_day(start - timedelta(days=1)), end_of_day(end)
    rows = QuarantinedRow.objects.filter(
        kept=False, feed_import__created_at__gt=after, feed_import__created_at__lte=before
    )
    people, keep = uncounted_people()
    about = rows_carrying(rows, identifier_values(people))
    rows = rows.filter(pk__in=about) if keep else rows.exclude(pk__in=about)
    counts = rows.values(
        "feed_import__owner_hub_id", "feed_import__classification", "feed_import__source_agency__agency_type"
    ).annotate(n=Count("id"))
    return [
        Count_(
            r["feed_import__owner_hub_id"],
            QUARANTINED,
            r["feed_import__source_agency__agency_type"],
            r["feed_import__classification"],
            r["n"],
        )
        for r in counts.order_by()
    ]
