"""The demo's registrations from other channels (issue 30): the club's first Saturday
has a family registered at the desk and a person who called, next to the young people's
pass Culture bookings; the ciné-club's last Wednesday counted two people at the door.
Through the service, as a librarian would, at library hours."""

from __future__ import annotations

from datetime import time

from django.utils import timezone

from accounts.models import User
from offers.models import AgeBracket, Channel, Offer
from offers.services.registrations import RegistrationData, registration_add
from passlib.demo import week
from passlib.demo.week import acting_at


def seed_registrations(by_title: dict[str, Offer], librarians: dict[str, User]) -> None:
    club = by_title["Club de lecture ados"]
    saturday = club.sessions.order_by("starts_at").first()
    librarian = librarians["part_dieu"]
    now = timezone.now()
    for days, at, data in (
        (
            2,
            time(10, 40),
            RegistrationData(
                channel=Channel.DESK,
                name="Famille Lefèvre-Ngô",
                age_bracket=AgeBracket.AGE_26_64,
                places=3,
                note="Une mère et ses deux ados",
            ),
        ),
        (
            1,
            time(15, 10),
            RegistrationData(
                channel=Channel.PHONE,
                name="Chloé Marchand",
                phone="06 12 34 56 78",
                contact_consent=True,
                age_bracket=AgeBracket.AGE_19_25,
            ),
        ),
    ):
        moment = week.days_before(club.venue, now, days, at)
        with acting_at(moment):
            registration_add(actor=librarian, target=saturday, data=data, now=moment)
    cine = by_title["Ciné-club du mercredi"]
    last = cine.sessions.filter(starts_at__lt=now).order_by("-starts_at").first()
    with acting_at(last.starts_at):
        registration_add(
            actor=librarian,
            target=last,
            data=RegistrationData(channel=Channel.WALK_IN, places=2),
            now=last.starts_at,
        )
