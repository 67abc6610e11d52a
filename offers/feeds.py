"""Public feeds of a collectivité's or a venue's programme, so a library's website or
agenda shows it without retyping: JSON (the schema in docs/feeds.schema.json, fields
named after OpenAgenda's where they fit) and iCal (RFC 5545, one event per session).

Only what a young person may see: offers open for booking (`offers/policy.py`
`offers_in_programme`: published, venue and collectivité validated) with a session or
stock still open (`offers/rules.py` `still_open`, full ones included) or a cancelled
session to come; sessions to come only, each with its status (`offers/rules.py`
`session_status`: scheduled, rescheduled, full, cancelled), so a full or cancelled
session is marked instead of vanishing from a city's agenda. Bounded: at most
FEED_OFFERS offers and FEED_SESSIONS sessions.
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from catalog.categories import get_subcategory
from offers import rules
from offers.calendar import (
    address_of,
    finished,
    new_calendar,
    session_event,
    session_summary,
)
from offers.models import Session
from offers.models.individual import AGE_MAX, AGE_MIN
from offers.policy import offers_in_programme
from offers.rules import SessionState, session_status
from offers.templatetags.money import euros

FEED_OFFERS = 500
FEED_SESSIONS = 2000
# 2 (issue 28): each timing's `status`, each event's `age`; cancelled sessions listed.
SCHEMA_VERSION = 2


def _offers(venue_ids, now):
    return list(
        offers_in_programme(now)
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


def _age(offer) -> dict:
    """OpenAgenda's `age`: the offer's range, the scheme's bounds where it sets none."""
    low, high = rules.age_range(offer)
    return {
        "min": AGE_MIN if low is None else low,
        "max": AGE_MAX if high is None else high,
    }


def _audience(age: dict) -> str:
    """Who the offer is for, in words, from its ages (`_age`): « Jeunes de 16 à 17 ans
    (pass Culture) », « Jeunes de 16 ans (pass Culture) »."""
    low, high = age["min"], age["max"]
    ages = f"{low} ans" if low == high else f"{low} à {high} ans"
    return f"Jeunes de {ages} (pass Culture)"


def _timing(session, tz: str) -> dict:
    status = session_status(session)
    return {
        "begin": _iso(session.starts_at, tz),
        "end": _iso(session.ends_at, tz),
        "status": str(status),
        # a cancelled session has no place to take, whatever its bookings left free
        "placesLeft": 0 if status == SessionState.CANCELLED else session.remaining,
    }


def programme(venue_ids, *, name: str, now=None) -> dict:
    """The JSON document (docs/feeds.schema.json)."""
    now = now or timezone.now()
    offers = _offers(venue_ids, now)
    sessions = _sessions(offers, now)
    events = []
    for offer in offers:
        venue = offer.venue
        tz = venue.time_zone
        sub = get_subcategory(offer.subcategory_id)
        age = _age(offer)
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
                "audience": _audience(age),
                "age": age,
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
                "timings": [_timing(s, tz) for s in sessions.get(offer.pk, [])],
                "link": settings.SITE_URL + reverse("offers:catalog_offer", args=[offer.public_id]),
            }
        )
    return {
        "schemaVersion": SCHEMA_VERSION,
        "name": name,
        "generatedAt": timezone.now().isoformat(),
        "events": events,
    }


# The programme's description says first what the status changes for a reader.
_STATUS_NOTE = {
    SessionState.CANCELLED: "Séance annulée.\n\n",
    SessionState.FULL: "Séance complète : liste d'attente avec le pass Culture.\n\n",
    SessionState.RESCHEDULED: "Séance déplacée : nouvel horaire.\n\n",
}


def programme_ics(venue_ids, *, name: str, now=None) -> bytes:
    """One VEVENT per session to come, with DTEND, SEQUENCE and STATUS (offers/calendar.py
    `session_event`); cancelled and full ones stay, said in the SUMMARY too."""
    now = now or timezone.now()
    offers = _offers(venue_ids, now)
    sessions = _sessions(offers, now)
    cal = new_calendar(f"Programme pass Culture — {name}")
    for offer in offers:
        venue = offer.venue
        link = settings.SITE_URL + reverse("offers:catalog_offer", args=[offer.public_id])
        for session in sessions.get(offer.pk, []):
            note = _STATUS_NOTE.get(session_status(session), "")
            cal.add_component(
                session_event(
                    uid=f"programme-{session.public_id}@passlib",
                    session=session,
                    tz=venue.time_zone,
                    summary=session_summary(session, offer.title),
                    location=address_of(venue),
                    description=(
                        f"{note}{offer.description[:500]}\n\nRéserver avec le pass Culture : {link}"
                    ),
                )
            )
    return finished(cal)
