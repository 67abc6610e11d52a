"""Cheap HTML building for the hot list pages.

The list pages print dozens of rows on every request. Through the template engine each
printed value costs a variable lookup, a `conditional_escape` and its lazy-string
wrapper; at 25 rows × 10 cells that was half of a page's time. The rows of those lists
are therefore assembled in Python (offers/templatetags/rows.py) with `esc`, which
escapes like Django's autoescaping, and with URLs reversed once per process
(`url_pattern`).
"""

from __future__ import annotations

from functools import cache
from html import escape
from uuid import UUID

from django.urls import reverse

_PLACEHOLDER = UUID(int=0)


def esc(value) -> str:
    """Escape like Django's autoescaping: safe strings (`__html__`) are kept as they are."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value), quote=True)


@cache
def url_pattern(name: str) -> str:
    """The URL of a view taking one UUID, as a `str.format` pattern: reversed once, then
    `url_pattern("offers:detail").format(public_id)` (a UUID is URL-safe as it is)."""
    url = reverse(name, args=[_PLACEHOLDER])
    return url.replace("{", "{{").replace("}", "}}").replace(str(_PLACEHOLDER), "{}")
