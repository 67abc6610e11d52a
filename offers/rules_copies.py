"""The title of an offer's copy (offers/services/offers.py `offer_duplicate`), written
once; offers/rules.py names it, so `rules.<name>` is the way in."""

from __future__ import annotations

import re

_COPY_SUFFIX = re.compile(r" \(copie(?: \d+)?\)$")


def copy_title_base(title: str) -> str:
    """The title a copy is named after: a copy of « Atelier (copie) » is a copy of
    « Atelier »."""
    return _COPY_SUFFIX.sub("", title)


def copy_title_prefix(title: str) -> str:
    """What every title a copy could clash with starts with (the base, cut short enough
    for the longest suffix): the services read the venue's titles starting with it."""
    return copy_title_base(title)[:40]


def duplicate_title(title: str, taken, max_length: int) -> str:
    """The title of a duplicate, as a file manager names copies: « … (copie) », then
    « … (copie 2) », « … (copie 3) »…, the first not among `taken` (the titles of the
    venue's offers starting with `copy_title_prefix`), cut to `max_length`."""
    base = copy_title_base(title)
    n = 1
    while True:
        suffix = " (copie)" if n == 1 else f" (copie {n})"
        candidate = base[: max_length - len(suffix)].strip() + suffix
        if candidate not in taken:
            return candidate
        n += 1
