"""Server-rendered bar charts (SVG drawn by a template: no script, no inline style)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH, HEIGHT = 1000, 220
LEFT, BOTTOM, TOP = 44, 24, 10


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class BarChart:
    """What ``console/_chart.html`` draws: bars, horizontal grid lines and x-axis labels."""

    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value)
    labels: list[tuple[float, str]]  # (x, text)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM
    total: int = field(default=0)


def bar_chart(values: Sequence[tuple[str, int]], *, label_every: int) -> BarChart:
    """Bars for ``(label, value)`` pairs in order; every ``label_every``-th label is shown."""
    top = max([value for _, value in values] + [1])
    scale = _nice(top)
    plot_height = HEIGHT - BOTTOM - TOP
    step = (WIDTH - LEFT) / max(len(values), 1)
    gap = step * 0.15 if step > 4 else 0
    bars, labels = [], []
    for index, (label, value) in enumerate(values):
        height = plot_height * value / scale
        x = LEFT + index * step
        bars.append(
            Bar(x + gap / 2, HEIGHT - BOTTOM - height, step - gap, height, f"{label}: {value}")
        )
        if index % label_every == 0:
            labels.append((x + step / 2, label))
    ticks = [(HEIGHT - BOTTOM - plot_height * i / 4, scale * i // 4) for i in range(5)]
    return BarChart(bars, ticks, labels, total=sum(value for _, value in values))


def _nice(top: int) -> int:
    """The smallest of 1, 2, 4, 5, 8 × 10^n that is at least ``top`` and divisible by 4 (four
    grid steps of whole numbers)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 4, 5, 8):
            candidate = factor * magnitude
            if candidate >= top and candidate % 4 == 0:
                return candidate
        magnitude *= 10
