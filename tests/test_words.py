"""What a person reads: no machine code, one register per person (« tu » to young
people), one word for the same thing, counts and figures that say what they count."""

from __future__ import annotations

import re
from datetime import time, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from offers.models import Booking
from offers.services import bookings as booking_services
from tests.factories import make_beneficiary, make_offer, make_session

ROOT = Path(__file__).resolve().parent.parent
VOUS = re.compile(
    r"\b(vous|Vous|votre|Votre|vos|Vos|Saisissez|Choisissez|Sélectionnez|Indiquez|vérifiez|essayez)\b"
)
PYTHON_DIRS = ["accounts", "catalog", "offers", "finance", "reporting", "passlib"]


def _sources():
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix in {".html", ".txt"}:
            yield path
    for folder in PYTHON_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _grep(pattern: re.Pattern) -> list[str]:
    found = []
    for path in _sources():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:160]}")
    return found


@pytest.mark.django_db
def test_the_history_says_why_in_words_never_the_stored_code(login, owner, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    session = make_session(offer, total_places=10, days=20)
    young = make_beneficiary(16, first_name="Inès", last_name="Diallo")
    booking = booking_services.booking_create(user=young, offer=offer, session=session)
    booking_services.booking_cancel_by_beneficiary(user=young, booking=booking)
    other = booking_services.booking_create(
        user=make_beneficiary(17, first_name="Chloé", last_name="d'Arc"),
        offer=offer,
        session=session,
    )
    booking_services.booking_cancel_by_venue(actor=owner, booking=other, comment="Salle fermée")
    client = login(owner)
    by_young = client.get("/guichet/", {"code": booking.code}).content.decode()
    by_venue = client.get("/guichet/", {"code": other.code}).content.decode()
    assert "motif : Annulée par le bénéficiaire" in by_young
    assert "motif : Annulée par le lieu" in by_venue
    for html in (by_young, by_venue):
        assert "motif : beneficiary" not in html and "motif : venue" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "birth_date",
    ["02/12/1990", "31/02/2010", "9999-12-31", "٢٠١٠-٠١-٠١", ""],
)
def test_the_young_sign_up_says_tu_in_every_error(client, birth_date):
    response = client.post(
        "/jeunes/inscription/",
        {
            "first_name": "Chloé\x00",
            "last_name": "d'Arc",
            "email": "pas une adresse",
            "birth_date": birth_date,
            "password": "123",
            "password_confirm": "124",
        },
    )
    assert response.status_code == 200
    errors = " ".join(" ".join(messages) for messages in response.context["form"].errors.values())
    assert errors, "the form should refuse this"
    assert not VOUS.search(errors), errors
    assert "courriel" not in errors and "adresse électronique" in errors
    if birth_date == "02/12/1990":
        assert "(tu as 36 ans)" in errors
    assert "Tu dois accepter" in errors


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", [{"sort": "distance"}, {"sort": "prix"}, {"near": "Zzzyx"}, {"departement": "999"}]
)
def test_the_young_catalogue_says_tu_in_its_errors(client, query):
    response = client.get("/jeunes/offres/", query)
    assert response.status_code == 200
    errors = " ".join(" ".join(m) for m in response.context["form"].errors.values())
    assert errors
    assert not VOUS.search(errors), errors


def test_officers_are_named_without_a_gender():
    """« la personne chargée du territoire », never « le chargé » (a woman officer), the
    admin's model names included."""
    gendered = re.compile(
        r"\b(le|un|du|au|aux|les|des|mon|votre|Aucun) chargés?\b|[Cc]hargés? de territoire"
    )
    found = _grep(gendered)
    assert not found, "\n".join(found)


# « adresse électronique » everywhere; « Email du bénéficiaire » is the scheme's own export
# layout (SPEC 5.5), kept so that libraries' spreadsheets keep working.
OTHER_EMAIL_WORDS = re.compile(
    r"(?<![\w.@/_{-])(e-mails?|E-mails?|courriels?|Courriels?|mails?|Mails?|emails?|Emails?)"
    r"(?![\w.@/_(}-])(?! du bénéficiaire)"
)


def _text_of_template(line: str) -> str:
    """What a reader sees of a template line: no tags, variables or attributes."""
    line = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", line)
    return re.sub(r"<[^>]*>", " ", line)


def _python_texts(path: Path) -> list[tuple[int, str]]:
    """French text of a Python file: its one-line string literals with a space, outside
    docstrings, comments and log lines (%-formats for operators)."""
    texts, in_docstring = [], False
    for number, line in enumerate(path.read_text().splitlines(), 1):
        stripped = line.strip()
        if stripped.count('"""') == 1:
            in_docstring = not in_docstring
            continue
        if in_docstring or stripped.startswith(("#", '"""')):
            continue
        for double, single in re.findall(r"\"([^\"]*)\"|'([^']*)'", line.split("  #", 1)[0]):
            text = double or single
            if " " in text and "%r" not in text and "%s" not in text:
                texts.append((number, text))
    return texts


def test_one_word_for_an_email_address_on_pages_emails_and_messages():
    found = []
    for path in _sources():
        if path.suffix == ".py":
            texts = _python_texts(path)
        else:
            lines = enumerate(path.read_text().splitlines(), 1)
            texts = [(number, _text_of_template(line)) for number, line in lines]
        for number, text in texts:
            if OTHER_EMAIL_WORDS.search(text):
                found.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()[:120]}")
    assert not found, "Say « adresse électronique »:\n" + "\n".join(found)


@pytest.mark.django_db
def test_the_session_table_and_the_participants_say_what_they_count(login, owner, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier BD")
    session = make_session(offer, days=3, total_places=20, quota=10)
    young = make_beneficiary(16)
    booking_services.booking_create(user=young, offer=offer, session=session)
    Booking.objects.update(booked_at=timezone.now() - timedelta(days=3))
    client = login(owner)
    detail = client.get(f"/offres/{offer.public_id}/").content.decode()
    assert "Places pass Culture restantes" in detail
    assert ">Restantes<" not in detail
    home = client.get("/espace/").content.decode()
    assert ">Places restantes<" in home and ">Restantes<" not in home
    participants = client.get(
        f"/offres/{offer.public_id}/seances/{session.public_id}/participants/"
    ).content.decode()
    assert "1 participant attendu — 20 places, pass Culture : 10 au plus" in participants
    assert "sur 10 places" not in participants


def test_a_wrong_opening_hour_is_explained_in_the_one_way_to_write_a_time():
    from django.core.exceptions import ValidationError

    from accounts import hours

    with pytest.raises(ValidationError) as exc:
        hours.parse("25h-26h")
    assert "de 00:00 à 24:00" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        hours.parse("matin")
    assert "« 10:00-12:30, 14:00-18:00 »" in exc.value.messages[0]
    assert hours.typed([(time(9, 30), time(12)), (time(14), time(23, 59))]) == (
        "09:30-12:00, 14:00-23:59"
    )
    assert hours.parse(hours.typed([(time(9, 30), time(12))])) == [(time(9, 30), time(12))]


def test_one_person_in_a_role_is_named_without_a_gender():
    """Claire is « Administration de la collectivité », never « Administrateur »; what is
    said of one person (the last, the first, the only one, « rattaché », « connecté ») is
    epicene, as the officer is « la personne chargée du territoire » (docs/decisions.md)."""
    from accounts.models import Role

    assert "Administrat" in Role.ADMIN.label and "Administrateur" not in Role.ADMIN.label
    gendered = re.compile(
        r"\b([Ll]e|[Uu]n|[Aa]ucun|[Ss]eul) (dernier |premier |seul )?administrateur\b"
        r"|\bAdministrateur\b|[Vv]ous (n'|ne )?êtes (\w+ )?rattaché\b"
        r"|\b([Tt]u es|[Vv]ous êtes) (déjà )?connecté\b"
    )
    found = [line for line in _grep(gendered) if "/demo/" not in line]
    assert not found, "\n".join(found)


# The scheme's own export layout (SPEC 5.5) writes « Date de l'évènement »: kept, so that
# libraries' spreadsheets keep working; every other place writes « événement ».
def test_one_spelling_of_evenement():
    found = [
        line
        for line in _grep(re.compile("évènement", re.IGNORECASE))
        if not line.startswith("offers/exports.py") or '"Date de l\'évènement",' not in line
    ]
    assert not found, "Write « événement »:\n" + "\n".join(found)
