"""The cohort, priority and intelligence lists in a browser: a hub manager sorts by a heading, filters in
the MoJ filter panel and removes a filter by its tag, each list reached from the navigation. Every page on
the way is axe clean and no wider than the window at 320 px and 1,280 px (scrollWidth <= clientWidth), the
filter panel included (MoJ Frontend would fix it over the page on small screens once JavaScript runs).
Without JavaScript the headings and tags are plain links and the filter a GET form: tests/workday/
test_sorting.py follows them with the test client."""

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from .conftest import page_problems, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.flushes]


def checked(page: Page, name: str, problems: list[str]) -> None:
    problems.extend(page_problems(page, f"lists-{name}"))
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        panel = page.locator(".moj-filter-layout__filter")
        if panel.count() and panel.evaluate("e => getComputedStyle(e).position") == "fixed":
            problems.append(f"{name}: the filter panel covers the page at {width}px")
    page.set_viewport_size({"width": 1280, "height": 900})


def heading(page: Page, label: str):
    return page.locator("th[aria-sort]").filter(has=page.get_by_role("link", name=re.compile(rf"^{label}\b")))


def column(page: Page, table: str, index: int) -> list[str]:
    return [c.inner_text().strip() for c in page.locator(f"#{table} tbody tr td:nth-child({index})").all()]


def dates(cells: list[str]) -> list[datetime]:
    return [datetime.strptime(c, "%d %b %Y") for c in cells if c]


def test_a_manager_sorts_filters_and_unfilters_each_list(page: Page, live_server, demo_data) -> None:
    problems: list[str] = []
    sign_in(page, live_server, "london.manager")

    # The cohort: sort by date of birth, both ways, then filter and remove the filter by its tag.
    page.get_by_role("link", name="Cohort", exact=True).first.click()
    expect(page.locator("#cohort-table")).to_be_visible()
    expect(heading(page, "Name")).to_have_attribute("aria-sort", "ascending")
    checked(page, "cohort", problems)
    heading(page, "Date of birth").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/cohort/\?sort=dob$"))
    expect(heading(page, "Date of birth")).to_have_attribute("aria-sort", "ascending")
    expect(heading(page, "Name")).to_have_attribute("aria-sort", "none")
    born = dates(column(page, "cohort-table", 3))
    assert born == sorted(born) and len(born) > 1
    heading(page, "Date of birth").get_by_role("link").click()
    expect(heading(page, "Date of birth")).to_have_attribute("aria-sort", "descending")
    born = dates(column(page, "cohort-table", 3))
    assert born == sorted(born, reverse=True)
    page.get_by_label("Cohort membership").select_option(label="Adopted")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#selected-filters")).to_contain_text("Adopted")
    expect(page).to_have_url(re.compile(r"sort=-dob.*state=adopted|state=adopted.*sort=-dob"))
    assert set(column(page, "cohort-table", 5)) == {"Adopted"}
    born = dates(column(page, "cohort-table", 3))
    assert born == sorted(born, reverse=True), "the sort is kept when a filter is applied"
    checked(page, "cohort-filtered", problems)
    page.locator(".moj-filter__tag", has_text="Adopted").click()
    expect(page.locator("#selected-filters")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"/cohort/\?sort=-dob$"))
    page.wait_for_load_state()
    expect(page.locator("#cohort-table")).to_be_visible()
    assert len(set(column(page, "cohort-table", 5))) > 1

    # The priority list: highest score first on the first click of Score, then a tier filter.
    page.get_by_role("link", name="Priority list", exact=True).first.click()
    expect(page.locator("#priority-table")).to_be_visible()
    expect(heading(page, "Rank")).to_have_attribute("aria-sort", "ascending")
    checked(page, "priority", problems)
    heading(page, "Name").get_by_role("link").click()
    expect(heading(page, "Name")).to_have_attribute("aria-sort", "ascending")
    names = [c.splitlines()[0] for c in column(page, "priority-table", 2)]
    assert names == sorted(names)
    ranks = [int(r) for r in column(page, "priority-table", 1)]
    assert ranks != sorted(ranks) and len(set(ranks)) == len(ranks), "each row keeps its place in the ranking"
    page.get_by_label("Tier").select_option(index=1)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#selected-filters")).to_be_visible()
    expect(page).to_have_url(re.compile(r"sort=name"))
    checked(page, "priority-filtered", problems)
    page.locator(".moj-filter__tag").first.click()
    expect(page.locator("#selected-filters")).to_have_count(0)

    # Intelligence: a search, sorted by date, then the search removed by its tag.
    page.get_by_role("link", name="Intelligence", exact=True).first.click()
    expect(heading(page, "Date")).to_have_attribute("aria-sort", "descending")
    checked(page, "intelligence", problems)
    page.get_by_label("Classification").select_option("OFFICIAL-SENSITIVE")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#selected-filters")).to_contain_text("OFFICIAL-SENSITIVE")
    heading(page, "Date").get_by_role("link").click()
    expect(heading(page, "Date")).to_have_attribute("aria-sort", "ascending")
    expect(page).to_have_url(re.compile(r"classification=OFFICIAL-SENSITIVE.*sort=date"))
    found = dates(column(page, "items", 5))
    assert found == sorted(found) and set(column(page, "items", 4)) == {"OFFICIAL-SENSITIVE"}
    checked(page, "intelligence-filtered", problems)
    page.locator(".moj-filter__tag", has_text="OFFICIAL-SENSITIVE").click()
    expect(page).to_have_url(re.compile(r"/intelligence/\?sort=date$"))
    assert not problems, "\n".join(problems)
