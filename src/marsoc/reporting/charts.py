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

matplotlib.use("svg")  # no display, no GUI toolkit

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
    *, key: str, title: str, description: str, trend: Trend, y_label: str, percent: bool = False
) -> Chart:
    fig = Figure(figsize=(7.5, 3.2))
    ax = fig.add_subplot()
    x = list(range(len(trend.months)))
    for i, series in enumerate(trend.series):
        ys = [float("nan") if v is None else v for v in series.values]
        ax.plot(
            x, ys, marker="o", markersize=3, linewidth=2, color=COLOURS[i % len(COLOURS)], label=series.label
        )
    step = max(1, len(x) // 8)
    ax.set_xticks(x[::step], [_month(m) for m in trend.months[::step]])
    ax.set_ylabel(y_label)
    if percent:
        ax.set_ylim(0, 100)
    else:
        ax.set_ylim(bottom=0)
    ax.grid(axis="y", color="#b1b4b6", linewidth=0.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1, 1))
    return Chart(key, title, description, _titled(_svg(fig), title, description))


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


def _month(m: date) -> str:
    return f"{m:%b %y}"
