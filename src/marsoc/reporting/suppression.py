"""Small-number suppression for the Board's tables, so that no report lets a reader count fewer than five
people they may not see.

The rule (docs/reporting.md):

- **Primary.** A count from 1 to 4 is withheld. A true zero is shown (it reveals nothing about anyone).
- **Secondary.** A table publishes totals (a hub's row adds up to its total; the hubs add up to the
  national figure). Where a line (its parts and its total) has exactly one unknown cell, and that cell is
  protected, the reader could work it out by subtraction, so the smallest other non-zero cell of that
  line is withheld as well, and is protected in turn; repeated until no line gives a protected cell away.
  Likewise where a line's total is known and its unknown cells together come to 1 to 4 people the
  viewer may not see (the reader would learn that small sum).
- **Unknown to the reader** are the withheld cells and the cells a table never shows (for a hub manager,
  the rest of the country beside their hub: only their hub and the national figure are shown).
- **Exempt** cells are those the viewer may see the people of (a hub manager's own hub): they are shown
  exactly and never withheld, since withholding them would hide nothing from this viewer.
- One mark, "withheld", for both reasons, so a reader cannot tell a small count from a secondary one.

Quarterly figures of monthly flows add up over months too: a cell withheld in any of its months is
withheld in the quarter (`forced`), then the quarter's table is suppressed as any other.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

SMALL_COUNT = 5
WITHHELD = "withheld"

Cell = tuple[str, str]  # (row, column)


@dataclass(frozen=True)
class Line:
    """Cells that add up to `total` (a row and its total, or a column and its national figure)."""

    parts: tuple[Cell, ...]
    total: Cell

    @property
    def cells(self) -> tuple[Cell, ...]:
        return (*self.parts, self.total)


@dataclass
class Grid:
    values: Mapping[Cell, int]
    lines: list[Line]
    shown: set[Cell]
    exempt: set[Cell] = field(default_factory=set)
    forced: set[Cell] = field(default_factory=set)


def small(value: int) -> bool:
    return 0 < value < SMALL_COUNT


def withhold(grid: Grid) -> set[Cell]:
    """The shown cells to withhold (primary, forced and secondary)."""
    cells = {c for line in grid.lines for c in line.cells} | set(grid.values) | grid.shown

    def value(c: Cell) -> int:
        return grid.values.get(c, 0)

    protected = {c for c in cells if c not in grid.exempt and (small(value(c)) or c in grid.forced)}
    withheld = protected & grid.shown
    changed = True
    while changed:
        changed = False
        for line in grid.lines:
            if not _gives_away(line, withheld, protected, grid, value):
                continue
            candidates = sorted(
                (c for c in line.cells if c in grid.shown and c not in withheld and c not in grid.exempt),
                key=lambda c: (value(c) == 0, value(c), c),
            )
            if not candidates:
                continue  # every other cell is exempt: this viewer may see them all anyway
            withheld.add(candidates[0])
            protected.add(candidates[0])
            changed = True
    return withheld


def _gives_away(
    line: Line, withheld: set[Cell], protected: set[Cell], grid: Grid, value: Callable[[Cell], int]
) -> bool:
    """Could a reader work out something protected from this line? Either its one unknown cell is
    protected, or its total is known and the unknown parts together are 1 to 4 people the viewer may
    not see (the rest of the country beside a hub manager's hub, say)."""
    unknown = [c for c in line.cells if c in withheld or c not in grid.shown]
    if len(unknown) == 1 and unknown[0] in protected:
        return True
    if line.total in unknown:
        return False
    others = [c for c in unknown if c not in grid.exempt]
    return bool(others) and small(sum(value(c) for c in others))


def hub_grid(
    values: Mapping[Cell, int],
    *,
    rows: Iterable[str],
    columns: Iterable[str],
    national: str,
    shown_rows: Iterable[str],
    exempt_rows: Iterable[str] = (),
    total_column: str | None = None,
    forced: Iterable[Cell] = (),
) -> Grid:
    """A hubs × columns table with the national row (the sum of `rows`) and, when `total_column` is
    given, a total column that each row's columns add up to."""
    rows, columns = list(rows), list(columns)
    all_columns = [*columns, *([total_column] if total_column else [])]
    lines = [Line(tuple((r, c) for r in rows), (national, c)) for c in all_columns]
    if total_column:
        lines += [Line(tuple((r, c) for c in columns), (r, total_column)) for r in [*rows, national]]
    shown_set = {(r, c) for r in [*shown_rows, national] for c in all_columns}
    exempt = {(r, c) for r in exempt_rows for c in all_columns}
    return Grid(values=values, lines=lines, shown=shown_set, exempt=exempt, forced=set(forced))


def published(grid: Grid) -> dict[Cell, int | None]:
    """The shown cells with the value a reader sees (None: withheld)."""
    hidden = withhold(grid)
    return {c: (None if c in hidden else grid.values.get(c, 0)) for c in grid.shown}


def a_cell(a: str) -> str:
    """The column of a cross-tabulation's margin for part `a` (a tier, say)."""
    return f"a:{a}"


def b_cell(b: str) -> str:
    """The column of a cross-tabulation's margin for part `b` (a lifecycle phase, say)."""
    return f"b:{b}"


def cross_grid(
    per_hub: Mapping[Cell, int],
    *,
    rows: Iterable[str],
    a_codes: Iterable[str],
    b_codes: Iterable[str],
    national: str,
    total: str,
    shown_rows: Iterable[str],
    exempt_rows: Iterable[str] = (),
    hub_a: bool = False,
    hub_b: bool = False,
    forced: Iterable[Cell] = (),
) -> Grid:
    """One grid for a cross-tabulation of hubs × a × b (`per_hub` holds (hub, "a|b") counts): each hub's
    a × b cells (never shown), each hub's and the national a and b margins and total, and the national
    a × b cells. Shown: the national cells, and the shown hubs' a margins (`hub_a`) and b margins
    (`hub_b`) with their totals. Every line that adds up is a line of the grid, so the hubs' tables and
    the national cross-table are suppressed together and none gives away what another withheld."""
    rows, a_codes, b_codes = list(rows), list(a_codes), list(b_codes)
    values: dict[Cell, int] = {}
    everywhere = [*rows, national]
    for code in rows:
        for a in a_codes:
            for b in b_codes:
                values[(code, f"{a}|{b}")] = per_hub.get((code, f"{a}|{b}"), 0)
    for a in a_codes:
        for b in b_codes:
            values[(national, f"{a}|{b}")] = sum(values[(code, f"{a}|{b}")] for code in rows)
    for code in everywhere:
        for a in a_codes:
            values[(code, a_cell(a))] = sum(values[(code, f"{a}|{b}")] for b in b_codes)
        for b in b_codes:
            values[(code, b_cell(b))] = sum(values[(code, f"{a}|{b}")] for a in a_codes)
        values[(code, total)] = sum(values[(code, a_cell(a))] for a in a_codes)
    lines = []
    for code in everywhere:
        lines.append(Line(tuple((code, a_cell(a)) for a in a_codes), (code, total)))
        lines.append(Line(tuple((code, b_cell(b)) for b in b_codes), (code, total)))
        lines += [Line(tuple((code, f"{a}|{b}") for b in b_codes), (code, a_cell(a))) for a in a_codes]
        lines += [Line(tuple((code, f"{a}|{b}") for a in a_codes), (code, b_cell(b))) for b in b_codes]
    columns = sorted({c for (_r, c) in values})
    lines += [Line(tuple((code, column) for code in rows), (national, column)) for column in columns]
    shown = {(national, c) for c in columns}
    margins = ([a_cell(a) for a in a_codes] if hub_a else []) + (
        [b_cell(b) for b in b_codes] if hub_b else []
    )
    if margins:
        shown |= {(code, c) for code in shown_rows for c in [*margins, total]}
    exempt_set = set(exempt_rows)
    exempt = {cell for cell in values if cell[0] in exempt_set}
    return Grid(values=values, lines=lines, shown=shown, exempt=exempt, forced=set(forced))
