"""The bowling chart PNG: a real image, one row per objective, the right colour in each cell."""

from __future__ import annotations

import io
import time

import matplotlib.image
import pytest

from bot.periods import fiscal_periods
from bot.reflection.chart import (
    FILL,
    MAX_ROWS,
    MISSING,
    NOT_YET,
    ChartRow,
    cell_point,
    render,
    size,
)
from bot.review.bowling import chart
from bot.review.model import Colour, MonthResult

PERIODS = fiscal_periods(2027, 4)
PLAN = [float(m) for m in range(1, 13)]


def rows(n: int, months_due: int = 9) -> list[ChartRow]:
    out = []
    for i in range(n):
        results = {
            p: MonthResult(actual=PLAN[j] + (0, -0.02, -5)[(i + j) % 3])
            for j, p in enumerate(PERIODS[:months_due])
            if (i + j) % 7 != 6  # now and then a month without a check-in
        }
        out.append(
            ChartRow(
                f"AN{i}",
                f"Objective {i} with a long title that is cut short",
                chart(PERIODS, PLAN, results),
                [j < months_due for j in range(12)],
            )
        )
    return out


def decode(png: bytes):
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def hex_at(image, x: int, y: int) -> str:
    r, g, b = (round(float(c) * 255) for c in image[y, x][:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_the_chart_is_a_png_that_grows_a_row_per_objective():
    small, large = (
        render(rows(3), title="t", periods=PERIODS),
        render(rows(13), title="t", periods=PERIODS),
    )
    (w1, h1), (w2, h2) = size(small), size(large)
    assert w1 == w2 and h2 - h1 == 10 * 34  # 0.34 in a row at 100 dpi
    image = decode(large)
    assert image.shape[:2] == (h2, w2)


def test_each_cell_is_filled_by_the_bowling_rule():
    chart_rows = rows(8)
    image = decode(render(chart_rows, title="FY2027", periods=PERIODS))
    checked = 0
    for r, row in enumerate(chart_rows):
        for m, month in enumerate(row.months):
            expected = FILL.get(month.colour) or (MISSING if row.due[m] else NOT_YET)
            assert hex_at(image, *cell_point(r, m, rows=len(chart_rows))) == expected, (r, m)
            checked += 1
    assert checked == 96
    colours = {month.colour for row in chart_rows for month in row.months}
    assert {Colour.GREEN, Colour.AMBER, Colour.RED, Colour.BLANK} <= colours


def test_the_same_year_renders_the_same_bytes():
    assert render(rows(5), title="x", periods=PERIODS) == render(
        rows(5), title="x", periods=PERIODS
    )


def test_a_thousand_rows_are_capped_with_a_last_row_saying_how_many_more():
    started = time.perf_counter()
    png = render(rows(1000), title="FY2027", periods=PERIODS)
    elapsed = time.perf_counter() - started
    assert size(png) == size(render(rows(MAX_ROWS), title="FY2027", periods=PERIODS))
    assert elapsed < 10  # the benchmark measures it properly; this only catches a runaway


def test_no_objectives_still_gives_an_image():
    width, height = size(render([], title="FY2027", periods=PERIODS))
    assert width > 0 and height > 0


def test_size_refuses_what_is_not_a_png():
    with pytest.raises(ValueError):
        size(b"GIF89a" + bytes(30))
