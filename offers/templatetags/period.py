from datetime import datetime

from django import template

from passlib.formats import date_fr, datetime_fr, local, time_fr

register = template.Library()


@register.filter
def period(start: datetime | None, end: datetime | None) -> str:
    """The period, e.g. "le 26 janvier 2027 de 09:30 à 11:30" on one day, else "du … à … au … à …"
    (in the current time zone, as the `fr_date` filter shows them; passlib/formats.py)."""
    if start is None or end is None:
        return ""
    start, end = local(start), local(end)
    if start.date() == end.date():
        return f"le {date_fr(start)} de {time_fr(start)} à {time_fr(end)}"
    return f"du {datetime_fr(start)} au {datetime_fr(end)}"
