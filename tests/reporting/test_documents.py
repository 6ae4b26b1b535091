"""The Board's documents and the kept dashboard: the quarterly pack is a tagged PDF marked on every page,
the XLSX opens with typed dates and a frozen header, the CSV has a byte-order mark, the API gives every
table, each is audited as a disclosure; the dashboard is drawn once per snapshot version."""

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from marsoc.core.models import AuditEvent
from marsoc.core.vocabulary import Role
from marsoc.nominals.models import Identifier
from marsoc.reporting.activity import HAS_PNC, IDENTIFIERS, NO_PNC
from marsoc.reporting.documents import MARKING
from marsoc.reporting.models import BuiltDashboard, Figure
from marsoc.reporting.services import dashboards_warm, snapshot_build, snapshots_refresh

from ..conftest import make_user, signed_in
from .helpers import TODAY, reporting_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    w = reporting_world()
    snapshots_refresh(months=6, today=TODAY)
    w["board"] = make_user("board.member", [Role.BOARD_MEMBER], hub_code=None, agency_code="home-office-ie")
    return w


def _kids(elem):
    kids = elem.get("/K", [])
    kids = [k.get_object() for k in (kids if isinstance(kids, list) else [kids])]
    return [k for k in kids if isinstance(k, DictionaryObject)]  # not marked-content numbers


def _walk(elem):
    yield elem
    for kid in _kids(elem):
        yield from _walk(kid)


def test_the_pack_is_a_tagged_pdf_marked_on_every_page(world):
    response = signed_in(world["board"]).get("/reporting/pack.pdf?at=2026-07")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="marsoc-board-pack-quarter-2026-07.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 8
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert text.count(MARKING) >= 2, f"page {number}: marking in the header and the footer"
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] and root["/Lang"] == "en-GB"
    elements = list(_walk(root["/StructTreeRoot"].get_object()))
    types = [e.get("/S") for e in elements]
    assert types.count("/H1") == 1 and types.count("/H2") > 10
    figures = [e for e in elements if e.get("/S") == "/Figure"]
    assert len(figures) >= 8 and all(str(f["/Alt"]).strip() for f in figures)
    table = next(e for e in elements if e.get("/S") == "/Table")
    first_row = _kids(table)[0]
    assert first_row["/S"] == "/TR" and {c["/S"] for c in _kids(first_row)} == {"/TH"}
    assert "Q2 2026-27" in reader.pages[0].extract_text()
    assert "LonAdopted" not in "".join(p.extract_text() for p in reader.pages)  # no person


def test_the_xlsx_opens_with_typed_dates_and_a_frozen_header(world):
    response = signed_in(world["board"]).get("/reporting/export.xlsx?period=month&at=2026-10")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["Figures"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Table", "Period", "Period start", "Period end"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows and all(isinstance(r[2], datetime) and isinstance(r[3], datetime) for r in rows)
    assert rows[0][2].date() == date(2026, 10, 1) and rows[0][3].date() == date(2026, 10, 31)
    national_referred = next(
        r for r in rows if r[4] == "All hubs (national)" and r[5] == "Referred, Oct 2026"
    )
    assert national_referred[6] == 15 and national_referred[7] == "No"  # a number, not text
    withheld = next(
        r for r in rows if r[4] == "Yorkshire and the Humber hub" and r[5] == "Referred, Oct 2026"
    )
    assert withheld[6] is None and withheld[7] == "Yes"
    assert sheet.oddHeader.center.text == MARKING
    assert sheet.column_dimensions["A"].width > 20
    assert "on_licence" not in str(rows) and "not_agreed" not in str(rows)  # labels, not codes


def test_the_csv_has_a_byte_order_mark_and_the_marking(world):
    response = signed_in(world["board"]).get("/reporting/export.csv?period=month&at=2026-10")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].strip('"').startswith(MARKING)
    assert lines[1].startswith("Table,Period,Period start")
    assert any(
        ',2026-10-01,2026-10-31,All hubs (national),"Referred, Oct 2026",15,No' in line for line in lines
    )


def test_each_export_is_audited_as_a_disclosure_of_aggregates(world):
    client = signed_in(world["board"])
    for path, fmt in (
        ("/reporting/pack.pdf", "pdf"),
        ("/reporting/export.xlsx?period=quarter&at=2026-07", "xlsx"),
        ("/reporting/export.csv", "csv"),
    ):
        assert client.get(path).status_code == 200
        event = AuditEvent.objects.filter(action="reporting.report.export").latest("id")
        assert event.details["format"] == fmt and len(event.details["hubs"]) == 10
        assert event.operation == "disclosure" and event.nominal_id is None  # no person


def test_a_bad_period_for_an_export_is_named_and_nothing_is_built(world):
    before = AuditEvent.objects.filter(action="reporting.report.export").count()
    response = signed_in(world["board"]).get("/reporting/pack.pdf?at=2026-05")
    assert response.status_code == 400
    assert "a quarter starts in April, July, October or January" in response.content.decode()
    assert AuditEvent.objects.filter(action="reporting.report.export").count() == before


def test_the_api_gives_every_table_and_trend(world, token_for):
    token = token_for(world["board"])
    response = signed_in(world["board"]).get(
        "/api/reporting/board?period=month&at=2026-10", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200
    body = response.json()
    keys = [t["key"] for t in body["tables"]]
    assert {"flow", "size", "plans", "outcomes", "claims", "overdue", "reviews", "identifiers"} <= set(keys)
    flow = next(t for t in body["tables"] if t["key"] == "flow")
    national = next(r for r in flow["rows"] if r["national"])
    assert national["values"][0] == 15
    yorkshire = next(r for r in flow["rows"] if r["label"] == "Yorkshire and the Humber hub")
    assert yorkshire["values"][0] is None  # withheld is null
    assert len(body["trends"]) >= 8
    assert AuditEvent.objects.filter(action="reporting.report.view", details__report="board-api").exists()
    bad = signed_in(world["board"]).get(
        "/api/reporting/board?period=year", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert bad.status_code == 422 and "period" in bad.content.decode()
    # Well formed but not a quarter's first month: refused in context (409), as the document says.
    context = signed_in(world["board"]).get(
        "/api/reporting/board?period=quarter&at=2026-05", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert context.status_code == 409 and "a quarter starts in April" in context.content.decode()
    shape = signed_in(world["board"]).get(
        "/api/reporting/board?period=month&at=2026-13", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert shape.status_code == 422 and "at" in shape.content.decode()


def test_the_dashboard_has_at_least_eight_charts_each_with_a_table(world):
    page = signed_in(world["board"]).get("/reporting/?period=month&at=2026-11").content.decode()
    assert page.count('src="data:image/svg+xml;base64,') >= 8
    assert page.count('class="app-chart"') == page.count("Show the figures as a table")
    assert 'id="download-pack"' in page and 'id="download-xlsx"' in page


def test_the_dashboard_is_kept_until_a_snapshot_changes(world):
    client = signed_in(world["board"])
    path = "/reporting/?period=month&at=2026-11"
    assert client.get(path).status_code == 200
    kept = BuiltDashboard.objects.get()
    payload = kept.payload
    payload["tables"][0]["caption"] = "Served from the kept dashboard"
    BuiltDashboard.objects.filter(pk=kept.pk).update(payload=payload)
    assert "Served from the kept dashboard" in client.get(path).content.decode()
    snapshot_build(month=date(2026, 11, 1), today=TODAY)  # a rebuilt month: a new version
    assert "Served from the kept dashboard" not in client.get(path).content.decode()
    assert BuiltDashboard.objects.count() == 1


def test_people_without_a_pnc_id_are_counted_at_the_month_end(world):
    london = world["london"]
    for i, nominal in enumerate(london[:3]):
        Identifier.objects.create(nominal=nominal, id_type="PNC", value=f"2001/000000{i}X")
    snapshot_build(month=date(2026, 11, 1), today=TODAY)
    counts = {
        f.category: f.value
        for f in Figure.objects.filter(
            snapshot__month=date(2026, 11, 1), measure=IDENTIFIERS, hub__code="london"
        )
    }
    assert counts == {HAS_PNC: 3, NO_PNC: 9}


def test_the_worker_keeps_the_dashboards_readers_open_first(world):
    make_user("london.manager", [Role.HUB_MANAGER])
    make_user("london.officer", [Role.HUB_OFFICER])  # reads no reports: nothing built for them
    # Three reaches (every hub; every hub with the named groups, for the national team's manager who
    # owns the world's records; London beside national) x two periods.
    assert dashboards_warm(today=TODAY) == 6
    assert BuiltDashboard.objects.count() == 6
    assert dashboards_warm(today=TODAY) == 0  # all kept for these snapshots
    before = AuditEvent.objects.filter(action="reporting.report.view").count()
    page = signed_in(world["board"]).get("/reporting/").content.decode()
    assert 'class="app-chart"' in page
    assert BuiltDashboard.objects.count() == 6  # the page read a kept one
    assert AuditEvent.objects.filter(action="reporting.report.view").count() == before + 1
