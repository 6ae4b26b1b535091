"""Charts drawn on the server with matplotlib into SVG (docs/decisions/0017-reporting-charts.md).

A chart is an image with a text alternative: the page shows it as an <img> (the SVG as a data: address, so
the page's content security policy needs no inline styles) with a title, a description that says what
the chart shows in words, and the same figures as a table behind it. Withheld figures are gaps, never
drawn as a value. No fonts or scripts are fetched: matplotlib's own DejaVu Sans is used, text kept as
text in the SVG."""

import base64
import io
from dataclasses import dataclass
from datetime import date

import matplotlib
import numpy

matplotlib.use("svg")  # no display, no GUI toolkit

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .selectors import Trend

# GOV.UK colour palette, in an order that stays distinguishable for common colour blindness.
COLOURS = ["#1d70b8", "#d4351c", "#00703c", "#f47738", "#4c2c92", "#505a5f"]
matplotlib.rcParams.update(
    {"svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 10, "svg.hashsalt": "marsoc"}
)


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    svg: str

    @property
    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode()).decode()


def _svg(fig: Figure) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def _titled(svg: str, title: str, description: str) -> str:
    """Put the title and description inside the SVG too, for whoever opens it on its own."""
    from html import escape

    end = svg.find(">", svg.find("<svg")) + 1
    return svg[:end] + f"<title>{escape(title)}</title><desc>{escape(description)}</desc>" + svg[end:]


def line_chart(
    *,
    key: str,
    title: str,
    description: str,
    trend: Trend,
    y_label: str,
    percent: bool = False,
    reference: float | None = None,
) -> Chart:
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    x = list(range(len(trend.months)))
    for i, series in enumerate(trend.series):
        ys = [float("nan") if v is None else v for v in series.values]
        ax.plot(
            x, ys, marker="o", markersize=3, linewidth=2, color=COLOURS[i % len(COLOURS)], label=series.label
        )
    if reference is not None:  # e.g. a relative rate index of 1: the same rate as the population
        ax.axhline(reference, color="#505a5f", linewidth=1, linestyle="--")
    return _monthly(
        fig, ax, trend, y_label, (0, 100) if percent else None, Chart(key, title, description, "")
    )


def bar_chart(
    *, key: str, title: str, description: str, labels: list[str], values: list[float | None], x_label: str
) -> Chart:
    """Horizontal bars, one a row (hubs); a withheld value is written as such, with no bar."""
    fig = Figure(figsize=(7.5, 0.35 * len(labels) + 1))
    ax = fig.add_subplot()
    y = list(range(len(labels)))[::-1]
    ax.barh(y, [0 if v is None else v for v in values], color=COLOURS[0])
    for yi, v in zip(y, values, strict=True):
        ax.text((v or 0) + 1, yi, "withheld" if v is None else f"{v:.0f}%", va="center", fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 110)
    ax.set_xlabel(x_label)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(key, title, description, _titled(_svg(fig), title, description))


def stacked_bar_chart(*, key: str, title: str, description: str, trend: Trend, y_label: str) -> Chart:
    """One bar a month, one colour a category; a withheld figure adds nothing and its month is marked
    with a hollow bar outline so a gap is not read as a zero."""
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    x = list(range(len(trend.months)))
    bottom = [0.0] * len(x)
    for i, series in enumerate(trend.series):
        heights = [0.0 if v is None else v for v in series.values]
        ax.bar(x, heights, bottom=bottom, color=COLOURS[i % len(COLOURS)], label=series.label, width=0.8)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    withheld = [xi for xi in x if any(s.values[xi] is None for s in trend.series)]
    if withheld:
        top = max(bottom) or 1
        ax.bar(
            withheld,
            [top * 0.04] * len(withheld),
            bottom=[bottom[xi] for xi in withheld],
            width=0.8,
            fill=False,
            edgecolor="#505a5f",
            linestyle=":",
            linewidth=1,
            label="Some figures withheld",
        )
    return _monthly(fig, ax, trend, y_label, None, Chart(key, title, description, ""))


def hub_grid_chart(
    *,
    key: str,
    title: str,
    description: str,
    hubs: list[str],
    months: list[date],
    values: list[list[int | None]],
) -> Chart:
    """The hubs side by side: one row a hub, one column a month, darker for more; withheld cells are
    left grey (no pattern: the PDF pack draws the same SVG, and fpdf2 draws no SVG patterns)."""
    fig = Figure(figsize=(7.5, 0.32 * len(hubs) + 1.2))
    ax = fig.add_subplot()
    known = [v for row in values for v in row if v is not None]
    top = max(known, default=1) or 1
    # One mesh, not a patch a cell: the grid is drawn in a fraction of the time. Withheld is "bad".
    cmap = matplotlib.colormaps["Blues"].with_extremes(bad="#dddddd")
    shades = numpy.ma.masked_invalid(
        [[numpy.nan if v is None else 0.15 + 0.85 * v / top for v in row] for row in values]
    )
    ax.pcolormesh(shades, cmap=cmap, vmin=0, vmax=1, edgecolors="white", linewidth=0.5)
    ax.set_xlim(0, len(months))
    ax.set_ylim(len(hubs), 0)
    ax.set_yticks([i + 0.5 for i in range(len(hubs))], hubs)
    step = max(1, len(months) // 8)
    ax.set_xticks([i + 0.5 for i in range(0, len(months), step)], [_month(m) for m in months[::step]])
    ax.spines[["top", "right", "left", "bottom"]].set_visible(False)
    ax.tick_params(length=0)
    ax.set_xlabel(f"Darkest blue: {top} people; grey: withheld")
    return Chart(key, title, description, _titled(_svg(fig), title, description))


def _monthly(
    fig: Figure, ax: Axes, trend: Trend, y_label: str, limits: tuple[float, float] | None, blank: Chart
) -> Chart:
    """The month axis, labels, grid and legend every monthly chart shares, and the finished SVG."""
    x = list(range(len(trend.months)))
    step = max(1, len(x) // 8)
    ax.set_xticks(x[::step], [_month(m) for m in trend.months[::step]])
    ax.set_ylabel(y_label)
    if limits:
        ax.set_ylim(*limits)
    else:
        ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    svg = _titled(_svg(fig), blank.title, blank.description)
    return Chart(blank.key, blank.title, blank.description, svg)


def _month(m: date) -> str:
    return f"{m:%b %y}"


def category_stacked_chart(
    *,
    key: str,
    title: str,
    description: str,
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    x_label: str,
) -> Chart:
    """Horizontal stacked bars, one a category (a lifecycle phase, say), one colour a part (a tier). A
    withheld part adds nothing and its bar is marked "some withheld", so a gap is not read as a zero."""
    fig = Figure(figsize=(7.5, 0.45 * len(labels) + 1.2))
    ax = fig.add_subplot()
    y = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for i, (name, values) in enumerate(series):
        widths = [0.0 if v is None else v for v in values]
        ax.barh(y, widths, left=left, color=COLOURS[i % len(COLOURS)], label=name, height=0.7)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    for j, yi in enumerate(y):
        if any(values[j] is None for _name, values in series):
            ax.text(left[j], yi, "  some withheld", va="center", fontsize=8, color="#505a5f")
    ax.set_yticks(y, labels)
    ax.set_xlabel(x_label)
    ax.set_xlim(0, (max(left, default=0) or 1) * 1.25)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    return Chart(key, title, description, _titled(_svg(fig), title, description))
