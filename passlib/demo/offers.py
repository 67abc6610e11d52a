"""Demo offers for `seed_demo`: one or more in each of the 8 subcategories."""

from __future__ import annotations

import io
from datetime import time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw

from accounts.models import (
    Beneficiary,
    HoursException,
    OpeningHours,
    School,
    Teacher,
    User,
    Venue,
)
from catalog.categories import get_subcategory
from offers.collective_reference import pack
from offers.models import (
    Booking,
    BookingStatus,
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveShowcase,
    Offer,
    OfferStatus,
    Session,
    Stock,
)
from offers.services.bookings import booking_cancel_by_beneficiary, booking_create
from offers.services.offers import image_folder
from passlib import images
from passlib.demo.accounts import demo_user

# (venue key, subcategory, title, price in cents, stock quantity, sessions: (days, places, quota))
DEMO_OFFERS = [
    ("part_dieu", "ABO_BIBLIOTHEQUE", "Carte d'abonnement jeunes", 0, None, []),
    ("jean_mace", "ABO_MEDIATHEQUE", "Abonnement médiathèque : films et musique", 0, None, []),
    ("part_dieu", "RENCONTRE", "Club de lecture ados", 0, None, [(6, 12, 8), (13, 12, 8)]),
    (
        "part_dieu",
        "CONFERENCE",
        "Conférence : dessiner un roman graphique",
        0,
        None,
        [(9, 80, None)],
    ),
    ("jean_mace", "ATELIER_PRATIQUE_ART", "Atelier manga", 0, None, [(4, 10, 6), (11, 10, 6)]),
    ("jean_mace", "VISITE", "Visite des réserves patrimoniales", 0, None, [(15, 15, None)]),
    ("part_dieu", "SEANCE_CINE", "Ciné-club du mercredi", 300, None, [(3, 60, 20)]),
    ("jean_mace", "ESCAPE_GAME", "Escape game à la bibliothèque", 800, 30, []),
]

EXTRA = {
    "RENCONTRE": {"speaker": "Hugo, bibliothécaire"},
    "CONFERENCE": {"speaker": "Lina Moreau, autrice"},
    "ATELIER_PRATIQUE_ART": {"speaker": "Studio Kōhai"},
    "SEANCE_CINE": {"director": "Hayao Miyazaki"},
}


def seed_offers(venues: dict[str, Venue], author: User) -> list[Offer]:
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    offers = []
    for key, sub_id, title, price, quantity, sessions in DEMO_OFFERS:
        venue = venues[key]
        sub = get_subcategory(sub_id)
        offer, created = Offer.objects.get_or_create(
            venue=venue,
            title=title,
            defaults={
                "category_id": sub.category.id,
                "subcategory_id": sub.id,
                "description": f"{title} — proposé par {venue.display_name}.",
                "price_cents": price,
                "status": OfferStatus.PUBLISHED,
                "booking_email": venue.booking_email,
                "accessibility_motor": venue.accessibility_motor,
                "created_by": author,
                "updated_by": author,
                **EXTRA.get(sub_id, {}),
            },
        )
        if created:
            if sub.is_event:
                for days, places, quota in sessions:
                    start = now + timedelta(days=days, hours=2)
                    Session.objects.create(
                        offer=offer,
                        starts_at=start,
                        total_places=places,
                        quota=quota,
                        booking_limit_at=start,
                    )
            else:
                Stock.objects.create(offer=offer, quantity=quantity)
        offers.append(offer)
    return offers


def seed_bookings(offers: list[Offer], librarian: User) -> None:
    """Beneficiaries of 15, 17 and 18 with bookings in every status; a free subscription
    booked 31 days ago so that validate_subscription_bookings has work."""

    today = timezone.localdate()
    young = {}
    for age, email, first, last in [
        (15, "lina.15@jeunes.demo", "Lina", "Benali"),
        (17, "tom.17@jeunes.demo", "Tom", "Girard"),
        (18, "jade.18@jeunes.demo", "Jade", "Nguyen"),
    ]:
        user = demo_user(email, first, last)
        birth = today.replace(year=today.year - age) - timedelta(days=40)
        Beneficiary.objects.get_or_create(
            user=user,
            defaults={
                "birth_date": birth,
                "credit_age": age,
                "credit_cents": {15: 2000, 17: 3000, 18: 30000}[age],
            },
        )
        young[age] = user
    if Booking.objects.filter(beneficiary__in=young.values()).exists():
        return
    by_title = {o.title: o for o in offers}

    def book(user, title):
        offer = by_title[title]
        session = offer.sessions.order_by("starts_at").first() if offer.is_event else None
        return booking_create(user=user, offer=offer, session=session)

    now = timezone.now()
    old_card = book(young[18], "Carte d'abonnement jeunes")
    Booking.objects.filter(pk=old_card.pk).update(booked_at=now - timedelta(days=31))
    book(young[15], "Carte d'abonnement jeunes")
    book(young[17], "Club de lecture ados")
    validated = book(young[18], "Atelier manga")
    Booking.objects.filter(pk=validated.pk).update(
        status=BookingStatus.VALIDATED, validated_at=now, validated_by=librarian
    )
    cancelled = book(young[17], "Escape game à la bibliothèque")
    booking_cancel_by_beneficiary(user=young[17], booking=cancelled)
    # Paid bookings validated three weeks ago: the demo's reimbursement run puts the
    # Part-Dieu one on a statement; Jean Macé has no bank details and waits
    # (passlib/demo/finance.py).
    for age, title in ((18, "Ciné-club du mercredi"), (15, "Escape game à la bibliothèque")):
        paid = book(young[age], title)
        Booking.objects.filter(pk=paid.pk).update(
            status=BookingStatus.VALIDATED,
            validated_at=now - timedelta(days=21),
            validated_by=librarian,
        )


def seed_collective(venue: Venue, author: User) -> None:
    """A school with a teacher, a showcase (reading club for a class), a bookable offer
    pre-booked and another confirmed."""
    school, _ = School.objects.get_or_create(
        uai="0690001B",
        defaults={"name": "Collège Jean Moulin", "city": "Lyon", "departement": "69"},
    )
    teacher = demo_user("prof@college-jean-moulin.demo", "Marc", "Lefort")
    Teacher.objects.get_or_create(user=teacher, defaults={"school": school})
    common = {
        "venue": venue,
        "category_id": "CONFERENCE",
        "subcategory_id": "RENCONTRE",
        "intervention_area": pack(["69", "01"]),
        "contact_email": venue.booking_email,
        "domains": pack(["livre_lecture"]),
        "school_levels": pack(["college_6e", "college_5e"]),
        "status": "published",
        "created_by": author,
    }
    CollectiveShowcase.objects.get_or_create(
        venue=venue,
        title="Club de lecture pour une classe",
        defaults={
            **common,
            "description": "Un cycle de rencontres autour des romans jeunesse, "
            "en classe ou à la médiathèque.",
        },
    )
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for title, days, status in [
        ("Rencontre avec une autrice jeunesse", 50, CollectiveBookingStatus.PREBOOKED),
        ("Atelier éducation aux médias", 70, CollectiveBookingStatus.BOOKED),
    ]:
        start = now + timedelta(days=days)
        offer, created = CollectiveOffer.objects.get_or_create(
            venue=venue,
            title=title,
            defaults={
                **common,
                "starts_at": start,
                "ends_at": start + timedelta(hours=2),
                "booking_limit_at": start - timedelta(days=7),
                "students": 28,
                "price_cents": 18000,
                "price_details": "Intervenante et matériel",
            },
        )
        if created:
            CollectiveBooking.objects.create(
                offer=offer,
                venue=venue,
                school=school,
                teacher=teacher,
                status=status,
                confirmed_at=now if status == CollectiveBookingStatus.BOOKED else None,
                confirmed_by=teacher if status == CollectiveBookingStatus.BOOKED else None,
            )


def seed_showcase(venue: Venue, offers: list[Offer]) -> None:
    """The Part-Dieu's public page (presentation, hours, an exception, contact) and a
    drawn poster on each of its offers, so the demo shows what young people see."""

    if not venue.description:
        venue.description = (
            "Quatre étages de livres, de BD, de films et de jeux, un espace ados au 2e "
            "étage et des ateliers tous les mercredis."
        )
        venue.contact_phone = "04 78 62 18 00"
        venue.website = "https://www.bm-lyon.fr"
        venue.accessibility_details = "Ascenseurs, boucle magnétique à l'accueil."
        venue.save()
        week = {1: [(10, 19)], 2: [(10, 19)], 3: [(10, 19)], 4: [(10, 19)], 5: [(10, 18)]}
        OpeningHours.objects.bulk_create(
            OpeningHours(venue=venue, weekday=day, opens=time(o), closes=time(c))
            for day, intervals in week.items()
            for o, c in intervals
        )
        christmas = timezone.localdate().replace(month=12, day=25)
        HoursException.objects.get_or_create(venue=venue, day=christmas, defaults={"label": "Noël"})
    colours = [(32, 58, 140), (170, 40, 70), (20, 110, 90), (200, 120, 20)]
    for n, offer in enumerate(o for o in offers if o.venue_id == venue.pk and not o.has_image):
        poster = Image.new("RGB", (1200, 800), colours[n % len(colours)])
        draw = ImageDraw.Draw(poster)
        draw.text((60, 360), offer.title, fill="white", font_size=56)
        out = io.BytesIO()
        poster.save(out, "PNG")
        picture = images.read_upload(ContentFile(out.getvalue(), name="affiche.png"))
        images.save_image(
            offer,
            picture=picture,
            alt=f"Affiche : « {offer.title} » en lettres blanches",
            credit="© Ville de Lyon",
            folder=image_folder(offer),
        )
