"""Bar charts drawn on the server as SVG: no script, no CDN, no colour as the only
carrier. Each bar carries its value written above it, each chart its title and a short
description for screen readers (`role="img"`, `<title>`, `<desc>`), and the page shows the
same numbers in a table beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 26, 34


def axis_step(peak: float, *, whole: bool, ticks: int = 5) -> float:
    """The step between a value axis' ticks: 1, 2 or 5 times a power of ten, giving
    about `ticks` ticks up to `peak`. Counts (`whole`) never step below 1: a chart of
    three bookings has ticks 0, 1, 2, 3, not 0.5, 1.5."""
    if peak <= 0:
        return 1
    rough = peak / ticks
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    return max(step, 1 if whole else 0.01)


def axis_top(peak: float, step: float) -> float:
    """The axis' last tick: the first multiple of `step` at or above the peak (at
    least one step, so an empty year still draws an axis)."""
    return max(math.ceil(peak / step - 1e-9), 1) * step


def french_number(value: float, *, money: bool = False) -> str:
    """A chart's tick or label as French readers write it: 1 250, 0,5, 42,49 (the
    thousands grouped by a space, as `reporting/present.py` `number`; euros with both
    decimals or none, as `euros`: 42,50 and 20)."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        return f"{int(rounded):,}".replace(",", " ")
    whole, _, decimals = f"{rounded:,.2f}".partition(".")
    return whole.replace(",", " ") + "," + (decimals if money else decimals.rstrip("0"))


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar ("janv.")
    value: int
    shown: str  # written above the bar ("1 250" or "12,50 €")


def bar_chart(bars: list[Bar], *, title: str, chart_id: str) -> SafeString:
    peak = max((b.value for b in bars), default=0) or 1
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(bars), 1)
    bar_w = step * 0.62
    total = sum(b.value for b in bars)
    desc = "; ".join(f"{b.label} : {b.shown}" for b in bars)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{escape(chart_id)}-t {escape(chart_id)}-d" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-t">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-d">{escape(desc)}</desc>',
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" y2="{TOP + inner_h}" '
        'class="chart-axis"/>',
    ]
    for i, bar in enumerate(bars):
        h = 0 if total == 0 else inner_h * bar.value / peak
        x = LEFT + i * step + (step - bar_w) / 2
        y = TOP + inner_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            'class="chart-bar"/>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 6:.1f}" class="chart-value" '
            f'text-anchor="middle">{escape(bar.shown)}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{HEIGHT - 12}" class="chart-label" '
            f'text-anchor="middle">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
