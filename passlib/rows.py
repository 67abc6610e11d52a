"""Rows of the list pages: their texts escaped once, for the template to print."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString


def escaped(texts: dict[str, object]) -> dict[str, SafeString]:
    """The texts of one row, escaped for HTML once — what Django's `escape` does
    (`html.escape`, quotes included), without its check for lazy strings, which costs
    more than the escaping itself. The template then prints each value as it is instead
    of escaping it again: through the template engine, escaping the 25 × 14 values of a
    bookings page cost as much as the rest of its rows (docs/performance.md). For the
    HTML page only: exports read the data themselves."""
    return {name: SafeString(escape(str(value), quote=True)) for name, value in texts.items()}
