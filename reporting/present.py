"""Figures as people read them: charts with their tables, French numbers and money.
Shared by the statistics pages and the activity report."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.safestring import SafeString

from offers.templatetags.money import euros
from passlib.formats import MONTHS
from reporting.channels import CHANNELS
from reporting.charts import Bar, bar_chart
from reporting.figures import LABELS, MONEY, MONTHS_SHORT, Figures

CHARTS = ("made", "validated", "young", "validated_cents", "present")
WALK_IN = "walk_in"
FIRST_YEAR = 2021  # the pass Culture's first year open to 15–17 year-olds


def number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def shown(key: str, value: int) -> str:
    return euros(value) if key in MONEY else number(value)


@dataclass
class Chart:
    key: str
    title: str
    svg: SafeString
    cells: list[tuple[str, str]]  # (month, value) — the table beside the chart
    total: str


def charts(figures: Figures, prefix: str = "chart") -> list[Chart]:
    result = []
    for key in CHARTS:
        series = figures.series(key)
        title = f"{LABELS[key]} par mois en {figures.year}"
        bars = [Bar(MONTHS_SHORT[m], v, shown(key, v)) for m, v in enumerate(series)]
        result.append(
            Chart(
                key=key,
                title=title,
                svg=bar_chart(bars, title=title, chart_id=f"{prefix}-{key}"),
                cells=[(MONTHS[m], shown(key, v)) for m, v in enumerate(series)],
                total=shown(key, figures.totals[key]),
            )
        )
    return result


def monthly_rows(figures: Figures) -> list[dict]:
    """One row a month, its values in the order of LABELS."""
    return [
        {"month": MONTHS[m], "values": [shown(k, figures.months[m][k]) for k in LABELS]}
        for m in range(12)
    ]


def summary(figures: Figures) -> list[tuple[str, str]]:
    return [(label, shown(key, figures.totals[key])) for key, label in LABELS.items()]


def channel_rows(figures: Figures) -> list[dict]:
    """One row a channel: places registered, present, absent (None where the channel
    has none: a walk-in registers no place and is never absent)."""
    by = figures.by_channel
    return (
        [
            {
                "label": label,
                "registered": None if key == WALK_IN else by["registered"][key],
                "present": by["present"][key],
                "absent": None if key == WALK_IN else by["absent"][key],
            }
            for key, label in CHANNELS.items()
        ]
        if by
        else []
    )


def channel_month_rows(figures: Figures) -> list[dict]:
    """People present by month: one value a channel, then every channel's."""
    months = figures.channel_months["present"]
    return [
        {
            "month": MONTHS[m],
            "values": [months[m][key] for key in CHANNELS],
            "total": sum(months[m].values()),
        }
        for m in range(12)
    ]


def public_rows(figures: Figures) -> list[tuple[str, int]]:
    public = figures.public or {"total": 0, "pass": 0, "others": 0}
    return [
        ("Public touché", public["total"]),
        ("dont jeunes du pass Culture", public["pass"]),
        ("dont présents des autres canaux", public["others"]),
    ]


def years() -> list[int]:
    return list(range(timezone.localdate().year, FIRST_YEAR - 1, -1))


def chosen_year(raw: str | None) -> int:
    """The year asked for (?annee=), one of `years()`; else the current one."""
    text = (raw or "").strip()
    if text.isascii() and text.isdigit() and int(text) in years():
        return int(text)
    return timezone.localdate().year
