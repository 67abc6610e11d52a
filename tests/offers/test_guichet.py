"""The guichet through the test client."""

from datetime import timedelta

import pytest
from django.utils import timezone

from offers.models import Booking, BookingStatus
from offers.services import bookings as services
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def booking(space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    session = make_session(offer, total_places=10)
    young = make_beneficiary(16, first_name="Inès", last_name="Diallo")
    booking = services.booking_create(user=young, offer=offer, session=session)
    # booked three days ago: the young person can no longer cancel, the guichet validates
    Booking.objects.filter(pk=booking.pk).update(booked_at=timezone.now() - timedelta(days=3))
    booking.refresh_from_db()
    return booking


@pytest.mark.parametrize("typed", ["{code}", "{lower}", " {spaced} ", "PASSLIB:{code}"])
def test_lookup_tolerates_case_spaces_and_qr_prefix(login, owner, booking, typed):
    code = booking.code
    raw = typed.format(code=code, lower=code.lower(), spaced=f"{code[:3]} {code[3:]}")
    html = login(owner).get("/guichet/", {"code": raw}).content.decode()
    assert f"Contremarque {code}" in html
    assert "Inès Diallo" in html and "Atelier BD" in html
    assert "pièce d'identité" in html
    assert "Valider la contremarque" in html


def test_validate_then_undo_after_a_confirmation(login, owner, booking):
    client = login(owner)
    response = client.post("/guichet/valider/", {"code": booking.code.lower()})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.VALIDATED and booking.validated_by == owner
    html = client.get(response.url).content.decode()
    assert "Validée le" in html and owner.display_name in html and "Invalider" in html

    # first POST asks for confirmation and changes nothing
    response = client.post("/guichet/invalider/", {"code": booking.code})
    assert "Confirmez-vous l'invalidation" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED
    client.post("/guichet/invalider/", {"code": booking.code, "confirm": "1"})
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_double_validation_is_refused_with_a_message(login, owner, booking):
    client = login(owner)
    client.post("/guichet/valider/", {"code": booking.code})
    response = client.post("/guichet/valider/", {"code": booking.code}, follow=True)
    assert "déjà été validée" in response.content.decode()


def test_cancelled_and_unknown_codes_say_so(login, owner, booking):
    services.booking_cancel_by_venue(actor=owner, booking=booking, comment="Atelier annulé")
    client = login(owner)
    html = client.get("/guichet/", {"code": booking.code}).content.decode()
    assert "a été annulée" in html and "Valider la contremarque" not in html
    assert "introuvable" in client.get("/guichet/", {"code": "ZZZZZZ"}).content.decode()
    assert "6 caractères" in client.get("/guichet/", {"code": "AB"}).content.decode()


def test_other_venue_codes_answer_introuvable(login, space, member, outsider, booking):
    # `member` manages space["venue"]; a booking of the other venue is not theirs
    other_offer = make_offer(space["other_venue"], "ESCAPE_GAME")
    other = services.booking_create(user=make_beneficiary(), offer=other_offer)
    client = login(member)
    assert "introuvable" in client.get("/guichet/", {"code": other.code}).content.decode()
    response = client.post("/guichet/valider/", {"code": other.code})
    assert response.status_code == 404
    assert Booking.objects.get(pk=other.pk).status == BookingStatus.CONFIRMED
    # another collectivité
    client = login(outsider)
    assert "introuvable" in client.get("/guichet/", {"code": booking.code}).content.decode()
    assert client.post("/guichet/valider/", {"code": booking.code}).status_code == 404


def test_htmx_lookup_returns_the_result_fragment(login, owner, booking):
    html = (
        login(owner)
        .get("/guichet/", {"code": booking.code}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert html.lstrip().startswith('<section id="result"')
    assert "<html" not in html


def test_lookups_and_validations_share_a_rate_limit(login, owner, booking, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "guichet_target": (3, 60)}
    client = login(owner)
    codes = [client.get("/guichet/", {"code": booking.code}).status_code for _ in range(2)]
    codes.append(client.post("/guichet/valider/", {"code": booking.code}).status_code)
    response = client.post("/guichet/valider/", {"code": booking.code})
    codes.append(response.status_code)
    assert codes == [200, 200, 302, 429]
    assert "Trop de recherches" in response.content.decode()
    assert client.get("/guichet/", {"code": booking.code}).status_code == 429


def test_guichet_actions_refuse_get_and_non_members(login, client, owner, booking):
    from tests.factories import UserFactory

    assert client.get("/guichet/valider/").status_code == 302  # anonymous: to the login
    assert login(owner).get("/guichet/valider/").status_code == 405
    assert login(UserFactory()).get("/guichet/").status_code == 403
