"""Recurring sessions: the dates a rule gives, in the venue's local time, and the public
holidays to leave out.

A rule is what a librarian says ("every Wednesday at 15:00 from 6 January for 6 weeks",
"the 2nd Saturday of every month until June"); dateutil's `rrule` (RFC 5545) turns it
into dates, each date gets the times given, and each local date-time becomes an aware
datetime in the venue's time zone: 15:00 stays 15:00 across a daylight-saving change
(the UTC instant moves), overseas included. French public holidays come from the
`holidays` package, by the venue's département (Alsace-Moselle, overseas).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import holidays
from dateutil import rrule

from passlib.formats import time_fr

WEEKLY, DAILY, MONTHLY_DAY, MONTHLY_NTH = "weekly", "daily", "monthly_day", "monthly_nth"
FREQUENCIES = [
    (WEEKLY, "Chaque semaine, les jours cochés"),
    (DAILY, "Chaque jour"),
    (MONTHLY_DAY, "Chaque mois, à la même date"),
    (MONTHLY_NTH, "Chaque mois, le même jour de la semaine (par exemple le 2e samedi)"),
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
ORDINALS = {1: "1er", 2: "2e", 3: "3e", 4: "4e", -1: "dernier"}

# At most this many sessions per offer (what exists plus what a rule adds): a year of
# a daily session with a margin; past it the form says so and nothing is created.
MAX_SESSIONS_PER_OFFER = 400

# The `holidays` package's subdivisions of France for the départements that have their
# own public holidays; every other département has the national ones.
_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
    "975": "PM",
    "977": "BL",
    "978": "MF",
    "986": "WF",
    "987": "PF",
    "988": "NC",
}


@dataclass(frozen=True)
class Rule:
    frequency: str
    first_day: date
    times: tuple[time, ...]
    until: date | None = None
    count: int | None = None  # number of dates (each with every time)
    weekdays: tuple[int, ...] = field(default=())  # 0 = Monday, for WEEKLY

    @property
    def nth(self) -> int:
        """For MONTHLY_NTH: which week of the month the first day falls in (5th → last)."""
        n = (self.first_day.day - 1) // 7 + 1
        return -1 if n == 5 else n

    def describe(self) -> str:
        """The rule in French, for the preview ("le 2e samedi de chaque mois")."""
        day = WEEKDAYS[self.first_day.weekday()]
        if self.frequency == WEEKLY:
            days = [WEEKDAYS[d] for d in sorted(self.weekdays)]
            what = "chaque " + (
                " et ".join([", ".join(days[:-1]), days[-1]]) if len(days) > 1 else days[0]
            )
        elif self.frequency == DAILY:
            what = "chaque jour"
        elif self.frequency == MONTHLY_DAY:
            what = f"le {self.first_day.day} de chaque mois"
        else:
            what = f"le {ORDINALS[self.nth]} {day} de chaque mois"
        hours = ", ".join(time_fr(t) for t in sorted(self.times))
        return f"{what} à {hours}"


def _rrule(rule: Rule) -> rrule.rrule:
    """The rule as dateutil's, without its count (plan() counts the dates itself, the
    holidays and past dates left out)."""
    start = datetime.combine(rule.first_day, time())
    options: dict = {"dtstart": start}
    if rule.frequency == WEEKLY:
        options.update(freq=rrule.WEEKLY, byweekday=sorted(rule.weekdays))
    elif rule.frequency == DAILY:
        options.update(freq=rrule.DAILY)
    elif rule.frequency == MONTHLY_DAY:
        # bymonthday skips the months without that day (no 31 February)
        options.update(freq=rrule.MONTHLY, bymonthday=rule.first_day.day)
    elif rule.frequency == MONTHLY_NTH:
        weekday = rrule.weekday(rule.first_day.weekday())
        options.update(freq=rrule.MONTHLY, byweekday=weekday(rule.nth))
    else:  # pragma: no cover - the form offers the four only
        raise ValueError(rule.frequency)
    if rule.until is not None:
        options["until"] = datetime.combine(rule.until, time())
    return rrule.rrule(**options)


def local_datetime(day: date, at: time, tz: str) -> datetime:
    """The aware datetime of a local date and time in `tz`. A time that does not exist
    on that day (the hour skipped in spring) is taken as the same wall time after the
    change, as a clock does; an ambiguous one (autumn) as its first occurrence."""
    zone = ZoneInfo(tz)
    moment = datetime.combine(day, at, tzinfo=zone)
    roundtrip = moment.astimezone(ZoneInfo("UTC")).astimezone(zone)
    if roundtrip.replace(tzinfo=None) != moment.replace(tzinfo=None):
        return roundtrip  # skipped hour: the clock reads one hour later
    return moment


def holiday_calendar(departement: str, years: range | None = None) -> holidays.HolidayBase:
    """The département's public holidays (its overseas or Alsace-Moselle ones included),
    read by date; years are added as they are asked."""
    subdiv = _SUBDIVISIONS.get(departement)
    return holidays.country_holidays("FR", subdiv=subdiv, years=years or [], language="fr")


def public_holidays(departement: str, years: range) -> dict[date, str]:
    """Public holidays of the département over `years`."""
    return dict(holiday_calendar(departement, years).items())


@dataclass(frozen=True)
class Planned:
    """A session a rule gives, still to come; `holiday`: the public holiday's name, when
    the date is one (left out unless the librarian ticks it)."""

    moment: datetime
    holiday: str = ""


def plan(
    rule: Rule,
    tz: str,
    departement: str,
    *,
    now: datetime,
    limit: int = MAX_SESSIONS_PER_OFFER + 1,
) -> list[Planned]:
    """The sessions of the rule still to come, in order, with the public holidays named.

    "N dates" counts the dates that get sessions: a public holiday or a date whose times
    have all passed is skipped and the series goes on to the next date, so that 8 dates
    asked give 8 dates of sessions, the holidays skipped listed (docs/decisions.md).
    "Until" keeps every date up to it, the holidays named. At most `limit` sessions on
    working days (past it, the page says the rule gives too many)."""
    calendar = holiday_calendar(departement)
    found: list[Planned] = []
    working_dates = sessions = 0
    # Far more dates than any allowed series reads (a rule giving only holidays or
    # past dates would otherwise never end).
    for seen, day in enumerate(_rrule(rule)):
        if rule.count is not None and working_dates >= rule.count:
            break
        if sessions >= limit or seen > 4 * limit:
            break
        moments = [local_datetime(day.date(), at, tz) for at in sorted(rule.times)]
        moments = [moment for moment in moments if moment > now]
        if not moments:
            continue
        holiday = "; ".join(calendar.get_list(day.date()))
        found += [Planned(moment, holiday) for moment in moments]
        if not holiday:
            working_dates += 1
            sessions += len(moments)
    return found
