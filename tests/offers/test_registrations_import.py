"""The CSV import of registrations (issue 30, Must show 3): a file with French accents,
`;` separators, a BOM, an empty line, a line over capacity and a malformed one — the
preview lists each error with its line number, nothing is imported until the whole file
fits; the fixed file imports every line at once; the signed preview cannot be changed,
nor imported twice; hostile files give French errors, never a crash."""

from __future__ import annotations

import codecs
import csv
import io
import uuid

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from offers import imports
from offers.models import (
    Action,
    Channel,
    Registration,
    Session,
    SessionCancelReason,
    Transition,
)
from offers.services import bookings as booking_services
from offers.services import registrations_import as services
from offers.services.registrations import RegistrationData, registration_add
from passlib.refusal import Refusal
from tests.factories import make_beneficiary, make_offer, make_session
from tests.threads import at_once

pytestmark = pytest.mark.django_db

HEADER = "Nom;Canal;Places;Téléphone;Adresse électronique;Accord contact;Tranche d'âge;Note"
# Line numbers of the file: the header is 1, line 4 is empty.
LINES = [
    HEADER,
    "Chloé d'Arc;accueil;3;06 12 34 56 78;;oui;26 à 64 ans;Venue de L'Haÿ-les-Roses",
    "Famille N'Diaye;Téléphone;2;;;non;;",
    "",
    "Élise Côté;;1;;elise.cote@exemple.fr;Oui;65 ans et plus;",
    "Noé Müller;courrier électronique;deux;;;;;",
    '"Zoé ""la grande"" Lefèvre";autre outil;4;;;;15 à 18 ans;"Allergie; arachides"',
    "Sami Benali;accueil;2;07 00;;oui;;",
    "Inès Faure;accueil;5;;;;;Groupe",
]


def _file(lines, *, bom=True, encoding="utf-8") -> bytes:
    text = "\r\n".join(lines) + "\r\n"
    return (codecs.BOM_UTF8 if bom else b"") + text.encode(encoding)


def _url(offer, session, tail=""):
    return f"/offres/{offer.public_id}/seances/{session.public_id}/importer/{tail}"


def _upload(client, offer, session, content: bytes, *, channel="desk", name="inscrits.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(_url(offer, session), {"file": upload, "channel": channel})


def _payload(html: str) -> str:
    return html.split('name="payload" value="', 1)[1].split('"', 1)[0]


@pytest.fixture
def club(space):
    """A reading club of 12 places (quota 8), one place taken by a young person."""
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    session = make_session(offer, days=9, total_places=12, quota=8)
    booking_services.booking_create(
        user=make_beneficiary(16, first_name="Léa"), offer=offer, session=session
    )
    session.refresh_from_db()
    return offer, session


# --- the parser alone ----------------------------------------------------------------


def test_accents_semicolons_bom_empty_line_quotes_and_line_numbers_of_the_file():
    parsed = imports.parse(_file(LINES), default_channel=Channel.PHONE)
    assert [line.number for line in parsed.lines] == [2, 3, 5, 6, 7, 8, 9]
    chloe, ndiaye, elise, noe, zoe, sami, ines = parsed.lines
    assert chloe.data == RegistrationData(
        channel=Channel.DESK,
        name="Chloé d'Arc",
        phone="06 12 34 56 78",
        contact_consent=True,
        age_bracket="26_64",
        places=3,
        note="Venue de L'Haÿ-les-Roses",
    )
    assert ndiaye.data.channel == Channel.PHONE and ndiaye.data.places == 2
    # « Canal » empty: the form's default; the address kept with « Oui »
    assert elise.data.channel == Channel.PHONE
    assert elise.data.email == "elise.cote@exemple.fr" and elise.data.contact_consent
    assert zoe.data.name == 'Zoé "la grande" Lefèvre' and zoe.data.note == "Allergie; arachides"
    assert zoe.data.channel == Channel.OTHER_TOOL and zoe.data.age_bracket == "15_18"
    assert noe.data is None and noe.errors == [
        "Places : « deux » n'est pas un nombre entier écrit en chiffres (par exemple 2)."
    ]
    assert sami.data is None and sami.errors[0].startswith("Numéro de téléphone invalide")
    assert ines.errors == []
    assert parsed.messages[0].startswith("Ligne 6 : Places")
    assert parsed.messages[1].startswith("Ligne 8 : Numéro de téléphone invalide")


def test_headers_read_without_accents_case_or_curly_apostrophes_in_any_order():
    content = "TRANCHE D’AGE,nom,places,Telephone,ACCORD CONTACT\n15 à 18 ans,Lou,2,,\n"
    (line,) = imports.parse(content.encode(), default_channel=Channel.DESK).lines
    assert line.data.name == "Lou" and line.data.age_bracket == "15_18" and line.data.places == 2


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_the_separator_is_read_from_the_header(sep):
    content = sep.join(["Nom", "Places", "Note"]) + "\n" + sep.join(["Lou", "2", "x"]) + "\n"
    (line,) = imports.parse(content.encode(), default_channel=Channel.DESK).lines
    assert (line.data.name, line.data.places, line.data.note) == ("Lou", 2, "x")


def test_windows_1252_and_utf16_files_are_read():
    text = "Nom;Note\nChloé d'Arc;L'Haÿ-les-Roses\n"
    for content in (text.encode("cp1252"), codecs.BOM_UTF16_LE + text.encode("utf-16-le")):
        (line,) = imports.parse(content, default_channel=Channel.DESK).lines
        assert (line.data.name, line.data.note) == ("Chloé d'Arc", "L'Haÿ-les-Roses")


def test_unknown_columns_are_named_and_nom_is_required():
    parsed = imports.parse(b"Nom;Prenom;Date\nA;B;C\n", default_channel=Channel.DESK)
    assert parsed.lines == [] and not parsed.ok
    assert parsed.errors[0].startswith("Colonnes inconnues : « Prenom », « Date ».")
    parsed = imports.parse(b"Places;Note\n2;x\n", default_channel=Channel.DESK)
    assert "La colonne « Nom » manque" in parsed.errors[0]


def test_contact_details_are_kept_only_with_oui():
    content = "Nom;Téléphone;Adresse électronique;Accord contact\nA;06 12 34 56 78;a@b.fr;non\n"
    (line,) = imports.parse(content.encode(), default_channel=Channel.DESK).lines
    assert line.data.phone == line.data.email == "" and not line.data.contact_consent
    assert line.contact == "non gardé (pas d'accord)"


def test_our_own_exports_apostrophe_is_taken_off_a_phone():
    content = "Nom;Téléphone;Accord contact\nA;'+33 6 12 34 56 78;oui\n"
    (line,) = imports.parse(content.encode(), default_channel=Channel.DESK).lines
    assert line.data.phone == "+33 6 12 34 56 78"


HOSTILE_CELLS = [
    ("Nom", "=cmd|' /C calc'!A0", "Nom : ne peut pas commencer par"),
    ("Nom", "@SUM(1+1)", "Nom : ne peut pas commencer par"),
    ("Note", '+HYPERLINK("http://x")', "Note : ne peut pas commencer par"),
    ("Nom", "Ch\x00loé", "Nom : caractère de contrôle interdit."),
    ("Note", "bip\x07", "Note : caractère de contrôle interdit."),
    ("Places", "99999999999999999999", "Places : indiquez un nombre entre 1 et 30."),
    ("Places", "0", "Places : indiquez un nombre entre 1 et 30."),
    ("Places", "-1", "Places : « -1 » n'est pas un nombre entier"),
    ("Places", "٣", "Places : « ٣ » n'est pas un nombre entier"),
    ("Places", "²", "Places : « ² » n'est pas un nombre entier"),
    ("Places", "1e3", "Places : « 1e3 » n'est pas un nombre entier"),
    ("Canal", "sans inscription", "Canal « sans inscription »"),
    ("Canal", "fax", "Canal inconnu « fax »"),
    ("Accord contact", "peut-être", "Accord contact : répondez « oui » ou « non »."),
    ("Tranche d'âge", "ado", "Tranche d'âge inconnue « ado »"),
    ("Nom", "a" * 151, "Nom : 150 caractères au plus."),
    ("Nom", "", "Indiquez un nom ou des initiales."),
]


@pytest.mark.parametrize(("column", "value", "error"), HOSTILE_CELLS)
def test_a_hostile_cell_is_the_lines_error(column, value, error):
    cells = {"Nom": "Lou", "Places": "1", "Canal": "", "Accord contact": "", "Note": ""}
    cells |= {"Tranche d'âge": "", column: value}
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows([list(cells), list(cells.values()), ["Lou"]])
    parsed = imports.parse(out.getvalue().encode(), default_channel=Channel.DESK)
    assert parsed.errors == []
    first, second = parsed.lines
    assert first.data is None and first.number == 2 and second.data.name == "Lou"
    assert any(e.startswith(error) for e in first.errors), first.errors


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"", "Le fichier est vide"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x81\x8d\x8f\x90\x9d" * 50, "pas un texte lisible"),
        (b"Nom\n" + b"\x00" * 3000, "caractère de contrôle"),
        (b"Nom;Places\n" + b"Lou;1\n" * 501, "plus de 500 lignes"),
        (b"Nom\n" + b"a" * (200 * 1024), "dépasse 200 Ko"),
        (b'Nom\n"' + b"a" * 150_000 + b'"\n', "ne se lit pas comme une ligne CSV"),
        (b"Nom" + b";" * 5000 + b"\nLou\n", "colonnes ; 30 au plus"),
        (codecs.BOM_UTF8 + b"Nom\n\xff\xfe\n", "pas un texte lisible"),
    ],
    ids=["empty", "binary", "nul", "501-lines", "too-big", "huge-field", "columns", "bad-utf8"],
)
def test_a_hostile_file_is_a_french_error(content, error):
    parsed = imports.parse(content, default_channel=Channel.DESK)
    assert not parsed.ok
    assert any(error in message for message in parsed.messages), parsed.messages[:3]


def test_capacity_names_each_line_that_goes_over():
    parsed = imports.parse(_file(LINES), default_channel=Channel.DESK)
    imports.check_capacity(parsed, 11)
    # right lines: 3 + 2 + 1 + 4 = 10, then Inès's 5 make 15
    said = "Plus de place : il en reste 11 pour 15 demandées jusqu'ici."
    assert parsed.lines[-1].errors == [said]
    assert "Ligne 9 : Plus de place : il en reste 11 pour 15 demandées jusqu'ici." in (
        parsed.messages
    )


def test_the_signed_lines_cannot_be_changed_or_moved_to_another_session():
    rows = [RegistrationData(channel=Channel.DESK, name="Lou", places=2)]
    value = services.sign_rows(rows, target="session:a")
    key, read = services.read_rows(value, target="session:a")
    assert read == rows
    for hostile, target in (
        (value, "session:b"),
        (value[:-2] + ("AA" if value[-2:] != "AA" else "BB"), "session:a"),
        ("", "session:a"),
        ("\x00" * 10, "session:a"),
        (signing.dumps({"t": "session:a", "k": "x", "r": []}, salt=services.SALT), "session:a"),
        (
            signing.dumps(
                {
                    "t": "session:a",
                    "k": str(key),
                    "r": [["walk_in", "A", "", "", 0, "unknown", 99, ""]],
                },
                salt=services.SALT,
            ),
            "session:a",
        ),
    ):
        with pytest.raises(Refusal) as refused:
            services.read_rows(hostile, target=target)
        assert refused.value.code == "import.tampered"


# --- the pages and the service -------------------------------------------------------


def test_the_preview_lists_each_error_and_nothing_is_imported_until_the_file_fits(
    login, owner, club
):
    offer, session = club
    client = login(owner)
    participants = client.get(_url(offer, session).replace("/importer/", "/participants/"))
    assert "Importer des inscriptions (CSV)" in participants.content.decode()
    page = client.get(_url(offer, session)).content.decode()
    assert "11 places restantes pour tous les canaux" in page
    assert "Télécharger un modèle (CSV)" in page and "liste d'attente" in page

    html = _upload(client, offer, session, _file(LINES)).content.decode()
    assert 'role="alert"' in html and "Rien n'a été importé : 3 erreurs à corriger" in html
    assert "Ligne 6 : Places : « deux » n&#x27;est pas un nombre entier" in html
    assert "Ligne 8 : Numéro de téléphone invalide" in html
    assert "Ligne 9 : Plus de place : il en reste 11 pour 15 demandées jusqu&#x27;ici." in html
    assert "Chloé d&#x27;Arc" in html and 'name="payload"' not in html
    assert Registration.objects.count() == 0

    # fixed: Noé takes 1 place, Sami 1 with his whole number, Inès comes alone: 3+2+1+1+4+1+1
    fixed = [*LINES]
    fixed[5] = fixed[5].replace("deux", "1")
    fixed[7] = "Sami Benali;accueil;1;07 00 00 00 00;;oui;;"
    fixed[8] = fixed[8].replace(";5;", ";1;")
    html = _upload(client, offer, session, _file(fixed)).content.decode()
    assert "Ligne 8 : Plus de place : il en reste 11 pour 12 demandées jusqu&#x27;ici." in html
    assert "Ligne 9 : Plus de place : il en reste 11 pour 13 demandées jusqu&#x27;ici." in html
    fixed[6] = fixed[6].replace(";4;", ";2;")  # Zoé's group: two places less
    html = _upload(client, offer, session, _file(fixed)).content.decode()
    assert 'role="alert"' not in html and "Importer 7 inscriptions" in html
    payload = _payload(html)
    assert Registration.objects.count() == 0

    response = client.post(_url(offer, session, "confirmer/"), {"payload": payload})
    assert response.status_code == 302
    assert response.url.endswith("/participants/")
    rows = list(Registration.objects.filter(session=session).order_by("id"))
    assert [r.name for r in rows][:2] == ["Chloé d'Arc", "Famille N'Diaye"]
    assert rows[0].note == "Venue de L'Haÿ-les-Roses" and rows[0].contact_consent
    session.refresh_from_db()
    assert session.other_count == sum(r.places for r in rows) == 11
    assert session.places_left == 0 and session.booked_count == 1
    (row,) = Transition.objects.filter(action=Action.REGISTRATIONS_IMPORTED)
    assert row.comment == "7 inscriptions importées (11 places)" and row.key is not None
    assert not Transition.objects.filter(action=Action.REGISTRATION_ADDED).exists()
    followed = client.get(response.url).content.decode()
    assert "7 inscriptions importées (11 places)." in followed

    # the double click, or back and « Importer » again: imported once
    again = client.post(_url(offer, session, "confirmer/"), {"payload": payload})
    assert again.status_code == 302
    assert "ont déjà été importées" in client.get(again.url).content.decode()
    assert Registration.objects.count() == 7
    assert Session.objects.get(pk=session.pk).other_count == 11


def test_a_booking_made_after_the_preview_means_nothing_is_imported(login, owner, club):
    offer, session = club
    client = login(owner)
    content = _file([HEADER, "Chloé d'Arc;accueil;6;;;;;", "Famille Martin;accueil;5;;;;;"])
    payload = _payload(_upload(client, offer, session, content).content.decode())
    registration_add(
        actor=owner, target=session, data=RegistrationData(channel=Channel.PHONE, name="X")
    )
    response = client.post(_url(offer, session, "confirmer/"), {"payload": payload})
    assert response.status_code == 409
    assert "Il en reste 10 maintenant pour les 11 places du fichier" in response.content.decode()
    assert Registration.objects.count() == 1
    assert not Transition.objects.filter(action=Action.REGISTRATIONS_IMPORTED).exists()
    session.refresh_from_db()
    assert session.other_count == 1


def test_a_changed_payload_or_another_sessions_writes_nothing(login, owner, club, space):
    offer, session = club
    other = make_session(offer, days=16, total_places=5)
    client = login(owner)
    payload = _payload(
        _upload(client, offer, session, _file([HEADER, "Lou;accueil;2;;;;;"])).content.decode()
    )
    for url, value in (
        (_url(offer, session, "confirmer/"), payload[:-3] + "abc"),
        (_url(offer, session, "confirmer/"), payload[:9] + "AB"[payload[9] == "A"] + payload[10:]),
        (_url(offer, other, "confirmer/"), payload),
        (_url(offer, session, "confirmer/"), "a\x00b"),
        (_url(offer, session, "confirmer/"), ""),
    ):
        response = client.post(url, {"payload": value})
        assert response.status_code == 400
        assert "Cet aperçu n&#x27;est pas valable" in response.content.decode()
    assert Registration.objects.count() == 0


def test_the_service_refuses_a_used_key_and_a_cancelled_session(owner, club):
    _, session = club
    rows = [RegistrationData(channel=Channel.DESK, name="Lou", places=2)]
    key, _ = services.read_rows(
        services.sign_rows(rows, target=services.target_ref(session)),
        target=services.target_ref(session),
    )
    assert services.registrations_import(actor=owner, target=session, rows=rows, key=key) == (
        1,
        2,
    )
    with pytest.raises(Refusal) as refused:
        services.registrations_import(actor=owner, target=session, rows=rows, key=key)
    assert refused.value.code == "registrations_import.done"
    Session.objects.filter(pk=session.pk).update(
        cancelled_at=session.starts_at, cancellation_reason=SessionCancelReason.OTHER
    )
    session.refresh_from_db()
    with pytest.raises(Refusal) as refused:
        services.registrations_import(actor=owner, target=session, rows=rows, key=uuid.uuid4())
    assert refused.value.code == "registrations_import.cancelled"
    assert Registration.objects.filter(status="registered").count() == 1


@pytest.mark.parametrize(
    ("content", "status"),
    [
        (b"\x00\x01\x02\x89PNG" * 2000, 200),
        (b"Nom\n" + b"Lou\n" * 10_000, 200),
        (b"Nom\n" + b"a" * (10 * 1024 * 1024), 400),
    ],
    ids=["binary", "10000-lines", "10MB"],
)
def test_hostile_uploads_answer_in_french_and_write_nothing(login, owner, club, content, status):
    offer, session = club
    response = _upload(login(owner), offer, session, content)
    assert response.status_code == status
    html = response.content.decode()
    assert ("Rien n'a été importé" in html) or ("dépasse 200 Ko" in html)
    assert 'name="payload"' not in html
    assert Registration.objects.count() == 0


def test_the_model_file_reads_back_as_two_right_lines(login, owner, club):
    offer, session = club
    response = login(owner).get(_url(offer, session, "modele.csv"))
    content = b"".join(response.streaming_content)
    assert content.startswith(codecs.BOM_UTF8)
    assert content.decode("utf-8-sig").splitlines()[0] == HEADER
    parsed = imports.parse(content, default_channel=Channel.DESK)
    assert parsed.ok and len(parsed.lines) == 2
    assert parsed.lines[0].data.places == 3 and parsed.lines[0].data.phone == "06 12 34 56 78"


def test_an_unlimited_session_takes_any_file_and_outsiders_get_nothing(
    login, owner, outsider, space
):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Heure du conte")
    session = make_session(offer, days=3)
    content = _file([HEADER, *(f"Personne {i};accueil;30;;;;;" for i in range(20))])
    assert _upload(login(outsider), offer, session, content).status_code in (403, 404)
    html = _upload(login(owner), offer, session, content).content.decode()
    assert "Importer 20 inscriptions" in html
    response = login(owner).post(_url(offer, session, "confirmer/"), {"payload": _payload(html)})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.other_count == 600 == Registration.objects.count() * 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_preview_at_the_same_instant_import_once(owner, space):
    offer = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Club de lecture")
    session = make_session(offer, days=9, total_places=12, quota=8)
    parsed = imports.parse(_file(LINES[:4]), default_channel=Channel.DESK)
    key, rows = services.read_rows(
        services.sign_rows(parsed.rows, target=services.target_ref(session)),
        target=services.target_ref(session),
    )

    def submit():
        return services.registrations_import(actor=owner, target=session, rows=rows, key=key)

    results, errors = at_once([submit, submit, submit])
    assert results == [(2, 5)]
    assert [e.code for e in errors] == ["registrations_import.done"] * 2
    session.refresh_from_db()
    assert session.other_count == 5 == sum(r.places for r in Registration.objects.all())
    assert Transition.objects.filter(action=Action.REGISTRATIONS_IMPORTED).count() == 1


def test_a_full_session_after_the_import_is_no_longer_the_offers_next(
    owner, club, django_capture_on_commit_callbacks
):
    offer, session = club
    later = make_session(offer, days=16, total_places=5)
    offer.refresh_from_db()
    assert offer.next_session_id == session.pk
    rows = [RegistrationData(channel=Channel.DESK, name="Groupe", places=11)]
    with django_capture_on_commit_callbacks(execute=True):
        services.registrations_import(actor=owner, target=session, rows=rows, key=uuid.uuid4())
    offer.refresh_from_db()
    assert offer.next_session_id == later.pk
