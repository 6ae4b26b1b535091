"""Durations on the Board: time from referral to decision, from a plan's start to its first agreement,
and each acting agency's time to agree. Each median is checked against one worked out here from the
dates the test chose (statistics.median), with fewer than 5 people withheld and a total that would give
a withheld hub away withholding another."""

import statistics
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from marsoc.accounts.models import Agency, AgencyType
from marsoc.core.vocabulary import Role
from marsoc.nominals.vocabulary import MembershipState
from marsoc.plans.models import Agreement, Plan, PlanVersion
from marsoc.reporting.figures import agency_medians, median_of, medians_of
from marsoc.reporting.periods import Period
from marsoc.reporting.selectors import NATIONAL, report_viewer
from marsoc.reporting.services import snapshots_refresh
from marsoc.reporting.timings import AGENCY_DAYS, AGREEMENT_DAYS, DECISION_DAYS

from ..conftest import make_nominal, make_user, signed_in
from .helpers import TODAY, history

pytestmark = pytest.mark.django_db

DECIDED_ON = date(2026, 11, 15)
NOVEMBER = Period("month", date(2026, 11, 1))
# Days from referral to decision, per hub: London 7 (one of them exited, not adopted), Yorkshire 5,
# the North West 2 (withheld; then Yorkshire, the smallest other, too, or 14 - 7 - 5 would give it away).
DAYS = {
    "london": [3, 8, 10, 21, 30, 41, 15],
    "yorkshire-humber": [5, 6, 7, 9, 12],
    "north-west": [2, 4],
}

OCTOBER = [
    ("london", 31),
    ("yorkshire-humber", 11),
    ("yorkshire-humber", 13),
    ("yorkshire-humber", 17),
    ("yorkshire-humber", 19),
]


def whole(value: float) -> int:
    return int(value + 0.5)


@pytest.fixture
def decided():
    owner = make_user("reporting.owner", [Role.HUB_MANAGER], hub_code="national", agency_code="hmpps-marsoc")
    made = {}
    for code, days in DAYS.items():
        made[code] = []
        for i, d in enumerate(days):
            person = make_nominal(owner, hub_code=code, family=f"Dec{code[:3]}{i}")
            decision = MembershipState.EXITED if (code == "london" and d == 15) else MembershipState.ADOPTED
            history(
                person, (MembershipState.REFERRED, DECIDED_ON - timedelta(days=d)), (decision, DECIDED_ON)
            )
            made[code].append(person)
    # Those decided in October are not November's (London 1, Yorkshire 4: 5 nationally), and someone
    # still referred has no decision yet.
    for i, (code, d) in enumerate(OCTOBER):
        late = make_nominal(owner, hub_code=code, family=f"DecOctober{i}")
        history(
            late,
            (MembershipState.REFERRED, date(2026, 10, 20) - timedelta(days=d)),
            (MembershipState.ADOPTED, date(2026, 10, 20)),
        )
    waiting = make_nominal(owner, hub_code="london", family="DecWaiting")
    history(waiting, (MembershipState.REFERRED, date(2026, 11, 1)))
    snapshots_refresh(months=3, today=TODAY)
    return {"owner": owner, **made}


@pytest.fixture
def member():
    return make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")


def test_median_of_a_histogram_is_the_median_of_the_values():
    values = [4, 1, 9, 9, 2, 30]
    assert median_of({1: 1, 2: 1, 4: 1, 9: 2, 30: 1}) == statistics.median(values)
    assert median_of({7: 3}) == 7 and median_of({}) is None


def test_referral_to_decision_medians_with_small_counts_withheld(decided, member):
    shown = medians_of(report_viewer(actor=member), DECISION_DAYS, NOVEMBER)
    assert shown.counts["london"] == 7
    assert shown.medians["london"] == whole(statistics.median(DAYS["london"]))
    assert shown.counts["north-west"] is None and shown.medians["north-west"] is None
    # Yorkshire's 5 would give the North West's 2 away from the national 14: withheld too.
    assert shown.counts["yorkshire-humber"] is None and shown.medians["yorkshire-humber"] is None
    everyone = [d for days in DAYS.values() for d in days]
    assert shown.counts[NATIONAL] == len(everyone) == 14
    assert shown.medians[NATIONAL] == whole(statistics.median(everyone))
    # October had 5 decisions, 1 in London and 4 in Yorkshire: both withheld, the national median shown.
    october = medians_of(report_viewer(actor=member), DECISION_DAYS, Period("month", date(2026, 10, 1)))
    assert october.counts["london"] is None and october.counts["yorkshire-humber"] is None
    assert october.medians[NATIONAL] == whole(statistics.median(d for _c, d in OCTOBER))


def test_a_quarter_adds_the_months_histograms(decided, member):
    shown = medians_of(report_viewer(actor=member), DECISION_DAYS, Period("quarter", date(2026, 10, 1)))
    # London: October's one (withheld that month, so withheld in the quarter too) and November's 7.
    assert shown.counts["london"] is None
    everyone = [d for days in DAYS.values() for d in days] + [d for _c, d in OCTOBER]
    assert shown.counts[NATIONAL] == 19
    assert shown.medians[NATIONAL] == whole(statistics.median(everyone))


def test_a_hub_manager_sees_their_hub_exactly_and_the_national_median(decided):
    manager = make_user("london.manager", [Role.HUB_MANAGER])
    shown = medians_of(report_viewer(actor=manager), DECISION_DAYS, NOVEMBER)
    assert set(shown.counts) == {"london", NATIONAL}
    assert shown.counts["london"] == 7 and shown.counts[NATIONAL] == 14  # 7 others: not small


def _plan(nominal, created: datetime, agreed: datetime | None, officer) -> Plan:
    return Plan.objects.create(
        nominal=nominal,
        owner_agency=Agency.objects.get(code="mps"),
        owner_officer=officer,
        created_at=created,
        created_by=officer,
        first_agreed_at=agreed,
    )


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


def test_time_to_agreement_and_the_agencies_that_agree_slowest(decided, member):
    officer = decided["owner"]
    london = decided["london"]
    waits = [4, 9, 12, 20, 33, 40]  # days from a plan's start to its first agreement, all in November
    police = Agency.objects.filter(agency_type=AgencyType.POLICE).first()
    probation = Agency.objects.filter(agency_type=AgencyType.PROBATION).first()
    police_days, probation_days = [1, 2, 2, 3, 5, 8], [10, 12, 15, 20, 25, 28]
    for i, person in enumerate(london[:6]):
        agreed = _at(date(2026, 11, 20))
        plan = _plan(person, agreed - timedelta(days=waits[i]), agreed, officer)
        requested = _at(date(2026, 11, 1))  # every agency's agreement then falls in November
        version = PlanVersion.objects.create(
            plan=plan, number=1, created_at=requested, created_by=officer, requested_at=requested
        )
        for agency, days in ((police, police_days[i]), (probation, probation_days[i])):
            Agreement.objects.create(
                version=version,
                agency=agency,
                representative=officer,
                agreed_at=requested + timedelta(days=days),
            )
    snapshots_refresh(months=3, today=TODAY, rebuild=True)
    viewer = report_viewer(actor=member)
    plans = medians_of(viewer, AGREEMENT_DAYS, NOVEMBER)
    assert plans.counts["london"] == 6 and plans.medians["london"] == whole(statistics.median(waits))
    slowest = agency_medians(viewer, AGENCY_DAYS, NOVEMBER, [AgencyType.POLICE, AgencyType.PROBATION])
    assert slowest[AgencyType.POLICE] == (6, whole(statistics.median(police_days)))
    assert slowest[AgencyType.PROBATION] == (6, whole(statistics.median(probation_days)))

    # The dashboard's table lists the slowest first, and the API carries it.
    response = signed_in(member).get("/reporting/?period=month&at=2026-11")
    page = response.content.decode()
    assert 'id="table-agency-agreement"' in page and 'id="table-timings"' in page
    assert page.index("Probation region (HMPPS)", page.index('id="table-agency-agreement"')) < page.index(
        "Police force", page.index('id="table-agency-agreement"')
    )
