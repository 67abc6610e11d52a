"""An offer's age range (issue 28): typed by the librarian (« Âge minimum », « Âge
maximum »), written one way (« Dès 15 ans », « 15–17 ans »), shown to young people,
used by « Pour mon âge » in the catalogue, and said before booking to a young person
outside it, the booking service refusing the same."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import engines
from django.utils import timezone

from accounts.models import Beneficiary
from offers import policy, rules
from offers.models import Booking, Offer, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import offers as offer_services
from offers.services.offers import OfferData
from passlib.formats import age_range_fr
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session
from tests.offers.test_offer_views import form_data

pytestmark = pytest.mark.django_db

EN_DASH = "\u2013"


def _born(user, birth_date: date) -> None:
    Beneficiary.objects.filter(user=user).update(birth_date=birth_date)
    user.refresh_from_db()


def _years_ago(years: int, *, days: int = 0) -> date:
    """The birth date of a person whose `years`-th birthday is `days` from today (a
    29 February today: the 28th, a birthday one day past, as no year-18 is leap)."""
    today = timezone.localdate() + timedelta(days=days)
    if (today.month, today.day) == (2, 29):
        today -= timedelta(days=1)
    return today.replace(year=today.year - years)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


# --- one way to write it -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (15, None, "Dès 15 ans"),
        (None, 17, "Jusqu'à 17 ans"),
        (15, 17, f"15{EN_DASH}17 ans"),
        (16, 16, "16 ans"),
        (None, None, ""),
    ],
)
def test_an_age_range_is_written_one_way(low, high, expected):
    assert age_range_fr(low, high) == expected


@pytest.mark.parametrize("engine", ["django", "text"])
def test_the_filter_writes_an_offers_ages_in_pages_and_emails(engine):
    template = engines[engine].from_string("{{ a|fr_ages }}|{{ b|fr_ages }}|{{ c|fr_ages }}")
    ranged, from_16, open_ = Offer(age_min=15, age_max=17), Offer(age_min=16), Offer()
    assert template.render({"a": ranged, "b": from_16, "c": open_}) == (
        f"15{EN_DASH}17 ans|Dès 16 ans|"
    )


def test_the_rule_and_the_formatter_read_the_offers_own_bounds():
    assert rules.age_range(Offer(age_min=17, age_max=18)) == (17, 18)
    assert rules.age_range(Offer()) == (None, None)


# --- the librarian's form ------------------------------------------------------------------


def test_the_librarian_sets_15_and_17_and_reads_15_17_ans_on_the_offer_page(login, space, owner):
    client = login(owner)
    form = client.get("/offres/nouvelle/").content.decode()
    assert "Âge minimum" in form and "Âge maximum" in form
    assert '<option value="" selected>—</option>' in form
    response = client.post(
        "/offres/nouvelle/", form_data(space["venue"], age_min="15", age_max="17")
    )
    offer = Offer.objects.get()
    assert response.status_code == 302
    assert (offer.age_min, offer.age_max) == (15, 17)
    page = client.get(f"/offres/{offer.public_id}/").content.decode()
    assert f"15{EN_DASH}17 ans" in page
    # The edit form shows what was saved; « — » removes a bound.
    edit = client.get(f"/offres/{offer.public_id}/modifier/").content.decode()
    assert '<option value="15" selected>15 ans</option>' in edit
    assert '<option value="17" selected>17 ans</option>' in edit
    client.post(
        f"/offres/{offer.public_id}/modifier/", form_data(space["venue"], age_min="15", age_max="")
    )
    offer.refresh_from_db()
    assert (offer.age_min, offer.age_max) == (15, None)
    assert "Dès 15 ans" in client.get(f"/offres/{offer.public_id}/").content.decode()


def test_a_minimum_above_the_maximum_is_refused_next_to_the_field_keeping_both(login, space, owner):
    response = login(owner).post(
        "/offres/nouvelle/", form_data(space["venue"], age_min="17", age_max="16")
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["age_max"] == [
        "L'âge maximum ne peut pas être inférieur à l'âge minimum (17 ans)."
    ]
    html = response.content.decode()
    assert '<option value="17" selected>17 ans</option>' in html
    assert '<option value="16" selected>16 ans</option>' in html
    assert "Club de lecture du jeudi" in html
    assert not Offer.objects.exists()


def test_the_age_message_comes_with_the_other_fields_at_the_first_submit(login, space, owner):
    """A wrong price and a minimum above the maximum: both said at once, not one after
    the other (found by a new user)."""
    response = login(owner).post(
        "/offres/nouvelle/",
        form_data(space["venue"], age_min="18", age_max="15", price="-1"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "price" in errors
    assert errors["age_max"] == [
        "L'âge maximum ne peut pas être inférieur à l'âge minimum (18 ans)."
    ]
    assert not Offer.objects.exists()


@pytest.mark.parametrize("typed", ["99", "-1", "14", "19", "\u0661\u0665", "1\x005", "15.0", "x"])
@pytest.mark.parametrize("field", ["age_min", "age_max"])
def test_a_hostile_age_gets_a_french_message_next_to_the_field_and_nothing_is_written(
    login, space, owner, field, typed
):
    response = login(owner).post("/offres/nouvelle/", form_data(space["venue"], **{field: typed}))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field] == ["Choisissez un âge de 15 à 18 ans, ou « — »."]
    assert "Club de lecture du jeudi" in response.content.decode()
    assert not Offer.objects.exists()


def test_an_edit_with_a_hostile_age_changes_nothing(login, space, owner):
    offer = make_offer(space["venue"], status="draft", age_min=15, age_max=17)
    response = login(owner).post(
        f"/offres/{offer.public_id}/modifier/",
        form_data(space["venue"], title="Autre titre", age_min="16", age_max="99"),
    )
    assert response.status_code == 400
    offer.refresh_from_db()
    assert (offer.title, offer.age_min, offer.age_max) == ("Club de lecture", 15, 17)


@pytest.mark.parametrize(
    ("ages", "field"),
    [((19, None), "age_min"), ((None, 14), "age_max"), ((18, 15), "age_max")],
)
def test_the_service_refuses_ages_outside_the_scheme_whoever_calls_it(space, owner, ages, field):
    data = OfferData(venue=space["venue"], subcategory_id="RENCONTRE", title="Club")
    data = OfferData(**{**data.__dict__, "age_min": ages[0], "age_max": ages[1]})
    with pytest.raises(ValidationError) as caught:
        offer_services.offer_create(actor=owner, data=data)
    assert field in caught.value.message_dict
    assert not Offer.objects.exists()


def test_a_duplicate_keeps_the_ages(space, owner):
    offer = make_offer(space["venue"], age_min=16, age_max=18)
    copy = offer_services.offer_duplicate(actor=owner, offer=offer)
    copy.refresh_from_db()
    assert copy.pk != offer.pk
    assert (copy.age_min, copy.age_max) == (16, 18)


# --- shown to young people -----------------------------------------------------------------


def test_the_cards_and_the_offer_page_say_the_ages(client, space):
    ranged = make_offer(space["venue"], title="Slam", age_min=15, age_max=17)
    make_session(ranged, days=5)
    open_ = make_offer(space["venue"], title="Club ouvert")
    make_session(open_, days=5)
    html = client.get("/jeunes/offres/").content.decode()
    cards = [_text(card) for card in re.findall(r'<li class="card">.*?</li>', html, re.S)]
    (slam,) = [card for card in cards if "Slam" in card]
    (club,) = [card for card in cards if "Club ouvert" in card]
    assert f"15{EN_DASH}17 ans" in slam
    assert " ans" not in club
    page = _text(client.get(f"/jeunes/offres/{ranged.public_id}/").content.decode())
    assert f"Âge 15{EN_DASH}17 ans" in page
    assert "Âge" not in _text(client.get(f"/jeunes/offres/{open_.public_id}/").content.decode())


# --- « Pour mon âge » ----------------------------------------------------------------------


@pytest.fixture
def ranged_offers(space):
    """One offer per kind of range, each with a session in five days."""
    made = {}
    for title, low, high in [
        ("Pour tous", None, None),
        ("Quinze dix-sept", 15, 17),
        ("Dix-sept dix-huit", 17, 18),
        ("Dès seize", 16, None),
        ("Jusqu'à quinze", None, 15),
        ("Seize pile", 16, 16),
    ]:
        made[title] = make_offer(space["venue"], title=title, age_min=low, age_max=high)
        make_session(made[title], days=5, total_places=10)
    return made


def _titles(response) -> set[str]:
    return {row["title"].replace("&#x27;", "'") for row in response.context["rows"]}


def test_pour_mon_age_keeps_the_offers_whose_range_includes_the_young_persons_age(
    login, ranged_offers
):
    client = login(make_beneficiary(16))
    assert "Pour mon âge" in client.get("/jeunes/offres/").content.decode()
    everything = client.get("/jeunes/offres/")
    assert _titles(everything) == set(ranged_offers)
    mine = client.get("/jeunes/offres/?for_my_age=on")
    assert _titles(mine) == {"Pour tous", "Quinze dix-sept", "Dès seize", "Seize pile"}
    assert "4 offres" in mine.content.decode()
    (box,) = re.findall(r"<input[^>]*for_my_age[^>]*>", mine.content.decode())
    assert " checked" in box  # kept ticked


def test_pour_mon_age_on_the_18th_birthday(login, ranged_offers):
    young = make_beneficiary(17)
    _born(young, _years_ago(18))
    mine = login(young).get("/jeunes/offres/?for_my_age=on")
    assert _titles(mine) == {"Pour tous", "Dix-sept dix-huit", "Dès seize"}


def test_pour_mon_age_is_offered_to_young_people_only_and_ignored_otherwise(
    client, login, owner, ranged_offers
):
    anonymous = client.get("/jeunes/offres/?for_my_age=on")
    assert "Pour mon âge" not in anonymous.content.decode()
    assert _titles(anonymous) == set(ranged_offers)
    librarian = login(owner).get("/jeunes/offres/?for_my_age=on")
    assert "Pour mon âge" not in librarian.content.decode()
    assert _titles(librarian) == set(ranged_offers)


def test_pour_mon_age_keeps_the_paging_and_combines_with_other_filters(login, space):
    for i in range(23):
        offer = make_offer(space["venue"], title=f"Atelier {i:02d}", age_min=15, age_max=16)
        make_session(offer, days=5)
    for i in range(3):
        offer = make_offer(space["venue"], title=f"Grands {i}", age_min=18)
        make_session(offer, days=5)
    paid = make_offer(space["venue"], title="Atelier payant", price_cents=500)
    make_session(paid, days=5)
    client = login(make_beneficiary(16))
    first = client.get("/jeunes/offres/?for_my_age=on")
    assert "24 offres" in first.content.decode()
    second = client.get("/jeunes/offres/?for_my_age=on&page=2")
    titles = _titles(first) | _titles(second)
    assert len(_titles(first)) == 20 and len(_titles(second)) == 4
    assert not any(t.startswith("Grands") for t in titles) and "Atelier payant" in titles
    free = client.get("/jeunes/offres/?for_my_age=on&free_only=on")
    assert "23 offres" in free.content.decode()


# --- told before booking -------------------------------------------------------------------


def _book_buttons(html: str) -> list[str]:
    return re.findall(r"<button[^>]*>(?:Réserver|Rejoindre la liste d'attente)", html)


def test_an_18_year_old_is_told_instead_of_a_button_and_a_forged_post_is_refused(login, space):
    offer = make_offer(space["venue"], title="Slam", age_min=15, age_max=17)
    session = make_session(offer, days=5, total_places=10)
    young = make_beneficiary(17)
    _born(young, _years_ago(18))  # the 18th birthday is today
    client = login(young)
    html = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    message = (
        f"Cette offre est prévue pour les 15{EN_DASH}17 ans : tu as 18 ans, tu ne peux pas "
        "la réserver."
    )
    assert message in _text(html)
    assert _book_buttons(html) == []
    # The dates stay on the page, without a button.
    assert "<h2>Dates</h2>" in html and str(session.public_id) not in html
    response = client.post(
        f"/jeunes/offres/{offer.public_id}/reserver/",
        {"session": str(session.public_id)},
        follow=True,
    )
    assert message in _text(response.content.decode())
    assert not Booking.objects.exists()
    session.refresh_from_db()
    assert session.booked_count == 0


def test_the_day_before_the_18th_birthday_she_books(login, space):
    offer = make_offer(space["venue"], title="Slam", age_min=15, age_max=17)
    session = make_session(offer, days=5, total_places=10)
    young = make_beneficiary(17)
    _born(young, _years_ago(18, days=1))  # 18 tomorrow
    client = login(young)
    html = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    assert "prévue pour" not in html
    assert len(_book_buttons(html)) == 1
    client.post(f"/jeunes/offres/{offer.public_id}/reserver/", {"session": str(session.public_id)})
    assert Booking.objects.filter(beneficiary=young).count() == 1


def test_a_full_session_offers_no_waiting_list_outside_the_range_and_the_service_refuses(
    login, space
):
    offer = make_offer(space["venue"], title="Slam", age_min=17, age_max=18)
    session = make_session(offer, days=5, total_places=1, booked=1)
    young = make_beneficiary(16)
    client = login(young)
    html = client.get(f"/jeunes/offres/{offer.public_id}/").content.decode()
    assert "Cette offre est prévue pour les 17" in _text(html)
    assert _book_buttons(html) == []
    response = client.post(
        f"/jeunes/offres/{offer.public_id}/liste-attente/",
        {"session": str(session.public_id)},
        follow=True,
    )
    assert "tu as 16 ans, tu ne peux pas la réserver" in _text(response.content.decode())
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(
    ("birth", "today", "ages", "refusal"),
    [
        # 15–17: the last day of 17 books, the 18th birthday does not.
        (date(2009, 6, 10), date(2027, 6, 9), (15, 17), None),
        (
            date(2009, 6, 10),
            date(2027, 6, 10),
            (15, 17),
            "Cette offre est prévue pour les 15–17 ans : tu as 18 ans, tu ne peux pas la réserver.",
        ),
        # Dès 16 ans: the 16th birthday books, the day before does not.
        (date(2011, 3, 15), date(2027, 3, 15), (16, None), None),
        (
            date(2011, 3, 15),
            date(2027, 3, 14),
            (16, None),
            "Cette offre est prévue dès 16 ans : tu as 15 ans, tu ne peux pas la réserver.",
        ),
        # Jusqu'à 16 ans, 16 ans.
        (
            date(2010, 1, 1),
            date(2027, 1, 1),
            (None, 16),
            "Cette offre est prévue jusqu'à 16 ans : tu as 17 ans, tu ne peux pas la réserver.",
        ),
        (date(2010, 1, 1), date(2026, 12, 31), (None, 16), None),
        (
            date(2011, 1, 1),
            date(2027, 1, 1),
            (15, 15),
            "Cette offre est prévue pour les 15 ans : tu as 16 ans, tu ne peux pas la réserver.",
        ),
        # Born on 29 February: 17 on 1 March of a common year, not on 28 February.
        (date(2008, 2, 29), date(2025, 2, 28), (17, 18), "tu as 16 ans"),
        (date(2008, 2, 29), date(2025, 3, 1), (17, 18), None),
    ],
)
def test_the_boundary_days(space, birth, today, ages, refusal):
    offer = make_offer(space["venue"], age_min=ages[0], age_max=ages[1])
    young = make_beneficiary(16)
    _born(young, birth)
    found = policy.booking_refusal(young, offer, today)
    if refusal is None:
        assert found is None
    else:
        assert found is not None and found.code == "booking.offer_age"
        assert refusal in found.message


def test_the_booking_service_refuses_whoever_calls_it(space):
    offer = make_offer(space["venue"], "ESCAPE_GAME", title="Escape", age_min=17)
    young = make_beneficiary(15)
    with pytest.raises(Refusal) as caught:
        booking_services.booking_create(user=young, offer=offer)
    assert caught.value.code == "booking.offer_age"
    assert "dès 17 ans : tu as 15 ans" in caught.value.message
    assert not Booking.objects.exists()
