"""Small-number suppression: the rule on worked examples, and a property over random tables that no
protected count can be worked out from one row or column of what is published."""

from hypothesis import given, settings
from hypothesis import strategies as st

from marsoc.reporting.suppression import Grid, hub_grid, published, withhold

HUBS = ["a", "b", "c"]


def _grid(counts: dict[tuple[str, str], int], **options) -> Grid:  # type: ignore[no-untyped-def]
    columns = sorted({c for _, c in counts})
    values = dict(counts)
    for col in columns:
        values[("national", col)] = sum(counts.get((h, col), 0) for h in HUBS)
    return hub_grid(values, rows=HUBS, columns=columns, national="national", shown_rows=HUBS, **options)


def test_counts_from_one_to_four_are_withheld_and_zero_is_shown():
    shown = published(_grid({("a", "x"): 3, ("b", "x"): 0, ("c", "x"): 20}))
    assert shown[("a", "x")] is None
    assert shown[("b", "x")] == 0


def test_a_total_that_would_give_a_small_count_away_withholds_another():
    # a=3 is withheld; national 23 and c=20 would give a = 3, so c (the smallest other) is withheld too.
    shown = published(_grid({("a", "x"): 3, ("b", "x"): 0, ("c", "x"): 20}))
    assert shown[("c", "x")] is None
    assert shown[("national", "x")] == 23


def test_a_hub_manager_sees_their_hub_exactly_and_the_rest_of_the_country_cannot_be_worked_out():
    values = {("a", "x"): 2, ("b", "x"): 3, ("c", "x"): 0, ("national", "x"): 5}
    grid = hub_grid(
        values, rows=HUBS, columns=["x"], national="national", shown_rows=["a"], exempt_rows=["a"]
    )
    shown = published(grid)
    assert shown[("a", "x")] == 2  # their own hub's people: exact
    assert shown[("national", "x")] is None  # 5 - 2 would tell them Yorkshire's 3
    assert ("b", "x") not in shown


def test_forced_cells_are_withheld_like_small_ones():
    shown = published(_grid({("a", "x"): 30, ("b", "x"): 40, ("c", "x"): 50}, forced={("a", "x")}))
    assert shown[("a", "x")] is None and shown[("b", "x")] is None
    assert shown[("c", "x")] == 50


counts = st.dictionaries(
    st.tuples(st.sampled_from(HUBS), st.sampled_from(["x", "y", "z"])), st.integers(0, 12), min_size=1
)


@settings(max_examples=300, deadline=None)
@given(counts=counts, own=st.sampled_from([None, *HUBS]), with_total=st.booleans())
def test_no_published_line_gives_a_protected_count_away(counts, own, with_total):
    columns = ["x", "y", "z"]
    values = {(h, c): counts.get((h, c), 0) for h in HUBS for c in columns}
    shown_rows = HUBS if own is None else [own]
    exempt = [] if own is None else [own]
    if with_total:
        for h in HUBS:
            values[(h, "total")] = sum(values[(h, c)] for c in columns)
    for c in [*columns, *(["total"] if with_total else [])]:
        values[("national", c)] = sum(values[(h, c)] for h in HUBS)
    grid = hub_grid(
        values,
        rows=HUBS,
        columns=columns,
        national="national",
        shown_rows=shown_rows,
        exempt_rows=exempt,
        total_column="total" if with_total else None,
    )
    hidden = withhold(grid)
    shown = published(grid)
    # 1. Nothing published is a count of 1 to 4 people the viewer may not see.
    for cell, value in shown.items():
        if value is not None and 0 < value < 5:
            assert cell[0] == own, cell
    # 2. No line (parts and total) has exactly one unknown cell that is a small count of others' people:
    #    it could be solved by subtraction.
    for line in grid.lines:
        unknown = [c for c in line.cells if c in hidden or c not in grid.shown]
        if len(unknown) == 1:
            cell = unknown[0]
            value = values.get(cell, 0)
            assert not (0 < value < 5 and cell[0] != own), (line, unknown)
        # 3. Where the total is published, the unknown parts together are not 1 to 4 others' people.
        if line.total not in unknown:
            rest = sum(values.get(c, 0) for c in unknown if c[0] != own)
            assert not 0 < rest < 5, (line, unknown)
