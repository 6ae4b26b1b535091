"""The seed's table, reproduced from data: every figure of paragraph 12 on the grant page and in its PDF,
and the flag for what the paper does not say (its components add up to £1 more than each grand total)."""

import io
import re

import pytest
from pypdf import PdfReader

from ..conftest import signed_in
from .helpers import funding_people, seed_grant

YEAR_1 = ["£75,639", "£8,723", "£63,320", "£41,047", "£4,878", "£180,006", "£22,324", "£202,329", "£50,582"]
YEAR_2 = ["£75,073", "£9,680", "£61,923", "£41,077", "£5,847", "£178,073", "£25,207", "£203,279", "£50,820"]


@pytest.fixture
def grant_page(db):
    people = funding_people()
    grant = seed_grant(people)
    return people, grant


def _cells(html: str, table_id: str) -> str:
    match = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S)
    assert match, table_id
    return match.group(1)


def _figure(table: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]+)<', table)
    assert match, name
    return match.group(1).strip()


def test_the_grant_page_prints_every_figure_of_the_seed(grant_page):
    people, grant = grant_page
    html = signed_in(people["manager"]).get(f"/funding/grants/{grant.pk}/").content.decode()
    for table_id, figures, totals in (
        ("year-1", YEAR_1, ("£180,006", "£22,324", "£202,329", "£50,582")),
        ("year-2", YEAR_2, ("£178,073", "£25,207", "£203,279", "£50,820")),
    ):
        table = _cells(html, table_id)
        for figure in figures:
            assert f">{figure}<" in table, (table_id, figure)
        names = ("salary-total", "overhead-total", "grand-total", "quarterly-total")
        assert tuple(_figure(table, n) for n in names) == totals
    assert "£405,608" in html and "which is the amount awarded" in html
    flags = re.findall(r'data-flag="rounding">.*?</strong>', html, re.S)
    assert len(flags) == 2
    assert "£202,330 (£180,006 + £22,324), £1 more than the stated grand total of £202,329" in flags[0]
    assert "£203,280 (£178,073 + £25,207), £1 more than the stated grand total of £203,279" in flags[1]


def test_the_pdf_prints_every_figure_and_the_flag(grant_page):
    people, grant = grant_page
    response = signed_in(people["manager"]).get(f"/funding/grants/{grant.pk}/figures.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    for figure in YEAR_1 + YEAR_2 + ["£405,608"]:
        assert figure in flat, figure
    assert "add up to £202,330, £1 more than the stated grand total of £202,329" in flat
    assert "add up to £203,280, £1 more than the stated grand total of £203,279" in flat


def test_the_figures_come_from_the_data(grant_page):
    """Change one salary and the page's total changes with it (the page computes, it does not copy)."""
    people, grant = grant_page
    cost = grant.posts.get(reference="LDN-RES").costs.get(year__label="2021-2022")
    cost.salary_pence += 100_00
    cost.save()
    html = signed_in(people["manager"]).get(f"/funding/grants/{grant.pk}/").content.decode()
    assert _figure(_cells(html, "year-1"), "salary-total") == "£180,106"
    assert "£101 more than the stated grand total" in html
