"""A venue's public page (offers/views/venue_page.py shows it): its texts, contact,
accessibility, picture and opening hours, written by the venue's members (the policy:
accounts/policy.py `can_manage_venue`, checked by the views). Each change is in the
collectivité's history."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time

from django.db import IntegrityError, transaction

from accounts.models import HoursException, OpeningHours, User, Venue, Verb
from accounts.services.history import action_log
from passlib import images
from passlib.formats import date_fr
from passlib.refusal import Refusal

Intervals = list[tuple[time, time]]


@dataclass(frozen=True)
class VenuePageData:
    public_name: str
    description: str
    accessibility_audio: bool
    accessibility_mental: bool
    accessibility_motor: bool
    accessibility_visual: bool
    accessibility_details: str
    contact_phone: str
    contact_email: str
    website: str


def _log(actor: User, venue: Venue, comment: str) -> None:
    action_log(
        actor=actor,
        verb=Verb.VENUE_UPDATED,
        collectivite=venue.collectivite,
        venue=venue,
        target_label=venue.name,
        comment=comment,
    )


def _locked(venue: Venue) -> Venue:
    return Venue.objects.select_for_update().select_related("collectivite").get(pk=venue.pk)


@transaction.atomic
def venue_page_update(
    *, actor: User, venue: Venue, data: VenuePageData, week: dict[int, Intervals]
) -> Venue:
    """The page's texts and the week's hours (weekday 0 = Monday → intervals; a day
    left out or empty is closed), replaced as a whole."""
    locked = _locked(venue)
    names = [f.name for f in fields(VenuePageData)]
    for name in names:
        setattr(locked, name, getattr(data, name))
    locked.full_clean(exclude=["image_large", "image_small"])
    locked.save(update_fields=names)
    OpeningHours.objects.filter(venue=locked).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(venue=locked, weekday=day, opens=opens, closes=closes)
        for day, intervals in sorted(week.items())
        for opens, closes in intervals
    )
    _log(actor, locked, "Page publique modifiée")
    return locked


@transaction.atomic
def hours_exception_add(
    *, actor: User, venue: Venue, day: date, label: str, interval: tuple[time, time] | None
) -> HoursException:
    """A day that differs from the week (closed when `interval` is None); one per day."""
    locked = _locked(venue)
    opens, closes = interval or (None, None)
    try:
        with transaction.atomic():
            exception = HoursException.objects.create(
                venue=locked, day=day, label=label, opens=opens, closes=closes
            )
    except IntegrityError:
        raise Refusal(
            "Ce jour a déjà une exception : supprimez-la d'abord.", code="venue.exception_exists"
        ) from None
    _log(actor, locked, f"Exception aux horaires le {date_fr(day)}")
    return exception


@transaction.atomic
def hours_exception_delete(*, actor: User, venue: Venue, exception_id: int) -> None:
    locked = _locked(venue)
    deleted, _ = HoursException.objects.filter(venue=locked, pk=exception_id).delete()
    if not deleted:
        raise Refusal("Cette exception n'existe plus.", code="venue.exception_gone")
    _log(actor, locked, "Exception aux horaires supprimée")


def image_folder(venue: Venue) -> str:
    return f"lieux/{venue.public_id}"


@transaction.atomic
def venue_image_save(
    *, actor: User, venue: Venue, picture: images.ReadImage | None, alt: str, credit: str
) -> Venue:
    locked = _locked(venue)
    images.save_image(locked, picture=picture, alt=alt, credit=credit, folder=image_folder(locked))
    _log(actor, locked, "Image de la page modifiée")
    return locked


@transaction.atomic
def venue_image_delete(*, actor: User, venue: Venue) -> Venue:
    locked = _locked(venue)
    if not locked.has_image:
        raise Refusal("Ce lieu n'a pas d'image.", code="venue.no_image")
    images.delete_image(locked)
    _log(actor, locked, "Image de la page supprimée")
    return locked
