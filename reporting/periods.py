"""The year and its months in each venue's own time zone: the bounds every figure of
reporting/figures.py and reporting/channels.py counts within."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db.models import Q

from accounts.models import Venue


def bounds(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def zones(venue_ids: list[int]) -> dict[str, list[int]]:
    """Time zone name → the venues in it."""
    found: dict[str, list[int]] = defaultdict(list)
    for pk, tz in Venue.objects.filter(pk__in=venue_ids).values_list("pk", "time_zone"):
        found[tz].append(pk)
    return found


def month_index(month) -> int:
    """0 for January: the database answers a datetime (a date on some backends)."""
    return month.month - 1


def year_filter(year: int, field_name: str, zones, venue_field: str = "venue_id") -> Q:
    """The year in each venue's own time zone, as one condition."""
    condition = Q(pk__in=[])
    for tz_name, ids in zones.items():
        start, end = bounds(year, ZoneInfo(tz_name))
        condition |= Q(
            **{f"{venue_field}__in": ids, f"{field_name}__gte": start, f"{field_name}__lt": end}
        )
    return condition
