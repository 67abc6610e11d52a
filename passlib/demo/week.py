"""Where the demo puts things in time: a library's week around the moment it runs.

Every date of the demo is a local date and time of its venue (its own time zone,
overseas included), on a day the venue is open (its opening hours, not an exception
such as Christmas, not a public holiday of its département), within those hours and
within 09:00–20:00. Nothing depends on the hour `seed_demo` runs: upcoming sessions are
from the day after tomorrow on, past ones before today.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import HoursException, Venue
from accounts.selectors import week_hours
from offers.recurrence import local_datetime, public_holidays

LIBRARY_DAY = (time(9), time(20))  # the demo's sessions start within these hours
SEARCH_WEEKS = 8  # past this, a venue is never open at that time: a bug of the demo


def today(venue: Venue) -> date:
    return timezone.localtime(timezone=ZoneInfo(venue.time_zone)).date()


def is_open_at(venue: Venue, day: date, at: time, holidays: dict[date, str]) -> bool:
    """The venue is open at `at` on `day` (its week's hours, no exception, no holiday)."""
    if day in holidays:
        return False
    exception = HoursException.objects.filter(venue=venue, day=day).first()
    if exception is not None:
        intervals = [(exception.opens, exception.closes)] if exception.opens else []
    else:
        intervals = week_hours(venue)[day.weekday()]
    start, end = LIBRARY_DAY
    return start <= at <= end and any(opens <= at < closes for opens, closes in intervals)


def _holidays(venue: Venue, around: date) -> dict[date, str]:
    return public_holidays(venue.departement, range(around.year - 1, around.year + 2))


def upcoming(venue: Venue, weekday: int, at: time, nth: int = 1) -> datetime:
    """The `nth` open `weekday` (0 = Monday) at `at`, from the day after tomorrow on."""
    first = today(venue) + timedelta(days=2)
    return _nth(venue, weekday, at, nth, first, step=1)


def previous(venue: Venue, weekday: int, at: time, nth: int = 1) -> datetime:
    """The `nth` open `weekday` at `at` before today (1: the last one)."""
    last = today(venue) - timedelta(days=1)
    return _nth(venue, weekday, at, nth, last, step=-1)


def _nth(venue: Venue, weekday: int, at: time, nth: int, start: date, step: int) -> datetime:
    holidays = _holidays(venue, start)
    day = start + timedelta(days=((weekday - start.weekday()) * step) % 7 * step)
    found = 0
    for _ in range(SEARCH_WEEKS * max(nth, 1)):
        if is_open_at(venue, day, at, holidays):
            found += 1
            if found == nth:
                return local_datetime(day, at, venue.time_zone)
        day += timedelta(days=7 * step)
    raise ValueError(f"{venue.name} is never open on weekday {weekday} at {at}")


def local(venue: Venue, moment: datetime, at: time) -> datetime:
    """The same local day as `moment` at `at` (in the venue's time zone)."""
    day = timezone.localtime(moment, ZoneInfo(venue.time_zone)).date()
    return local_datetime(day, at, venue.time_zone)


def days_before(venue: Venue, moment: datetime, days: int, at: time) -> datetime:
    """`days` before `moment` at `at`, local time, and never after now."""
    day = timezone.localtime(moment, ZoneInfo(venue.time_zone)).date() - timedelta(days=days)
    return min(local_datetime(day, at, venue.time_zone), timezone.now())


@contextmanager
def acting_at(moment: datetime):
    """Run the services as at `moment`: they read the clock through
    `django.utils.timezone.now` (no module imports `now` itself), so their own rules
    are checked at that instant: a session open for booking then, the guichet's
    « not before the cancellation deadline », the waiting list's « full ». Only for this
    command, in one thread. The history rows take the real clock (their column's
    default), so each is then dated too."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield
