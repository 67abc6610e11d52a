"""What a new user tripped on after issue 28, read as people read it: a cancelled session
is no « séance à venir » (the offer list, the pro home, the figures, bulk publishing),
the cancellation pages and e-mails say what happens in plain French, the calendar files
carry no English, the feed's audience follows the offer's ages, and the young person's
pages say what is left to book and where each list stands."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from jsonschema import Draft202012Validator

from offers.calendar import booking_ics, venue_feed_ics
from offers.models import Offer, OfferStatus, Session, SessionCancelReason
from offers.services import bookings as booking_services
from offers.services import cancellations, waitlist
from offers.services.bulk import offers_bulk
from passlib.refusal import Refusal
from reporting.figures import year_figures
from reporting.home import ending_soon, sessions_ahead
from tests.factories import make_beneficiary, make_offer, make_session

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "feeds.schema.json").read_text()
)


def cancel(session, actor, reason="room", comment=""):
    return cancellations.session_cancel(
        actor=actor, session=session, reason=reason, comment=comment
    )


@pytest.fixture
def workshop(space, django_capture_on_commit_callbacks):
    """A paid workshop at the Part-Dieu, two dates; Léa booked the first (its last place),
    Inès waits for it."""
    venue = space["venue"]
    venue.name = venue.public_name = "Médiathèque de la Part-Dieu"
    venue.save()
    offer = make_offer(venue, "ATELIER_PRATIQUE_ART", price_cents=300, title="Atelier BD")
    first = make_session(offer, days=3, total_places=1)
    second = make_session(offer, days=10, total_places=8)
    lea = make_beneficiary(17, first_name="Léa", email="lea@exemple.fr")
    ines = make_beneficiary(17, first_name="Inès", email="ines@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        booking = booking_services.booking_create(user=lea, offer=offer, session=first)
        waitlist.waitlist_join(user=ines, offer=offer, session=first)
    mail.outbox.clear()
    return {"offer": offer, "first": first, "second": second, "lea": lea, "booking": booking}


# 1. A cancelled session is no session to come ---------------------------------------------


def test_the_offer_list_counts_only_the_sessions_not_cancelled(login, member, workshop):
    offer, first, second = workshop["offer"], workshop["first"], workshop["second"]
    client = login(member)
    before = client.get("/offres/").content.decode()
    assert "2 séances à venir" in before
    cancel(first, member)
    one = client.get("/offres/").content.decode()
    assert "1 séance à venir" in one and "8 places restantes" in one
    cancel(second, member)
    html = client.get("/offres/").content.decode()
    assert "séances à venir" not in html and "séance à venir," not in html
    assert "Aucune séance à venir" in html
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PUBLISHED


def test_the_pro_home_marks_a_cancelled_session_without_places(login, member, workshop):
    first = workshop["first"]
    cancel(first, member)
    (row,) = [r for r in sessions_ahead(member) if r["starts_at"] == first.starts_at]
    assert row["cancelled"] and row["left"] is None
    html = login(member).get("/espace/").content.decode()
    table = html[html.index('id="h-sessions"') :]
    table = table[: table.index("</table>")]
    assert "Annulée</strong>" in table
    assert "Illimité" not in table  # no places said for a cancelled date


def test_ending_soon_reads_only_the_dates_not_cancelled(member, workshop):
    # The workshop's first date is this week; its second, later, is cancelled: the
    # offer ends this week.
    assert ending_soon(member) == []
    cancel(workshop["second"], member)
    assert [r["title"] for r in ending_soon(member)] == ["Atelier BD"]


def test_the_fill_rate_leaves_out_a_cancelled_session(space, member):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    kept = make_session(offer, days=5, total_places=10)
    gone = make_session(offer, days=6, total_places=10)
    june = timezone.make_aware(datetime(timezone.now().year, 6, 15, 15))
    Session.objects.filter(pk=kept.pk).update(starts_at=june, booking_limit_at=june, booked_count=5)
    Session.objects.filter(pk=gone.pk).update(
        starts_at=june,
        booking_limit_at=june,
        cancelled_at=timezone.now(),
        cancellation_reason="room",
    )
    figures = year_figures([space["venue"].pk], june.year)
    assert (figures.fill["sessions"], figures.fill["taken"], figures.fill["places"]) == (1, 5, 10)
    assert figures.fill_rate == 50


def test_bulk_reactivation_needs_a_date_not_cancelled(space, owner, member):
    offer = make_offer(space["venue"], status="published", title="Conte")
    session = make_session(offer, days=5)
    cancel(session, member)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.DEACTIVATED)
    result = offers_bulk(
        actor=owner, action="reactiver", selection=Offer.objects.filter(pk=offer.pk)
    )
    assert result.done == [] and result.refused[0][0] == "Conte"
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DEACTIVATED


# 2. The confirmation page says what will be true -----------------------------------------


def test_cancel_every_date_page_says_what_the_offer_becomes(login, member, workshop):
    offer = workshop["offer"]
    page = login(member).get(f"/offres/{offer.public_id}/seances/annuler/").content.decode()
    assert "L&#x27;offre reste publiée" not in page
    assert "sans date à réserver, elle apparaît « Expirée » dans vos offres" in page
    assert "les séances restent affichées « Annulée »" in page
    assert "elles ne pourront plus être réservées" in page
    assert "la séance reste affichée" not in page
    assert "1 personne inscrite en liste d&#x27;attente sera prévenue" in page
    one = login(member).get(
        f"/offres/{offer.public_id}/seances/{workshop['second'].public_id}/annuler/"
    )
    text = one.content.decode()
    assert "la séance reste affichée « Annulée »" in text
    assert "aucune personne inscrite en liste d&#x27;attente à prévenir" in text


# 3. « Autre motif » needs its précisions -------------------------------------------------


def test_other_reason_without_precisions_is_refused_by_the_service(member, workshop):
    with pytest.raises(Refusal) as exc:
        cancel(workshop["first"], member, reason=SessionCancelReason.OTHER, comment="  ")
    assert exc.value.code == "session.cancel_comment"
    assert not Session.objects.get(pk=workshop["first"].pk).is_cancelled
    assert cancel(workshop["first"], member, reason="other", comment="Inondation").sessions == 1


def test_other_reason_without_precisions_page_keeps_the_choice(login, member, workshop):
    offer, first = workshop["offer"], workshop["first"]
    url = f"/offres/{offer.public_id}/seances/{first.public_id}/annuler/"
    client = login(member)
    assert "Précisions (transmises telles quelles aux participants)" in (
        client.get(url).content.decode()
    )
    response = client.post(url, {"reason": "other", "comment": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Avec « Autre motif », dites en quelques mots" in html
    assert re.search(r'<option value="other"[^>]*selected', html)  # typed kept
    errors = html[html.index('id="id_comment_error"') :]
    assert errors[: errors.index("</div>")].count("Avec « Autre motif »") == 1  # at the field
    assert not Session.objects.get(pk=first.pk).is_cancelled and not mail.outbox


# 4. and 5. The e-mail and its calendar file ------------------------------------------------


def test_the_cancellation_email_names_the_venue_without_chez(
    member, workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel(workshop["first"], member, comment="Dégât des eaux")
    for message in mail.outbox:  # Léa (booked) and Inès (waiting)
        html = message.alternatives[0][0]
        for text in (message.subject, message.body, html):
            assert "chez" not in text
            assert "La séance de" not in text
        assert "La séance « Atelier BD » du " in message.body
        assert "(Médiathèque de la Part-Dieu) est annulée par le lieu." in message.body
        assert "(Médiathèque de la Part-Dieu) est annulée par le lieu." in html
    lea = next(m for m in mail.outbox if m.to == ["lea@exemple.fr"])
    event = next(iter(icalendar.Calendar.from_ical(lea.attachments[0][1]).walk("VEVENT")))
    description = str(event["DESCRIPTION"])
    assert "présente-la au guichet" not in description
    assert description.startswith("Séance annulée par le lieu. Ta réservation")
    assert "est annulée et ton crédit rendu" in description


def test_a_booking_cancelled_by_its_young_person_names_the_venue_without_chez(
    workshop, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_cancel_by_beneficiary(
            user=workshop["lea"], booking=workshop["booking"]
        )
    (message,) = [m for m in mail.outbox if m.to == ["lea@exemple.fr"]]
    assert "chez" not in message.body and "chez" not in message.alternatives[0][0]
    assert ", Médiathèque de la Part-Dieu)" in message.body


# 6. No English in a calendar file ----------------------------------------------------------

ENGLISH = "This timezone only works"


def test_no_calendar_file_we_write_has_the_english_comment(client, space, workshop):
    venue = space["venue"]
    files = {
        "booking": booking_ics(workshop["booking"]),
        "venue feed": venue_feed_ics(venue, Session.objects.filter(offer__venue=venue)),
        "programme": client.get(
            reverse("offers:programme", args=["lieu", venue.public_id, "ics"])
        ).content,
    }
    for name, content in files.items():
        assert ENGLISH.encode() not in content, name
        cal = icalendar.Calendar.from_ical(content)
        (zone,) = cal.walk("VTIMEZONE")
        assert str(zone["TZID"]) == venue.time_zone and "COMMENT" not in zone, name
        assert zone.walk("STANDARD"), name  # the zone's rules are kept
        assert cal.walk("VEVENT"), name


# 7. The feed's audience follows the offer's ages -------------------------------------------


def test_the_json_feed_audience_says_the_offer_ages(client, space, workshop):
    Offer.objects.filter(pk=workshop["offer"].pk).update(age_min=16, age_max=17)
    other = make_offer(space["venue"], "RENCONTRE", title="Club")
    make_session(other, days=4)
    Offer.objects.filter(pk=other.pk).update(age_min=16, age_max=16)
    response = client.get(
        reverse("offers:programme", args=["lieu", space["venue"].public_id, "json"])
    )
    document = response.json()
    Draft202012Validator(SCHEMA).validate(document)
    by_title = {e["title"]["fr"]: e for e in document["events"]}
    assert by_title["Atelier BD"]["audience"] == "Jeunes de 16 à 17 ans (pass Culture)"
    assert by_title["Club"]["audience"] == "Jeunes de 16 ans (pass Culture)"


# 8. and 9. The young person's pages --------------------------------------------------------


def test_an_offer_with_every_date_cancelled_says_so_without_booking_heading(
    login, member, workshop
):
    offer = workshop["offer"]
    client = login(workshop["lea"])
    assert 'id="h-book"' in client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    cancellations.offer_cancel(actor=member, offer=offer, reason="closure")
    page = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    assert "Toutes les dates de cette offre ont été annulées." in page
    assert ">Réserver<" not in page and 'id="h-book"' not in page
    assert page.count("Annulée</strong>") == 2  # both dates still told, once


def test_my_bookings_puts_each_list_under_its_own_heading(login, workshop):
    client = login(workshop["lea"])
    other = make_offer(workshop["offer"].venue, "RENCONTRE", title="Club de lecture")
    full = make_session(other, days=4, total_places=1)
    Session.objects.filter(pk=full.pk).update(booked_count=1)
    waitlist.waitlist_join(user=workshop["lea"], offer=other, session=full)
    html = client.get("/jeunes/reservations/").content.decode()
    headings = re.findall(r"<h([1-3])[^>]*>(.*?)</h\1>", html, flags=re.S)
    outline = [(int(level), re.sub(r"<[^>]+>", "", text).strip()) for level, text in headings]
    start = outline.index((1, "Mes réservations"))
    assert (
        outline[start:]
        == [
            (1, "Mes réservations"),
            (2, "Réservations"),
            (3, "Atelier BD"),
            (2, "Mes listes d'attente"),
            (3, "Club de lecture"),
        ][: len(outline) - start]
    )
    assert len(outline) - start == 5


@pytest.mark.django_db
def test_cancelling_dates_nobody_booked_promises_no_refund(login, space, owner):
    """Two dates, no booking: the page says there is nothing to cancel, and speaks of
    the dates in the plural; one booking: « le jeune », in the singular."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier fanzine")
    make_session(offer, days=9, total_places=8)
    make_session(offer, days=16, total_places=8)
    client = login(owner)
    url = reverse("offers:offer_cancel_sessions", args=[offer.public_id])
    page = client.get(url).content.decode()
    assert "aucune réservation à annuler ;" in page
    assert "retrouve son crédit" not in page
    assert "les séances restent affichées" in page
    booking_services.booking_create(
        user=make_beneficiary(16), offer=offer, session=offer.sessions.first()
    )
    page = client.get(url).content.decode()
    assert "1 réservation sera annulée" in page and "le jeune retrouve son crédit" in page
