"""Small-number suppression: the rule on worked examples, and a property over random tables that no
protected count can be worked out from one row or column of what is published."""

from hypothesis import given, settings
from hypothesis import strategies as st

from marsoc.reporting.suppression import Grid, a_cell, b_cell, cross_grid, hub_grid, published, withhold

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


# ------------------------------------------------------------------ cross-tabulations (hubs × a × b)

A, B = ["t1", "t2"], ["p1", "p2", "p3"]
cross_counts = st.dictionaries(
    st.tuples(st.sampled_from(HUBS), st.sampled_from([f"{a}|{b}" for a in A for b in B])),
    st.integers(0, 9),
    min_size=1,
)


def _check_lines(grid: Grid, values: dict, own: str | None) -> None:
    """The three guarantees of test_no_published_line_gives_a_protected_count_away, for any grid."""
    hidden = withhold(grid)
    for cell, value in published(grid).items():
        if value is not None and 0 < value < 5:
            assert cell[0] == own, cell
    for line in grid.lines:
        unknown = [c for c in line.cells if c in hidden or c not in grid.shown]
        if len(unknown) == 1:
            value = values.get(unknown[0], 0)
            assert not (0 < value < 5 and unknown[0][0] != own), (line, unknown)
        if line.total not in unknown:
            rest = sum(values.get(c, 0) for c in unknown if c[0] != own)
            assert not 0 < rest < 5, (line, unknown)


@settings(max_examples=200, deadline=None)
@given(
    counts=cross_counts,
    own=st.sampled_from([None, *HUBS]),
    hub_a=st.booleans(),
    hub_b=st.booleans(),
)
def test_no_line_of_a_cross_tabulation_gives_a_protected_count_away(counts, own, hub_a, hub_b):
    grid = cross_grid(
        counts,
        rows=HUBS,
        a_codes=A,
        b_codes=B,
        national="national",
        total="total",
        shown_rows=HUBS if own is None else [own],
        exempt_rows=[] if own is None else [own],
        hub_a=hub_a,
        hub_b=hub_b,
    )
    # The grid's own sums are those of the counts (an independent check of its margins).
    for h in HUBS:
        assert grid.values[(h, "total")] == sum(n for (hub, _c), n in counts.items() if hub == h)
        for a in A:
            assert grid.values[(h, a_cell(a))] == sum(counts.get((h, f"{a}|{b}"), 0) for b in B)
    assert grid.values[("national", b_cell("p2"))] == sum(
        n for (_h, c), n in counts.items() if c.endswith("|p2")
    )
    _check_lines(grid, dict(grid.values), own)


def test_a_cross_tabulation_withholds_a_margin_that_would_give_a_hidden_cell_away():
    # Nationally t1|p1 is 3 (withheld); t1's margin 13 and t1|p2 10 would give it away, so t1|p2 is
    # withheld too (the smallest other of the row).
    counts = {("a", "t1|p1"): 3, ("a", "t1|p2"): 10, ("b", "t2|p3"): 20}
    grid = cross_grid(
        counts, rows=HUBS, a_codes=A, b_codes=B, national="national", total="total", shown_rows=HUBS
    )
    shown = published(grid)
    assert shown[("national", "t1|p1")] is None
    assert shown[("national", "t1|p2")] is None
    assert shown[("national", a_cell("t1"))] == 13
    assert shown[("national", "total")] == 33
