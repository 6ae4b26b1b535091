"""The arithmetic of quarters, pro rata and money, without a database."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsoc.funding.calculation import days_held, grant_years, quarter_cost, quarters, year_table
from marsoc.funding.money import MoneyError, parse_pounds, pounds


def test_a_two_year_grant_has_eight_quarters_and_two_years():
    qs = quarters(date(2022, 1, 1), date(2023, 12, 31))
    assert [(q.starts_on, q.ends_on) for q in qs[:2]] == [
        (date(2022, 1, 1), date(2022, 3, 31)),
        (date(2022, 4, 1), date(2022, 6, 30)),
    ]
    assert len(qs) == 8 and qs[-1].ends_on == date(2023, 12, 31)
    assert [(y.starts_on, y.ends_on) for y in grant_years(date(2022, 1, 1), date(2023, 12, 31))] == [
        (date(2022, 1, 1), date(2022, 12, 31)),
        (date(2023, 1, 1), date(2023, 12, 31)),
    ]


def test_a_full_quarter_is_a_quarter_of_the_annual_cost():
    q1 = quarters(date(2022, 1, 1), date(2023, 12, 31))[0]
    line = quarter_cost(84_362_00, q1, [(date(2022, 1, 1), None)])
    assert (line.days_held, line.days_in_quarter, line.eligible_pence) == (90, 90, 21_090_50)


def test_a_vacancy_costs_nothing_and_a_part_quarter_is_pro_rata():
    q2 = quarters(date(2022, 1, 1), date(2023, 12, 31))[1]  # 1 April to 30 June: 91 days
    assert quarter_cost(84_362_00, q2, []).eligible_pence == 0
    # Held from 1 April to 15 May (45 days), vacant, then from 1 June (30 days): 75 of 91 days.
    spans = [(date(2022, 4, 1), date(2022, 5, 15)), (date(2022, 6, 1), None)]
    assert days_held(q2, spans) == 75
    # 8,436,200 pence a year / 4 * 75 / 91 = 1,738,228.02... pence, rounded half up.
    assert quarter_cost(84_362_00, q2, spans).eligible_pence == 1_738_228


@given(st.integers(0, 10**9), st.integers(0, 91))
def test_pro_rata_never_exceeds_a_full_quarter(annual, leave_after):
    q2 = quarters(date(2022, 1, 1), date(2023, 12, 31))[1]
    full = quarter_cost(annual, q2, [(date(2022, 4, 1), None)]).eligible_pence
    part = quarter_cost(annual, q2, [(date(2022, 4, 1) .replace(day=1), date(2022, 4, 1).fromordinal(date(2022, 4, 1).toordinal() + leave_after - 1))] if leave_after else []).eligible_pence  # fmt: skip
    assert 0 <= part <= full


def test_the_year_table_flags_rounding():
    table = year_table(
        "2021-2022",
        [(75_639_00, 8_723_00), (63_320_00, 8_723_00), (41_047_00, 4_878_00)],
        202_329_00,
        50_582_00,
    )
    assert (table.salary_pence, table.overhead_pence) == (180_006_00, 22_324_00)
    assert table.components_pence == 202_330_00 and table.rounding_pence == 100
    assert table.quarterly_matches


@pytest.mark.parametrize(
    ("text", "pence"), [("£12,345.67", 1_234_567), ("12345", 1_234_500), (" 0.5 ", 50), ("-10", -1000)]
)
def test_amounts_parse_to_pence(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["", "abc", "1e5", "12.345", "NaN", "inf", "12.3.4"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(MoneyError):
        parse_pounds(text)


def test_pounds_are_written_as_the_seed_prints_them():
    assert pounds(202_329_00) == "£202,329"
    assert pounds(50_582_50) == "£50,582.50"
    assert pounds(-100) == "−£1"
