"""Hostile input, property-based (Hypothesis, fixed budget, derandomized for CI).

Whatever is typed — random unicode, very long strings, HTML and script payloads,
negative or huge numbers, malformed dates, wrong SIRET/UAI/codes — the answer is a
page (never a 500), a refusal comes with a French message and changes nothing, and
what is shown back is escaped (pages, emails, CSV).
"""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.forms import SignupForm
from accounts.siret import clean_siret
from accounts.uai import clean_uai
from offers.models import Offer, Session
from offers.services import bookings as booking_services
from passlib.spreadsheets import csv_field
from tests.factories import make_offer

pytestmark = pytest.mark.django_db

BUDGET = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PAYLOADS = st.sampled_from(
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        '=HYPERLINK("x")',
        "+1+2",
        "-2",
        "@SUM(A1)",
        "'; DROP TABLE offers_offer; --",
        "\x00",
        "‮evil",
        "😀" * 50,
        "a" * 5000,
    ]
)
TEXT = st.one_of(st.text(max_size=300), PAYLOADS)
NUMBERISH = st.one_of(
    st.integers(-(10**12), 10**12).map(str), st.floats(allow_nan=True).map(str), TEXT
)


@contextmanager
def rolled_back():
    """Each example runs in a savepoint that is undone: examples do not see each other."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@BUDGET
@given(value=st.one_of(TEXT, st.text(alphabet="0123456789 .", max_size=30)))
def test_siret_is_either_clean_or_refused_in_french(value):
    try:
        siret = clean_siret(value)
    except ValidationError as exc:
        assert exc.messages and ("SIRET" in exc.messages[0] or "chiffres" in exc.messages[0])
    else:
        assert len(siret) == 14 and siret.isdigit()


@BUDGET
@given(value=st.one_of(TEXT, st.text(alphabet="0123456789ABCZ", max_size=10)))
def test_uai_is_either_clean_or_refused_in_french(value):
    try:
        uai = clean_uai(value)
    except ValidationError as exc:
        assert "UAI" in exc.messages[0]
    else:
        assert len(uai) == 8 and uai[:7].isdigit()


@BUDGET
@given(value=TEXT)
def test_spreadsheet_cells_never_start_a_formula(value):
    cell = csv_field(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.startswith("'")


@BUDGET
@given(first=TEXT, last=TEXT, email=TEXT, password=TEXT)
def test_signup_form_never_crashes_and_escapes(first, last, email, password):
    form = SignupForm(
        data={
            "first_name": first,
            "last_name": last,
            "email": email,
            "password": password,
            "password_confirm": password,
            "accept_terms": "on",
        }
    )
    form.is_valid()
    html = str(form["first_name"]) + str(form["last_name"])
    assert "<script>" not in html


@BUDGET
@given(code=TEXT)
def test_guichet_answers_any_code_with_a_page(login, owner, code):
    response = login(owner).get("/guichet/", {"code": code})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


@BUDGET
@given(title=TEXT, description=TEXT, price=NUMBERISH, quantity=NUMBERISH)
def test_offer_form_refuses_or_saves_and_always_escapes(
    login, space, owner, title, description, price, quantity
):
    client = login(owner)
    with rolled_back():
        before = Offer.objects.count()
        response = client.post(
            "/offres/nouvelle/",
            {
                "venue": space["venue"].pk,
                "subcategory": "ESCAPE_GAME",
                "title": title,
                "description": description,
                "price": price,
                "quantity": quantity,
            },
        )
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert Offer.objects.count() == before
            html = response.content.decode()
            assert "<script>alert(1)</script>" not in html
            assert (
                "obligatoire" in html
                or "caractères" in html
                or "prix" in html.lower()
                or "valeur" in html
                or "nombre" in html
                or "Le formulaire contient" in html
            )
        else:
            offer = Offer.objects.latest("id")
            html = client.get(f"/offres/{offer.public_id}/apercu/").content.decode()
            assert "<script>alert(1)</script>" not in html


@BUDGET
@given(start=TEXT, places=NUMBERISH, quota=NUMBERISH, limit=TEXT)
def test_session_form_refuses_malformed_dates_and_numbers(
    login, space, owner, start, places, quota, limit
):
    offer = make_offer(space["venue"])
    client = login(owner)
    with rolled_back():
        response = client.post(
            f"/offres/{offer.public_id}/seances/",
            {"starts_at": start, "total_places": places, "quota": quota, "booking_limit_at": limit},
        )
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert not Session.objects.filter(offer=offer).exists()
            assert "Le formulaire contient des erreurs" in response.content.decode()


@BUDGET
@given(title=PAYLOADS)
def test_emails_escape_what_librarians_typed(space, title, django_capture_on_commit_callbacks):
    from django.core import mail

    from tests.factories import make_beneficiary

    with rolled_back():
        # (the forms refuse NUL characters; this helper writes directly)
        offer = make_offer(
            space["venue"], "ESCAPE_GAME", title=title.replace("\x00", "")[:90] or "x"
        )
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            booking_services.booking_create(user=make_beneficiary(), offer=offer)
        for message in mail.outbox:
            html = message.alternatives[0][0]
            assert "<script>" not in html and "<img src=x" not in html


def test_a_title_typed_with_a_line_break_is_saved_on_one_line(login, space, owner):
    response = login(owner).post(
        "/offres/nouvelle/",
        {
            "venue": space["venue"].pk,
            "subcategory": "ESCAPE_GAME",
            "title": "Atelier\r\nBcc: victime@example.org\x0b",
            "description": "Première ligne\r\nDeuxième\x0bligne",
            "price": "0",
        },
    )
    assert response.status_code == 302
    offer = Offer.objects.get()
    assert offer.title == "Atelier Bcc: victime@example.org"
    assert offer.description == "Première ligne\nDeuxièmeligne"


def test_a_stored_title_with_a_line_break_still_sends_every_email(
    space, django_capture_on_commit_callbacks
):
    from django.core import mail

    from tests.factories import make_beneficiary

    offer = make_offer(space["venue"], "ESCAPE_GAME", title="x")
    Offer.objects.filter(pk=offer.pk).update(title="Atelier\r\nBcc: victime@example.org")
    offer.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        booking_services.booking_create(user=make_beneficiary(), offer=offer)
    assert len(mail.outbox) == 2  # the young person's and the venue's
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert message.subject.endswith("Atelier Bcc: victime@example.org")
        message.message().as_bytes()  # the headers serialise


def test_the_database_refuses_dates_no_page_could_show(space):
    """Whatever writes (the admin, a shell), a year 0001 or 9999 is refused by the
    CHECK constraints of passlib/dates.py, so no stored value can break a page."""
    from datetime import UTC, date, datetime

    from django.db import IntegrityError

    from tests.factories import make_session

    offer = make_offer(space["venue"])
    session = make_session(offer, total_places=5)
    far = datetime(9999, 12, 31, 12, tzinfo=UTC)
    for changes in (
        {"starts_at": far, "booking_limit_at": far},
        {"booking_limit_at": datetime(1, 1, 2, tzinfo=UTC)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Session.objects.filter(pk=session.pk).update(**changes)
    stock_offer = make_offer(space["venue"], "ESCAPE_GAME")
    with pytest.raises(IntegrityError), transaction.atomic():
        type(stock_offer.stock).objects.filter(pk=stock_offer.stock.pk).update(
            booking_limit_date=date(1, 1, 1)
        )
