"""Match explanations and date formats in the words reviewers and importers read."""

from marsoc.linkage.explain import comparison_label, level_label, plain_explanation
from marsoc.linkage.feeds import date_format_words


def test_splink_levels_in_plain_english():
    assert level_label("Damerau-Levenshtein distance of dob <= 1") == (
        "Date of birth differs by at most 1 typing slip (a wrong, missing, extra or swapped character)"
    )
    assert level_label("Exact match on first_name") == "The same first name"
    assert (
        level_label("Jaro-Winkler distance of surname >= 0.92")
        == "Surname spelt similarly (similarity 92% or more)"
    )
    assert level_label("dob is NULL") == "Missing in one record or both"
    assert level_label("All other comparisons") == "Different"
    assert level_label("Nickname of the same name") == "Nickname of the same name"  # ours already
    assert comparison_label("first_name") == "First name" and comparison_label("dob") == "Date of birth"


def test_plain_explanation_keeps_weights_and_orders_by_strength():
    rows = plain_explanation(
        [
            {"comparison": "sex", "level": "Exact match on sex", "weight": 0.3},
            {"comparison": "dob", "level": "Damerau-Levenshtein distance of dob <= 1", "weight": -2.5},
        ]
    )
    assert [r["comparison"] for r in rows] == ["Date of birth", "Sex"] and rows[0]["weight"] == -2.5
    assert all("_" not in str(r["comparison"]) and "<=" not in str(r["level"]) for r in rows)


def test_date_formats_said_in_words():
    assert date_format_words("%d/%m/%Y") == "day/month/year, e.g. 31/01/1990"
    assert date_format_words("%Y-%m-%d") == "year-month-day, e.g. 1990-01-31"
