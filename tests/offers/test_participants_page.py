"""The session's participants page is its one list (issue 30): pass Culture bookings and
registrations from other channels with their « Canal », the summary of the capacity,
attendance for both, « Ajouter un participant », « Modifier », « Annuler l'inscription »,
walk-ins, the places a library keeps on its own list, the merged waiting line, the
sign-in sheet, in a bounded number of queries; outsiders get 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from offers.models import (
    Action,
    Attendance,
    Channel,
    Registration,
    RegistrationStatus,
    Session,
    Transition,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.selectors.participants import line_rank, session_list
from offers.services import bookings as booking_services
from offers.services import registrations as services
from offers.services.registrations import RegistrationData
from tests.factories import make_beneficiary, make_booking, make_offer, make_session

pytestmark = pytest.mark.django_db


def _url(offer, session, what="participants/"):
    return f"/offres/{offer.public_id}/seances/{session.public_id}/{what}"


def _add(owner, session, name, places=1, channel=Channel.DESK, **kw):
    waitlist = kw.pop("waitlist", False)
    return services.registration_add(
        actor=owner,
        target=session,
        data=RegistrationData(channel=channel, name=name, places=places, **kw),
        waitlist=waitlist,
    )


@pytest.fixture
def club(space, owner):
    """A session of 12 places, quota 8: 4 young people booked, a desk family of 3, a
    phone registration with consent, one cancelled registration."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    session = make_session(offer, days=5, total_places=12, quota=8)
    young = [make_beneficiary(16, first_name=f"Jeune{i}", last_name=f"Zola{i}") for i in range(4)]
    bookings = [
        booking_services.booking_create(user=y, offer=offer, session=session) for y in young
    ]
    family = _add(owner, session, "Famille Lefèvre-Ngô", 3, age_bracket="26_64")
    phone = _add(
        owner,
        session,
        "Chloé d'Arc",
        channel=Channel.PHONE,
        phone="06 12 34 56 78",
        contact_consent=True,
    )
    gone = _add(owner, session, "Anne Annulée", 2)
    services.registration_cancel(actor=owner, registration=gone)
    session.refresh_from_db()
    return {
        "offer": offer,
        "session": session,
        "bookings": bookings,
        "family": family,
        "phone": phone,
        "gone": gone,
    }


def test_one_list_of_every_channel_ordered_by_name_with_its_counts(club):
    listing = session_list(club["session"])
    names = [row.name for row in listing.rows]
    assert names == sorted(names, key=str.casefold)
    by_name = {row.name: row for row in listing.rows}
    assert by_name["Famille Lefèvre-Ngô"].channel_label == "Accueil"
    assert by_name["Famille Lefèvre-Ngô"].places == 3
    assert by_name["Chloé d'Arc"].channel_label == "Téléphone"
    assert by_name["Chloé d'Arc"].phone == "06 12 34 56 78"
    assert by_name["Zola0 Jeune0"].channel_label == "pass Culture"
    assert by_name["Zola0 Jeune0"].code == club["bookings"][0].code
    assert by_name["Anne Annulée"].status_label == "Annulée" and not by_name["Anne Annulée"].active
    counts = listing.counts
    assert (counts.pass_culture, counts.others, counts.expected) == (4, 4, 8)
    assert counts.by_channel == [("pass Culture", 4), ("Accueil", 3), ("Téléphone", 1)]
    assert [row.name for row in listing.sheet_rows if row.name == "Anne Annulée"] == []


def test_the_summary_says_the_capacity(login, owner, club):
    session = club["session"]
    services.outside_places_set(actor=owner, session=session, places=1)
    html = login(owner).get(_url(club["offer"], session)).content.decode()
    text = (
        "9 participants attendus — 12 places, pass Culture : 8 au plus — pass Culture : 4, "
        "hors pass Culture : 5 (dont 1 place déjà prise sur votre propre liste) — "
        "3 places restantes"
    )
    assert text in html.replace("&#x27;", "'")
    assert "Par canal : pass Culture : 4, Accueil : 3, Téléphone : 1." in html
    for label in (
        "Ajouter un participant",
        "Exporter (CSV)",
        "Exporter (XLSX)",
        "Feuille d'émargement à imprimer",
        "Compter des personnes venues sans inscription",
        "Places déjà prises hors pass Culture",
    ):
        assert label in html
    assert '<th scope="col">Canal</th>' in html and '<th scope="col">Places</th>' in html


def test_add_a_family_from_the_form(login, owner, club):
    client = login(owner)
    url = _url(club["offer"], club["session"], "participants/ajouter/")
    form = client.get(url).content.decode()
    for label in (
        "Canal",
        "Nom ou initiales",
        "Téléphone (facultatif)",
        "Adresse électronique (facultatif)",
        "La personne accepte d&#x27;être contactée pour cette séance",
        "Tranche d&#x27;âge",
        "Nombre de places",
        "Note (facultatif)",
        "Si c&#x27;est complet, l&#x27;inscrire sur la liste d&#x27;attente",
    ):
        assert label in form, label
    assert 'value="walk_in"' not in form
    response = client.post(
        url,
        {
            "channel": "desk",
            "name": "Famille Martin",
            "age_bracket": "unknown",
            "places": "3",
            "note": "Deux enfants de 8 et 10 ans",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("/participants/")
    assert "Famille Martin (3 places) : inscription enregistrée." in response.content.decode()
    martin = Registration.objects.get(name="Famille Martin")
    assert (martin.places, martin.status, martin.created_by) == (3, "registered", owner)
    session = Session.objects.get(pk=club["session"].pk)
    assert session.other_count == 7 and session.places_left == 1
    assert Transition.objects.filter(action=Action.REGISTRATION_ADDED).count() >= 1


def test_full_keeps_what_was_typed_and_says_it_next_to_places(login, owner, club):
    client = login(owner)
    url = _url(club["offer"], club["session"], "participants/ajouter/")
    typed = {
        "channel": "phone",
        "name": "Famille Dupré",
        "phone": "06 98 76 54 32",
        "contact_consent": "on",
        "age_bracket": "26_64",
        "places": "5",
        "note": "rappeler le soir",
    }
    response = client.post(url, typed)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Il ne reste que 4 places : impossible d&#x27;en prendre 5." in html
    assert 'id="id_places_error"' in html
    for value in ("Famille Dupré", "06 98 76 54 32", "rappeler le soir", 'value="5"'):
        assert value in html
    assert not Registration.objects.filter(name="Famille Dupré").exists()
    # the same, with « liste d'attente »: in line, its rank said
    response = client.post(url, {**typed, "waitlist": "on"}, follow=True)
    assert "Famille Dupré (5 places) : sur la liste d&#x27;attente (n° 1)." in (
        response.content.decode()
    )
    dupre = Registration.objects.get(name="Famille Dupré")
    assert dupre.status == RegistrationStatus.WAITING and line_rank(dupre) == 1
    page = client.get(_url(club["offer"], club["session"])).content.decode()
    assert "À appeler : 06 98 76 54 32" in page and "En attente (n° 1)" in page


def test_a_contact_without_consent_is_refused_next_to_the_checkbox(login, owner, club):
    url = _url(club["offer"], club["session"], "participants/ajouter/")
    response = login(owner).post(
        url,
        {
            "channel": "desk",
            "name": "X",
            "phone": "0612345678",
            "age_bracket": "unknown",
            "places": 1,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_contact_consent_error"' in html and "Cochez l&#x27;accord de la personne" in html
    assert 'value="0612345678"' in html
    response = login(owner).post(
        url,
        {"channel": "desk", "name": "X", "phone": "0612", "age_bracket": "unknown", "places": 1},
    )
    assert 'id="id_phone_error"' in response.content.decode()
    assert not Registration.objects.filter(name="X").exists()


def test_change_a_registration_prefilled_and_more_places_only_if_they_fit(login, owner, club):
    client = login(owner)
    family = club["family"]
    url = _url(club["offer"], club["session"], f"inscriptions/{family.public_id}/")
    form = client.get(url).content.decode()
    assert 'value="Famille Lefèvre-Ngô"' in form and 'value="3"' in form
    data = {"channel": "desk", "name": "Famille Lefèvre-Ngô", "age_bracket": "26_64"}
    response = client.post(url, {**data, "places": "8"})
    assert response.status_code == 400
    changed = response.content.decode()
    assert "impossible d&#x27;en ajouter 5" in changed
    assert "liste d&#x27;attente" not in changed.split("impossible d&#x27;en ajouter 5")[1][:80]
    response = client.post(url, {**data, "places": "2"}, follow=True)
    assert "Famille Lefèvre-Ngô (2 places) : inscription modifiée." in response.content.decode()
    assert Registration.objects.get(pk=family.pk).places == 2
    assert Session.objects.get(pk=club["session"].pk).other_count == 3


def test_cancel_a_registration_gives_its_places_to_the_first_in_line(
    login, owner, club, django_capture_on_commit_callbacks
):
    offer, session = club["offer"], club["session"]
    _add(owner, session, "Inès", 4)  # the session is full: 4 + 4 + 4
    young = make_beneficiary(17, first_name="Léa", email="lea@exemple.fr")
    WaitlistEntry.objects.create(offer=offer, session=session, person=young)
    later = _add(owner, session, "Famille Ba", 2, waitlist=True)
    client = login(owner)
    url = _url(offer, session, f"inscriptions/{club['family'].public_id}/annuler/")
    confirm = client.get(url).content.decode()
    assert "Annuler l'inscription de Famille Lefèvre-Ngô" in confirm
    assert "Oui, annuler l'inscription" in confirm
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    html = response.content.decode()
    assert "ses places vont d&#x27;abord à la liste d&#x27;attente" in html
    assert Registration.objects.get(pk=club["family"].pk).status == "cancelled"
    entry = WaitlistEntry.objects.get(person=young)
    assert entry.status == WaitlistStatus.OFFERED
    later.refresh_from_db()  # 2 places left after Léa's: the family gets them
    assert later.status == RegistrationStatus.REGISTERED and later.promoted_at is not None
    assert [m.to for m in mail.outbox] == [["lea@exemple.fr"]]
    page = client.get(_url(offer, session)).content.decode()
    assert "À prévenir" in page  # Famille Ba gave no address
    # twice: said, nothing more
    again = client.post(url, follow=True).content.decode()
    assert "Cette inscription est déjà annulée." in again


def test_present_and_absent_for_registrations_with_htmx_and_without(login, owner, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART")
    session = make_session(offer, days=-1 / 24, total_places=10)  # started an hour ago
    one = _add(owner, session, "Famille Roux", 3)
    client = login(owner)
    url = _url(offer, session, "inscriptions/presence/")
    response = client.post(url, {"registration": one.public_id, "presence": "absent"})
    assert response.status_code == 302
    assert Registration.objects.get(pk=one.pk).attendance == Attendance.ABSENT
    html = client.post(
        url, {"registration": one.public_id, "presence": "present"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert html.strip().startswith(f'<tr id="row-{one.public_id}"') and "<html" not in html
    assert "Présent" in html
    assert Registration.objects.get(pk=one.pk).attendance == Attendance.PRESENT
    page = client.get(_url(offer, session)).content.decode()
    assert "présents : 3, absents : 0" in page


def test_absent_waits_for_the_start(login, owner, club):
    client = login(owner)
    url = _url(club["offer"], club["session"], "inscriptions/presence/")
    html = client.post(
        url,
        {"registration": club["family"].public_id, "presence": "absent"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "à partir du début de la séance" in html
    assert Registration.objects.get(pk=club["family"].pk).attendance == ""


def test_walk_ins_are_counted_present_and_take_no_place(login, owner, club):
    client = login(owner)
    url = _url(club["offer"], club["session"], "participants/sans-inscription/")
    early = client.post(url, {"places": "2", "name": ""})  # days before: a mis-click
    assert early.status_code == 400 and "à partir du jour de la séance" in early.content.decode()
    assert 'role="status"' in early.content.decode()  # said at the top: the form is low
    assert not Registration.objects.filter(channel=Channel.WALK_IN).exists()
    soon = timezone.now() + timedelta(hours=1)  # the session's day, at the door
    Session.objects.filter(pk=club["session"].pk).update(starts_at=soon, booking_limit_at=soon)
    response = client.post(url, {"places": "2", "name": ""}, follow=True)
    assert "2 personnes venues sans inscription comptées." in response.content.decode()
    walk_in = Registration.objects.get(channel=Channel.WALK_IN)
    assert (walk_in.places, walk_in.attendance) == (2, Attendance.PRESENT)
    assert Session.objects.get(pk=club["session"].pk).other_count == 4
    page = response.content.decode()
    assert "Sans inscription" in page and "sans inscription : 2" in page
    bad = client.post(url, {"places": "9999999999999", "name": "x"})
    assert "Rien n&#x27;a été enregistré" in bad.content.decode()  # at the top too
    assert bad.status_code == 400 and "Assurez-vous que cette valeur" in bad.content.decode()
    assert Registration.objects.filter(channel=Channel.WALK_IN).count() == 1


def test_places_kept_on_the_library_list(login, owner, club):
    client = login(owner)
    url = _url(club["offer"], club["session"], "participants/hors-pass-culture/")
    response = client.post(url, {"outside_places": "3"}, follow=True)
    assert "Places déjà prises hors pass Culture : 3 places." in response.content.decode()
    assert Session.objects.get(pk=club["session"].pk).outside_places == 3
    too_many = client.post(url, {"outside_places": "5"})
    html = too_many.content.decode()
    assert too_many.status_code == 400 and "Il ne reste que 1 place" in html
    assert 'id="id_outside_places_error"' in html
    assert Session.objects.get(pk=club["session"].pk).outside_places == 3


def test_the_sign_in_sheet_lists_everyone_with_their_channel(login, owner, club):
    sheet = login(owner).get(_url(club["offer"], club["session"]), {"feuille": "1"})
    html = sheet.content.decode()
    assert "Feuille d'émargement" in html
    assert html.count('class="signature"') == 1 + 6  # the heading, 4 young people, 2 others
    assert "Famille Lefèvre-Ngô" in html and "Chloé d&#x27;Arc" in html
    assert "Anne Annulée" not in html
    assert html.count("<td>pass Culture</td>") == 4 and "<td>Téléphone</td>" in html
    assert 'name="presence"' not in html


def test_outsiders_get_404_and_hostile_values_change_nothing(login, owner, outsider, club):
    offer, session, family = club["offer"], club["session"], club["family"]
    for url in (
        _url(offer, session),
        _url(offer, session, "participants/ajouter/"),
        _url(offer, session, f"inscriptions/{family.public_id}/"),
        _url(offer, session, f"inscriptions/{family.public_id}/annuler/"),
        _url(offer, session, "participants/export.csv"),
    ):
        assert login(outsider).get(url).status_code == 404, url
    assert login(outsider).post(_url(offer, session, "participants/ajouter/")).status_code == 404
    client = login(owner)
    presence = _url(offer, session, "inscriptions/presence/")
    assert (
        client.post(presence, {"registration": "x\x00", "presence": "present"}).status_code == 404
    )
    assert client.post(presence, {"presence": "present"}).status_code == 404
    other = make_session(offer, days=9, total_places=5)
    elsewhere = _add(owner, other, "Ailleurs")
    assert client.post(presence, {"registration": elsewhere.public_id}).status_code == 404
    assert client.get(_url(offer, session, f"inscriptions/{elsewhere.public_id}/")).status_code == (
        404
    )
    assert client.get(_url(offer, session, "participants/export.pdf")).status_code == 404
    before = list(Registration.objects.order_by("pk").values_list("pk", "places", "status"))
    add = _url(offer, session, "participants/ajouter/")
    for hostile in (
        {"channel": "walk_in", "name": "A", "age_bracket": "unknown", "places": "1"},
        {"channel": "pigeon", "name": "A", "age_bracket": "unknown", "places": "1"},
        {"channel": "desk", "name": "A\x00", "age_bracket": "unknown", "places": "1"},
        {"channel": "desk", "name": "A", "age_bracket": "unknown", "places": "1e3"},
        {"channel": "desk", "name": "A", "age_bracket": "unknown", "places": "99999999999999"},
        {"channel": "desk", "name": "A", "age_bracket": "42", "places": "1"},
        {"channel": "desk", "name": "A", "age_bracket": "unknown", "places": "0"},
        {"channel": "desk", "name": "A", "email": "pas une adresse", "places": "1"},
    ):
        response = client.post(add, hostile)
        assert response.status_code == 400, hostile
        assert 'class="error-text"' in response.content.decode(), hostile
    response = client.post(
        _url(offer, session, "participants/hors-pass-culture/"), {"outside_places": "-1"}
    )
    assert response.status_code == 400
    assert list(Registration.objects.order_by("pk").values_list("pk", "places", "status")) == (
        before
    )


def test_a_cancelled_session_takes_no_one_more(login, owner, club):
    from offers.services.cancellations import session_cancel

    session_cancel(actor=owner, session=club["session"], reason="other", comment="Panne")
    client = login(owner)
    response = client.post(
        _url(club["offer"], club["session"], "participants/ajouter/"),
        {"channel": "desk", "name": "Tard", "age_bracket": "unknown", "places": "1"},
        follow=True,
    )
    assert "Cette séance est annulée" in response.content.decode()
    assert not Registration.objects.filter(name="Tard").exists()
    page = client.get(_url(club["offer"], club["session"])).content.decode()
    assert "Ajouter un participant" not in page


def test_the_page_does_not_grow_its_queries_with_its_rows(login, owner, space):
    client = login(owner)
    counts = {}
    for n in (5, 30):
        offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title=f"Atelier {n}")
        session = make_session(offer, days=-1 / 24, total_places=200)
        for i in range(n // 2):
            make_booking(
                offer, session=session, beneficiary=make_beneficiary(16, last_name=f"B{i}")
            )
        for i in range(n - n // 2):
            _add(
                owner,
                session,
                f"Inscrit {i}",
                channel=Channel.PHONE,
                phone="0612345678",
                contact_consent=True,
            )
        Session.objects.filter(pk=session.pk).update(total_places=session.total_places)
        full = make_session(offer, days=3, total_places=1)
        _add(owner, full, "Seul")
        for i in range(n // 5):
            _add(owner, full, f"Attente {i}", waitlist=True)
            WaitlistEntry.objects.create(
                offer=offer,
                session=full,
                person=make_beneficiary(17),
                joined_at=timezone.now() + timedelta(seconds=i),
            )
        client.get(_url(offer, session))  # warm the per-person caches
        with CaptureQueriesContext(connection) as queries:
            html = client.get(_url(offer, session)).content.decode()
            client.get(_url(offer, full))
        counts[n] = len(queries)
        assert html.count('name="presence" value="absent"') == n
    assert counts[30] == counts[5], counts
