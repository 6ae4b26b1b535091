"""The assessment method: loading and validating method files, scoring, explaining and fingerprinting.

Pure Python; no database.
"""

import dataclasses
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marsoc.assessment.method import (
    ASSESSMENT_CODES,
    DEFAULT_METHOD_FILE,
    SOURCE_CODES,
    ConfidenceBand,
    MethodError,
    MethodSpec,
    ScoringError,
    load_default_method,
    load_method,
    load_method_file,
    score,
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "method-v1.md"

# --------------------------------------------------------------------------- small methods for tests

HEADER = """
code = "tiny"
name = "Tiny method"
version = 1
description = "A small method for tests."
"""

GROUPS = """
[[groups]]
code = "g1"
name = "Group one"
description = "First group."

[[groups]]
code = "g2"
name = "Group two"
description = "Second group."
"""

CONFIDENCE = """
[confidence.source]
1 = 1.0
2 = 0.5
3 = 0.25

[confidence.assessment]
A = 1.0
B = 0.8
C = 0.6
D = 0.4
E = 0.0

[confidence.bands]
high = 0.7
medium = 0.4
"""


def tier(code, low, high, name=None):
    return f'\n[[tiers]]\ncode = "{code}"\nname = "{name or "Tier " + code}"\nmin = {low}\nmax = {high}\n'


TIERS = tier("1", 50, 100) + tier("2", 0, 50)


def factor(code, group, levels=(0, 1, 2, 3, 4), *, scale=True, extra=""):
    text = f'\n[[factors]]\ncode = "{code}"\nname = "Factor {code}"\ngroup = "{group}"\ndescription = "About {code}."\n{extra}'
    if scale:
        text += "[factors.scale]\n" + "".join(f'{level} = "{code} at level {level}"\n' for level in levels)
    return text


FACTORS = factor("x", "g1") + factor("y", "g1") + factor("z", "g2")


def method_text(
    *,
    header=HEADER,
    formula="0.5 * x + 0.5 * max(y, z)",
    groups=GROUPS,
    factors=FACTORS,
    confidence=CONFIDENCE,
    tiers=TIERS,
):
    formula_line = "" if formula is None else f'formula = "{formula}"\n'
    return header + formula_line + groups + factors + confidence + tiers


def problems_of(text):
    with pytest.raises(MethodError) as caught:
        load_method(text)
    return caught.value.problems


def assert_problem(text, expected):
    problems = problems_of(text)
    assert any(expected in p for p in problems), problems


def tiny(**kwargs) -> MethodSpec:
    return load_method(method_text(**kwargs))


# -------------------------------------------------------------------------------- the default method

WORKED_LEVELS = {
    "physical": 3,
    "psychological": 3,
    "financial": 2,
    "community": 4,
    "geographic_scope": 3,
    "victim_vulnerability": 4,
    "recency": 4,
    "frequency": 3,
    "intent": 3,
    "current_activity": 4,
    "network_reach": 3,
    "money": 2,
    "weapons": 2,
    "corrupt_contacts": 1,
    "communications": 3,
    "illicit_phones": 4,
    "conveyancing": 3,
    "custody_violence": 2,
    "drug_supply": 4,
    "staff_corruption": 2,
}

WORKED_GRADES = {
    "physical": "1B",
    "psychological": "2B",
    "financial": "2C",
    "community": "1A",
    "geographic_scope": "1B",
    "victim_vulnerability": "2A",
    "recency": "1A",
    "frequency": "1B",
    "intent": "2C",
    "current_activity": "1B",
    "network_reach": "2B",
    "money": "3C",
    "weapons": "2C",
    "corrupt_contacts": "3D",
    "communications": "1B",
    "illicit_phones": "1A",
    "conveyancing": "1B",
    "custody_violence": "1A",
    "drug_supply": "2B",
    # staff_corruption has no grade: it counts as the lowest confidence (0)
}


@pytest.fixture(scope="module")
def default():
    return load_default_method()


def test_default_method_loads(default):
    assert default.code == "marsoc-priority-v1"
    assert default.name == "MARSOC priority method v1"
    assert default.version == 1
    assert [g.code for g in default.groups] == ["harm", "likelihood", "capability", "custody"]
    assert [len(g.factors) for g in default.groups] == [6, 4, 5, 5]
    assert len(default.factors) == 20
    for f in default.factors:
        assert f.max_level == 4
        assert all(d.strip() for d in f.scale)
        assert len(set(f.scale)) == 5  # every level has its own anchor
    assert [t.code for t in default.tiers] == ["1", "2", "3", "4"]  # highest first
    assert default.tier_for(100).code == "1"
    assert default.tier_for(0).code == "4"
    assert load_method_file(DEFAULT_METHOD_FILE) == default


def test_worked_example_matches_the_hand_calculation(default):
    # The arithmetic shown in docs/method-v1.md, exactly:
    harm = Fraction(3 + 3 + 2 + 4 + 3 + 4, 6 * 4)  # 19/24
    worst_harm = Fraction(4, 4)  # community
    likelihood = Fraction(4 + 3 + 3 + 4, 4 * 4)  # 14/16
    capability = Fraction(3 + 2 + 2 + 1 + 3, 5 * 4)  # 11/20
    custody = Fraction(4 + 3 + 2 + 4 + 2, 5 * 4)  # 15/20
    harm_term = Fraction(1, 2) * harm + Fraction(1, 2) * worst_harm
    likelihood_term = Fraction(1, 2) + Fraction(1, 2) * likelihood
    enabler_term = Fraction(7, 10) + Fraction(3, 10) * max(capability, custody)
    assert (harm_term, likelihood_term, enabler_term) == (
        Fraction(43, 48),
        Fraction(15, 16),
        Fraction(37, 40),
    )
    exact = 100 * harm_term * likelihood_term * enabler_term
    assert exact == Fraction("77.685546875")

    result = score(default, WORKED_LEVELS, WORKED_GRADES)

    assert result.score == 77.7
    assert (result.tier.code, result.tier.name) == ("1", "Tier 1 (highest harm)")
    assert dict(result.group_values) == {
        "harm": float(harm),
        "likelihood": 0.875,
        "capability": 0.55,
        "custody": 0.75,
    }
    # confidence: mean of the 20 factor confidences (all levels > 0); staff_corruption ungraded = 0
    assert sum(f.confidence for f in result.breakdown) == pytest.approx(12.22)
    assert result.confidence == 0.611
    assert result.band is ConfidenceBand.MEDIUM
    assert result.factor("staff_corruption").grade is None
    assert result.factor("staff_corruption").confidence == 0.0
    assert result.factor("money").confidence == 0.18  # 3C = 0.3 x 0.6
    # what drove it
    assert result.factor("community").contribution == 18.1  # 77.7 - 59.6
    assert result.factor("recency").contribution == 10.4  # 77.7 - 67.3
    assert result.factor("network_reach").contribution == 0.0  # custody (0.75) outweighs capability
    assert [(f.code, f.contribution) for f in result.top_factors(3)] == [
        ("community", 18.1),
        ("current_activity", 10.4),
        ("recency", 10.4),
    ]
    assert result.factor("community").descriptor.startswith("Public confidence seriously damaged")
    assert result.method_fingerprint == default.fingerprint


def test_worked_example_figures_appear_in_the_doc(default):
    doc = DOC.read_text(encoding="utf-8")
    for figure in ("43/48", "15/16", "37/40", "77.685546875", "77.7", "0.611", "18.1", "10.4", "12.22"):
        assert figure in doc, figure
    for f in default.factors:
        assert f"`{f.code}`" in doc, f.code


def test_identical_inputs_give_identical_results(default):
    first = score(default, WORKED_LEVELS, WORKED_GRADES)
    second = score(load_default_method(), dict(WORKED_LEVELS), dict(WORKED_GRADES))
    assert first == second
    assert first.as_dict() == second.as_dict()


def test_extremes(default):
    top = score(default, {f.code: 4 for f in default.factors})
    assert (top.score, top.tier.code) == (100.0, "1")
    bottom = score(default, {f.code: 0 for f in default.factors})
    assert (bottom.score, bottom.tier.code) == (0.0, "4")
    assert bottom.top_factors(5) == ()
    # severe harm with nothing current: halved by likelihood, x0.7 for no enablers
    historic = {f.code: (4 if f.group == "harm" else 0) for f in default.factors}
    assert score(default, historic).score == 35.0


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_property_score_in_range_deterministic_and_in_its_tier(data):
    spec = load_default_method()
    levels = data.draw(st.fixed_dictionaries({f.code: st.integers(0, f.max_level) for f in spec.factors}))
    grade = st.builds(lambda s, a: s + a, st.sampled_from(SOURCE_CODES), st.sampled_from(ASSESSMENT_CODES))
    grades = data.draw(st.dictionaries(st.sampled_from([f.code for f in spec.factors]), grade))
    result = score(spec, levels, grades)
    assert 0 <= result.score <= 100
    assert round(result.score, 1) == result.score
    assert result.tier.contains(result.score)
    assert sum(t.contains(result.score) for t in spec.tiers) == 1
    assert 0 <= result.confidence <= 1
    assert result == score(spec, dict(levels), dict(grades))
    for item in result.breakdown:
        assert item.contribution >= 0  # the default formula never falls when a factor rises
        assert item.descriptor == spec.factor(item.code).scale[item.level]


# ------------------------------------------------------------------------------------------- scoring


def test_contribution_and_top_factors_on_a_simple_case():
    spec = tiny()  # 0.5 * x + 0.5 * max(y, z)
    result = score(spec, {"x": 4, "y": 2, "z": 2})
    assert result.score == 75.0
    assert {f.code: f.contribution for f in result.breakdown} == {"x": 50.0, "y": 0.0, "z": 0.0}
    assert [f.code for f in result.top_factors(3)] == ["x"]  # y and z cover for each other in max()

    result = score(spec, {"x": 2, "y": 4, "z": 0})
    assert result.score == 75.0
    assert [(f.code, f.contribution) for f in result.top_factors(2)] == [("y", 50.0), ("x", 25.0)]
    assert result.group_values == {"g1": 0.75, "g2": 0.0}
    assert result.factor("x").normalised == 0.5


def test_top_factors_ties_are_broken_by_code():
    spec = tiny(formula="mean(z, y, x)")
    result = score(spec, {"x": 2, "y": 2, "z": 2})
    assert result.score == 50.0
    assert [(f.code, f.contribution) for f in result.top_factors(3)] == [
        ("x", 16.7),
        ("y", 16.7),
        ("z", 16.7),
    ]
    assert [f.code for f in result.top_factors(1)] == ["x"]
    with pytest.raises(ValueError, match="negative"):
        result.top_factors(-1)


def test_rounding_is_exact_and_half_up():
    # 0.1225 x 100 = 12.25 exactly; binary floats would give 12.2 with round(), the rule says 12.3
    spec = tiny(formula="0.1225 * x")
    assert score(spec, {"x": 4, "y": 0, "z": 0}).score == 12.3
    spec = tiny(formula="(0.1 + 0.2) * x")
    assert score(spec, {"x": 4, "y": 0, "z": 0}).score == 30.0


def test_formula_uses_groups_and_factors_normalised():
    spec = tiny(formula="g1 * (0.5 + 0.5 * z)")
    result = score(spec, {"x": 4, "y": 1, "z": 2})
    # g1 = mean(4/4, 1/4) = 0.625; x (0.5 + 0.25) = 0.46875 -> 46.875 -> 46.9
    assert result.score == 46.9
    assert result.group_values["g1"] == 0.625


def test_scores_outside_zero_to_one_are_clamped():
    spec = tiny(formula="x - y")
    assert score(spec, {"x": 0, "y": 4, "z": 0}).score == 0.0


def test_confidence_rules():
    spec = tiny()
    # only factors scored above 0 count; 1A = 1, 2C = 0.3
    result = score(spec, {"x": 4, "y": 2, "z": 0}, {"x": "1A", "y": "2c", "z": "3E"})
    assert result.factor("y").grade == "2C"
    assert result.confidence == 0.65
    assert result.band is ConfidenceBand.MEDIUM
    # a missing grade is the lowest confidence: 0.25 x 0.0
    assert score(spec, {"x": 4, "y": 0, "z": 0}).confidence == 0.0
    assert score(spec, {"x": 4, "y": 0, "z": 0}).band is ConfidenceBand.LOW
    # all levels 0: mean over every factor
    result = score(spec, {"x": 0, "y": 0, "z": 0}, {"x": "1A", "y": "1A", "z": "1B"})
    assert result.confidence == pytest.approx((1 + 1 + 0.8) / 3, abs=0.0005)
    assert result.confidence == 0.933
    assert result.band is ConfidenceBand.HIGH
    assert score(spec, {"x": 1, "y": 0, "z": 0}, {"x": "2A"}).band is ConfidenceBand.MEDIUM  # 0.5
    result = score(spec, {"x": 1, "y": 1, "z": 0}, {"x": "1A", "y": "3A"})
    assert result.confidence == 0.625


def test_unknown_factor_raises_scoring_error():
    spec = tiny()
    with pytest.raises(ScoringError) as caught:
        score(spec, {"x": 1, "y": 1, "z": 1, "weapons": 2})
    assert caught.value.problems == ("unknown factor 'weapons'",)


def test_out_of_scale_level_raises_scoring_error():
    spec = tiny()
    with pytest.raises(ScoringError) as caught:
        score(spec, {"x": 5, "y": -1, "z": 1})
    assert caught.value.problems == (
        "factor 'x': level 5 is outside its scale 0..4",
        "factor 'y': level -1 is outside its scale 0..4",
    )


def test_other_scoring_errors_name_the_factor():
    spec = tiny()
    with pytest.raises(ScoringError) as caught:
        score(spec, {"x": 1, "y": True}, {"x": "4A", "q": "1A"})
    problems = caught.value.problems
    assert "factor 'y': level must be a whole number, not True" in problems
    assert "factor 'z': no level given" in problems
    assert any(p.startswith("factor 'x': evidence grade '4A' is not valid") for p in problems)
    assert "evidence grade given for unknown factor 'q'" in problems
    with pytest.raises(ScoringError, match="'x'"):
        score(spec, {"x": 1.5, "y": 1, "z": 1})


def test_division_by_zero_while_scoring_is_a_scoring_error():
    spec = tiny(formula="z / (2 * x + 2 * y - 1)")  # fine with every factor at 0 or at its top
    with pytest.raises(ScoringError, match=r"divides by zero for these levels$"):
        score(spec, {"x": 1, "y": 1, "z": 4})
    with pytest.raises(ScoringError, match="when factor 'x' is set to 0"):
        score(spec, {"x": 2, "y": 2, "z": 4})


# ------------------------------------------------------------------------------------------ validation


def test_a_valid_small_method_loads():
    spec = tiny()
    assert spec.formula == "0.5 * x + 0.5 * max(y, z)"
    assert [g.factors for g in spec.groups] == [("x", "y"), ("z",)]
    assert spec.factor("x").descriptor(3) == "x at level 3"


def test_missing_scale():
    assert_problem(
        method_text(factors=FACTORS + factor("w", "g2", scale=False)),
        "factor 'w': missing required key 'scale'",
    )


def test_level_without_descriptor():
    bad = factor("weapons", "g2").replace('3 = "weapons at level 3"', '3 = ""')
    assert_problem(method_text(factors=FACTORS + bad), "factor 'weapons': level 3 has no descriptor")


def test_levels_not_contiguous_from_zero():
    gap = factor("w", "g2", levels=(0, 1, 3))
    assert_problem(method_text(factors=FACTORS + gap), "factor 'w': level 2 has no descriptor")
    from_one = factor("w", "g2", levels=(1, 2, 3))
    assert_problem(method_text(factors=FACTORS + from_one), "factor 'w': level 0 has no descriptor")
    only_zero = factor("w", "g2", levels=(0,))
    assert_problem(method_text(factors=FACTORS + only_zero), "factor 'w': scale needs at least two levels")
    negative = factor("w", "g2", levels=(0, 1)) + '"-1" = "below"\n'
    assert_problem(method_text(factors=FACTORS + negative), "factor 'w': level -1 is below 0")
    word = factor("w", "g2", levels=(0, 1)) + 'high = "text"\n'
    assert_problem(method_text(factors=FACTORS + word), "factor 'w': scale key 'high' is not a level number")
    not_a_table = factor("w", "g2", scale=False, extra='scale = ["a", "b"]\n')
    assert_problem(method_text(factors=FACTORS + not_a_table), "factor 'w': 'scale' must be a table")


def test_factor_in_unknown_group():
    assert_problem(
        method_text(factors=FACTORS + factor("w", "nope")), "factor 'w': group 'nope' is not a declared group"
    )


def test_group_with_no_factors():
    extra_group = GROUPS + '\n[[groups]]\ncode = "g3"\nname = "Empty"\ndescription = "No factors."\n'
    assert_problem(method_text(groups=extra_group), "group 'g3' has no factors")


def test_duplicate_codes():
    assert_problem(method_text(factors=FACTORS + factor("x", "g2")), "factor code 'x' is used more than once")
    dup_group = GROUPS + '\n[[groups]]\ncode = "g1"\nname = "Again"\ndescription = "Again."\n'
    assert_problem(method_text(groups=dup_group), "group code 'g1' is used more than once")
    assert_problem(
        method_text(factors=FACTORS + factor("g1", "g2")), "code 'g1' is used by both a group and a factor"
    )
    assert_problem(method_text(tiers=TIERS + tier("1", 0, 10)), "tier code '1' is used more than once")


def test_bad_codes():
    assert_problem(
        method_text(factors=FACTORS + factor("Bad Code", "g2")), "factor 'Bad Code': code must start"
    )
    assert_problem(method_text(factors=FACTORS + factor("max", "g2")), "factor 'max': code is reserved")


def test_unknown_name_in_formula():
    assert_problem(method_text(formula="x * xyz"), "formula refers to unknown factor or group 'xyz'")


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("x ** 2", "formula: power (**) is not allowed (in 'x ** 2')"),
        ("x % 2", "remainder (%)"),
        ("x // 2", "floor division (//)"),
        ("abs(x)", "formula: function 'abs' is not allowed"),
        (
            "__import__('os').system('ls')",
            "attribute access (.) is not allowed (in '__import__('os').system')",
        ),
        ("open('x')", "function 'open' is not allowed"),
        ("x if y else z", "conditional expression (if/else) is not allowed"),
        ("x < y", "comparison is not allowed"),
        ("x and y", "'and'/'or' is not allowed"),
        ("x.real", "attribute access (.) is not allowed"),
        ("g1[0]", "indexing ([]) is not allowed"),
        ("(lambda: 1)()", "lambda is not allowed"),
        ("'text'", "only numbers and names are allowed, not 'text'"),
        ("True * x", "only numbers and names are allowed, not True"),
        ("+x", "unary plus is not allowed"),
        ("max(x, key=y)", "keyword arguments is not allowed"),
        ("max(*x)", "unpacking (*) is not allowed"),
        ("max()", "'max()' needs at least one argument"),
        ("max * x", "function 'max' must be called"),
        ("[x, y]", "a list is not allowed"),
        ("x +", "formula is not a valid expression"),
        ("", "formula is empty"),
        ("(x := 1)", "assignment (:=) is not allowed"),
    ],
)
def test_disallowed_formula_syntax(formula, expected):
    assert_problem(method_text(formula=formula), expected)


def test_formula_must_give_zero_to_one():
    assert_problem(method_text(formula="x - 1"), "formula gives -1 when every factor is at 0")
    assert_problem(method_text(formula="x + 1"), "formula gives 2 when every factor is at its highest level")
    assert_problem(
        method_text(formula="100 * x"), "formula gives 100 when every factor is at its highest level"
    )
    assert_problem(method_text(formula="x / y"), "formula divides by zero when every factor is at 0")


def test_formula_may_span_lines_and_is_normalised():
    text = method_text(formula=None).replace(
        'description = "A small method for tests."',
        'description = "A small method for tests."\nformula = """\n0.5*x\n  + 0.5*max(y,z)\n"""',
    )
    assert load_method(text).formula == "0.5 * x + 0.5 * max(y, z)"


@pytest.mark.parametrize(
    ("tiers", "expected"),
    [
        (tier("1", 50, 120) + tier("2", 0, 50), "tier '1': max 120 is outside 0..100"),
        (tier("1", 50, 100) + tier("2", -5, 50), "tier '2': min -5 is outside 0..100"),
        (tier("1", 40, 100) + tier("2", 0, 50), "tiers '2' and '1' overlap from 40 to 50"),
        (tier("1", 60, 100) + tier("2", 0, 50), "tiers leave a gap from 50 to 60"),
        (tier("1", 50, 100) + tier("2", 10, 50), "tiers leave a gap from 0 to 10"),
        (tier("1", 50, 90) + tier("2", 0, 50), "tiers leave a gap from 90 to 100"),
        (tier("1", 50, 50) + tier("2", 0, 50), "tier '1': min 50 must be below max 50"),
        ('\n[[tiers]]\ncode = "1"\nmin = 0\nmax = 100\n', "tier '1': missing required key 'name'"),
        ('\n[[tiers]]\ncode = "1"\nname = "x"\nmin = "0"\nmax = 100\n', "tier '1': 'min' must be a number"),
    ],
)
def test_tier_problems(tiers, expected):
    assert_problem(method_text(tiers=tiers), expected)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("1 = 1.0", "1 = 1.5", "confidence.source: '1' is 1.5, outside 0..1"),
        ("E = 0.0", "E = -0.1", "confidence.assessment: 'E' is -0.1, outside 0..1"),
        ("3 = 0.25", "", "confidence.source: missing weight for '3'"),
        ("3 = 0.25", "3 = 0.25\n4 = 0.1", "confidence.source: '4' is not one of the source evaluation codes"),
        (
            "C = 0.6",
            "C = 0.9",
            "confidence.assessment: weight for 'C' (0.9) is above the weight for 'B' (0.8)",
        ),
        ("A = 1.0", 'A = "high"', "confidence.assessment: 'A' must be a number"),
        ("high = 0.7", "high = 7", "confidence.bands: 'high' is 7, outside 0..1"),
        ("medium = 0.4", "medium = 0.8", "confidence.bands: 'medium' (0.8) must be below 'high' (0.7)"),
        ("medium = 0.4", "", "confidence.bands: missing required key 'medium'"),
    ],
)
def test_confidence_problems(old, new, expected):
    assert old in CONFIDENCE
    assert_problem(method_text(confidence=CONFIDENCE.replace(old, new)), expected)


@pytest.mark.parametrize("key", ["code", "name", "version", "description"])
def test_missing_required_top_level_keys(key):
    header = "".join(line + "\n" for line in HEADER.splitlines() if not line.startswith(key))
    assert_problem(method_text(header=header), f"method: missing required key '{key}'")


def test_missing_required_sections():
    assert_problem(method_text(formula=None), "method: missing required key 'formula'")
    assert_problem(method_text(confidence=""), "method: missing required key 'confidence'")
    assert_problem(method_text(tiers=""), "method: missing required key 'tiers'")
    assert_problem(method_text(factors=""), "method: missing required key 'factors'")
    no_name = GROUPS.replace('name = "Group one"\n', "")
    assert_problem(method_text(groups=no_name), "group 'g1': missing required key 'name'")
    assert_problem(
        method_text(factors=FACTORS + factor("w", "g2", extra="weight = 2\n")),
        "factor 'w': unknown key 'weight'",
    )


def test_other_header_problems():
    assert_problem(
        method_text(header=HEADER.replace("version = 1", "version = 0")), "'version' must be a whole"
    )
    assert_problem(method_text(header=HEADER + "\ntier = 3\n"), "method: unknown key 'tier'")
    assert problems_of("code = [")[0].startswith("the method file is not valid TOML")


def test_every_problem_is_listed_at_once():
    bad_factor = factor("weapons", "nope", levels=(0, 1, 2, 4))
    text = method_text(
        header=HEADER.replace("version = 1\n", ""),
        formula="x ** 2 + xyz",
        factors=FACTORS + bad_factor,
        tiers=tier("1", 40, 100) + tier("2", 0, 50),
        confidence=CONFIDENCE.replace("1 = 1.0", "1 = 2.0"),
    )
    with pytest.raises(MethodError) as caught:
        load_method(text)
    problems = caught.value.problems
    for expected in (
        "method: missing required key 'version'",
        "factor 'weapons': group 'nope' is not a declared group",
        "factor 'weapons': level 3 has no descriptor",
        "formula: power (**) is not allowed (in 'x ** 2')",
        "formula refers to unknown factor or group 'xyz'",
        "confidence.source: '1' is 2, outside 0..1",
        "tiers '2' and '1' overlap from 40 to 50",
    ):
        assert any(expected in p for p in problems), (expected, problems)
    assert all(f"- {p}" in str(caught.value) for p in problems)


# ----------------------------------------------------------------------------------------- fingerprint


def test_fingerprint_is_stable():
    a, b = tiny(), tiny()
    assert a.fingerprint == b.fingerprint
    assert len(a.fingerprint) == 64
    assert int(a.fingerprint, 16) >= 0
    default_text = DEFAULT_METHOD_FILE.read_text(encoding="utf-8")
    assert load_method(default_text).fingerprint == load_default_method().fingerprint


def test_fingerprint_ignores_layout_but_not_content():
    base = tiny().fingerprint
    # comments, blank lines, table order and formula spacing are not content
    assert load_method("# a comment\n\n" + method_text()).fingerprint == base
    assert load_method(method_text(tiers=tier("2", 0, 50) + tier("1", 50, 100))).fingerprint == base
    assert tiny(formula="0.5*x+0.5*max(y,z)").fingerprint == base
    assert load_method(method_text(tiers=tier("1", 50.0, 100) + tier("2", 0, 50.0))).fingerprint == base
    # anything that changes what the method says does change it
    changed = [
        method_text(header=HEADER.replace("version = 1", "version = 2")),
        method_text(header=HEADER.replace("tests.", "tests!")),
        method_text(formula="0.5 * x + 0.5 * max(y, z) * 1.0"),
        method_text(confidence=CONFIDENCE.replace("D = 0.4", "D = 0.3")),
        method_text(tiers=tier("1", 55, 100) + tier("2", 0, 55)),
        method_text(factors=FACTORS.replace("x at level 3", "x at level three")),
    ]
    fingerprints = {load_method(text).fingerprint for text in changed}
    assert base not in fingerprints
    assert len(fingerprints) == len(changed)


def test_spec_and_result_are_immutable():
    spec = tiny()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.version = 2  # type: ignore[misc]
    result = score(spec, {"x": 1, "y": 1, "z": 1})
    with pytest.raises(TypeError):
        result.group_values["g1"] = 1.0  # type: ignore[index]
    assert spec.canonical_json() == tiny().canonical_json()


def test_an_invalid_factor_does_not_also_empty_its_group():
    bad_z = FACTORS.replace('4 = "z at level 4"\n', '4 = ""\n')
    problems = problems_of(method_text(factors=bad_z))
    assert problems == ("factor 'z': level 4 has no descriptor",)
