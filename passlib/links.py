"""Links to pages named by a UUID, for the rows of the list pages."""

from __future__ import annotations

from functools import cache
from uuid import UUID

from django.urls import reverse

_PLACEHOLDER = UUID(int=0)


@cache
def _pattern(name: str) -> tuple[str, str]:
    url = reverse(name, args=[_PLACEHOLDER])
    before, _, after = url.partition(str(_PLACEHOLDER))
    return before, after


def uuid_url(name: str, public_id: UUID) -> str:
    """`reverse(name, args=[public_id])`, reversed once per process: a list page links
    every row, and `{% url %}` in each row cost a third of the rows' rendering
    (docs/performance.md). A UUID is URL-safe as it is."""
    before, after = _pattern(name)
    return f"{before}{public_id}{after}"
