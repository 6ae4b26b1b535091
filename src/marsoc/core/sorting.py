"""Sorting a list by the column a reader picks, written once for every sortable list.

A list declares its sortable columns as a whitelist (`SortOrder`): each key a reader may put in the query
string (`?sort=name`, `?sort=-name` for the reverse) and the database fields or expressions it orders by.
The selector turns a reader's choice into an ORDER BY that always ends with a unique tie-breaker, so rows
with equal values keep one order from page to page; a key that is not on the whitelist is never passed to
the database: it is ignored and the page says so (`Sort.unknown`). The `{% table %}` tag draws the
headings as links that sort by their column (MoJ sortable table markup, `aria-sort` on the heading), so
sorting works without JavaScript and over the whole list, not just the page shown.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Expression, F, OrderBy

Orderable = str | Expression

# A sort the reader asked for is a key and nothing else: at most this long, letters, digits and _.
_MAX_KEY = 30


@dataclass(frozen=True)
class Sort:
    """A reader's sort: a whitelisted column and its direction, or the list's own order (`key` "")."""

    key: str = ""
    descending: bool = False
    unknown: str = ""  # what the reader asked for when it is not a column of the list (shown on the page)

    @property
    def param(self) -> str:
        """As the query string writes it: "name", "-name", or "" for the list's own order."""
        return f"-{self.key}" if self.key and self.descending else self.key


@dataclass(frozen=True)
class SortOrder:
    """The sortable columns of one list.

    `columns` maps each key to what it orders by, ascending (a field name, "-" first for a field that
    runs the other way, or an expression; the reverse sorts each the other way). `first_descending` names the keys whose first click sorts the highest first
    (scores, dates: newest first), as a reader expects. Empty values (NULL) come last either way, on
    SQLite as on PostgreSQL. `tiebreak` is a unique field ending every ORDER BY."""

    columns: Mapping[str, tuple[Orderable, ...]]
    tiebreak: str = "id"
    first_descending: frozenset[str] = field(default_factory=frozenset)

    def parse(self, raw: object) -> Sort:
        """The reader's `sort` value as a Sort; anything not on the whitelist gives the list's own order
        with `unknown` saying what was asked for (cut short, as it is shown back)."""
        text = str(raw or "").strip()
        if not text:
            return Sort()
        key = text.removeprefix("-")
        if key in self.columns:
            return Sort(key, text.startswith("-"))
        return Sort(unknown=text[:_MAX_KEY])

    def order_by(self, sort: Sort, default: tuple[Any, ...] = ()) -> tuple[Any, ...]:
        """The ORDER BY for `sort`: its column's expressions then the tie-breaker, in its direction;
        `default` (the list's own order) when no column was chosen."""
        if not sort.key:
            return default
        out: list[OrderBy] = []
        for item in (*self.columns[sort.key], self.tiebreak):
            descending = sort.descending
            expression: Expression | F
            if isinstance(item, str):
                descending ^= item.startswith("-")  # "-score": highest first when the column ascends
                expression = F(item.removeprefix("-"))
            else:
                expression = item
            out.append(expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True))
        return tuple(out)

    @property
    def choices(self) -> list[str]:
        """Every value `sort` may take, both directions (for an API's enumeration)."""
        return [param for key in self.columns for param in (key, f"-{key}")]


@dataclass(frozen=True)
class SortLinks:
    """What the `{% table %}` tag needs to draw sortable headings: the sort shown and the list's other
    parameters (its filters, without the sort and the page), so a heading's link keeps the filters and
    starts again at the first page."""

    order: SortOrder
    sort: Sort
    query: str  # urlencoded, without sort and page
    default_key: str = ""  # the column the list's own order follows, marked as sorted when none is chosen
    default_descending: bool = False

    def state(self, key: str) -> str:
        """The heading's aria-sort: ascending, descending or none."""
        shown = self.sort if self.sort.key else Sort(self.default_key, self.default_descending)
        if shown.key != key:
            return "none"
        return "descending" if shown.descending else "ascending"

    def href(self, key: str) -> str:
        """The heading's link: the other direction when it is the sorted column, else its first direction."""
        state = self.state(key)
        descending = key in self.order.first_descending if state == "none" else state == "ascending"
        param = f"-{key}" if descending else key
        return "?" + "&".join(part for part in (self.query, f"sort={param}") if part)
