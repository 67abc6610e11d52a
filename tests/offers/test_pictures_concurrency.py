"""Writes of issue 19 racing on PostgreSQL: two pictures for one offer at once, two
exceptions for one day at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import HoursException
from accounts.services.venue_page import hours_exception_add
from offers.models import Offer
from offers.services.offers import offer_image_save
from passlib.images import read_upload
from passlib.refusal import Refusal
from tests.conftest import is_postgres
from tests.factories import make_offer
from tests.images import picture, upload
from tests.threads import at_once

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_pictures_at_once_leave_one_picture_and_its_two_files(space, owner, _media_root):
    assert is_postgres()
    offer = make_offer(space["venue"], title="Atelier")
    pictures = [read_upload(upload(picture(size=(1600 + 100 * i, 1200)))) for i in range(3)]

    def save(p):
        return lambda: offer_image_save(
            actor=owner, offer=offer, picture=p, alt="Affiche", credit=""
        )

    _, errors = at_once([save(p) for p in pictures])
    assert errors == []
    offer = Offer.objects.get(pk=offer.pk)
    files = sorted(p.relative_to(_media_root).as_posix() for p in Path(_media_root).rglob("*.jpg"))
    assert sorted([offer.image_large.name, offer.image_small.name]) == files  # the rest deleted


def test_two_exceptions_for_one_day_at_once_give_one(space, member):
    assert is_postgres()
    day = timezone.localdate() + timedelta(days=9)

    def add(label):
        return lambda: hours_exception_add(
            actor=member, venue=space["venue"], day=day, label=label, interval=None
        )

    results, errors = at_once([add("Inventaire"), add("Grève"), add("Travaux")])
    assert len(results) == 1
    assert len(errors) == 2 and all(isinstance(e, Refusal) for e in errors)
    assert HoursException.objects.filter(day=day).count() == 1
