"""Snapshots and the Board dashboard: figures by month and quarter, suppressed, scoped by hub and
clearance, audited, and kept once a month is complete."""

from datetime import date

import pytest
from django.core.management import call_command

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Nominal
from marsoc.reporting.models import Figure, Snapshot
from marsoc.reporting.periods import Period, PeriodError, latest_complete, parse_period
from marsoc.reporting.selectors import flow_table, plans_table, report_viewer
from marsoc.reporting.services import snapshot_build, snapshots_refresh

from ..conftest import make_user, signed_in
from .helpers import TODAY, reporting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = reporting_world()
    snapshots_refresh(months=4, today=TODAY)
    return w


def _row(table, label):
    return next(r for r in table.rows if r.label == label)


def test_snapshots_count_flows_by_the_month_they_took_effect(world):
    october = Snapshot.objects.get(month=date(2026, 10, 1))
    referred = {
        f.hub.code: f.value
        for f in Figure.objects.filter(snapshot=october, measure="referred").select_related("hub")
    }
    assert referred == {"london": 12, "yorkshire-humber": 3}
    assert Snapshot.objects.get(month=date(2026, 11, 1)).complete
    assert not Snapshot.objects.get(month=date(2026, 12, 1)).complete


def test_board_sees_every_hub_with_small_counts_withheld(world):
    board = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    viewer = report_viewer(actor=board)
    table = flow_table(viewer=viewer, period=Period("month", date(2026, 10, 1)))
    assert len(viewer.shown) == 10
    london, yorkshire, national = (
        _row(table, "London hub"),
        _row(table, "Yorkshire and the Humber hub"),
        _row(table, "All hubs (national)"),
    )
    # Columns: referred Oct, referred Sep, adopted Oct, adopted Sep, exited Oct, exited Sep.
    assert yorkshire.cells[0] is None  # 3: withheld
    assert london.cells[0] is None  # would give Yorkshire's 3 away (15 - 12)
    assert national.cells[0] == 15


def test_a_quarter_adds_its_months_and_withholds_what_a_month_withheld(world):
    board = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    viewer = report_viewer(actor=board)
    quarter = flow_table(viewer=viewer, period=Period("quarter", date(2026, 10, 1)))
    # Yorkshire: 3 in October (withheld) + 8 in November = 11, withheld because October's was.
    assert _row(quarter, "Yorkshire and the Humber hub").cells[0] is None
    assert _row(quarter, "All hubs (national)").cells[0] == 23


def test_a_hub_manager_sees_their_hub_exactly_beside_the_national_figure(world):
    manager = make_user("london.manager", [Role.HUB_MANAGER])
    viewer = report_viewer(actor=manager)
    assert [h.code for h in viewer.shown] == ["london"]
    table = flow_table(viewer=viewer, period=Period("month", date(2026, 10, 1)))
    assert [r.label for r in table.rows] == ["London hub", "All hubs (national)"]
    assert table.rows[0].cells[0] == 12
    assert table.rows[1].cells[0] is None  # 15 - 12 = Yorkshire's 3


def test_plans_share_at_the_month_end(world):
    from marsoc.plans.models import Plan

    board = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    table = plans_table(viewer=report_viewer(actor=board), period=Period("month", date(2026, 11, 1)))
    london = _row(table, "London hub")
    assert london.cells == [0, 7, 7] and london.extra[0] == "0%"
    assert Plan.objects.count() == 0


def test_clearance_limits_what_is_counted(world):
    low = make_user(
        "board.low",
        [Role.BOARD_MEMBER],
        hub_code=None,
        agency_code="home-office-ie",
        clearance="OFFICIAL-SENSITIVE",
    )
    Nominal.objects.filter(pk__in=[n.pk for n in world["london"][:2]]).update(classification="SECRET")
    snapshot_build(month=date(2026, 10, 1), today=TODAY)
    table = flow_table(viewer=report_viewer(actor=low), period=Period("month", date(2026, 10, 1)))
    assert _row(table, "All hubs (national)").cells[0] == 13


def test_a_complete_month_is_kept_and_the_running_month_rebuilt(world):
    built = snapshots_refresh(months=4, today=TODAY)
    assert [s.month for s in built] == [date(2026, 12, 1)]


def test_the_command_builds_snapshots(db, capsys):
    reporting_world()
    call_command("reporting_snapshot", "--months", "2")
    assert "Built 2 monthly snapshot(s)" in capsys.readouterr().out
    assert Snapshot.objects.count() == 2


def test_the_page_shows_charts_with_tables_and_records_the_report(world):
    board = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    before = AuditEvent.objects.filter(action="reporting.report.view").count()
    response = signed_in(board).get("/reporting/?period=month&at=2026-10")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('src="data:image/svg+xml;base64,') >= 3
    assert 'id="table-flow-trend-table-chart"' in page and 'id="table-flow"' in page
    assert "LonAdopted" not in page  # no person
    event = AuditEvent.objects.filter(action="reporting.report.view").latest("id")
    assert AuditEvent.objects.filter(action="reporting.report.view").count() == before + 1
    assert event.details["at"] == "2026-10" and event.details["period"] == "month"
    assert len(event.details["hubs"]) == 10


def test_a_bad_period_is_named_and_the_latest_month_shown(world):
    board = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    response = signed_in(board).get("/reporting/?period=quarter&at=2026-05")
    assert response.status_code == 400
    assert "a quarter starts in April, July, October or January" in response.content.decode()


def test_periods():
    assert latest_complete("quarter", TODAY) == Period("quarter", date(2026, 7, 1))
    assert latest_complete("month", TODAY) == Period("month", date(2026, 11, 1))
    assert Period("quarter", date(2026, 1, 1)).label == "Q4 2025-26 (January to March 2026)"
    assert Period("quarter", date(2026, 1, 1)).previous.start == date(2025, 10, 1)
    for kind, at in (("year", None), ("month", "2026-13"), ("month", "2027-01"), ("month", "26-1")):
        with pytest.raises(PeriodError):
            parse_period(kind, at, TODAY)
