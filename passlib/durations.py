"""How long an event lasts, as people type it and read it (SPEC §9).

Typed: `1h30`, `1 h 30`, `1h30min`, `2 h`, `2 heures`, `90 min`, `90 minutes`, `90mn`,
`1,5 h`, `1.5 h`, `1:30`, or a bare number of minutes (`90`). Written: « 1 h 30 »,
« 2 h », « 45 min » (the pass Culture app and the librarians' own agendas write it so).
Between MIN_MINUTES and MAX_MINUTES; anything else is refused with one French message
(`parse_duration` raises ValueError with it), never guessed.
"""

from __future__ import annotations

import re

MIN_MINUTES = 5
MAX_MINUTES = 24 * 60
EXAMPLE = "par exemple 1h30, 90 min ou 2 h"
INVALID = f"Indiquez une durée, {EXAMPLE}."
OUT_OF_RANGE = f"Indiquez une durée entre {MIN_MINUTES} min et 24 h, {EXAMPLE}."

_NUMBER = r"[0-9]{1,5}(?:[.,][0-9]{1,2})?"
_HOURS = r"(?:h|heures?|hrs?)"
_MINUTES = r"(?:min|mins|minutes?|mn|m)"
_PATTERNS = (
    # 1h30, 1 h 30, 1h30min, 1 heure 30 minutes, 2 h, 1,5 h
    re.compile(rf"(?P<h>{_NUMBER})\s*{_HOURS}\s*(?:(?P<m>[0-9]{{1,2}})\s*{_MINUTES}?)?", re.ASCII),
    # 90 min, 90mn, 90
    re.compile(rf"(?P<m>[0-9]{{1,6}})\s*{_MINUTES}?", re.ASCII),
    # 1:30
    re.compile(r"(?P<h>[0-9]{1,2}):(?P<m>[0-9]{2})", re.ASCII),
)


def parse_duration(text: str) -> int:
    """Minutes from what was typed; ValueError (a French message) when it is no
    duration or out of range."""
    value = " ".join((text or "").lower().split())
    for pattern in _PATTERNS:
        match = pattern.fullmatch(value)
        if match is None:
            continue
        parts = match.groupdict()
        hours = float(parts["h"].replace(",", ".")) if parts.get("h") else 0.0
        minutes = int(parts["m"]) if parts.get("m") else 0
        if parts.get("h") and parts.get("m") and minutes >= 60:
            raise ValueError(INVALID)
        total = round(hours * 60) + minutes
        if not MIN_MINUTES <= total <= MAX_MINUTES:
            raise ValueError(OUT_OF_RANGE)
        return total
    raise ValueError(INVALID)


def duration_fr(minutes: int | None) -> str:
    """« 1 h 30 », « 2 h », « 45 min »; "" for none."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"
