"""The Delivery Board's reports in Chromium: a Board member follows the home page's link, sees the
dashboard with at least eight charts (each drawn, with its text alternative and a table behind it),
downloads the quarterly pack, and the page has no serious accessibility violations and no sideways
scroll at 320 px."""

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from marsoc.reporting.documents import MARKING
from marsoc.reporting.services import dashboards_warm

from .conftest import SCREENSHOTS, run_axe, serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("demo_data")]


def test_board_member_sees_the_charts_and_downloads_the_quarterly_pack(page: Page, live_server) -> None:
    # What the worker does after each snapshot refresh: the dashboards readers open first are built and
    # kept, so the page reads them (drawing a dozen charts takes longer than a page may).
    dashboards_warm()
    sign_in(page, live_server, "board.member")
    page.locator("#reports-link a").click()
    expect(page).to_have_url(f"{live_server.url}/reporting/")
    images = page.locator("figure.app-chart img")
    expect(images.first).to_be_visible()
    count = images.count()
    assert count >= 8, f"{count} charts"
    for i in range(count):
        image = images.nth(i)
        assert image.evaluate("img => img.complete && img.naturalWidth > 0"), f"chart {i} not drawn"
        assert len(image.get_attribute("alt") or "") > 40, f"chart {i} has no real text alternative"
    # The figures behind a chart open without JavaScript's help (a details element).
    page.locator("#chart-outcome-trend summary").click()
    expect(page.locator("#table-outcome-trend-table-chart")).to_be_visible()

    problems = serious_violations(run_axe(page))
    assert not problems, "\n".join(problems)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "reporting.png"), full_page=True)

    with page.expect_download() as download_info:
        page.locator("#download-pack").click()
    download = download_info.value
    assert download.suggested_filename.startswith("marsoc-board-pack-quarter-")
    reader = PdfReader(download.path())
    assert len(reader.pages) > 8
    assert all(MARKING in p.extract_text() for p in reader.pages)
    assert "/StructTreeRoot" in reader.trailer["/Root"]

    page.set_viewport_size({"width": 320, "height": 800})
    page.reload()
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0, f"{wide} px of sideways scroll at 320 px"
    assert not serious_violations(run_axe(page))
