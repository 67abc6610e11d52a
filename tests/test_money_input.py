"""Every money field (passlib/forms.py MoneyField) takes euros as a French person types
them, stores cents exactly, shows them back with a comma, and keeps a wrong amount with
a French message."""

from __future__ import annotations

import pytest

from offers.models import CollectiveOffer, Offer
from passlib.forms import MoneyField
from tests.collective.test_collective_views import bookable_form
from tests.offers.test_offer_views import form_data

pytestmark = pytest.mark.django_db

TYPED = ["4,50", "4.50", "4,5 €", " 4,50 ", "4,50€", "4,50\u202f€", "4.5"]


@pytest.mark.parametrize("typed", TYPED)
def test_every_way_of_typing_four_fifty_is_four_fifty(typed):
    from decimal import Decimal

    assert MoneyField().clean(typed) == Decimal("4.50")


@pytest.mark.parametrize("typed", TYPED)
def test_the_offer_price_is_stored_in_cents(login, space, owner, typed):
    response = login(owner).post(
        "/offres/nouvelle/", form_data(space["venue"], subcategory="ESCAPE_GAME", price=typed)
    )
    assert response.status_code == 302
    assert Offer.objects.get().price_cents == 450


def test_the_collective_price_with_thousands_is_stored_in_cents(login, space, owner):
    response = login(owner).post(
        "/collectif/offres/nouvelle/", bookable_form(space["venue"], price="1 200,50 €")
    )
    assert response.status_code == 302
    assert CollectiveOffer.objects.get().price_cents == 120050


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("4,5,0", "Saisissez un montant en euros, par exemple 4,50."),
        ("quatre", "Saisissez un montant en euros, par exemple 4,50."),
        ("4,505", "au plus 2 chiffres après la virgule"),
        ("٣", "Saisissez un montant en euros"),
        ("300,01", "ne peut pas dépasser 300 €"),
    ],
)
def test_a_wrong_amount_keeps_what_was_typed_with_a_french_message(
    login, space, owner, typed, message
):
    response = login(owner).post(
        "/offres/nouvelle/", form_data(space["venue"], subcategory="ESCAPE_GAME", price=typed)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html
    assert not Offer.objects.exists()


def test_an_offer_price_is_shown_back_with_a_comma(login, space, owner):
    login(owner).post(
        "/offres/nouvelle/", form_data(space["venue"], subcategory="ESCAPE_GAME", price="12,5")
    )
    offer = Offer.objects.get()
    html = login(owner).get(f"/offres/{offer.public_id}/modifier/").content.decode()
    assert 'value="12,50"' in html
    assert 'inputmode="decimal"' in html and 'type="number" name="price"' not in html


@pytest.mark.parametrize(
    ("form", "field", "typed"),
    [
        ("SessionForm", "starts_at", "02/12/2026 14:30"),
        ("SessionForm", "starts_at", "2026-12-02T14:30"),  # what a date-time picker sends
        ("BeneficiarySignupForm", "birth_date", "02/12/2009"),
    ],
)
def test_dates_are_accepted_as_french_people_type_them(form, field, typed):
    """Where a date is typed as text (no picker), the French format works (Django's
    French input formats, LANGUAGE_CODE fr-fr)."""
    from django.utils import translation

    from accounts import forms as account_forms
    from offers import forms as offer_forms

    cls = getattr(offer_forms, form, None) or getattr(account_forms, form)
    with translation.override("fr"):
        bound = cls(data={field: typed})
        bound.is_valid()
    assert field not in bound.errors, bound.errors
    value = bound.cleaned_data[field]
    assert (value.day, value.month) == (2, 12)


@pytest.mark.parametrize(
    ("url", "data", "message"),
    [
        ("/offres/nouvelle/", form_data, "Le prix ne peut pas dépasser 300 €."),
        ("/collectif/offres/nouvelle/", bookable_form, "Le prix total ne peut pas dépasser"),
    ],
)
@pytest.mark.parametrize("typed", ["99999999999999999999", "1e3", "1E2", "inf", "NaN", "4,50e1"])
def test_a_huge_or_scientific_amount_gets_the_fields_own_message(
    login, space, owner, url, data, message, typed
):
    """A huge amount says the field's bound in euros, not Django's digits count nor the
    database's 2147483647; exponent notation is no amount (`1e3` was read as 1000 €)."""
    fields = (
        data(space["venue"], subcategory="ESCAPE_GAME", price=typed)
        if data is form_data
        else data(space["venue"], price=typed)
    )
    response = login(owner).post(url, fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert "chiffres au total" not in html and "2147483647" not in html
    expected = message if typed.startswith("9") else "Saisissez un montant en euros"
    assert expected in html
    assert not Offer.objects.exists() and not CollectiveOffer.objects.exists()


def test_no_form_shows_the_databases_integer_bound_nor_djangos_apostrophe():
    """By kind: an integer field without its own bound says « trop grand »; Django's
    French ’ (« n’est », « qu’il ») is written ' like the rest of the site."""
    from django import forms as django_forms

    from passlib.forms import Form

    class Probe(Form):
        number = django_forms.IntegerField()
        text = django_forms.CharField()

    form = Probe(data={"number": "99999999999999999999", "text": "a\x00b"})
    assert not form.is_valid()
    assert form.errors["number"] == ["Ce nombre est trop grand."]
    assert form.errors["text"] == ["Le caractère nul n'est pas autorisé."]
    assert "’" not in str(form.errors)
