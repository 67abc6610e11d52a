"""Opening hours as people type and read them: « 10:00-12:30, 14:00-18:00 », « fermé »
(typed « 10h-12h30 », « 9 h 30 à 17 h » is read too).

`parse` reads one day's text into intervals (refusing what is not hours, an interval
that ends before it starts, overlaps); `format_intervals` writes them back the French
way (« 10:00 – 12:30, 14:00 – 18:00 », passlib/formats.py's one way to write a
time). accounts/services/venue_page.py stores them
(accounts/models/venue_page.py).
"""

from __future__ import annotations

import re
from datetime import time
from itertools import pairwise

from django.core.exceptions import ValidationError

from passlib.formats import time_fr

MAX_INTERVALS = 4
CLOSED_WORDS = {"", "ferme", "fermé", "fermée", "ferme toute la journee", "fermé toute la journée"}
_TIME = r"(\d{1,2})\s*(?:h|:|heures?)?\s*(\d{2})?"
_INTERVAL = re.compile(rf"^\s*{_TIME}\s*(?:-|–|—|à|a)\s*{_TIME}\s*$", re.IGNORECASE)


def _time(hours: str, minutes: str | None) -> time:
    h, m = int(hours), int(minutes or 0)
    if h == 24 and m == 0:
        return time(23, 59)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValidationError(
            "« %(value)s » n'est pas une heure : les heures vont de 00:00 à 24:00.",
            params={"value": f"{hours}h{minutes or ''}"},
            code="hours.invalid_time",
        )
    return time(h, m)


def parse(text: str) -> list[tuple[time, time]]:
    """One day's intervals, in order. Empty or « fermé »: closed (no interval)."""
    value = " ".join(text.split()).strip().lower()
    if value in CLOSED_WORDS:
        return []
    if not all(c.isascii() or c in "–—àé" for c in value):
        raise _unreadable(text)
    intervals = []
    for part in re.split(r"[,;/]|\bet\b", value):
        if not part.strip():
            continue
        match = _INTERVAL.match(part)
        if not match:
            raise _unreadable(part.strip())
        opens = _time(match.group(1), match.group(2))
        closes = _time(match.group(3), match.group(4))
        if closes <= opens:
            raise ValidationError(
                "« %(value)s » : l'heure de fermeture doit suivre l'heure d'ouverture.",
                params={"value": part.strip()},
                code="hours.order",
            )
        intervals.append((opens, closes))
    if len(intervals) > MAX_INTERVALS:
        raise ValidationError(
            f"Au plus {MAX_INTERVALS} plages horaires par jour.", code="hours.too_many"
        )
    intervals.sort()
    for (_, first_closes), (second_opens, _) in pairwise(intervals):
        if second_opens < first_closes:
            raise ValidationError("Les plages horaires se chevauchent.", code="hours.overlap")
    return intervals


def _unreadable(value: str) -> ValidationError:
    return ValidationError(
        "« %(value)s » n'est pas lisible : écrivez par exemple « 10:00-12:30, 14:00-18:00 » "
        "ou « fermé ».",
        params={"value": value[:40]},
        code="hours.unreadable",
    )


def format_intervals(intervals) -> str:
    """« 10:00 – 12:30, 14:00 – 18:00 », or « Fermé »."""
    if not intervals:
        return "Fermé"
    return ", ".join(f"{time_fr(o)} – {time_fr(c)}" for o, c in intervals)


def typed(intervals) -> str:
    """The intervals as a person would type them (a form's initial value)."""
    if not intervals:
        return "fermé"
    return ", ".join(f"{time_fr(o)}-{time_fr(c)}" for o, c in intervals)
