"""How passlib writes a date, a time and a count for people: one way each, everywhere.

- a date: « 9 juin 2027 », « 1er juin 2027 » (French writes the first day « 1er »),
  with the weekday where a page wants it: « mercredi 9 juin 2027 »;
- a time: « 15:30 », « 06:00 », « 00:00 » (24-hour clock, two digits each side, as the
  pages, the date-time fields people type in and the pass Culture app write it);
- a date and time: « 9 juin 2027 à 15:30 »;
- a session, from its start to its end: « mercredi 9 juin 2027 de 15:00 à 16:30 »
  (« … de 23:00 à 01:00 le lendemain » past midnight), after « le », « pour le » or
  « Date : » as a date-time is;
- a count: « 0 place », « 1 place », « 2 places » (French: 0 and 1 are singular), or
  what the caller says for none (« aucune place »);
- an age range: « Dès 15 ans », « Jusqu'à 17 ans », « 15–17 ans », « 16 ans ».

Templates use them through the filters of `passlib/templatetags/french.py` (built into
both template engines: pages, e-mails' HTML, subjects and plain text); Python (services'
messages, PDFs, exports' text columns, history comments) calls these functions.
`tests/test_formats.py` fails when a format is written by hand anywhere else.
Machine formats (ISO 8601 in feeds and calendars, file names, the `datetime-local`
field's value) are not for people and are not written here.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


def local(value: datetime, tz: str | ZoneInfo | None = None) -> datetime:
    """An aware datetime in `tz` (a venue's zone, by name or zone) or, without `tz`, in
    the current time zone (as Django's template filters do); a naive one as it is. A
    datetime already put in a venue's zone is passed with that zone."""
    if timezone.is_naive(value):
        return value
    if isinstance(tz, str):
        tz = ZoneInfo(tz)
    return timezone.localtime(value, tz)


def date_fr(value: date | datetime | None, *, weekday: bool = False, tz=None) -> str:
    """« 9 juin 2027 », « 1er juin 2027 »; with `weekday`, « mercredi 9 juin 2027 »."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local(value, tz).date()
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {MONTHS[value.month - 1]} {value.year}"
    return f"{WEEKDAYS[value.weekday()]} {text}" if weekday else text


def time_fr(value: time | datetime | None, *, tz=None) -> str:
    """« 15:30 », « 06:00 », « 00:00 »."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = local(value, tz).time()
    return f"{value.hour:02d}:{value.minute:02d}"


def datetime_fr(value: datetime | None, *, weekday: bool = False, tz=None) -> str:
    """« 9 juin 2027 à 15:30 »; with `weekday`, « mercredi 9 juin 2027 à 15:30 »."""
    if value is None or value == "":
        return ""
    value = local(value, tz)
    zone = value.tzinfo  # already in the wanted zone: the parts keep it
    return f"{date_fr(value, weekday=weekday, tz=zone)} à {time_fr(value, tz=zone)}"


def session_time_fr(
    start: datetime | None, end: datetime | None, *, weekday: bool = False, tz=None
) -> str:
    """« mercredi 9 juin 2027 de 15:00 à 16:30 » (without `weekday`: « 9 juin 2027 de
    15:00 à 16:30 »); an end on the next day: « … de 23:00 à 01:00 le lendemain » (a
    session lasts at most 24 h: passlib/durations.py). The one way a session's time is
    written for people, on pages, sheets and e-mails."""
    if start is None or start == "":
        return ""
    start = local(start, tz)
    if end is None or end == "":
        return datetime_fr(start, weekday=weekday, tz=start.tzinfo)
    end = local(end, start.tzinfo)
    zone = start.tzinfo
    text = f"{date_fr(start, weekday=weekday, tz=zone)} de {time_fr(start, tz=zone)} à "
    text += time_fr(end, tz=zone)
    return text if end.date() == start.date() else f"{text} le lendemain"


def period_fr(start: date, end: date) -> str:
    """« du 1er juin 2027 au 15 juin 2027 »."""
    return f"du {date_fr(start)} au {date_fr(end)}"


def count_fr(number: int | None, singular: str, plural: str = "", none: str = "") -> str:
    """« 1 place », « 3 places »; 0 is singular (« 0 place ») unless `none` says how to
    write it (« aucune place »). `plural` defaults to a one-word singular with an s;
    several words say their plural (« place réservée », « places réservées »)."""
    number = number or 0
    if number == 0 and none:
        return none
    if abs(number) <= 1:
        return f"{number} {singular}"
    if not plural:
        if " " in singular:
            raise ValueError(f"Say the plural of « {singular} ».")
        plural = singular if singular.endswith(("s", "x")) else singular + "s"
    return f"{number_fr(number)} {plural}"


def age_range_fr(age_min: int | None, age_max: int | None) -> str:
    """An offer's ages (offers/rules.py `age_range`): « Dès 15 ans » (a minimum only),
    « Jusqu'à 17 ans » (a maximum only), « 15–17 ans » (an en dash), « 16 ans » (one
    age), "" (no bound)."""
    if age_min is not None and age_max is not None:
        return f"{age_min} ans" if age_min == age_max else f"{age_min}\u2013{age_max} ans"
    if age_min is not None:
        return f"Dès {age_min} ans"
    if age_max is not None:
        return f"Jusqu'à {age_max} ans"
    return ""


def number_fr(number: int) -> str:
    """12 345 with a narrow no-break space, as French writes large figures."""
    return f"{number:,}".replace(",", "\u202f")
