"""Public feeds of a collectivité's or a venue's programme, so a library's website or
agenda shows it without retyping: JSON (the schema in docs/feeds.schema.json, fields
named after OpenAgenda's where they fit) and iCal (RFC 5545, one event per session).

Only what a young person may see: offers open for booking (`offers/policy.py`
`OPEN_FOR_BOOKING`: published, venue and collectivité validated) with a session or
stock still open (`offers/rules.py` `still_open`); sessions to come only. Bounded: at
most FEED_OFFERS offers and FEED_SESSIONS sessions.
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.categories import get_subcategory
from offers.calendar import address_of, new_calendar, session_event
from offers.models import Session
from offers.policy import offers_open_to_young
from offers.templatetags.money import euros

FEED_OFFERS = 500
FEED_SESSIONS = 2000
SCHEMA_VERSION = 1


def _offers(venue_ids):
    return list(
        offers_open_to_young()
        .filter(venue_id__in=list(venue_ids))
        .select_related("venue", "stock")
        .order_by("title", "pk")[:FEED_OFFERS]
    )


def _sessions(offers, now):
    by_offer = defaultdict(list)
    for session in (
        Session.objects.select_related("offer")
        .filter(offer_id__in=[o.pk for o in offers], starts_at__gte=now)
        .order_by("starts_at", "pk")[:FEED_SESSIONS]
    ):
        by_offer[session.offer_id].append(session)
    return by_offer


def _iso(moment, tz: str) -> str:
    return timezone.localtime(moment, ZoneInfo(tz)).replace(microsecond=0).isoformat()


def programme(venue_ids, *, name: str, now=None) -> dict:
    """The JSON document (docs/feeds.schema.json)."""
    now = now or timezone.now()
    offers = _offers(venue_ids)
    sessions = _sessions(offers, now)
    events = []
    for offer in offers:
        venue = offer.venue
        tz = venue.time_zone
        sub = get_subcategory(offer.subcategory_id)
        events.append(
            {
                "uid": str(offer.public_id),
                "title": {"fr": offer.title},
                "description": {"fr": offer.description},
                "category": sub.category.label,
                "subcategory": sub.label,
                "conditions": {
                    "fr": "Gratuit" if offer.price_cents == 0 else euros(offer.price_cents)
                },
                "priceCents": offer.price_cents,
                "audience": "Jeunes de 15 à 18 ans (pass Culture)",
                "accessibility": {
                    "hi": offer.accessibility_audio,
                    "mi": offer.accessibility_motor,
                    "ii": offer.accessibility_mental,
                    "vi": offer.accessibility_visual,
                },
                "location": {
                    "uid": str(venue.public_id),
                    "name": venue.display_name,
                    "address": venue.address,
                    "postalCode": venue.postal_code,
                    "city": venue.city,
                    "timezone": tz,
                },
                "timings": [
                    {
                        "begin": _iso(s.starts_at, tz),
                        "end": _iso(s.ends_at, tz),
                        "placesLeft": s.remaining,
                    }
                    for s in sessions.get(offer.pk, [])
                ],
                "link": settings.SITE_URL + reverse("offers:catalog_offer", args=[offer.public_id]),
            }
        )
    return {
        "schemaVersion": SCHEMA_VERSION,
        "name": name,
        "generatedAt": timezone.now().isoformat(),
        "events": events,
    }


def programme_ics(venue_ids, *, name: str, now=None) -> bytes:
    now = now or timezone.now()
    offers = _offers(venue_ids)
    sessions = _sessions(offers, now)
    cal = new_calendar(f"Programme pass Culture — {name}")
    for offer in offers:
        venue = offer.venue
        link = settings.SITE_URL + reverse("offers:catalog_offer", args=[offer.public_id])
        for session in sessions.get(offer.pk, []):
            cal.add_component(
                session_event(
                    uid=f"programme-{session.public_id}@passlib",
                    session=session,
                    tz=venue.time_zone,
                    summary=offer.title,
                    location=address_of(venue),
                    description=(
                        f"{offer.description[:500]}\n\nRéserver avec le pass Culture : {link}"
                    ),
                )
            )
    cal.add_missing_timezones()
    return cal.to_ical()
