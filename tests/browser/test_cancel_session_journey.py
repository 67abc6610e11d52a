"""A librarian cancels a booked session (issue 28, « Must show » 1b), through visible
French labels only: five young people booked the Wednesday workshop (4,50 €), two wait
for a place. On her desktop she opens the offer, « Annuler la séance », reads who will
be told, picks the reason, writes a precision and confirms. Seven e-mails, one each;
every credit back to the cent; each young person sees the session « Annulée » on a
phone (her bookings, the offer page); the public programme says `cancelled`. Axe on
every page."""

from __future__ import annotations

import json
import re

import icalendar
import pytest
from django.core import mail

from accounts.models import Beneficiary
from offers.models import WaitlistEntry, WaitlistStatus
from offers.services import bookings as booking_services
from offers.services import waitlist
from tests.browser.labels import field, log_in_from_home, log_out
from tests.conftest import assert_accessible
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


def test_a_librarian_cancels_a_session_with_five_bookings_and_two_waiting(page, space, member):
    offer = make_offer(
        space["venue"], "ATELIER_PRATIQUE_ART", price_cents=450, title="Atelier BD du mercredi"
    )
    session = make_session(offer, days=9, total_places=5)
    make_session(offer, days=16, total_places=10)  # the next week's date goes on
    names = ["Léa", "Tom", "Inès", "Noé", "Maël"]
    booked = [
        make_beneficiary(17, first_name=n, last_name="Martin", email=f"jeune{i}@exemple.fr")
        for i, n in enumerate(names)
    ]
    waiting = [
        make_beneficiary(17, first_name=n, last_name="Durand", email=f"attente{i}@exemple.fr")
        for i, n in enumerate(["Sacha", "Zoé"])
    ]
    for person in booked:
        booking_services.booking_create(user=person, offer=offer, session=session)
    for person in waiting:
        waitlist.waitlist_join(user=person, offer=offer, session=session)
    credits = {p.pk: Beneficiary.objects.get(user=p).credit_cents for p in booked + waiting}
    mail.outbox.clear()

    # The librarian, at her desk.
    page.set_viewport_size(DESKTOP)
    log_in_from_home(page, member.email)
    page.get_by_role("link", name="Offres", exact=True).click()
    page.get_by_role("link", name="Atelier BD du mercredi").click()
    page.get_by_role("link", name=re.compile(r"^Annuler la séance du")).first.click()
    page.wait_for_url("**/annuler/")
    assert page.get_by_text("5 réservations seront annulées").is_visible()
    assert page.get_by_text(
        "2 personnes inscrites en liste d'attente seront prévenues"
    ).is_visible()
    assert_accessible(page, "cancel-01-confirmation")
    # Confirming without a reason: told next to the field, nothing done.
    field(page, "Précisions (transmises telles quelles aux participants)").fill(
        "L'intervenant est malade."
    )
    page.get_by_role("button", name="Confirmer l'annulation de la séance").click()
    assert page.get_by_text("Choisissez un motif dans la liste.").first.is_visible()
    assert field(page, "Précisions (transmises telles quelles aux participants)").input_value() == (
        "L'intervenant est malade."
    )
    assert not mail.outbox
    assert_accessible(page, "cancel-02-reason-missing")
    field(page, "Motif").select_option(label="Intervenant indisponible")
    page.get_by_role("button", name="Confirmer l'annulation de la séance").click()
    page.wait_for_selector("text=Séance annulée : 5 réservations annulées et remboursées")
    assert page.get_by_text(
        "Séance annulée : 5 réservations annulées et remboursées, 2 personnes de la liste "
        "d'attente prévenues."
    ).is_visible()
    table = page.get_by_role("table", name=re.compile("^Séances"))
    assert table.get_by_text("Annulée", exact=True).count() == 1
    assert_accessible(page, "cancel-03-offer-page-session-cancelled")
    page.get_by_role("link", name=re.compile(r"^Participants de la séance du")).first.click()
    page.wait_for_url("**/participants/")
    assert page.get_by_text(
        re.compile("Intervenant indisponible — L'intervenant est malade")
    ).is_visible()
    assert_accessible(page, "cancel-04-participants")
    log_out(page)

    # Seven e-mails, one per person; the bookings carry the cancelling calendar file.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(p.email for p in booked + waiting)
    for person in booked:
        [message] = [m for m in mail.outbox if m.to == [person.email]]
        assert message.subject.startswith("Séance annulée : Atelier BD du mercredi du ")
        assert "Motif : Intervenant indisponible — L'intervenant est malade." in message.body
        assert "Ton crédit de 4,50 € t'a été rendu." in message.body
        assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", message.subject + message.body)
        [(_, content, _)] = message.attachments
        cal = icalendar.Calendar.from_ical(content)
        assert str(cal["METHOD"]) == "CANCEL"
        event = next(iter(cal.walk("VEVENT")))
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    for person in waiting:
        [message] = [m for m in mail.outbox if m.to == [person.email]]
        assert "liste d'attente : elle est close" in message.body
        assert not message.attachments
    # Credits back to the cent; the waiting list closed.
    for person in booked:
        assert Beneficiary.objects.get(user=person).credit_cents == credits[person.pk] + 450
    for person in waiting:
        assert Beneficiary.objects.get(user=person).credit_cents == credits[person.pk]
    assert set(WaitlistEntry.objects.values_list("status", flat=True)) == {WaitlistStatus.CLOSED}

    # Each young person sees it on a phone.
    page.set_viewport_size(PHONE)
    for i, person in enumerate(booked):
        log_in_from_home(page, person.email)
        page.get_by_role("link", name="Mes réservations").click()
        page.wait_for_url("**/jeunes/reservations/")
        card = page.locator("article.booking").filter(has_text="Atelier BD du mercredi")
        assert card.get_by_text("Séance annulée").is_visible()
        assert card.get_by_text(
            re.compile("^Annulée par le lieu : Intervenant indisponible")
        ).is_visible()
        if i == 0:
            assert_accessible(page, "cancel-05-young-my-bookings")
            page.get_by_role("navigation", name="Navigation principale").get_by_role(
                "link", name="Offres pour les jeunes"
            ).click()
            page.get_by_role("link", name="Atelier BD du mercredi").click()
            page.wait_for_url("**/jeunes/offres/*/")
            dates = page.get_by_role("region", name="Réserver")
            assert dates.get_by_text("Annulée", exact=True).is_visible()
            assert dates.get_by_role("button", name=re.compile("^Réserver")).count() == 1
            assert_accessible(page, "cancel-06-young-offer-page")
        log_out(page)
    for person in waiting[:1]:
        log_in_from_home(page, person.email)
        page.goto(f"/jeunes/offres/{offer.public_id}/")
        assert page.get_by_text("Annulée", exact=True).is_visible()
        assert_accessible(page, "cancel-07-waiting-person-offer-page")
        log_out(page)

    # The public programme (read by the city's website) says it is cancelled.
    response = page.request.get(f"/programme/lieu/{space['venue'].public_id}.json")
    document = json.loads(response.text())
    [event] = [e for e in document["events"] if e["title"]["fr"] == "Atelier BD du mercredi"]
    statuses = [t["status"] for t in event["timings"]]
    assert statuses == ["cancelled", "scheduled"]
