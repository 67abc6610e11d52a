"""Counts of the list pages, kept in the shared cache and never out of date.

A list's per-status counts (and its total) are a scan of every row of a large
collectivité, while its page of rows is read from an index: the counts are cached,
keyed by a *generation* number and the list's filters. Every write that can change a
count moves the generation (`counts_changed`), so the next request of any web process
counts again:

- services that write with set-based UPDATEs call `counts_changed` (decorator
  `changes_counts`), the periodic commands included;
- every save or delete of a counted model moves it too (signals wired in
  `watch_models`, called by each app's `ready()`): the admin and the review of a venue
  or collectivité (which changes the offers' "en attente" status) are covered.

The generation and the counts live in Django's cache, shared by every web process
(passlib/cache.py: the database cache, or Redis with `CACHE_URL`; docs/operations.md);
local memory is for one development process only. The generation is moved again once
the transaction commits, so a count computed by another request between the write and
its commit is dropped.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

COUNTS_CACHE_SECONDS = 60
_GENERATION_KEY = "counts-generation"


def counts_generation() -> int:
    return cache.get_or_set(_GENERATION_KEY, 0, None)


def _bump() -> None:
    try:
        cache.incr(_GENERATION_KEY)
    except ValueError:  # not there yet (or evicted): any new value will do
        cache.set(_GENERATION_KEY, 1, None)


def counts_changed() -> None:
    """A write changed what lists count: count again now and once the write commits."""
    _bump()
    transaction.on_commit(_bump)


def changes_counts(service: Callable) -> Callable:
    """Decorate a service whose writes change list counts."""

    @wraps(service)
    def wrapper(*args, **kwargs):
        result = service(*args, **kwargs)
        counts_changed()
        return result

    return wrapper


def cached_counts(key_parts: tuple, compute: Callable[[], dict[str, int]]) -> dict[str, int]:
    """`compute()` kept COUNTS_CACHE_SECONDS per (generation, key)."""
    key = "counts:" + hashlib.sha256(repr((counts_generation(), *key_parts)).encode()).hexdigest()
    counts = cache.get(key)
    # A count may say until when it holds ("valid_until", a timestamp): a scheduled
    # publication changes the catalog at an instant no write marks.
    if counts is not None and time.time() >= counts.get("valid_until", float("inf")):
        counts = None
    if counts is None:
        counts = compute()
        cache.set(key, counts, COUNTS_CACHE_SECONDS)
    return counts


def _on_write(sender, **kwargs) -> None:
    counts_changed()


def watch_models(*models) -> None:
    """Every save or delete of these models moves the generation."""
    for model in models:
        post_save.connect(_on_write, sender=model, dispatch_uid=f"counts-{model._meta.label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"counts-{model._meta.label}")
