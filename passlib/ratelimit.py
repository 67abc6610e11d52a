"""Rate limits in the shared cache, with a sliding window: one place for all of them.

The counters live in Django's cache, which every web process shares
(passlib/cache.py: the database cache by default in production, Redis with
`CACHE_URL`; both increment atomically), so three workers do not triple a limit. Each
limit counts per window in two buckets, the current and the previous one, and weighs
the previous one by the part of it still inside the sliding window (the
"sliding window counter" of Cloudflare and others): a burst straddling a minute
boundary cannot pass twice the limit, and the cost is two keys per subject.

Subjects are hashed: no e-mail address or IP is written to the cache as text.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    seconds: int


def limit(name: str) -> Limit:
    """The named limit of settings.RATE_LIMITS (count, window in seconds)."""
    count, seconds = settings.RATE_LIMITS.get(name, (10, 3600))
    return Limit(name, count, seconds)


def client_ip(request) -> str:
    """The client's address as django-axes reads it (AXES_IPWARE_PROXY_COUNT)."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR", "") or "?"


def _key(limit: Limit, subject: str, bucket: int) -> str:
    digest = hashlib.sha256(subject.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"rl:{limit.name}:{digest}:{bucket}"


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def hit(limit: Limit, *subjects: str, now: float | None = None) -> bool:
    """Count one attempt for each subject; True when every subject is within the limit.

    Every attempt counts, refused ones included: hammering keeps the door shut. A limit
    on failures only takes a right attempt back with `forgive`.
    """
    now = time.time() if now is None else now
    bucket, into = divmod(now, limit.seconds)
    bucket = int(bucket)
    weight = 1 - into / limit.seconds
    allowed = True
    for subject in subjects:
        current = _incr(_key(limit, subject, bucket), timeout=2 * limit.seconds + 60)
        previous = cache.get(_key(limit, subject, bucket - 1), 0)
        if current + previous * weight > limit.count:
            allowed = False
    return allowed


def forgive(limit: Limit, *subjects: str, now: float) -> None:
    """Take back the attempt `hit(limit, *subjects, now=now)` counted: for limits on
    failures only (a right password), counted first so that parallel tries all count."""
    bucket = int(now // limit.seconds)
    for subject in subjects:
        # Expired or evicted meanwhile (ValueError): nothing left to take back.
        with contextlib.suppress(ValueError):
            cache.decr(_key(limit, subject, bucket))


def hit_ip(request, name: str) -> bool:
    """One attempt from this client, within the limit `name` for its IP."""
    return hit(limit(name), f"ip:{client_ip(request)}")


def hit_targets(name: str, *targets: str, now: float | None = None) -> bool:
    """One attempt at these targets (e-mails, a member), within `name_target`."""
    targets = tuple(f"to:{t}" for t in targets if t)
    return hit(limit(f"{name}_target"), *targets, now=now) if targets else True


def forgive_targets(name: str, *targets: str, now: float) -> None:
    """Take back the attempt `hit_targets(name, *targets, now=now)` counted."""
    forgive(limit(f"{name}_target"), *(f"to:{t}" for t in targets if t), now=now)


def hit_request(request, name: str, *targets: str) -> bool:
    """One attempt from this client at these targets: both limits at once."""
    ip_ok = hit_ip(request, name)
    return hit_targets(name, *targets) and ip_ok
