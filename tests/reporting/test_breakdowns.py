"""The Board's cross-tabulations and governance figures, computed on demo data and on small hand-built
records, each compared with a count made here another way (the stored custody facts and the current
assessment rather than the replayed history; the records themselves rather than the snapshot's
queries), and the published tables checked against the small-numbers rule."""

from collections import Counter
from datetime import timedelta

import pytest
from django.db.models import QuerySet, Sum
from django.utils import timezone

from marsoc.accounts.models import Agency, Hub
from marsoc.core.vocabulary import Role
from marsoc.demo.generate import generate
from marsoc.intelligence.services import deconfliction_log
from marsoc.linkage.models import CandidatePair, FeedImport, LinkageRun, QuarantinedRow, SourceRecord
from marsoc.nominals.models import Identifier, Nominal
from marsoc.nominals.selectors import nominal_phase
from marsoc.plans.models import Action
from marsoc.reporting import breakdowns as b
from marsoc.reporting.models import Figure, Snapshot
from marsoc.reporting.periods import Period
from marsoc.reporting.report import dashboard
from marsoc.reporting.selectors import report_viewer
from marsoc.reporting.services import snapshot_build

from ..conftest import make_nominal, make_user

pytestmark = pytest.mark.django_db
IN_COHORT = {"referred", "under_assessment", "adopted"}


def _figures(measure: str) -> Counter:
    """The running month's raw figures of a measure by (hub id, category), every classification."""
    snapshot = Snapshot.objects.get(month=timezone.localdate().replace(day=1))
    rows = Figure.objects.filter(snapshot=snapshot, measure=measure).values("hub_id", "category")
    return Counter({(r["hub_id"], r["category"]): r["n"] for r in rows.annotate(n=Sum("value"))})


def _counted() -> "QuerySet[Nominal]":
    """Everyone but a person under a restriction (the demo restricts some): the figures leave them out."""
    from marsoc.rights.models import PersonRestriction

    restricted = PersonRestriction.objects.filter(lifted_at__isnull=True).values("nominal_id")
    return Nominal.objects.exclude(pk__in=restricted)


def _tier(nominal: Nominal) -> str:
    current = nominal.assessments.filter(is_current=True).first()
    if current is None:
        return b.NOT_ASSESSED
    decision = current.decisions.order_by("-decided_at", "-id").first()
    return decision.decided_tier if decision else current.tier_code


@pytest.fixture
def made(db):  # type: ignore[no-untyped-def]
    generate(nominals=80, seed=5)


def test_the_running_months_breakdowns_match_the_records(made):
    today = timezone.localdate()
    cohort = _counted().filter(membership_state__in=IN_COHORT)
    expected: Counter = Counter()
    releases: Counter = Counter()
    for n in cohort:
        phase = nominal_phase(n, today).value
        expected[(n.owner_hub_id, f"{_tier(n)}|{phase}")] += 1
        if n.membership_state == "adopted" and phase == "release_6m":
            agreed = getattr(n, "plan", None) is not None and n.plan.first_agreed_at is not None
            releases[(n.owner_hub_id, "agreed" if agreed else "not_agreed")] += 1
    assert sum(expected.values()) > 20
    assert _figures(b.TIER_PHASE) == expected
    assert _figures(b.RELEASE_PLAN) == releases

    # Actions by agency type and state, method versions, key identifiers.
    actions: Counter = Counter()
    seen = set()
    for a in Action.objects.filter(plan__nominal__in=_counted()).select_related("plan__nominal", "agency"):
        key = (a.plan.nominal_id, a.agency.agency_type, a.status)
        if key not in seen:
            seen.add(key)
            actions[(a.plan.nominal.owner_hub_id, f"{a.agency.agency_type}|{a.status}")] += 1
    assert sum(actions.values()) > 0
    assert _figures(b.ACTION_STATE) == actions

    methods: Counter = Counter()
    identifiers: Counter = Counter()
    for n in _counted():
        current = n.assessments.filter(is_current=True).first()
        if current is not None:
            methods[(n.owner_hub_id, str(current.method_id))] += 1
        if n.membership_state in IN_COHORT:
            kinds = set(Identifier.objects.filter(nominal=n).values_list("id_type", flat=True))
            held = {"PNC", "CRO"} & kinds
            category = {2: "both", 0: "neither"}.get(len(held)) or ("no_cro" if "PNC" in held else "no_pnc")
            identifiers[(n.owner_hub_id, category)] += 1
    assert _figures(b.METHOD_VERSION) == methods

    from marsoc.plans.models import Outcome

    claims: Counter = Counter()
    pairs = set()
    for o in (
        Outcome.objects.filter(
            action__plan__nominal__in=_counted(),
            occurred_on__gte=timezone.localdate().replace(day=1),
            occurred_on__lte=timezone.localdate(),
        )
        .exclude(status="merged")
        .select_related("agency", "action__plan__nominal")
    ):
        pairs.add(
            (
                o.action.plan.nominal.owner_hub_id,
                o.action.plan.nominal_id,
                f"{o.agency.agency_type}|{o.status}",
            )
        )
    for hub_id, _person, pair in pairs:
        claims[(hub_id, pair)] += 1
    assert _figures(b.CLAIM_AGENCY) == claims
    assert _figures(b.KEY_IDENTIFIERS) == identifiers


def test_every_new_table_obeys_the_small_numbers_rule(made):
    board = make_user("board.member.x", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    today = timezone.localdate()
    quarter = Period("quarter", today.replace(day=1))
    while (quarter.start.month - 4) % 3:
        quarter = Period("quarter", quarter.start.replace(month=quarter.start.month - 1))
    built = dashboard(viewer=report_viewer(actor=board), period=quarter.previous)
    keys = {t.key: t for t in built.tables}
    new = [
        "timings",
        "agency-agreement",
        "tiers",
        "phases",
        "tier-phase",
        "releases",
        "actions-state",
        "actions-agency",
        "claims-tactic",
        "claims-agency",
        "claims-crime",
        "deconfliction",
        "methods",
        "calibration",
        "key-identifiers",
        "linkage-backlog",
        "quarantined",
    ]
    assert set(new) <= set(keys)
    for key in new:
        for row in keys[key].rows:
            for cell in row.cells:
                assert cell is None or cell == 0 or cell >= 5, (key, row.label, cell)
    # The national cross-table's margins are the hubs' tables' national rows.
    phases = keys["phases"].rows[-1].cells
    assert keys["tier-phase"].rows[-1].cells == phases
    assert keys["tiers"].rows[-1].cells[:-1] == [r.cells[-1] for r in keys["tier-phase"].rows[:-1]]
    charts = {c.chart.key for c in built.charts}
    assert {
        "tier-phase-chart",
        "timing-trend",
        "release-trend",
        "backlog-trend",
        "calibration-trend",
    } <= charts


def _feed(hub: Hub, classification: str = "OFFICIAL-SENSITIVE") -> FeedImport:
    return FeedImport.objects.create(
        source_agency=Agency.objects.get(code="mps"),
        owner_hub=hub,
        classification=classification,
        filename="extract.csv",
        staged_path="/nowhere",
        file_sha256="0" * 64,
        mapping_name="test",
        mapping={},
    )


def _record(feed: FeedImport, key: str, classification: str = "OFFICIAL-SENSITIVE") -> SourceRecord:
    return SourceRecord.objects.create(
        source_agency=feed.source_agency,
        owner_hub=feed.owner_hub,
        classification=classification,
        source_key=key,
        content_hash=key,
        first_import=feed,
        last_import=feed,
    )


def _waiting(left: SourceRecord, right: SourceRecord, run: LinkageRun, **decided) -> CandidatePair:
    return CandidatePair.objects.create(
        left=left, right=right, match_probability=0.5, match_weight=0, explanation=[], run=run, **decided
    )


def test_data_quality_queues_belong_to_the_feeds_hub_or_only_to_the_national_figure(db):
    london, national = Hub.objects.get(code="london"), Hub.objects.get(code="national")
    feed, national_feed = _feed(london), _feed(national)
    for i in range(6):
        QuarantinedRow.objects.create(feed_import=feed, row_number=i + 1, raw={}, problems=[])
    QuarantinedRow.objects.create(feed_import=feed, row_number=9, raw={}, problems=[], kept=True)
    for i in range(3):
        QuarantinedRow.objects.create(feed_import=national_feed, row_number=i + 1, raw={}, problems=[])
    run = LinkageRun.objects.create()
    records = [_record(feed, f"L{i}") for i in range(12)]
    secret = _record(feed, "S", classification="SECRET")
    for i in range(0, 10, 2):  # five pairs waiting in London
        _waiting(records[i], records[i + 1], run)
    _waiting(records[10], secret, run)  # about a SECRET record: only a SECRET-cleared reader counts it
    CandidatePair.objects.create(  # decided: not waiting
        left=records[0],
        right=records[11],
        match_probability=0.5,
        match_weight=0,
        explanation=[],
        run=run,
        status="match",
        decided_at=timezone.now() - timedelta(minutes=1),
    )
    snapshot_build(month=timezone.localdate())
    assert _figures(b.QUARANTINED) == Counter({(london.pk, "police"): 6, (national.pk, "police"): 3})
    assert _figures(b.LINKAGE_BACKLOG) == Counter({(london.pk, "week"): 6})
    low = make_user(
        "board.low",
        [Role.BOARD_MEMBER],
        hub_code=None,
        agency_code="home-office-ie",
        clearance="OFFICIAL-SENSITIVE",
    )
    from marsoc.reporting.figures import categories_of

    month = Period("month", timezone.localdate().replace(day=1))
    shown = categories_of(
        report_viewer(actor=low), b.LINKAGE_BACKLOG, month, ["week", "month", "longer"], stock=True
    )
    assert shown[("london", "week")] == 5 and shown[("national", "week")] == 5  # the SECRET pair left out
    quarantined = categories_of(report_viewer(actor=low), b.QUARANTINED, month, ["police"], stock=False)
    # The national team's 3 rows are in the national figure only (9), and London's 6 are shown.
    assert quarantined[("london", "police")] == 6 and quarantined[("national", "police")] == 9
    assert ("national-hub", "police") not in quarantined


def test_deconfliction_hits_count_the_people_told_about(db):
    owner = make_user("decon.owner", [Role.HUB_MANAGER])
    searcher = make_user("decon.searcher", [Role.HUB_OFFICER], hub_code="wales", agency_code="mps")
    people = [make_nominal(owner, family=f"Decon{i}") for i in range(6)]
    deconfliction_log(
        actor=searcher, query="Decon", hub_name="London hub", nominal_ids=[p.pk for p in people]
    )
    deconfliction_log(actor=searcher, query="Decon0", hub_name="London hub", nominal_ids=[people[0].pk])
    snapshot_build(month=timezone.localdate())
    london = Hub.objects.get(code="london")
    assert _figures(b.DECONFLICTION) == Counter({(london.pk, "police"): 6})


def test_a_restricted_persons_partner_rows_and_pairs_leave_the_figures(db):
    """A restriction (s.47) takes the person out of every figure, the data-quality queues too: the
    quarantined row and the waiting pair that carry their identifier, in the kept month and a new one."""
    from marsoc.reporting.activity import month_counts
    from marsoc.rights import services

    manager = make_user("london.manager.r", [Role.HUB_MANAGER])
    person = make_nominal(manager, family="Restricted", identifiers=[("PNC", "2001/0123456F")])
    pnc = Identifier.objects.get(nominal=person).value
    london = Hub.objects.get(code="london")
    feed = _feed(london)
    for i in range(6):
        QuarantinedRow.objects.create(feed_import=feed, row_number=i + 1, raw={"PNC": f"x{i}"}, problems=[])
    QuarantinedRow.objects.create(feed_import=feed, row_number=7, raw={"PNC": pnc}, problems=[])
    run = LinkageRun.objects.create()
    records = [_record(feed, f"R{i}") for i in range(12)]
    SourceRecord.objects.filter(pk=records[0].pk).update(pnc=pnc)
    for i in range(0, 12, 2):
        _waiting(records[i], records[i + 1], run)
    month = timezone.localdate()
    snapshot_build(month=month)
    assert _figures(b.QUARANTINED)[(london.pk, "police")] == 7
    assert _figures(b.LINKAGE_BACKLOG)[(london.pk, "week")] == 6
    services.person_restrict(
        actor=manager, nominal=person, reason="Contests the data", review_on=month + timedelta(days=30)
    )
    # The kept month loses the person's part only (their row and their pair) ...
    assert _figures(b.QUARANTINED)[(london.pk, "police")] == 6
    assert _figures(b.LINKAGE_BACKLOG)[(london.pk, "week")] == 5
    assert _figures(b.TIER_PHASE)[(london.pk, "none|pre_custody")] == 0
    # ... and a month built now counts the same.
    fresh = Counter()
    for c in month_counts(month.replace(day=1), month):
        if c.measure in (b.QUARANTINED, b.LINKAGE_BACKLOG):
            fresh[(c.measure, c.hub_id, c.category)] += c.value
    assert fresh == Counter(
        {(b.QUARANTINED, london.pk, "police"): 6, (b.LINKAGE_BACKLOG, london.pk, "week"): 5}
    )
