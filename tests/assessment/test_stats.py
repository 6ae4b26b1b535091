"""Tests for marsoc.assessment.stats: published figures, hand-worked cases and hypothesis properties."""

import math
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marsoc.assessment.stats import (
    AGE_BANDS,
    RateIndex,
    age_band,
    krippendorff_alpha_interval,
    krippendorff_alpha_nominal,
    median,
    relative_rate_index,
    suppress_small,
)

N = None

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication,
# University of Pennsylvania: 4 observers × 12 units with missing values. Unit 12 has one value only.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],  # observer A
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],  # observer B
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],  # observer C
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],  # observer D
]


# --------------------------------------------------------------------------------------------------------
# Krippendorff's alpha: published example
# --------------------------------------------------------------------------------------------------------


def test_published_example_nominal():
    alpha = krippendorff_alpha_nominal(KRIPPENDORFF_2011)
    assert alpha is not None
    assert round(alpha, 3) == 0.743


def test_published_example_interval():
    alpha = krippendorff_alpha_interval(KRIPPENDORFF_2011)
    assert alpha is not None
    assert round(alpha, 3) == 0.849


def test_published_example_ignores_single_valued_unit():
    # Dropping unit 12 (one value, not pairable) must not change anything.
    trimmed = [row[:11] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha_interval(trimmed) == pytest.approx(
        krippendorff_alpha_interval(KRIPPENDORFF_2011)
    )
    assert krippendorff_alpha_nominal(trimmed) == pytest.approx(krippendorff_alpha_nominal(KRIPPENDORFF_2011))


# --------------------------------------------------------------------------------------------------------
# Krippendorff's alpha: hand-computed case
# --------------------------------------------------------------------------------------------------------

# 2 raters × 3 units: units are (1,1), (2,2), (3,4). Every unit has m_u = 2, so each ordered pair weighs
# 1/(2−1) = 1 and n = 6 pairable values.
#   Coincidences: o11 = 2, o22 = 2, o34 = o43 = 1.   Marginals: n1 = 2, n2 = 2, n3 = 1, n4 = 1.
# Interval (δ² = (c−k)²):
#   Σ o δ² = o34·1 + o43·1 = 2                       → D_o = 2/6 = 1/3
#   Σ_{c≠k} n_c n_k δ² over unordered pairs:
#     (1,2) 2·2·1 = 4, (1,3) 2·1·4 = 8, (1,4) 2·1·9 = 18, (2,3) 2·1·1 = 2, (2,4) 2·1·4 = 8, (3,4) 1·1·1 = 1
#     = 41, ordered = 82                                → D_e = 82 / (6·5) = 41/15
#   α = 1 − (1/3)/(41/15) = 1 − 5/41 = 36/41 ≈ 0.878049
# Nominal (δ = 1 if c ≠ k):
#   Σ o δ = 2                                          → D_o = 1/3
#   Σ_{c≠k} n_c n_k = n² − Σ n_c² = 36 − (4+4+1+1) = 26 → D_e = 26/30 = 13/15
#   α = 1 − (1/3)/(13/15) = 1 − 5/13 = 8/13 ≈ 0.615385
HAND = [[1, 2, 3], [1, 2, 4]]


def test_hand_case_interval():
    assert krippendorff_alpha_interval(HAND) == pytest.approx(float(Fraction(36, 41)), abs=1e-12)


def test_hand_case_nominal():
    assert krippendorff_alpha_nominal(HAND) == pytest.approx(float(Fraction(8, 13)), abs=1e-12)


def test_systematic_disagreement_is_below_chance():
    # Two raters who always swap the labels: observed disagreement exceeds chance, so α < 0.
    # Units (1,2), (2,1): o12 = o21 = 2, n = 4, n1 = n2 = 2; D_o = 4/4 = 1, D_e = (2·2·2)/(4·3) = 2/3;
    # α = 1 − 1/(2/3) = −0.5 for both metrics (values 1 apart, so δ² = δ = 1).
    data = [[1, 2], [2, 1]]
    assert krippendorff_alpha_nominal(data) == pytest.approx(-0.5)
    assert krippendorff_alpha_interval(data) == pytest.approx(-0.5)


# --------------------------------------------------------------------------------------------------------
# Krippendorff's alpha: undefined and invalid input
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("alpha", [krippendorff_alpha_interval, krippendorff_alpha_nominal])
@pytest.mark.parametrize(
    "data",
    [
        [],  # no raters
        [[]],  # no units
        [[1, 2, 3]],  # one rater: nothing pairable
        [[1, N, 3], [N, 2, N]],  # values never share a unit
        [[2, 2, 2], [2, 2, 2]],  # pairable but no variation: D_e = 0
        [[2, 2, 7], [2, 2, N]],  # the only differing value is not pairable
    ],
)
def test_undefined_returns_none(alpha, data):
    assert alpha(data) is None


@pytest.mark.parametrize("alpha", [krippendorff_alpha_interval, krippendorff_alpha_nominal])
def test_ragged_data_rejected(alpha):
    with pytest.raises(ValueError, match="rater 1"):
        alpha([[1, 2, 3], [1, 2]])


@pytest.mark.parametrize("alpha", [krippendorff_alpha_interval, krippendorff_alpha_nominal])
@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_non_finite_rejected(alpha, bad):
    with pytest.raises(ValueError, match="non-finite"):
        alpha([[1, bad], [1, 2]])


# --------------------------------------------------------------------------------------------------------
# Krippendorff's alpha: properties
# --------------------------------------------------------------------------------------------------------

values = st.integers(min_value=-20, max_value=20)


@st.composite
def agreeing_data(draw):
    """Raters who all give each unit its true value, with some ratings missing."""
    truth = draw(st.lists(values, min_size=1, max_size=12))
    n_raters = draw(st.integers(min_value=2, max_value=5))
    return [[v if draw(st.booleans()) else N for v in truth] for _ in range(n_raters)]


@st.composite
def rating_data(draw):
    n_units = draw(st.integers(min_value=1, max_value=10))
    n_raters = draw(st.integers(min_value=1, max_value=5))
    cell = st.one_of(st.none(), values)
    return [draw(st.lists(cell, min_size=n_units, max_size=n_units)) for _ in range(n_raters)]


def pairable_values(data):
    columns = [[v for v in column if v is not None] for column in zip(*data, strict=True)]
    return {v for column in columns if len(column) >= 2 for v in column}


@pytest.mark.parametrize("alpha", [krippendorff_alpha_interval, krippendorff_alpha_nominal])
@given(data=agreeing_data())
def test_full_agreement_gives_one(alpha, data):
    result = alpha(data)
    if len(pairable_values(data)) >= 2:
        assert result == 1.0  # exact: every δ on the diagonal is 0, so D_o is exactly 0
    else:
        assert result is None  # no variation among pairable values: undefined


@pytest.mark.parametrize("alpha", [krippendorff_alpha_interval, krippendorff_alpha_nominal])
@given(data=rating_data(), rng=st.randoms(use_true_random=False))
def test_symmetric_in_rater_and_unit_order(alpha, data, rng):
    rows = list(data)
    rng.shuffle(rows)
    order = list(range(len(data[0])))
    rng.shuffle(order)
    permuted = [[row[i] for i in order] for row in rows]
    expected = alpha(data)
    if expected is None:
        assert alpha(permuted) is None
    else:
        assert alpha(permuted) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@given(data=rating_data(), shift=st.integers(-100, 100), scale=st.integers(1, 10))
def test_interval_alpha_invariant_under_affine_rescaling(data, shift, scale):
    # The interval level has no fixed origin or unit: α must not depend on either.
    rescaled = [[None if v is None else v * scale + shift for v in row] for row in data]
    expected = krippendorff_alpha_interval(data)
    if expected is None:
        assert krippendorff_alpha_interval(rescaled) is None
    else:
        assert krippendorff_alpha_interval(rescaled) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("alpha", [krippendorff_alpha_interval, krippendorff_alpha_nominal])
@given(data=rating_data())
def test_alpha_at_most_one(alpha, data):
    result = alpha(data)
    assert result is None or result <= 1.0 + 1e-12


# --------------------------------------------------------------------------------------------------------
# Relative rate index
# --------------------------------------------------------------------------------------------------------

# a = 30 of n1 = 200 in the cohort, c = 1000 of n2 = 20000 in the reference population.
#   RRI = (30/200) / (1000/20000) = 0.15 / 0.05 = 3.0
#   SE² = 1/30 − 1/200 + 1/1000 − 1/20000 = (2000 − 300 + 60 − 3)/60000 = 1757/60000 = 0.0292833…
#   SE = 0.1711237;  z·SE = 1.959964 × 0.1711237 = 0.3353964;  ln 3 = 1.0986123
#   lower = exp(1.0986123 − 0.3353964) = exp(0.7632159) = 2.1452
#   upper = exp(1.0986123 + 0.3353964) = exp(1.4340087) = 4.1955


def test_rri_hand_example():
    result = relative_rate_index(30, 200, 1000, 20000)
    assert result is not None
    assert result.rri == 3.0
    assert round(result.lower, 4) == 2.1452
    assert round(result.upper, 4) == 4.1955
    assert math.log(result.rri) - math.log(result.lower) == pytest.approx(1.959964 * math.sqrt(1757 / 60000))


def test_rri_custom_z_widens_interval():
    narrow = relative_rate_index(30, 200, 1000, 20000, z=1.0)
    wide = relative_rate_index(30, 200, 1000, 20000, z=2.575829)
    assert narrow is not None and wide is not None
    assert wide.lower < narrow.lower < narrow.rri < narrow.upper < wide.upper
    assert relative_rate_index(30, 200, 1000, 20000, z=0.0) == RateIndex(3.0, 3.0, 3.0)


def test_over_represented_uses_lower_bound():
    result = relative_rate_index(30, 200, 1000, 20000)
    assert result is not None
    assert result.over_represented(1.25)
    assert result.over_represented(2.0)
    # The point estimate (3.0) exceeds 2.5 but the interval does not rule 2.5 out: not flagged.
    assert not result.over_represented(2.5)
    assert not result.over_represented(result.lower)  # strictly greater


def test_rate_index_is_frozen():
    result = RateIndex(1.0, 0.5, 2.0)
    with pytest.raises(AttributeError):
        result.rri = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    "args",
    [
        (0, 200, 1000, 20000),  # a == 0: no log-scale interval
        (30, 200, 0, 20000),  # c == 0: reference rate is zero
        (0, 0, 1000, 20000),  # empty cohort
        (30, 200, 0, 0),  # empty reference
    ],
)
def test_rri_undefined_returns_none(args):
    assert relative_rate_index(*args) is None


@pytest.mark.parametrize(
    ("args", "name"),
    [
        ((-1, 200, 1000, 20000), "group_in_cohort"),
        ((30, -200, 1000, 20000), "cohort_total"),
        ((30, 200, -1, 20000), "group_in_reference"),
        ((30, 200, 1000, -1), "reference_total"),
        ((201, 200, 1000, 20000), "group_in_cohort"),
        ((30, 200, 20001, 20000), "group_in_reference"),
    ],
)
def test_rri_invalid_input_names_argument(args, name):
    with pytest.raises(ValueError, match=name):
        relative_rate_index(*args)


@pytest.mark.parametrize("z", [-1.0, math.nan, math.inf])
def test_rri_invalid_z(z):
    with pytest.raises(ValueError, match="z"):
        relative_rate_index(30, 200, 1000, 20000, z=z)


def test_rri_whole_population_in_group():
    # a == n1 and c == n2: both rates are 1 and there is no sampling variance, so the interval collapses.
    assert relative_rate_index(10, 10, 50, 50) == RateIndex(1.0, 1.0, 1.0)


@given(
    a=st.integers(min_value=1, max_value=10_000),
    extra=st.integers(min_value=0, max_value=10_000),
    k=st.integers(min_value=1, max_value=50),
)
def test_rri_identical_rates_is_one(a, extra, k):
    # Reference is the cohort scaled by k, so both rates are a/(a+extra).
    result = relative_rate_index(a, a + extra, a * k, (a + extra) * k)
    assert result is not None
    assert result.rri == 1.0
    assert result.lower <= 1.0 <= result.upper


@given(
    a=st.integers(min_value=1, max_value=1000),
    n1_extra=st.integers(min_value=0, max_value=1000),
    c=st.integers(min_value=1, max_value=1000),
    n2_extra=st.integers(min_value=0, max_value=1000),
)
def test_rri_interval_brackets_estimate(a, n1_extra, c, n2_extra):
    result = relative_rate_index(a, a + n1_extra, c, c + n2_extra)
    assert result is not None
    assert 0 < result.lower <= result.rri <= result.upper
    # Swapping cohort and reference inverts the index and its interval (log-symmetric).
    swapped = relative_rate_index(c, c + n2_extra, a, a + n1_extra)
    assert swapped is not None
    assert swapped.rri == pytest.approx(1 / result.rri)
    assert swapped.lower == pytest.approx(1 / result.upper)


# --------------------------------------------------------------------------------------------------------
# Suppression, age bands, median
# --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "expected"), [(0, 0), (1, None), (4, None), (5, 5), (6, 6), (1000, 1000)])
def test_suppress_small_default(count, expected):
    assert suppress_small(count) == expected


def test_suppress_small_custom_threshold():
    assert suppress_small(9, threshold=10) is None
    assert suppress_small(10, threshold=10) == 10
    assert suppress_small(1, threshold=1) == 1  # threshold 1 suppresses nothing


@pytest.mark.parametrize(("count", "threshold"), [(-1, 5), (3, 0)])
def test_suppress_small_invalid(count, threshold):
    with pytest.raises(ValueError):
        suppress_small(count, threshold)


@pytest.mark.parametrize(
    ("dob", "on", "band"),
    [
        (date(2000, 6, 15), date(2018, 6, 14), "under 18"),  # day before 18th birthday
        (date(2000, 6, 15), date(2018, 6, 15), "18-24"),  # 18th birthday
        (date(2000, 6, 15), date(2025, 6, 14), "18-24"),  # 24
        (date(2000, 6, 15), date(2025, 6, 15), "25-34"),
        (date(1980, 1, 1), date(2014, 12, 31), "25-34"),  # 34
        (date(1980, 1, 1), date(2015, 1, 1), "35-44"),
        (date(1970, 1, 1), date(2015, 1, 1), "45-54"),
        (date(1960, 1, 1), date(2014, 12, 31), "45-54"),  # 54
        (date(1960, 1, 1), date(2015, 1, 1), "55+"),
        (date(1920, 1, 1), date(2025, 1, 1), "55+"),
        (date(2020, 1, 1), date(2020, 1, 1), "under 18"),  # born today
        # 29 February birthdays count from 1 March in common years.
        (date(2000, 2, 29), date(2018, 2, 28), "under 18"),
        (date(2000, 2, 29), date(2018, 3, 1), "18-24"),
    ],
)
def test_age_band(dob, on, band):
    assert age_band(dob, on) == band
    assert band in AGE_BANDS


def test_age_band_rejects_future_dob():
    with pytest.raises(ValueError, match="before dob"):
        age_band(date(2000, 1, 2), date(2000, 1, 1))


def test_median():
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4, 1, 2, 3]) == 2.5
