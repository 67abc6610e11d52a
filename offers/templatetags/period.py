from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format

register = template.Library()


@register.filter
def period(start: datetime | None, end: datetime | None) -> str:
    """The period, e.g. "le 26 janvier 2027 de 9:30 à 11:30" on one day, else "du … à … au … à …"
    (in the current time zone, as the `date` filter shows them)."""
    if start is None or end is None:
        return ""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return (
            f"le {date_format(start, 'j F Y')} de {date_format(start, 'H:i')} "
            f"à {date_format(end, 'H:i')}"
        )
    return f"du {date_format(start, 'j F Y à H:i')} au {date_format(end, 'j F Y à H:i')}"
