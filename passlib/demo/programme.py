"""The demo's programme changes (SPEC §9), acted through the services as a librarian
would, at yesterday's library hours."""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from accounts.models import User
from offers.models import Offer, SessionCancelReason
from offers.services import sessions as session_services
from offers.services.cancellations import session_cancel
from offers.services.sessions import SessionData
from passlib.demo import week
from passlib.demo.week import acting_at

FRI = 4


def seed_programme_changes(by_title: dict[str, Offer], librarians: dict[str, User]) -> None:
    """The programme moved yesterday (SPEC §9): the visit Maëlys booked went a week
    later (she was told, and may cancel again), and the club's second Saturday was
    cancelled, its speaker unavailable — both through the services, as a librarian would."""
    jean_mace = by_title["Atelier manga"].venue
    visit = by_title["Visite des réserves patrimoniales"]
    session = visit.sessions.order_by("starts_at").first()
    later = week.upcoming(jean_mace, FRI, time(17), 3)
    yesterday = week.days_before(jean_mace, timezone.now(), 1, time(11, 40))
    with acting_at(yesterday):
        session_services.session_update(
            actor=librarians["jean_mace"],
            session=session,
            data=SessionData(
                starts_at=later,
                total_places=session.total_places,
                quota=session.quota,
                booking_limit_at=later,
            ),
        )
    club = by_title["Club de lecture ados"]
    second = club.sessions.order_by("starts_at")[1]
    with acting_at(yesterday + timedelta(minutes=25)):
        session_cancel(
            actor=librarians["part_dieu"],
            session=second,
            reason=SessionCancelReason.SPEAKER,
            comment="Hugo est absent ce samedi-là ; le club reprend la semaine suivante.",
        )
