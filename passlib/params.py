"""Query parameters that are not a form's: read once, bounded, or refused with a 404.

A malformed id or page number must never reach the database (a NUL byte, an integer
past bigint, a non-UUID all make PostgreSQL or Django raise); forms have
`passlib/forms.py` for the same purpose.
"""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

MAX_PAGE = 100_000


def uuid_or_none(value: str | None) -> UUID | None:
    """The UUID when well formed, else None."""
    try:
        return UUID(value) if value else None
    except (ValueError, TypeError, AttributeError):
        return None


def uuid_or_404(value: str | None) -> UUID | None:
    """None when absent; the UUID when well formed; else 404 (no such object)."""
    parsed = uuid_or_none(value)
    if value and parsed is None:
        raise Http404("Identifiant inconnu.")
    return parsed


def page_number(value: str | None) -> int:
    """A page number from 1 to MAX_PAGE; anything else is the first page."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit() and len(text) <= 6:
        return min(max(1, int(text)), MAX_PAGE)
    return 1


def choice(value: str | None, choices) -> str:
    """The value when it is one of the choices' keys, else "" (no filter)."""
    keys = {str(key) for key, _label in choices}
    return value if value in keys else ""
