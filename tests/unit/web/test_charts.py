"""Server-rendered bar charts: scale, bars and labels."""

from __future__ import annotations

import pytest

from ucauth.web.console.charts import HEIGHT, LEFT, WIDTH, bar_chart


@pytest.mark.parametrize(("top", "scale"), [(0, 4), (1, 4), (4, 4), (5, 8), (9, 20), (30, 40)])
def test_the_scale_is_a_round_number_in_four_whole_steps(top: int, scale: int) -> None:
    chart = bar_chart([("a", top)], label_every=1)
    assert [value for _, value in chart.ticks] == [scale * i // 4 for i in range(5)]


def test_bars_fill_the_width_in_order_and_the_tallest_reaches_its_value() -> None:
    chart = bar_chart([("1", 2), ("2", 8), ("3", 0), ("4", 6)], label_every=2)
    assert chart.total == 16
    assert [bar.title for bar in chart.bars] == ["1: 2", "2: 8", "3: 0", "4: 6"]
    assert chart.bars[0].x >= LEFT and chart.bars[-1].x + chart.bars[-1].width <= WIDTH
    assert chart.bars[1].height == pytest.approx(2 * chart.bars[3].height / 1.5)
    assert chart.bars[2].height == 0
    assert all(bar.y + bar.height == pytest.approx(chart.baseline) for bar in chart.bars)
    assert [text for _, text in chart.labels] == ["1", "3"]
    assert chart.baseline < HEIGHT
