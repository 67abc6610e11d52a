"""Registrations from other channels (issue 30, offers/services/registrations.py): they
take places from the total, never from the quota; a full session refuses them with the
places left, or puts them in the one waiting line; walk-ins take no place; contact details
only with consent; a place freed goes to the first in line whatever the channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from offers.models import (
    Action,
    Attendance,
    Registration,
    RegistrationStatus,
    Session,
    Transition,
    WaitlistEntry,
)
from offers.services import bookings as booking_services
from offers.services import registrations as services
from offers.services import waitlist
from offers.services.registrations import RegistrationData
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(space):
    """A reading club of 12 places, quota 8 for pass Culture."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    return {"offer": offer, "session": make_session(offer, days=10, total_places=12, quota=8)}


def desk(places=1, name="Famille Martin", **fields) -> RegistrationData:
    return RegistrationData(
        channel=fields.pop("channel", "desk"), name=name, places=places, **fields
    )


def door(club):
    """An hour before the start: the session's day, when people are counted at the door."""
    return club["session"].starts_at - timedelta(hours=1)


def add(member, club, places=1, *, waitlist=False, **fields) -> Registration:
    walk_in = fields.get("channel") == "walk_in"
    return services.registration_add(
        actor=member,
        target=club["session"],
        data=desk(places, **fields),
        waitlist=waitlist,
        now=door(club) if walk_in else None,
    )


def book(club, n=1) -> list:
    return [
        booking_services.booking_create(
            user=make_beneficiary(16), offer=club["offer"], session=club["session"]
        )
        for _ in range(n)
    ]


def counts(club) -> tuple:
    session = Session.objects.get(pk=club["session"].pk)
    return (session.booked_count, session.held_count, session.other_count, session.remaining)


def status(obj) -> str:
    obj.refresh_from_db()
    return obj.status


# --- adding ------------------------------------------------------------------------------


def test_a_registration_takes_places_from_the_total_not_the_quota(club, member):
    book(club, 4)
    family = add(member, club, 3)
    assert family.status == RegistrationStatus.REGISTERED
    # 12 − 4 − 3 = 5 left for anyone; the quota still had 4: the pass gets 4.
    assert counts(club) == (4, 0, 3, 4)
    add(member, club, 2, name="M. Dupont", channel="phone")
    assert counts(club) == (4, 0, 5, 3)
    assert Transition.objects.filter(action=Action.REGISTRATION_ADDED).count() == 2


def test_a_full_session_refuses_with_the_places_left_or_puts_in_line(club, member):
    book(club, 4)
    add(member, club, 6)
    with pytest.raises(ValidationError) as refused:
        add(member, club, 3, name="Famille Nguyen")
    assert refused.value.message_dict == {
        "places": [
            "Il ne reste que 2 places : impossible d'en prendre 3. Vous pouvez inscrire la "
            "personne sur la liste d'attente."
        ]
    }
    assert counts(club)[2] == 6  # nothing written
    assert not Registration.objects.filter(name="Famille Nguyen").exists()
    waiting = add(member, club, 3, name="Famille Nguyen", waitlist=True)
    assert waiting.status == RegistrationStatus.WAITING
    assert counts(club) == (4, 0, 6, 2)
    add(member, club, 2)
    with pytest.raises(ValidationError, match="C'est complet"):
        add(member, club, 1, name="Mme Roux")


def test_a_walk_in_is_present_and_takes_no_place(club, member):
    add(member, club, 12)
    walk_in = add(member, club, 2, name="", channel="walk_in")
    assert (walk_in.status, walk_in.attendance) == (RegistrationStatus.REGISTERED, "present")
    assert counts(club)[2] == 12


@pytest.mark.parametrize("phone", ["06 12 34 56 78", "+33 6 12 34 56 78", "06.12.34.56.78"])
def test_phone_numbers_as_people_type_them(club, member, phone):
    kept = add(member, club, phone=phone, contact_consent=True)
    assert kept.phone == phone


@pytest.mark.parametrize("phone", ["abc", "٠٦١٢٣٤٥٦٧٨", "12", "06 12 34 56 78 90 12 34 56"])
def test_a_phone_that_is_not_a_number_is_refused_in_french(club, member, phone):
    with pytest.raises(ValidationError) as refused:
        add(member, club, phone=phone, contact_consent=True)
    assert refused.value.message_dict["phone"] == [
        "Numéro de téléphone invalide : des chiffres, par exemple 06 12 34 56 78."
    ]
    assert not Registration.objects.exists() and counts(club)[2] == 0


def test_contact_details_need_the_persons_consent(club, member):
    for fields in ({"phone": "06 12 34 56 78"}, {"email": "famille@exemple.fr"}):
        with pytest.raises(ValidationError) as refused:
            add(member, club, **fields)
        assert "Cochez l'accord de la personne" in refused.value.message_dict["contact_consent"][0]
    assert not Registration.objects.exists()
    # Consent without any detail to contact keeps nothing to consent to.
    assert add(member, club, contact_consent=True).contact_consent is False


@pytest.mark.parametrize("name", ["Famille N'Diaye", "Zoé Lefèvre-Aït", "Ægir Ørsted", "É. d'Arc"])
def test_names_with_apostrophes_and_accents_are_kept_as_typed(club, member, name):
    assert add(member, club, name=name).name == name


def test_a_name_is_needed_except_for_a_walk_in_and_places_stay_in_range(club, member):
    with pytest.raises(ValidationError) as refused:
        add(member, club, 0, name="  ")
    assert set(refused.value.message_dict) == {"name", "places"}
    with pytest.raises(ValidationError, match="entre 1 et 30"):
        add(member, club, 31)


# --- the one waiting line ------------------------------------------------------------------


def _full_with_line(club, member, django_capture_on_commit_callbacks):
    """4 pass bookings, 8 desk places (two of 4): full. In line: a young person, then a
    desk registration of 1 with address and consent."""
    book(club, 4)
    first, second = add(member, club, 4), add(member, club, 4, name="Famille Petit")
    young = make_beneficiary(16)
    entry = waitlist.waitlist_join(user=young, offer=club["offer"], session=club["session"])
    waiting = add(
        member,
        club,
        name="Mme Roux",
        email="roux@exemple.fr",
        contact_consent=True,
        waitlist=True,
    )
    return first, second, entry, waiting


def test_a_cancellation_serves_the_first_in_line_a_young_person(
    club, member, django_capture_on_commit_callbacks
):
    first, _, entry, waiting = _full_with_line(club, member, django_capture_on_commit_callbacks)
    smaller = desk(3)
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_change(actor=member, registration=first, data=smaller)
    # One place freed: held for the young person (first in line), e-mailed.
    assert (status(entry), status(waiting)) == ("offered", "waiting")
    assert counts(club) == (4, 1, 7, 0)
    assert [m.to for m in mail.outbox] == [[entry.person.email]]
    assert mail.outbox[0].subject.startswith("Une place s'est libérée : Club de lecture")
    # The next place freed goes to the desk registration, e-mailed (address and consent).
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_change(actor=member, registration=first, data=desk(2))
    assert status(waiting) == "registered"
    assert counts(club) == (4, 1, 7, 0)
    assert [m.to for m in mail.outbox] == [["roux@exemple.fr"]]
    promoted = mail.outbox[0]
    assert promoted.subject.startswith("Une place s'est libérée : votre inscription")
    assert "pour vous" in promoted.body and "Club de lecture" in promoted.body
    row = Transition.objects.get(action=Action.REGISTRATION_PROMOTED)
    assert row.comment == "Mme Roux — 1 place — Accueil" and row.actor is None


def test_a_registration_promoted_without_consent_is_not_written_to(
    club, member, django_capture_on_commit_callbacks
):
    book(club, 8)
    add(member, club, 4)
    line = add(member, club, name="M. Blanc", waitlist=True)
    family = Registration.objects.get(name="Famille Martin")
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.registration_cancel(actor=member, registration=family)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    assert status(line) == "registered"
    line.refresh_from_db()
    assert line.promoted_at is not None
    assert mail.outbox == []  # no address: the page says « à prévenir »
    assert counts(club) == (8, 0, 1, 0)
    assert Transition.objects.filter(action=Action.REGISTRATION_CANCELLED).count() == 1


def test_a_party_too_large_keeps_its_rank_and_the_next_who_fits_is_served(club, member):
    book(club, 8)
    add(member, club, 2)
    add(member, club, 2, name="Famille Petit")
    family = add(member, club, 3, name="Famille Nguyen", waitlist=True)
    single = add(member, club, name="Mme Roux", waitlist=True)
    services.registration_cancel(
        actor=member, registration=Registration.objects.get(name="Famille Martin")
    )
    # Two places freed: the family of 3 does not fit, keeps its place in line.
    assert (status(family), status(single)) == ("waiting", "registered")
    assert counts(club) == (8, 0, 3, 0)
    services.registration_cancel(
        actor=member, registration=Registration.objects.get(name="Famille Petit")
    )
    assert status(family) == "registered"
    assert Session.objects.get(pk=club["session"].pk).places_left == 0


def test_a_young_person_first_in_line_with_the_quota_reached_is_skipped(club, member):
    book(club, 8)  # the quota is reached
    add(member, club, 4)
    entry = waitlist.waitlist_join(
        user=make_beneficiary(16), offer=club["offer"], session=club["session"]
    )
    desk_person = add(member, club, name="Mme Roux", waitlist=True)
    services.registration_change(
        actor=member, registration=Registration.objects.get(name="Famille Martin"), data=desk(3)
    )
    assert (status(entry), status(desk_person)) == ("waiting", "registered")
    assert waitlist.rank(entry) == 1  # still first
    assert counts(club) == (8, 0, 4, 0)


def test_a_young_persons_cancellation_serves_a_desk_registration(club, member):
    young = book(club, 4)
    add(member, club, 8)
    waiting = add(member, club, 2, name="Famille Petit", waitlist=True)
    for booking in young[:2]:
        booking_services.booking_cancel_by_beneficiary(user=booking.beneficiary, booking=booking)
    assert status(waiting) == "registered"
    assert counts(club) == (2, 0, 10, 0)


# --- changing ----------------------------------------------------------------------------


def test_more_places_if_they_fit_fewer_free_them_for_the_line(club, member):
    book(club, 4)
    family = add(member, club, 3)
    services.registration_change(actor=member, registration=family, data=desk(8))
    assert counts(club) == (4, 0, 8, 0)
    with pytest.raises(ValidationError, match="C'est complet"):
        services.registration_change(actor=member, registration=family, data=desk(9))
    family.refresh_from_db()
    assert family.places == 8 and counts(club)[2] == 8
    waiting = add(member, club, 2, name="Famille Petit", waitlist=True)
    services.registration_change(actor=member, registration=family, data=desk(5))
    assert status(waiting) == "registered"
    assert counts(club) == (4, 0, 7, 1)
    row = Transition.objects.filter(action=Action.REGISTRATION_CHANGED).latest("id")
    assert (
        row.comment == "Famille Martin — 8 places — Accueil → Famille Martin — 5 places — Accueil"
    )


def test_a_walk_in_stays_a_walk_in(club, member):
    walk_in = add(member, club, name="", channel="walk_in")
    with pytest.raises(ValidationError, match="sans inscription"):
        services.registration_change(actor=member, registration=walk_in, data=desk(1))
    services.registration_change(
        actor=member, registration=walk_in, data=desk(3, name="", channel="walk_in")
    )
    assert counts(club)[2] == 0


def test_places_kept_on_the_librarys_own_list(club, member):
    book(club, 4)
    session = services.outside_places_set(actor=member, session=club["session"], places=6)
    assert (session.outside_places, session.remaining, session.places_left) == (6, 2, 2)
    with pytest.raises(ValidationError) as refused:
        services.outside_places_set(actor=member, session=club["session"], places=9)
    assert refused.value.message_dict == {
        "outside_places": ["Il ne reste que 2 places : impossible d'en compter 3 de plus."]
    }
    add(member, club, 2)
    waiting = add(member, club, 2, name="Famille Petit", waitlist=True)
    services.outside_places_set(actor=member, session=club["session"], places=4)
    assert status(waiting) == "registered"
    session.refresh_from_db()
    assert (session.outside_places, session.other_count, session.places_left) == (4, 4, 0)
    assert Transition.objects.filter(action=Action.OUTSIDE_PLACES).count() == 2
    with pytest.raises(ValidationError):
        services.outside_places_set(actor=member, session=club["session"], places=-1)


def test_attendance_of_a_registration(club, member):
    family = add(member, club, 3)
    with pytest.raises(Refusal, match="à partir du jour de la séance"):  # a mis-click, weeks early
        services.registration_mark(actor=member, registration=family, attendance="present")
    with pytest.raises(Refusal, match="à partir du début de la séance"):
        services.registration_mark(
            actor=member, registration=family, attendance="absent", now=door(club)
        )
    assert (
        services.registration_mark(
            actor=member, registration=family, attendance=Attendance.PRESENT, now=door(club)
        ).attendance
        == "present"
    )
    cleared = services.registration_mark(actor=member, registration=family, attendance="")
    assert cleared.attendance == ""  # « Non marqué »: a mis-click undone
    with pytest.raises(Refusal, match="à partir du jour de la séance"):
        services.registration_add(
            actor=member, target=club["session"], data=desk(2, name="", channel="walk_in")
        )
    waiting_club = add(member, club, 10, name="Grand groupe", waitlist=True)
    with pytest.raises(Refusal, match="Seule une personne inscrite"):
        services.registration_mark(
            actor=member, registration=waiting_club, attendance=Attendance.PRESENT
        )
    assert WaitlistEntry.objects.count() == 0


def test_a_young_persons_rank_counts_the_people_of_every_channel_ahead(client, club, member):
    book(club, 8)
    add(member, club, 4)  # full
    first = waitlist.waitlist_join(
        user=make_beneficiary(16), offer=club["offer"], session=club["session"]
    )
    add(member, club, 3, name="Famille Petit", waitlist=True)
    add(member, club, 1, name="Mme Roux", waitlist=True)
    young = make_beneficiary(16)
    second = waitlist.waitlist_join(user=young, offer=club["offer"], session=club["session"])
    # Two desk registrations joined between them: the second young person is 4th.
    assert (waitlist.rank(first), waitlist.rank(second)) == (1, 4)
    client.force_login(young)
    page = client.get(reverse("offers:waitlist_entry", args=[second.public_id])).content.decode()
    assert "en position <strong>4</strong>" in page
    # Someone ahead served or gone: the rank moves up; a cancelled registration counts no more.
    services.registration_cancel(
        actor=member, registration=Registration.objects.get(name="Famille Petit")
    )
    assert (waitlist.rank(first), waitlist.rank(second)) == (1, 3)
    # Those who joined after a young person are not ahead of them.
    add(member, club, 2, name="Famille Blanc", waitlist=True)
    assert waitlist.rank(second) == 3
