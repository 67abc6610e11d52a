"""Every e-mail template, with names and titles holding ' & < and ": the subject and the
plain text carry them verbatim (no HTML entity), the HTML part escapes them.

The context is made of real objects whose every text holds the payload, so each
template's `{% url %}` and attribute paths resolve as in production; a template added to
templates/emails/ without being listed here fails the last test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import Role
from accounts.services.space import invitation_send
from offers.models import Registration, WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import collective_bookings as collective_services
from passlib.emails import send_on_commit
from tests.factories import (
    CollectiviteFactory,
    MembershipFactory,
    VenueFactory,
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    make_showcase,
    make_teacher,
)

pytestmark = pytest.mark.django_db

PAYLOAD = 'Chloé d\'Arc & <Cie> "Le Livre"'
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos|nbsp);")
TEMPLATES = sorted(
    p.name.removesuffix("_subject.txt")
    for p in (Path(__file__).resolve().parent.parent / "templates" / "emails").glob("*_subject.txt")
)


@pytest.fixture
def contexts():
    x = CollectiviteFactory(name=PAYLOAD)
    venue = VenueFactory(collectivite=x, name=PAYLOAD, public_name=PAYLOAD)
    admin = MembershipFactory(collectivite=x, user__first_name=PAYLOAD).user
    membership = MembershipFactory(
        collectivite=x, role=Role.MEMBER, user__first_name=PAYLOAD, user__last_name=PAYLOAD
    )
    young = make_beneficiary(17, first_name=PAYLOAD, last_name=PAYLOAD)
    offer = make_offer(venue, "ESCAPE_GAME", title=PAYLOAD[:90])
    booking = booking_services.booking_create(user=young, offer=offer)
    school = make_school(name=PAYLOAD)
    teacher = make_teacher(school, first_name=PAYLOAD, last_name=PAYLOAD)
    showcase = make_showcase(venue, title=PAYLOAD)
    request = collective_services.request_create(
        user=teacher, showcase=showcase, message=PAYLOAD, students=25, preferred_dates=PAYLOAD
    )
    collective = collective_services.prebook(
        user=teacher, offer=make_collective_offer(venue, title=PAYLOAD)
    )
    invitation = invitation_send(
        actor=admin, collectivite=x, email="invitee@exemple.fr", role=Role.MEMBER, venues=[]
    )
    event = make_offer(venue, "ATELIER_PRATIQUE_ART", title=PAYLOAD[:90])
    session = make_session(event, total_places=1)
    entry = WaitlistEntry.objects.create(
        offer=event,
        session=session,
        person=young,
        status="offered",
        offered_until=session.booking_limit_at,
    )
    from django.utils import timezone

    from finance.services.runs import close_period
    from tests.finance.helpers import account_for, validated

    bank_account = account_for(x, venue, label=PAYLOAD[:100])
    validated(venue, title=PAYLOAD[:90])
    statement = close_period().statements.get()
    common = {
        "account": bank_account,
        "statement": statement,
        "actor": admin,
        "added": True,
        "what": PAYLOAD,
        "when": timezone.now(),
        "venues": [PAYLOAD],
        "booking": booking,
        "collectivite": x,
        "venue": venue,
        "user": young,
        "membership": membership,
        "invitation": invitation,
        "showcase": showcase,
        "request": request,
        "subject_label": f"la collectivité {PAYLOAD}",
        "e": "e",
        "reason_label": PAYLOAD,
        "comment": PAYLOAD,
        "path": "/inscription/confirmer/jeton/",
        "email": "chloe@exemple.fr",
        "login_path": "/connexion/",
        "reset_path": "/mot-de-passe/oubli/",
        "protocol": "https",
        "domain": "passlib.example.org",
        "uid": "MQ",
        "token": "jeton",
        "step": "booked",
        "action": "reject",
        "entry": entry,
        "url": f"/jeunes/liste-attente/{entry.public_id}/",
        "deadline": session.starts_at,
        "release_url": "/jeunes/reservations/x/je-ne-viendrai-pas/jeton/",
    }
    event_booking = booking_services.booking_create(
        user=make_beneficiary(17, first_name=PAYLOAD), offer=event, session=session
    )
    from offers.services.moves import moved_item

    moved = [
        moved_item(old_start=session.starts_at, booking=event_booking),
        moved_item(old_start=session.starts_at, entry=entry),
    ]
    registration = Registration.objects.create(
        offer=event,
        session=session,
        channel="phone",
        name=PAYLOAD,
        email="chloe@exemple.fr",
        contact_consent=True,
        places=3,
        note=PAYLOAD,
    )
    registered = {
        **common,
        "registration": registration,
        "offer": event,
        "session": session,
        "target": session,
        "said": PAYLOAD,
        "message": PAYLOAD,
        "old_start": session.starts_at,
    }
    return {name: common for name in TEMPLATES} | {
        "registration_promoted": registered,
        "registration_session_cancelled": registered,
        "registration_session_moved": registered,
        "registration_session_message": registered,
        "session_moved": {**common, "person": young, "items": moved, "first": moved[0]},
        "collective_booking_step": {**common, "booking": collective},
        "booking_reminder": {**common, "booking": event_booking},
        "booking_day_before": {**common, "booking": event_booking},
        "session_cancelled": {
            **common,
            "booking": event_booking,
            "session": session,
            "said": PAYLOAD,
        },
        "session_message": {
            **common,
            "person": young,
            "offer": event,
            "session": session,
            "message": PAYLOAD,
            "waiting": False,
        },
        "opening_alert": {
            **common,
            "person": young,
            "offer": event,
            "url": f"https://passlib.example.org/jeunes/offres/{event.public_id}/",
        },
    }


@pytest.mark.parametrize("template", TEMPLATES)
def test_subject_and_text_say_it_verbatim_html_escapes_it(
    contexts, template, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit(
            to=["destinataire@exemple.fr"], template=template, context=contexts[template]
        )
    (message,) = mail.outbox
    html = message.alternatives[0][0]
    assert not ENTITY.search(message.subject), message.subject
    assert not ENTITY.search(message.body), message.body
    assert "<Cie>" not in html
    if "&lt;Cie&gt;" in html:  # the HTML shows a name: the text shows it too, as typed
        assert PAYLOAD in message.body or "d'Arc & <Cie>" in message.body, message.body
    if "{{" in (Path("templates/emails") / f"{template}_subject.txt").read_text():
        assert "d'Arc & <Cie>" in message.subject, message.subject


def test_validation_emails_agree_with_what_was_validated(
    contexts, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    for feminine, label in ((True, "la collectivité X"), (False, "le lieu Y")):
        context = {
            **contexts["review_decision"],
            "action": "validate",
            "subject_label": label,
            "e": "e" if feminine else "",
        }
        with django_capture_on_commit_callbacks(execute=True):
            send_on_commit(to=["a@exemple.fr"], template="review_decision", context=context)
    bodies = [m.body for m in mail.outbox]
    assert "la collectivité X a été validée." in bodies[0]
    assert "le lieu Y a été validé." in bodies[1]
    assert all("(e)" not in body for body in bodies)


def test_every_template_is_covered():
    assert len(TEMPLATES) >= 11


MONTH = "(janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre)"
HAND_WRITTEN = re.compile(
    r"\d{1,2}/\d{1,2}/\d{4}|\d{1,2} ?h ?\d{2}\b|\d{1,2}h\b|\(s\)|\b0 places\b|"
    r"\b(e-mail|email|courriel|mail)s?\b(?![@.\w])|[Cc]hargé de territoire"
)
FRENCH_DATE = re.compile(rf"\b(1er|[12]?\d|3[01]) {MONTH} \d{{4}}( à \d{{2}}:\d{{2}})?")


@pytest.mark.parametrize("template", TEMPLATES)
def test_dates_times_counts_and_words_read_one_way(
    contexts, template, django_capture_on_commit_callbacks
):
    """Subject and plain text: dates « 9 juin 2027 à 15:30 » (passlib/formats.py), no
    « 09/06/2027 », « 15h30 », « (s) », « email » or « chargé de territoire »."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_on_commit(
            to=["destinataire@exemple.fr"], template=template, context=contexts[template]
        )
    (message,) = mail.outbox
    text = f"{message.subject}\n{message.body}".replace("destinataire@exemple.fr", "")
    text = re.sub(r"\S+@\S+|https?://\S+", "", text)  # addresses and links are not words
    assert not HAND_WRITTEN.search(text), HAND_WRITTEN.search(text).group(0) + "\n" + text
    for month in re.finditer(rf"\b{MONTH}\b", text):
        around = text[max(0, month.start() - 12) : month.end() + 13]
        assert FRENCH_DATE.search(around), around


def _sent(capture, action):
    mail.outbox.clear()
    with capture(execute=True):
        action()
    return mail.outbox


@pytest.mark.parametrize("young", [True, False])
def test_the_existing_account_email_speaks_as_the_account_is_spoken_to(
    young, django_capture_on_commit_callbacks
):
    """Signing up again with a young person's address: the owner reads « tu », by name."""
    from accounts.services.users import signup_once
    from tests.factories import UserFactory

    owner = make_beneficiary(16, first_name="Inès") if young else UserFactory(first_name="Luc")
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: signup_once(email=owner.email.upper(), create=lambda: None),
    )
    text = f"{message.subject}\n{message.body}"
    if young:
        assert message.subject == "Tu as déjà un compte passlib"
        assert message.body.startswith("Bonjour Inès,")
        assert "ton adresse" in text and "ignore ce message" in text
        assert not re.search(r"\b(vous|Vous|votre|Votre|ignorez)\b", text), text
    else:
        assert message.subject == "Vous avez déjà un compte passlib"
        assert message.body.startswith("Bonjour Luc,") and "votre adresse" in text


def test_a_booking_cancelled_by_the_library_greets_by_name_and_names_the_place(
    django_capture_on_commit_callbacks,
):
    """« Bonjour Inès, », and a venue's name that reads right whatever it is: not
    « Médiathèque de la Part-Dieu a annulé ta réservation »."""
    venue = VenueFactory(name="Médiathèque de la Part-Dieu", public_name="")
    young = make_beneficiary(16, first_name="Inès")
    booking = booking_services.booking_create(user=young, offer=make_offer(venue, "ESCAPE_GAME"))
    actor = MembershipFactory(collectivite=venue.collectivite).user
    (message,) = _sent(
        django_capture_on_commit_callbacks,
        lambda: booking_services.booking_cancel_by_venue(
            actor=actor, booking=booking, comment="Salle fermée"
        ),
    )
    assert message.body.startswith("Bonjour Inès,\n")
    assert "a été annulée par le lieu, Médiathèque de la Part-Dieu." in message.body
    assert "Part-Dieu a annulé" not in message.body
    html = message.alternatives[0][0]
    assert "<p>Bonjour Inès,</p>" in html and "annulée par le lieu, Médiathèque" in html


@pytest.mark.parametrize("days", [7, 1, None])
def test_the_booking_confirmation_says_until_when_she_may_cancel(
    days, django_capture_on_commit_callbacks
):
    """The rule the offer page says (offers/rules.py): before the deadline, or — a
    session less than 48 h away — no cancellation at all; a book: until it is collected."""
    from offers import rules
    from passlib.formats import datetime_fr

    venue = VenueFactory()
    young = make_beneficiary(16, first_name="Inès")
    if days is None:
        offer, session = make_offer(venue, "ESCAPE_GAME"), None
    else:
        offer = make_offer(venue, "ATELIER_PRATIQUE_ART")
        session = make_session(offer, days=days, total_places=5)
    booked = []
    confirmation = _sent(
        django_capture_on_commit_callbacks,
        lambda: booked.append(
            booking_services.booking_create(user=young, offer=offer, session=session)
        ),
    )[0]
    assert confirmation.subject.startswith("Réservation confirmée")
    body = confirmation.body
    if days == 7:
        deadline = rules.cancellation_deadline(booked[0])
        when = datetime_fr(deadline, tz=venue.time_zone)
        assert f"Tu peux annuler avant le {when}, depuis « Mes réservations »." in body
    elif days == 1:
        assert "tu ne peux plus annuler cette réservation" in body
        assert "Tu peux annuler" not in body
    else:
        assert "tant que ta contremarque n'a pas été validée au guichet" in body
