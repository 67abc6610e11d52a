"""Every transition is written in the action history (offers.Transition): who, when,
what, from → to, why; the offer page, the collective offer page and the guichet show it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from offers import history
from offers.models import (
    Action,
    Booking,
    BookingStatus,
    CollectiveOffer,
    OfferStatus,
    Transition,
)
from offers.services import bookings as booking_services
from offers.services import collective_bookings
from offers.services import offers as offer_services
from passlib.formats import datetime_fr, local
from tests.factories import (
    MembershipFactory,
    make_beneficiary,
    make_booking,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_teacher,
)

pytestmark = pytest.mark.django_db


def _steps(rows) -> list[tuple[str, str, str, str]]:
    """(action, from, to, who) oldest first."""
    return [(r.action, r.from_status, r.to_status, r.actor_label) for r in reversed(rows)]


def test_validated_unvalidated_validated_again_shows_three_transitions_with_actors(
    login, space, owner
):
    colleague = MembershipFactory(
        collectivite=space["collectivite"], user__first_name="Paul", user__last_name="Martin"
    ).user
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape game")
    booking = booking_services.booking_create(user=make_beneficiary(), offer=offer)
    booking_services.booking_validate(actor=owner, booking=booking)
    booking_services.booking_unvalidate(actor=colleague, booking=booking)
    booking_services.booking_validate(actor=colleague, booking=booking)

    rows = history.booking_history(booking.pk)
    owner_name = owner.display_name
    assert _steps(rows) == [
        (Action.BOOKED, "", "confirmed", "le jeune"),
        (Action.VALIDATED, "confirmed", "validated", owner_name),
        (Action.UNVALIDATED, "validated", "confirmed", "Paul Martin"),
        (Action.VALIDATED, "confirmed", "validated", "Paul Martin"),
    ]
    # The booking's own fields say who validated last; the undo kept who had validated.
    unvalidate = next(r for r in rows if r.action == Action.UNVALIDATED)
    assert owner_name in unvalidate.comment

    page = login(owner).get("/guichet/", {"code": booking.code}).content.decode()
    assert "Historique de la contremarque" in page
    # Status line ("Validée le … par Paul Martin") and two history rows.
    assert page.count("Validation annulée") == 1 and page.count("par Paul Martin") == 3
    assert f"par {owner_name}" in page


def test_published_deactivated_reactivated_offer_shows_its_transitions(login, space, owner):
    offer = make_offer(space["venue"], status=OfferStatus.DRAFT, title="Atelier BD")
    make_session(offer, total_places=5)
    offer_services.offer_publish(actor=owner, offer=offer)
    offer_services.offer_deactivate(actor=owner, offer=offer)
    offer_services.offer_publish(actor=owner, offer=offer)

    rows = history.offer_history(offer)
    name = owner.display_name
    assert _steps(rows) == [
        (Action.OFFER_PUBLISHED, "draft", "published", name),
        (Action.OFFER_DEACTIVATED, "published", "deactivated", name),
        (Action.OFFER_REACTIVATED, "deactivated", "published", name),
    ]
    page = login(owner).get(f"/offres/{offer.public_id}/").content.decode()
    for label in ("Offre publiée", "Offre désactivée", "Offre réactivée"):
        assert label in page
    assert "(brouillon → publiée)" in page and "(désactivée → publiée)" in page


def test_place_changes_and_sessions_are_logged(space, owner):
    offer = make_offer(space["venue"], title="Rencontre")
    from offers.services import sessions as session_services
    from offers.services.sessions import SessionData

    start = timezone.now() + timedelta(days=10)
    session = session_services.session_add(
        actor=owner, offer=offer, data=SessionData(starts_at=start, total_places=12, quota=8)
    )
    session_services.session_update(
        actor=owner, session=session, data=SessionData(starts_at=start, total_places=12, quota=10)
    )
    later = start + timedelta(hours=1)
    session_services.session_update(
        actor=owner, session=session, data=SessionData(starts_at=later, total_places=12, quota=10)
    )
    session_services.session_update(  # its own length: the end moves, and is logged
        actor=owner,
        session=session,
        data=SessionData(starts_at=later, total_places=12, quota=10, duration_minutes=120),
    )
    session_services.session_remove(actor=owner, session=session)
    actions = [(r.action, r.comment) for r in reversed(history.offer_history(offer))]
    from passlib.formats import session_time_fr

    def label(begin, minutes=90):  # the venue is in Europe/Paris, the project's time zone
        return "Séance du " + session_time_fr(
            begin, begin + timedelta(minutes=minutes), tz="Europe/Paris"
        )

    assert actions == [
        (Action.SESSION_ADDED, "12 places, pass Culture : 8 au plus"),
        (
            Action.SESSION_CHANGED,
            "12 places, pass Culture : 8 au plus → 12 places, pass Culture : 10 au plus",
        ),
        (  # a new start is a move: old → new, with the weekday (offers/services/moves.py)
            Action.SESSION_MOVED,
            f"{datetime_fr(local(start), weekday=True)} → "
            f"{datetime_fr(local(later), weekday=True)}",
        ),
        (Action.SESSION_CHANGED, f"{label(later)} → {label(later, 120)}"),
        (Action.SESSION_REMOVED, ""),
    ]


def test_cancellations_say_who_and_why(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    young = make_beneficiary()
    mine = booking_services.booking_create(user=young, offer=offer)
    booking_services.booking_cancel_by_beneficiary(user=young, booking=mine)
    other = booking_services.booking_create(user=make_beneficiary(), offer=offer)
    booking_services.booking_cancel_by_venue(actor=owner, booking=other, comment="Fermeture")
    by_young = history.booking_history(mine.pk)[0]
    by_venue = history.booking_history(other.pk)[0]
    assert (by_young.action, by_young.actor_label, by_young.reason) == (
        Action.CANCELLED,
        "le jeune",
        "beneficiary",
    )
    assert (by_venue.actor_label, by_venue.reason, by_venue.comment) == (
        owner.display_name,
        "venue",
        "Fermeture",
    )


def test_automatic_validation_writes_one_row_per_booking_by_the_system(space):
    offer = make_offer(space["venue"], "ABO_BIBLIOTHEQUE", title="Carte")
    due = [make_booking(offer, is_free_subscription=True) for _ in range(3)]
    young = make_booking(offer, is_free_subscription=True)
    Booking.objects.filter(pk__in=[b.pk for b in due]).update(
        booked_at=timezone.now() - timedelta(days=31)
    )
    call_command("validate_subscription_bookings", stdout=io.StringIO())
    call_command("validate_subscription_bookings", stdout=io.StringIO())  # idempotent
    logged = Transition.objects.filter(action=Action.AUTO_VALIDATED)
    assert sorted(logged.values_list("booking_id", flat=True)) == sorted(b.pk for b in due)
    row = history.booking_history(due[0].pk)[0]
    assert (row.from_status, row.to_status, row.actor_label) == (
        BookingStatus.CONFIRMED,
        BookingStatus.VALIDATED,
        "le système (automatique)",
    )
    assert row.label == f"Contremarque {due[0].code}" and row.created_at is not None
    assert not Transition.objects.filter(booking=young).exists()


def test_collective_booking_steps_are_logged_and_shown(login, space, owner):
    school = make_school()
    teacher = make_teacher(school, first_name="Marc", last_name="Lefort")
    offer = make_collective_offer(space["venue"], title="Atelier slam")
    booking = collective_bookings.prebook(user=teacher, offer=offer)
    collective_bookings.confirm(user=teacher, booking=booking)
    collective_bookings.cancel_by_venue(actor=owner, booking=booking, comment="Intervenant malade")
    rows = history.collective_offer_history(offer.pk)
    assert _steps(rows) == [
        (Action.COLLECTIVE_PREBOOKED, "", "prebooked", "Marc Lefort"),
        (Action.COLLECTIVE_CONFIRMED, "prebooked", "booked", "Marc Lefort"),
        (Action.COLLECTIVE_CANCELLED, "booked", "cancelled", owner.display_name),
    ]
    page = login(owner).get(f"/collectif/offres/{offer.public_id}/").content.decode()
    assert "Préréservation" in page and "Intervenant malade" in page


def test_creation_edits_stock_and_duplicates_are_logged(space, owner):
    from offers.services.offers import OfferData, StockData

    data = OfferData(venue=space["venue"], subcategory_id="ESCAPE_GAME", title="Escape game")
    offer = offer_services.offer_create(actor=owner, data=data, stock=StockData(quantity=10))
    offer_services.offer_update(actor=owner, offer=offer, data=data, stock=StockData(quantity=12))
    copy = offer_services.offer_duplicate(actor=owner, offer=offer)
    steps = [(r.action, r.to_status, r.comment) for r in reversed(history.offer_history(offer))]
    assert steps == [
        (Action.OFFER_CREATED, "draft", ""),
        (Action.OFFER_EDITED, "", ""),
        (Action.STOCK_CHANGED, "", "Quantité : 10 → 12"),
    ]
    duplicated = history.offer_history(copy)
    assert [(r.action, r.comment) for r in duplicated] == [(Action.OFFER_DUPLICATED, "Escape game")]


def test_collective_publication_archive_and_end_are_logged(space, owner):
    from offers.services import collective as collective_services

    school = make_school()
    teacher = make_teacher(school)
    offer = make_collective_offer(space["venue"], title="Atelier slam", status="draft")
    collective_services.collective_publish(actor=owner, obj=offer)
    booking = collective_bookings.prebook(user=teacher, offer=offer)
    collective_bookings.confirm(user=teacher, booking=booking)
    past = timezone.now() - timedelta(days=3)
    CollectiveOffer.objects.filter(pk=offer.pk).update(
        starts_at=past, ends_at=past, booking_limit_at=past
    )
    ended = collective_bookings.end_due_collective_bookings()
    collective_services.collective_archive(actor=owner, obj=offer)
    actions = [
        (r.action, r.actor_label) for r in reversed(history.collective_offer_history(offer.pk))
    ]
    assert ended == 1
    assert actions == [
        (Action.COLLECTIVE_PUBLISHED, owner.display_name),
        (Action.COLLECTIVE_PREBOOKED, teacher.display_name),
        (Action.COLLECTIVE_CONFIRMED, teacher.display_name),
        (Action.COLLECTIVE_ENDED, "le système (automatique)"),
        (Action.COLLECTIVE_ARCHIVED, owner.display_name),
    ]
