"""One refusal type (passlib/refusal.py): a French message and a machine code; views
show the message; one that no view caught answers a French 400, never a 500."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from offers.services import bookings as booking_services
from passlib.refusal import Refusal, RefusalMiddleware
from tests.factories import make_offer

pytestmark = pytest.mark.django_db


def test_a_refusal_carries_a_french_message_and_a_code(space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME")
    with pytest.raises(Refusal) as refused:
        booking_services.booking_create(user=owner, offer=offer)
    assert refused.value.code == "booking.not_beneficiary"
    assert str(refused.value) == refused.value.message
    assert refused.value.message == "Seuls les jeunes inscrits au pass Culture peuvent réserver."


def test_an_uncaught_refusal_answers_400_with_its_message(rf: RequestFactory):
    middleware = RefusalMiddleware(lambda request: HttpResponse())
    request = rf.get("/")
    request.user = None
    refusal = Refusal("Cette offre n'est plus disponible.", code="offer.gone")
    response = middleware.process_exception(request, refusal)
    assert response.status_code == 400
    assert "Cette offre n&#x27;est plus disponible." in response.content.decode()
    assert middleware.process_exception(request, ValueError("autre")) is None


def test_views_show_the_refusal_message(login, space, owner):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape", status="draft")
    response = login(owner).post(f"/offres/{offer.public_id}/desactiver/", follow=True)
    assert "Seule une offre publiée peut être désactivée." in response.content.decode()
