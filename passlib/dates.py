"""The dates the database accepts at all: one place for the bounds.

Forms accept a narrower window around today (passlib/forms.py). These CHECK
constraints are the backstop for every other writer (the admin, a shell, a command):
a year 0001 or 9999 once stored broke pages for every member of a collectivité (a
start in year 9999 overseas is year 10000 in UTC, which Python cannot read back).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db.models import Q

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2100, 1, 1)
FIRST = datetime(2000, 1, 1, tzinfo=UTC)
LAST = datetime(2100, 1, 1, tzinfo=UTC)
FIRST_BIRTH_DAY = date(1900, 1, 1)


def within_range(*fields: str, nullable: bool = False, first=FIRST, last=LAST) -> Q:
    """Each field between the bounds (or null, when nullable)."""
    condition = Q()
    for name in fields:
        bounded = Q(**{f"{name}__gte": first, f"{name}__lt": last})
        condition &= (Q(**{f"{name}__isnull": True}) | bounded) if nullable else bounded
    return condition
