"""A venue's public page (issue 19, point 2): what its members write (texts, contact,
accessibility, hours by weekday as people type them, exceptions, picture) and what
anyone sees, with the venue's upcoming offers."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import hours
from accounts.models import ActionLog, HoursException, OpeningHours, Status
from tests.factories import make_offer, make_session
from tests.images import picture, upload

pytestmark = pytest.mark.django_db


def page_data(**overrides):
    data = {
        "public_name": "Médiathèque de L'Haÿ-les-Roses",
        "description": "Des livres, des jeux, des ateliers.",
        "accessibility_motor": "on",
        "accessibility_details": "Ascenseur et boucle magnétique à l'accueil.",
        "contact_phone": "04 72 00 00 00",
        "contact_email": "mediatheque@exemple.fr",
        "website": "bm-exemple.fr",
        "hours_0": "fermé",
        "hours_1": "10h-12h30, 14h-18h",
        "hours_2": "10 h - 19 h",
        "hours_3": "",
        "hours_4": "14:00-18:00",
        "hours_5": "9h30-12h30 et 13h30-17h",
        "hours_6": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("typed", "intervals"),
    [
        ("10h-12h30, 14h-18h", [(time(10), time(12, 30)), (time(14), time(18))]),
        ("9:00 - 12:00 et 13:30-17:30", [(time(9), time(12)), (time(13, 30), time(17, 30))]),
        ("10 h à 19 h", [(time(10), time(19))]),
        ("Fermé", []),
        ("", []),
    ],
)
def test_hours_are_read_as_people_type_them(typed, intervals):
    assert hours.parse(typed) == intervals
    assert hours.parse(hours.typed(intervals)) == intervals


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("18h-10h", "l'heure de fermeture doit suivre"),
        ("10h-14h, 12h-18h", "se chevauchent"),
        ("25h-26h", "n'est pas une heure"),
        ("le matin", "n'est pas lisible"),
        ("１０h-12h", "n'est pas lisible"),
        ("1h-2h, 3h-4h, 5h-6h, 7h-8h, 9h-10h", "Au plus 4 plages"),
    ],
)
def test_unreadable_hours_say_why(typed, message):
    with pytest.raises(Exception) as exc:
        hours.parse(typed)
    assert message in " ".join(exc.value.messages)


def test_a_member_writes_the_page_and_anyone_reads_it(login, client, space, member):
    venue = space["venue"]
    offer = make_offer(venue, title="Club de lecture ados")
    make_session(offer, days=3, total_places=10)
    response = login(member).post(
        reverse("accounts:venue_page_edit", args=[venue.public_id]), page_data()
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.public_name == "Médiathèque de L'Haÿ-les-Roses"
    assert venue.website == "https://bm-exemple.fr"
    assert OpeningHours.objects.filter(venue=venue).count() == 6
    assert ActionLog.objects.filter(venue=venue, comment="Page publique modifiée").exists()
    client.logout()
    page = client.get(reverse("offers:venue_page", args=[venue.public_id])).content.decode()
    page = page.replace("&#x27;", "'")
    assert "<h1>Médiathèque de L'Haÿ-les-Roses</h1>" in page
    assert "10:00 – 12:30, 14:00 – 18:00" in page and "09:30 – 12:30, 13:30 – 17:00" in page
    assert "Lundi" in page and "Fermé" in page
    assert "Ascenseur et boucle magnétique" in page and "handicap moteur" in page
    assert 'href="tel:0472000000"' in page and "mediatheque@exemple.fr" in page
    assert "Club de lecture ados" in page and "10 places restantes" in page


def test_bad_hours_change_nothing_and_keep_what_was_typed(login, space, member):
    venue = space["venue"]
    response = login(member).post(
        reverse("accounts:venue_page_edit", args=[venue.public_id]),
        page_data(hours_1="18h-10h", description="Texte tapé"),
    )
    assert response.status_code == 400
    body = response.content.decode().replace("&#x27;", "'")
    assert "l'heure de fermeture doit suivre" in body
    assert "Texte tapé" in body and 'value="18h-10h"' in body
    venue.refresh_from_db()
    assert venue.description == "" and not OpeningHours.objects.exists()


def test_exceptions_are_added_once_per_day_and_shown(login, client, space, member):
    venue = space["venue"]
    c = login(member)
    christmas = timezone.localdate() + timedelta(days=20)
    url = reverse("accounts:hours_exception_add", args=[venue.public_id])
    assert c.post(url, {"day": christmas.strftime("%d/%m/%Y"), "label": "Noël"}).status_code == 302
    again = c.post(url, {"day": christmas.isoformat(), "hours": "10h-13h"})
    assert again.status_code == 400
    assert "déjà une exception" in again.content.decode()
    short = christmas + timedelta(days=1)
    assert c.post(url, {"day": short.isoformat(), "hours": "10h-13h"}).status_code == 302
    past = c.post(url, {"day": (timezone.localdate() - timedelta(days=1)).isoformat()})
    assert past.status_code == 400
    assert HoursException.objects.count() == 2
    client.logout()
    page = client.get(reverse("offers:venue_page", args=[venue.public_id])).content.decode()
    assert "(Noël) : fermé" in page and "10:00 – 13:00" in page
    exception = HoursException.objects.get(day=short)
    login(member).post(
        reverse("accounts:hours_exception_delete", args=[venue.public_id, exception.pk])
    )
    assert HoursException.objects.count() == 1


def test_a_venue_picture_through_the_same_checks(login, client, space, member):
    venue = space["venue"]
    c = login(member)
    url = reverse("accounts:venue_image", args=[venue.public_id])
    refused = c.post(url, {"image": upload(b"<svg/>", "x.svg"), "alt": "Façade"})
    assert refused.status_code == 400
    ok = c.post(url, {"image": upload(picture()), "alt": "La façade de la médiathèque"})
    assert ok.status_code == 302
    venue.refresh_from_db()
    assert venue.has_image and venue.image_width == 1200
    client.logout()
    page = client.get(reverse("offers:venue_page", args=[venue.public_id])).content.decode()
    assert 'alt="La façade de la médiathèque"' in page


def test_only_the_venues_members_manage_it(login, space, other_space, outsider, member):
    assert (
        login(outsider)
        .get(reverse("accounts:venue_page_edit", args=[space["venue"].public_id]))
        .status_code
        == 404
    )
    # a member given another venue of the same collectivité does not manage this one
    assert (
        login(member)
        .get(reverse("accounts:venue_page_edit", args=[space["other_venue"].public_id]))
        .status_code
        == 404
    )


def test_a_venue_not_yet_validated_has_no_public_page(client, space):
    venue = space["venue"]
    venue.status = Status.NEW
    venue.save()
    assert client.get(reverse("offers:venue_page", args=[venue.public_id])).status_code == 404


def test_the_page_reads_a_fixed_number_of_queries(client, space, django_assert_max_num_queries):
    venue = space["venue"]
    for i in range(12):
        make_session(make_offer(venue, title=f"Atelier {i}"))
    for day in range(7):
        OpeningHours.objects.create(venue=venue, weekday=day, opens=time(10), closes=time(18))
    with django_assert_max_num_queries(8):
        client.get(reverse("offers:venue_page", args=[venue.public_id]))


def test_hours_exception_ids_out_of_range_are_404(login, space, member):
    url = f"/lieux/{space['venue'].public_id}/page/exceptions/99999999999999999999999/supprimer/"
    assert login(member).post(url).status_code == 404
    assert date.today()  # the dates above are relative to today


def test_a_venue_added_or_moved_through_the_app_is_placed_at_its_commune(space, owner):
    """The catalogue's distance sort reads the venue's position (accounts/geo.py)."""
    from accounts.services.onboarding import VenueData
    from accounts.services.space import venue_create, venue_update

    data = VenueData(
        name="Médiathèque du Tonkin",
        address="2 rue Rouget de l'Isle",
        postal_code="69100",
        city="Villeurbanne",
    )
    venue = venue_create(actor=owner, collectivite=space["collectivite"], data=data)
    assert (round(venue.latitude, 2), round(venue.longitude, 2)) == (45.77, 4.88)
    moved = VenueData(
        name="Médiathèque du Tonkin", address="1 place", postal_code="13001", city="Marseille"
    )
    venue = venue_update(actor=owner, venue=venue, data=moved)
    venue.refresh_from_db()
    assert (round(venue.latitude), round(venue.longitude)) == (43, 5)
