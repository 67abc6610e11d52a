"""Each audience in its own real world (issue 14), in Chromium, from the home page to the
end of the person's main task, acting only through what the person sees: French labels,
link and button texts. Every step is audited by axe and kept as a screenshot under
test-artifacts/screenshots/audience-*.png; the e-mails read on the way are checked as
text, the QR code is read back from the screen and the export from the file downloaded.

- a young person (16) signs up, is told free offers are hers, books, scans her code,
  cancels after confirming;
- a teacher signs up with the school's UAI, pre-books the offer made for the school and
  confirms it;
- a librarian creates a paid workshop typing the price as French people do, publishes
  it, validates a code at the guichet and downloads the bookings as a spreadsheet;
- a collectivité administrator approves a join request and removes a member after
  confirming;
- a librarian of Isère (no officer) registers the collectivité and is told whom to
  write to; site staff validate it from the national queue.

Chromium headless always shows date pickers as mm/dd/yyyy whatever the locale, so date
fields are filled with the value the picker sends (ISO); the French typed formats are
proved by tests/test_money_input.py.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Collectivite, Membership, Status
from offers.models import Booking, BookingStatus, CollectiveBooking, Offer
from tests.conftest import assert_accessible
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    UserFactory,
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_school,
    make_session,
    past_its_cancellation_deadline,
    valid_siret,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "lecture-publique-2026"


def field(page, label: str):
    """The form field whose visible label is exactly `label` (with or without the
    "(obligatoire)" mark)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoire\))?$"))


def step(page, name: str) -> None:
    page.wait_for_load_state()
    assert_accessible(page, f"audience-{name}")


def assert_tu(page) -> None:
    """The page speaks to a young person with "tu", never "vous"."""
    text = page.locator("main").inner_text()
    assert not re.search(r"\b(vous|votre|vos)\b", text, re.I), text


def nav(page):
    return page.get_by_role("navigation", name="Navigation principale")


def log_in_from_home(page, email: str, who: str) -> None:
    page.goto("/")
    step(page, f"{who}-01-home")
    nav(page).get_by_role("link", name="Se connecter").click()
    field(page, "Adresse électronique").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def read_email(to: str) -> mail.EmailMessage:
    """The last e-mail sent to `to`, checked as a person reads it: no HTML entity."""
    message = [m for m in mail.outbox if to in m.to][-1]
    for text in (message.subject, message.body):
        assert not re.search(r"&(#\d+|#x[0-9a-f]+|[a-z]+);", text, re.I), text
    return message


def link_in(message, path_start: str) -> str:
    return re.search(rf"https?://[^/\s]+({re.escape(path_start)}\S*)", message.body).group(1)


def sign_up(page, *, first, last, email, extra=()) -> None:
    field(page, "Prénom").fill(first)
    field(page, "Nom").fill(last)
    page.get_by_label(re.compile(r"^Adresse électronique")).fill(email)
    for label, value in extra:
        field(page, label).fill(value)
    field(page, "Mot de passe").fill(NEW_PASSWORD)
    field(page, "Confirmation du mot de passe").fill(NEW_PASSWORD)
    page.get_by_label(re.compile("^J'accepte les conditions générales")).check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/inscription/envoyee/")


def confirm_address(page, email: str, who: str, *, tu: bool = False) -> mail.EmailMessage:
    message = read_email(email)
    page.goto(link_in(message, "/inscription/confirmer/"))
    step(page, f"{who}-confirm")
    if tu:
        assert_tu(page)
    page.get_by_role("button", name="Confirmer mon adresse").click()
    page.wait_for_load_state()
    return message


def test_a_young_person_signs_up_books_scans_and_cancels(page, space, settings):
    settings.BENEFICIARY_MIN_AGE, settings.BENEFICIARY_MAX_AGE = 15, 18
    free = make_offer(space["venue"], "ATELIER_PRATIQUE_ART", title="Atelier manga d'hiver")
    make_session(free, days=9, total_places=10, quota=6)

    page.goto("/")
    step(page, "young-01-home")
    page.get_by_role("link", name="Voir les offres pour les jeunes").click()
    page.wait_for_url("**/jeunes/offres/")
    step(page, "young-02-catalog")
    page.get_by_role("link", name="Crée ton compte").click()
    page.wait_for_url("**/jeunes/inscription/")
    step(page, "young-03-signup")
    born = timezone.localdate().replace(year=timezone.localdate().year - 16) - timedelta(days=3)
    sign_up(
        page,
        first="Chloé",
        last="d'Arc",
        email="chloe.darc@exemple.fr",
        extra=[("Date de naissance", born.isoformat())],
    )
    step(page, "young-04-signup-sent")
    assert_tu(page)

    message = confirm_address(page, "chloe.darc@exemple.fr", "young-05", tu=True)
    assert "professionnel" not in message.subject + message.body
    assert message.subject == "Confirme ton adresse électronique"
    assert not re.search(r"\b(vous|votre)\b", message.body, re.I), message.body
    assert "Chloé" in message.body
    # she lands on her own pages: no SIRET, no professional link, "tu" throughout
    step(page, "young-06-landing")
    assert page.get_by_text("SIRET").count() == 0
    assert (
        page.get_by_role("link", name="Trouver la personne chargée de mon territoire").count() == 0
    )
    assert page.get_by_text("les offres gratuites te restent ouvertes").is_visible()
    assert page.get_by_text("Ton adresse électronique est confirmée.").is_visible()
    assert nav(page).get_by_role("link", name="Mon espace").count() == 0
    assert_tu(page)

    page.get_by_role("link", name="voir les offres gratuites").click()
    step(page, "young-07-free-offers")
    page.get_by_role("link", name="Atelier manga d'hiver").click()
    step(page, "young-08-offer")
    assert_tu(page)
    page.get_by_role("button", name=re.compile("^Réserver le ")).click()
    page.wait_for_url("**/jeunes/reservations/")
    step(page, "young-09-my-bookings")
    assert_tu(page)
    booking = Booking.objects.get(beneficiary__email="chloe.darc@exemple.fr")
    assert page.get_by_text(booking.code, exact=True).first.is_visible()

    # the code on the screen is read by a standard decoder, as a phone's camera would
    import zxingcpp
    from PIL import Image

    shot = page.locator(".qr").first.screenshot()
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    assert [(d.format.name, d.text) for d in decoded] == [("QRCode", f"PASSLIB:{booking.code}")]

    page.get_by_text(f"Annuler la réservation {booking.code}", exact=True).click()
    step(page, "young-10-confirm-cancel")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    page.get_by_role("button", name=f"Oui, annuler la réservation {booking.code}").click()
    step(page, "young-11-cancelled")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CANCELLED


def test_a_teacher_signs_up_and_books_the_offer_made_for_the_school(page, space):
    school = make_school(name="Collège Jean Moulin", city="Lyon")
    make_collective_offer(
        space["venue"], title="Rencontre avec une autrice", school=school, status="published"
    )

    page.goto("/")
    step(page, "teacher-01-home")
    page.get_by_role("link", name="Créer mon compte enseignant").click()
    page.wait_for_url("**/enseignants/inscription/")
    step(page, "teacher-02-signup")
    sign_up(
        page,
        first="Marc",
        last="L'Hôte",
        email="marc.lhote@ac-lyon.fr",
        extra=[("Code UAI de l'établissement", school.uai.lower())],
    )
    step(page, "teacher-03-signup-sent")
    message = confirm_address(page, "marc.lhote@ac-lyon.fr", "teacher-04")
    assert "professionnel" not in message.subject + message.body
    step(page, "teacher-05-landing")
    assert page.get_by_text("SIRET").count() == 0
    assert page.get_by_role("link", name="Quelle catégorie pour mon offre ?").count() == 0

    page.get_by_role("link", name="Rencontre avec une autrice").first.click()
    step(page, "teacher-06-offer")
    page.get_by_role("button", name="Préréserver pour Collège Jean Moulin").click()
    page.wait_for_url("**/enseignants/reservations/")
    step(page, "teacher-07-prebooked")
    assert page.get_by_text("Préréservée", exact=True).is_visible()
    page.get_by_role("button", name="Confirmer la réservation").click()
    step(page, "teacher-08-confirmed")
    assert page.get_by_text("Statut : Réservée").is_visible()
    assert CollectiveBooking.objects.get().status == "booked"


def test_a_librarian_publishes_a_paid_workshop_validates_and_exports(page, space, member):
    young = make_beneficiary(17, first_name="Inès", last_name="N'Diaye")
    existing = make_offer(space["venue"], "RENCONTRE", title="Rencontre d'auteur")
    make_session(existing, days=3, total_places=20, quota=10)
    from offers.services.bookings import booking_create

    booking = booking_create(user=young, offer=existing, session=existing.sessions.get())
    past_its_cancellation_deadline(booking)  # she can no longer cancel: the guichet validates

    log_in_from_home(page, member.email, "librarian")
    step(page, "librarian-02-space")
    nav(page).get_by_role("link", name="Offres", exact=True).click()
    step(page, "librarian-03-offers")
    page.get_by_role("link", name="Créer une offre").click()
    page.wait_for_url("**/offres/nouvelle/")
    field(page, "Catégorie et sous-catégorie").select_option(
        label="Atelier, stage de pratique artistique"
    )
    page.wait_for_selector("text=Type d'offre")
    field(page, "Titre").fill("Atelier BD d'Ulysse & Cie")
    field(page, "Prix (€)").fill("4,5O €")  # a letter O typed for a zero
    page.get_by_role("button", name="Enregistrer").click()
    step(page, "librarian-04-price-error")
    assert page.locator(".field-error").get_by_text(re.compile("montant|prix")).first.is_visible()
    assert field(page, "Prix (€)").input_value() == "4,5O €"
    assert field(page, "Titre").input_value() == "Atelier BD d'Ulysse & Cie"
    field(page, "Prix (€)").fill(" 4,50 ")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/offres/*/")
    step(page, "librarian-05-draft")
    offer = Offer.objects.get(title="Atelier BD d'Ulysse & Cie")
    assert offer.price_cents == 450
    assert page.get_by_text("4,50 €").first.is_visible()

    start = timezone.localtime(timezone.now() + timedelta(days=12)).replace(hour=15, minute=0)
    field(page, "Début").fill(start.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Nombre total de places").fill("12")
    field(page, "Quota pass Culture").fill("8")
    page.get_by_role("button", name="Ajouter la séance").click()
    page.wait_for_selector("text=Séance ajoutée.")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_selector("text=Offre « Atelier BD d'Ulysse & Cie » publiée.")
    step(page, "librarian-06-published")

    nav(page).get_by_role("link", name="Guichet").click()
    step(page, "librarian-07-guichet")
    field(page, "Contremarque").fill(booking.code.lower())
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_selector("text=Inès N'Diaye")
    step(page, "librarian-08-found")
    page.get_by_role("button", name="Valider la contremarque").click()
    page.wait_for_selector(f"text=Contremarque {booking.code} validée.")
    step(page, "librarian-09-validated")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.VALIDATED

    nav(page).get_by_role("link", name="Réservations", exact=True).click()
    step(page, "librarian-10-bookings")
    with page.expect_download() as download:
        page.get_by_role("link", name="Exporter en Excel (XLSX)").click()
    import openpyxl

    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as downloaded:
        sheet = openpyxl.load_workbook(io.BytesIO(downloaded.read())).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Contremarque"] == booking.code
    assert row["Nom du bénéficiaire"] == "N'Diaye"
    assert row["Statut de la contremarque"] == "validé"
    assert isinstance(row["Prix de la réservation"], int | float | Decimal)
    assert hasattr(row["Date et heure de validation"], "year")


def test_an_administrator_approves_a_join_request_and_removes_a_member(page, space, owner):
    from accounts.models import Role

    collectivite = space["collectivite"]
    applicant = UserFactory(first_name="Léa", last_name="L'Haÿ")
    Membership.objects.create(
        user=applicant,
        collectivite=collectivite,
        role=Role.MEMBER,
        status=Status.NEW,
        message="Je gère la bibliothèque du quartier.",
    )
    leaving = MembershipFactory(
        collectivite=collectivite,
        role=Role.MEMBER,
        user__first_name="Paul",
        user__last_name="Départ",
    )

    log_in_from_home(page, owner.email, "admin")
    step(page, "admin-02-space")
    page.get_by_role("link", name=collectivite.name, exact=True).click()
    page.wait_for_url("**/collectivites/**")
    step(page, "admin-03-collectivite")
    page.get_by_role("button", name="Approuver la demande de Léa L'Haÿ").click()
    page.wait_for_selector("text=La demande de Léa L'Haÿ est approuvée")
    step(page, "admin-04-approved")
    assert Membership.objects.get(user=applicant).status == Status.VALIDATED
    approval = read_email(applicant.email)
    assert "L'Haÿ" in approval.body or collectivite.name in approval.body

    page.get_by_text("Retirer Paul Départ de l'espace", exact=True).click()
    step(page, "admin-05-confirm-removal")
    assert Membership.objects.filter(pk=leaving.pk).exists()
    page.get_by_role("button", name="Confirmer le retrait de Paul Départ").click()
    step(page, "admin-06-removed")
    assert not Membership.objects.filter(pk=leaving.pk, status=Status.VALIDATED).exists()


def test_a_signup_where_no_officer_works_is_validated_from_the_national_queue(page, officer):
    staff = UserFactory(first_name="Sami", last_name="Benali", is_staff=True)
    siret = valid_siret(381)

    page.goto("/")
    step(page, "officer-01-home")
    page.get_by_role("link", name="Inscrire ma bibliothèque").first.click()
    step(page, "officer-02-signup")
    sign_up(page, first="Élise", last="Chêne", email="elise.chene@grenoble.fr")
    confirm_address(page, "elise.chene@grenoble.fr", "officer-03")
    step(page, "officer-04-space")
    page.get_by_role("link", name="Rattacher ma bibliothèque (SIRET)").click()
    field(page, "SIRET de la collectivité").fill(siret)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/structure/nouvelle/**")
    step(page, "officer-05-register")
    field(page, "Nom de la collectivité").fill("Commune de Saint-Martin-d'Hères")
    field(page, "Adresse").first.fill("111 avenue Ambroise Croizat")
    field(page, "Code postal").first.fill("38400")
    field(page, "Commune").first.fill("Saint-Martin-d'Hères")
    field(page, "Catégorie juridique").select_option("7210")
    venue = page.get_by_role("group", name=re.compile("lieu", re.I))
    field(venue, "Nom du lieu").fill("Médiathèque Romain Rolland")
    field(venue, "Adresse").fill("5 rue Anatole France")
    field(venue, "Code postal").fill("38400")
    field(venue, "Commune").fill("Saint-Martin-d'Hères")
    page.get_by_role("button", name="Inscrire la collectivité et mon lieu").click()
    page.wait_for_url("**/collectivites/**")
    step(page, "officer-06-registered")
    # nobody covers Isère: the page says so and whom to write to
    assert page.get_by_text(
        re.compile("aucune personne chargée du territoire", re.I)
    ).first.is_visible()
    collectivite = Collectivite.objects.get(siren=siret[:9])
    assert collectivite.departement == "38" and collectivite.status == Status.NEW
    # the Rhône officer is not told; the national team is
    assert not [m for m in mail.outbox if officer.email in m.to]
    to_staff = read_email(staff.email)
    assert "Saint-Martin-d'Hères" in to_staff.subject + to_staff.body
    log_out(page)

    log_in_from_home(page, staff.email, "officer")
    nav(page).get_by_role("link", name="Revue des inscriptions").click()
    step(page, "officer-07-national-queue")
    page.get_by_role("link", name="Commune de Saint-Martin-d'Hères").click()
    step(page, "officer-08-review")
    field(page, "Commentaire").first.fill("Collectivité vérifiée par l'équipe nationale")
    page.get_by_role("button", name="Valider", exact=True).click()
    step(page, "officer-09-validated")
    collectivite.refresh_from_db()
    assert collectivite.status == Status.VALIDATED
    decision = read_email("elise.chene@grenoble.fr")
    assert "validée" in decision.subject + decision.body


def test_a_logged_in_young_person_meets_no_dead_end_on_the_home_page(page):
    """Logged in on her phone, a young person sees on the home page who she is and her
    space, never a sign-up; « crée ton compte » opened anyway says who is logged in and
    offers to log out, in « tu » (issue 27, second round)."""
    from tests.browser.labels import log_in_from_home

    page.set_viewport_size({"width": 375, "height": 812})
    young = make_beneficiary(16, first_name="Chloé", last_name="d'Arc")
    log_in_from_home(page, young.email)
    page.goto("/")
    step(page, "logged-in-home")
    assert page.get_by_text(f"Ta session est ouverte avec ton compte {young.email}").is_visible()
    assert page.get_by_role("link", name="Créer mon compte enseignant").count() == 0
    assert page.get_by_role("link", name="Inscrire ma bibliothèque").count() == 0
    assert_tu(page)
    page.goto("/jeunes/inscription/")
    step(page, "logged-in-signup")
    assert page.get_by_role("heading", name="Ta session est déjà ouverte", level=1).is_visible()
    assert_tu(page)
    page.get_by_role("link", name="Aller à mon espace").click()
    page.wait_for_url("**/jeunes/reservations/")
    page.goto("/enseignants/inscription/")
    page.locator("main").get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")
    assert nav(page).get_by_role("link", name="Se connecter").is_visible()
