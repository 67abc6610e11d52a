"""« Me prévenir » (issue 28): on an offer whose bookings open later, a young person asks
to be told; `send_opening_alerts` e-mails each alert once, only once bookings are open,
even with two schedulers at the same instant."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from offers import policy
from offers.models import Offer, OfferStatus, OpeningAlert
from offers.services import alerts
from passlib.management.commands.run_schedule import SCHEDULE
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once


def _offer(space, *, opens_in=timedelta(days=2), title="Atelier manga d'Angoulême"):
    offer = make_offer(
        space["venue"],
        "ATELIER_PRATIQUE_ART",
        title=title,
        booking_opens_at=timezone.now() + opens_in,
    )
    make_session(offer, days=20, total_places=12)
    return offer


def _page(offer):
    return f"/jeunes/offres/{offer.public_id}/"


def _open(offer, ago=timedelta(minutes=1)):
    Offer.objects.filter(pk=offer.pk).update(booking_opens_at=timezone.now() - ago)


def _run(django_capture_on_commit_callbacks) -> str:
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_opening_alerts", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_ask_once_ask_again_then_no_longer(login, space):
    offer = _offer(space)
    ines = make_beneficiary(17, first_name="Inès")
    client = login(ines)
    page = client.get(_page(offer)).content.decode()
    assert "Me prévenir à l'ouverture des réservations" in page
    response = client.post(f"{_page(offer)}me-prevenir/", follow=True)
    html = response.content.decode()
    assert "on t&#x27;écrira à l&#x27;ouverture des réservations, le " in html
    assert "C&#x27;est noté" in html and "Ne plus me prévenir" in html
    assert "Me prévenir à l'ouverture" not in html
    again = client.post(f"{_page(offer)}me-prevenir/", follow=True).content.decode()
    assert "C&#x27;est déjà noté" in again
    assert OpeningAlert.objects.filter(offer=offer, person=ines).count() == 1
    gone = client.post(f"{_page(offer)}ne-plus-me-prevenir/", follow=True).content.decode()
    assert "on ne t&#x27;écrira pas" in gone and "Me prévenir à l'ouverture" in gone
    assert not OpeningAlert.objects.exists()


@pytest.mark.django_db
def test_only_a_young_person_asks_and_only_before_the_opening(login, client, space, owner):
    offer = _offer(space)
    page = client.get(_page(offer)).content.decode()
    assert "pour qu'on te prévienne à l'ouverture" in page
    assert client.post(f"{_page(offer)}me-prevenir/").status_code == 302  # to log in
    assert login(owner).post(f"{_page(offer)}me-prevenir/").status_code == 403
    assert not OpeningAlert.objects.exists()

    opened = _offer(space, opens_in=-timedelta(hours=1), title="Concert")
    young = login(make_beneficiary(16))
    assert young.get(f"{_page(offer)}me-prevenir/").status_code == 405
    assert "Me prévenir" not in young.get(_page(opened)).content.decode()
    refused = young.post(f"{_page(opened)}me-prevenir/", follow=True).content.decode()
    assert "déjà ouvertes : tu peux réserver dès maintenant" in refused
    assert not OpeningAlert.objects.exists()
    draft = make_offer(
        space["venue"], status="draft", booking_opens_at=timezone.now() + timedelta(days=1)
    )
    assert young.post(f"{_page(draft)}me-prevenir/").status_code == 404


@pytest.mark.django_db
def test_one_email_once_bookings_are_open_never_before(
    space, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://passlib.example.org"
    offer = _offer(space)
    ines = make_beneficiary(17, first_name="Inès", email="ines@exemple.fr")
    assert alerts.opening_alert_add(user=ines, offer=offer) is True
    mail.outbox.clear()
    assert "0 alerte d'ouverture envoyée." in _run(django_capture_on_commit_callbacks)
    assert mail.outbox == []  # not before the opening
    _open(offer)
    assert "1 alerte d'ouverture envoyée." in _run(django_capture_on_commit_callbacks)
    assert "0 alerte" in _run(django_capture_on_commit_callbacks)  # once
    (message,) = mail.outbox
    assert message.to == ["ines@exemple.fr"]
    assert message.subject == "Les réservations de « Atelier manga d'Angoulême » sont ouvertes"
    assert "Bonjour Inès," in message.body
    assert "Tu nous as demandé de te prévenir" in message.body
    link = re.search(r"https://passlib\.example\.org(/jeunes/offres/\S+/)", message.body)
    assert link.group(1) == _page(offer)
    assert OpeningAlert.objects.get().sent_at is not None
    # told: the page shows the booking again, not the alert
    assert alerts.opening_alert_of(ines, offer) is None


@pytest.mark.django_db
def test_a_deactivated_offer_or_an_opening_moved_later_waits(
    space, django_capture_on_commit_callbacks
):
    offer = _offer(space)
    alerts.opening_alert_add(user=make_beneficiary(16), offer=offer)
    _open(offer)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.DEACTIVATED)
    mail.outbox.clear()
    assert "0 alerte" in _run(django_capture_on_commit_callbacks)
    Offer.objects.filter(pk=offer.pk).update(
        status=OfferStatus.PUBLISHED, booking_opens_at=timezone.now() + timedelta(days=3)
    )
    assert "0 alerte" in _run(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    _open(offer)  # re-evaluated at each run: now it goes
    assert "1 alerte" in _run(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_told_then_the_opening_moved_later_may_ask_again(space):
    offer = _offer(space)
    young = make_beneficiary(16)
    alerts.opening_alert_add(user=young, offer=offer)
    OpeningAlert.objects.update(sent_at=timezone.now())
    assert alerts.opening_alert_of(young, offer) is None
    assert alerts.opening_alert_add(user=young, offer=offer) is True
    alert = OpeningAlert.objects.get()
    assert alert.sent_at is None and alerts.opening_alert_of(young, offer) == alert


@pytest.mark.django_db
def test_booking_opened_in_python_and_in_sql_agree(space):
    now = timezone.now()
    offers = [
        make_offer(space["venue"], title="Sans date"),
        make_offer(space["venue"], title="Ouverte", booking_opens_at=now - timedelta(hours=1)),
        make_offer(space["venue"], title="À l'instant", booking_opens_at=now),
        make_offer(space["venue"], title="Plus tard", booking_opens_at=now + timedelta(hours=1)),
    ]
    in_sql = set(Offer.objects.filter(policy.booking_opened_q(now)).values_list("title", flat=True))
    in_python = {o.title for o in offers if policy.booking_opened(o, now)}
    assert in_sql == in_python == {"Sans date", "Ouverte", "À l'instant"}


def test_the_scheduler_runs_the_alerts_every_five_minutes():
    assert ("send_opening_alerts", 5 * 60) in SCHEDULE


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_instant_send_each_alert_once(space):
    offer = _offer(space)
    people = [make_beneficiary(16, email=f"jeune{i}@exemple.fr") for i in range(8)]
    for person in people:
        alerts.opening_alert_add(user=person, offer=offer)
    _open(offer)
    mail.outbox.clear()
    results, errors = at_once([alerts.send_opening_alerts] * 2)
    assert errors == []
    assert sorted(results) == [0, 8]
    for person in people:
        assert len([m for m in mail.outbox if m.to == [person.email]]) == 1
    assert not OpeningAlert.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db
def test_outside_the_offers_ages_there_is_nothing_to_be_told_of(login, space):
    offer = _offer(space)
    Offer.objects.filter(pk=offer.pk).update(age_min=15, age_max=16)
    jade = make_beneficiary(18, first_name="Jade")
    client = login(jade)
    page = client.get(_page(offer)).content.decode()
    assert "Me prévenir à l'ouverture des réservations" not in page
    assert "prévue pour les 15–16 ans : tu as 18 ans" in page
    response = client.post(f"{_page(offer)}me-prevenir/", follow=True)
    assert "prévue pour les 15–16 ans : tu as 18 ans" in response.content.decode()
    assert not OpeningAlert.objects.exists()


@pytest.mark.django_db
def test_once_asked_the_page_no_longer_offers_to_ask(login, space):
    offer = _offer(space)
    client = login(make_beneficiary(16, first_name="Zoé"))
    assert "ou demande qu'on t'écrive" in client.get(_page(offer)).content.decode()
    client.post(f"{_page(offer)}me-prevenir/")
    page = client.get(_page(offer)).content.decode()
    assert "ou demande qu'on t'écrive" not in page
    assert "Ne plus me prévenir" in page
