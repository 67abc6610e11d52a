"""Bar charts drawn on the server as SVG: no script, no CDN, no colour as the only
carrier. Each bar carries its value written above it, each chart its title and a short
description for screen readers (`role="img"`, `<title>`, `<desc>`), and the page shows the
same numbers in a table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 8, 8, 26, 34


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
