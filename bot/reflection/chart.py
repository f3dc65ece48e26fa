"""The year's bowling chart as a PNG worth printing: one row per objective, twelve months.

Each cell is one month of one objective: the actual over the plan, filled green, amber or red
by the rule in bot/review/bowling.py, grey when a check-in was due and none came, white when the month
had not come yet. Rendered with matplotlib's Agg backend (no display, no pyplot state, so
threads may render at once), with fixed fonts and no timestamp: the same year gives the same
bytes.

One image holds at most MAX_ROWS rows: that prints on one A3 page, previews well in Slack and
renders in well under 2 s (matplotlib draws some 500-1,000 cell labels a second on a small
machine, so a 1,000-row image would take 15 s and be 34,000 px tall). A plan with more annual objectives
shows the first MAX_ROWS - 1 in plan order and a last row saying how many more there are; the
reports (`hoshin report`) list every objective's months as a table as well.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.periods import MONTH_NAMES, parse_period
from bot.review.model import BowlingMonth, Colour

MAX_ROWS = 40
FILL = {
    Colour.GREEN: "#3fa34d",
    Colour.AMBER: "#f2b134",
    Colour.RED: "#d64541",
}
MISSING = "#c8c8c8"  # due, no check-in
NOT_YET = "#ffffff"
# Layout in inches: a label column, then twelve month columns.
LABEL_WIDTH = 3.6
CELL_WIDTH = 0.78
ROW_HEIGHT = 0.34
HEAD = 0.95
FOOT = 0.55
DPI = 100
TITLE_CHARS = 34


@dataclass(frozen=True)
class ChartRow:
    ref: str
    title: str
    months: Sequence[BowlingMonth]
    due: Sequence[bool]


def _fill(month: BowlingMonth, due: bool) -> str:
    if month.colour in FILL:
        return FILL[month.colour]
    return MISSING if due else NOT_YET


def _number(value: float | None) -> str:
    if value is None:
        return "–"
    if not math.isfinite(value) or abs(value) >= 1_000_000:
        return f"{value:.3g}"  # a cell holds a few characters: 1.23e+06, and 1e+308 stored long ago
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}".rstrip("0").rstrip(".")


def _label(row: ChartRow) -> str:
    title = row.title if len(row.title) <= TITLE_CHARS else row.title[: TITLE_CHARS - 1] + "…"
    return f"{row.ref}  {title}"


def render(rows: Sequence[ChartRow], *, title: str, periods: Sequence[str]) -> bytes:
    """One PNG of up to MAX_ROWS rows (the rest summed up in a last row)."""
    rows = list(rows)
    more = 0
    if len(rows) > MAX_ROWS:
        more = len(rows) - (MAX_ROWS - 1)
        rows = rows[: MAX_ROWS - 1]
    return _draw(rows, title=title, periods=periods, more=more)


def _draw(rows: list[ChartRow], *, title: str, periods: Sequence[str], more: int) -> bytes:
    # matplotlib is loaded when a chart is drawn, not when the jobs are (it takes ~0.3 s).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    shown = len(rows) + (1 if more else 0) or 1
    width = LABEL_WIDTH + 12 * CELL_WIDTH + 0.3
    height = HEAD + shown * ROW_HEIGHT + FOOT
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    # Axes in data units: x 0..12 over the month columns, y 0..shown downwards.
    left = LABEL_WIDTH / width
    axes = figure.add_axes(
        (left, FOOT / height, 12 * CELL_WIDTH / width, shown * ROW_HEIGHT / height)
    )
    axes.set_xlim(0, 12)
    axes.set_ylim(shown, 0)
    axes.set_axis_off()

    # The fills are one collection of squares (one artist, however many rows).
    cells, fills = [], []
    for y, row in enumerate(rows):
        for x, month in enumerate(row.months[:12]):
            due = row.due[x] if x < len(row.due) else False
            cells.append(
                (
                    (x + 0.04, y + 0.06),
                    (x + 0.96, y + 0.06),
                    (x + 0.96, y + 0.94),
                    (x + 0.04, y + 0.94),
                )
            )
            fills.append(_fill(month, due))
            if month.actual is not None or month.plan is not None:
                axes.text(
                    x + 0.5,
                    y + 0.52,
                    f"{_number(month.actual)} / {_number(month.plan)}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="#111111" if month.colour != Colour.RED else "#ffffff",
                    parse_math=False,
                )
        axes.text(
            -0.12, y + 0.52, _label(row), ha="right", va="center", fontsize=8, parse_math=False
        )
    axes.add_collection(
        PolyCollection(cells, facecolors=fills, edgecolors="#9a9a9a", linewidths=0.4)
    )
    if not rows:
        axes.text(6, 0.5, "No objectives in this year's plan.", ha="center", va="center")
    if more:
        axes.text(
            0.3 / CELL_WIDTH - LABEL_WIDTH / CELL_WIDTH,
            len(rows) + 0.52,
            f"…and {more} more objectives: `hoshin report --format html` has every row",
            ha="left",
            va="center",
            fontsize=8,
            style="italic",
            transform=axes.transData,
        )
    for x, period in enumerate(periods[:12]):
        year, month = parse_period(period)
        label = MONTH_NAMES[month - 1] + (f"\n{year}" if x == 0 or month == 1 else "")
        axes.text(x + 0.5, -0.15, label, ha="center", va="bottom", fontsize=8, weight="bold")
    figure.text(0.3 / width, 1 - 0.3 / height, title, fontsize=13, weight="bold", va="center")
    figure.text(
        0.3 / width,
        1 - 0.58 / height,
        "Each cell: actual / plan of that month",
        fontsize=8,
        color="#444444",
        va="center",
    )
    legend = [
        Patch(facecolor=FILL[Colour.GREEN], label="on track or plan met"),
        Patch(facecolor=FILL[Colour.AMBER], label="at risk or within 5 % of plan"),
        Patch(facecolor=FILL[Colour.RED], label="off track or further off"),
        Patch(facecolor=MISSING, label="no check-in"),
        Patch(facecolor=NOT_YET, edgecolor="#9a9a9a", label="month not reached"),
    ]
    figure.legend(
        handles=legend,
        loc="lower center",
        ncol=5,
        fontsize=7.5,
        frameon=False,
        bbox_to_anchor=(0.5, 0.05 / height),
    )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def size(png: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def cell_point(row: int, month: int, *, rows: int) -> tuple[int, int]:
    """A pixel (x, y) inside a cell, clear of its label: near its top-left corner (for tests)."""
    height = HEAD + rows * ROW_HEIGHT + FOOT
    x = (LABEL_WIDTH + (month + 0.15) * CELL_WIDTH) * DPI
    y = (height - FOOT - rows * ROW_HEIGHT + (row + 0.2) * ROW_HEIGHT) * DPI
    return round(x), round(y)
