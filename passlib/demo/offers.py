"""Demo offers, sessions, bookings and collective offers for `seed_demo`: a library's
week around the moment it runs (passlib/demo/week.py places every date).

What happened before today is acted through the services at the instant it happened
(`acting_at`: booking, cancelling, validating at the door, joining a waiting list; the
periodic commands take their `now`), so their own rules hold: a booking is made while
its session is open, validated at the door once the guichet allows it (offers/rules.py
`validation_opens_at`), a statement only covers fortnights that ended
(passlib/demo/finance.py). Young people's
credit comes from the one rule (accounts/services/beneficiaries.py), never from here.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import Beneficiary, School, Teacher, User, Venue
from accounts.services.beneficiaries import beneficiary_start
from catalog.categories import get_subcategory
from offers.collective_reference import pack
from offers.models import (
    Action,
    Booking,
    CollectiveBooking,
    CollectiveBookingStatus,
    CollectiveOffer,
    CollectiveShowcase,
    Offer,
    OfferStatus,
    Session,
    Stock,
    Transition,
)
from offers.services.bookings import (
    booking_cancel_by_beneficiary,
    booking_create,
    booking_validate,
)
from offers.services.collective_bookings import END_DELAY, end_due_collective_bookings
from offers.services.offers import image_folder
from offers.services.waitlist import waitlist_join
from passlib import images
from passlib.demo import pictures, programme, registrations, week
from passlib.demo.accounts import demo_user
from passlib.demo.week import acting_at

MON, TUE, WED, THU, FRI, SAT = range(6)

# (venue key, subcategory, title, price in cents, stock quantity, sessions), a session
# rule being (weekday, local time, places, pass Culture quota, occurrences): an
# occurrence n > 0 is the n-th open such day from the day after tomorrow, n < 0 the
# |n|-th before today.
DEMO_OFFERS = [
    ("part_dieu", "ABO_BIBLIOTHEQUE", "Carte d'abonnement jeunes", 0, None, []),
    ("jean_mace", "ABO_MEDIATHEQUE", "Abonnement médiathèque : films et musique", 0, None, []),
    (
        "part_dieu",
        "RENCONTRE",
        "Club de lecture ados",
        0,
        None,
        [(SAT, time(14, 30), 12, 8, (1, 2))],
    ),
    (
        "part_dieu",
        "CONFERENCE",
        "Conférence : dessiner un roman graphique",
        0,
        None,
        [(THU, time(18, 30), 80, None, (1,))],
    ),
    (
        "jean_mace",
        "ATELIER_PRATIQUE_ART",
        "Atelier manga",
        0,
        None,
        [(SAT, time(10, 30), 10, 6, (1, 2))],
    ),
    (
        "jean_mace",
        "VISITE",
        "Visite des réserves patrimoniales",
        0,
        None,
        [(FRI, time(17), 15, None, (2,))],
    ),
    (
        "part_dieu",
        "SEANCE_CINE",
        "Ciné-club du mercredi",
        300,
        None,
        [(WED, time(14, 30), 60, 20, (-4, -3, -1, 1, 2))],
    ),
    ("jean_mace", "ESCAPE_GAME", "Escape game à la bibliothèque", 800, 30, []),
    (
        "francois_mitterrand",
        "RENCONTRE",
        "Heure du conte créole",
        0,
        None,
        [(WED, time(10), 20, None, (1, 2))],
    ),
]

EXTRA = {
    "Club de lecture ados": {"speaker": "Hugo, bibliothécaire", "age_min": 15, "age_max": 17},
    "Conférence : dessiner un roman graphique": {"speaker": "Lina Moreau, autrice"},
    "Atelier manga": {"speaker": "Studio Kōhai", "duration_minutes": 150},
    "Ciné-club du mercredi": {"director": "Hayao Miyazaki", "duration_minutes": 125},
    "Heure du conte créole": {"speaker": "Maëva, conteuse"},
}

# Offers were published before the oldest booking of the demo (31 days ago).
PUBLISHED_DAYS_AGO = 60


def seed_offers(venues: dict[str, tuple[Venue, User]]) -> list[Offer]:
    """The offers of DEMO_OFFERS, each venue's by its given author."""
    published = timezone.now() - timedelta(days=PUBLISHED_DAYS_AGO)
    offers = []
    for key, sub_id, title, price, quantity, rules in DEMO_OFFERS:
        venue, author = venues[key]
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
                "created_at": published,
                "updated_at": published,
                **EXTRA.get(title, {}),
            },
        )
        if created:
            if sub.is_event:
                for weekday, at, places, quota, occurrences in rules:
                    for n in occurrences:
                        start = (
                            week.upcoming(venue, weekday, at, n)
                            if n > 0
                            else week.previous(venue, weekday, at, -n)
                        )
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


# (email, first name, last name, age): the three with a login in the README, then the
# others of the demo's sessions (same password).
YOUNG = [
    ("lina.15@jeunes.demo", "Lina", "Benali", 15),
    ("tom.17@jeunes.demo", "Tom", "Girard", 17),
    ("jade.18@jeunes.demo", "Jade", "Nguyen", 18),
    ("chloe.darc@jeunes.demo", "Chloé", "d'Arc", 17),
    ("noe.martin@jeunes.demo", "Noé", "Martin", 18),
    ("yanis.haddad@jeunes.demo", "Yanis", "Haddad", 18),
    ("maelys.robert@jeunes.demo", "Maëlys", "Robert", 16),
    ("ines.fontaine@jeunes.demo", "Inès", "Fontaine", 15),
    ("lucas.perrin@jeunes.demo", "Lucas", "Perrin", 17),
    ("zoe.lambert@jeunes.demo", "Zoé", "Lambert", 16),
    ("adam.benoit@jeunes.demo", "Adam", "Benoît", 18),
]


def birth_date_for(age: int, today: date) -> date:
    """A birthday 60 to 90 days ago (always a real date, 29 February included)."""
    return date(today.year - age, today.month, 1) - timedelta(days=60)


# Young people signed up after their birthday (60 to 90 days ago) and before their
# first booking (the ciné-club's fourth Wednesday back, booked the week before).
SIGNED_UP_DAYS_AGO = 50


def seed_young() -> dict[str, User]:
    today = timezone.localdate()
    signed_up = timezone.now() - timedelta(days=SIGNED_UP_DAYS_AGO)
    young = {}
    for email, first, last, age in YOUNG:
        user = demo_user(email, first, last, joined=signed_up)
        if not Beneficiary.objects.filter(user=user).exists():
            beneficiary_start(
                user=user,
                birth_date=birth_date_for(age, today),
                today=timezone.localdate(signed_up),
            )
        young[first] = user
    return young


def _history_at(booking: Booking, action: Action, at: datetime) -> None:
    Transition.objects.filter(booking=booking, action=action).update(created_at=at)


def book(user: User, offer: Offer, session: Session | None, at: datetime) -> Booking:
    with acting_at(at):
        booking = booking_create(user=user, offer=offer, session=session)
    _history_at(booking, Action.BOOKED, at)
    return booking


def validate(booking: Booking, actor: User, at: datetime) -> None:
    """Validated at the guichet at `at`: when the young person came."""
    with acting_at(at):
        booking_validate(actor=actor, booking=booking)
    _history_at(booking, Action.VALIDATED, at)


def cancel(user: User, booking: Booking, at: datetime) -> None:
    with acting_at(at):
        booking_cancel_by_beneficiary(user=user, booking=booking)
    _history_at(booking, Action.CANCELLED, at)


def seed_bookings(offers: list[Offer], librarians: dict[str, User]) -> None:
    """Young people of 15 to 18 with bookings in every status: the ciné-club's past
    Wednesdays validated at the door (the oldest reimbursed by the demo's run), a full
    Saturday workshop with people in line, a free card booked 31 days ago for
    validate_subscription_bookings, a cancelled escape game."""

    young = seed_young()
    if Booking.objects.filter(beneficiary__in=young.values()).exists():
        return
    by_title = {o.title: o for o in offers}
    part_dieu, jean_mace = (
        by_title["Carte d'abonnement jeunes"].venue,
        by_title["Atelier manga"].venue,
    )
    now = timezone.now()

    def sessions(title: str) -> list[Session]:
        return list(by_title[title].sessions.order_by("starts_at"))

    # Free cards: Jade's 31 days ago (due for automatic validation), Lina's yesterday.
    card = by_title["Carte d'abonnement jeunes"]
    book(young["Jade"], card, None, week.days_before(part_dieu, now, 31, time(17, 45)))
    book(young["Lina"], card, None, week.days_before(part_dieu, now, 1, time(18, 10)))

    # The ciné-club's past Wednesdays: booked the week before, validated at the door.
    cine = by_title["Ciné-club du mercredi"]
    past = [s for s in sessions(cine.title) if s.starts_at < now]
    audiences = [("Jade", "Noé", "Chloé"), ("Lucas", "Adam"), ("Tom", "Yanis")]
    for session, names in zip(past, audiences, strict=True):
        for n, name in enumerate(names):
            booked = week.days_before(part_dieu, session.starts_at, 6 - n, time(19, 5 + 7 * n))
            booking = book(young[name], cine, session, booked)
            # Scanned as they came in, a few minutes before the film (the guichet's rule
            # allows it once the cancellation deadline, 48 h before, has passed).
            came = session.starts_at - timedelta(minutes=12 - 3 * n)
            validate(booking, librarians["part_dieu"], came)

    # Upcoming sessions: the club, the conference, the visit booked over the last days.
    for title, names in (
        ("Club de lecture ados", ("Tom", "Lina", "Inès")),
        ("Conférence : dessiner un roman graphique", ("Jade", "Zoé")),
        ("Visite des réserves patrimoniales", ("Maëlys",)),
    ):
        offer = by_title[title]
        first = sessions(title)[0]
        for n, name in enumerate(names):
            at = week.days_before(offer.venue, now, 3 - n, time(17, 20 + 9 * n))
            book(young[name], offer, first, at)

    # Saturday's manga workshop: its six pass Culture places taken, three people in line.
    manga = by_title["Atelier manga"]
    saturday = sessions(manga.title)[0]
    for n, name in enumerate(("Jade", "Lina", "Maëlys", "Inès", "Zoé", "Chloé")):
        at = week.days_before(jean_mace, now, 4 - n // 2, time(16, 5 + 9 * n))
        book(young[name], manga, saturday, at)
    for hours_ago, name in ((5, "Tom"), (3, "Lucas"), (1, "Adam")):
        with acting_at(now - timedelta(hours=hours_ago)):
            waitlist_join(user=young[name], offer=manga, session=saturday)

    # The escape game (a stock, validated at the desk any time): Tom booked and cancelled,
    # Yanis played last Saturday.
    escape = by_title["Escape game à la bibliothèque"]
    played = week.previous(jean_mace, SAT, time(15))
    booking = book(young["Yanis"], escape, None, played - timedelta(days=2, hours=1))
    validate(booking, librarians["jean_mace"], played)
    booked = week.days_before(jean_mace, now, 10, time(19, 40))
    cancelled = book(young["Tom"], escape, None, booked)
    cancel(young["Tom"], cancelled, week.days_before(jean_mace, now, 9, time(12, 30)))

    registrations.seed_registrations(by_title, librarians)
    programme.seed_programme_changes(by_title, librarians)


def seed_collective(venue: Venue, author: User) -> None:
    """A school with a teacher, a showcase (reading club for a class), a class's visit
    a month ago (ended, so the demo's run reimburses it), a bookable offer pre-booked
    and another confirmed — on school days, within the médiathèque's hours."""
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
    now = timezone.now()
    for title, start, minutes, status in [
        (
            "Découverte de la médiathèque pour une classe de 6e",
            week.previous(venue, TUE, time(10), 4),
            90,
            CollectiveBookingStatus.ENDED,
        ),
        (
            "Rencontre avec une autrice jeunesse",
            week.upcoming(venue, THU, time(14), 7),
            90,
            CollectiveBookingStatus.PREBOOKED,
        ),
        (
            "Atelier éducation aux médias",
            week.upcoming(venue, TUE, time(10), 10),
            120,
            CollectiveBookingStatus.BOOKED,
        ),
    ]:
        prebooked = min(start - timedelta(days=30), now - timedelta(days=2))
        offer, created = CollectiveOffer.objects.get_or_create(
            venue=venue,
            title=title,
            defaults={
                **common,
                "starts_at": start,
                "ends_at": start + timedelta(minutes=minutes),
                "booking_limit_at": start - timedelta(days=7),
                "students": 28,
                "price_cents": 18000,
                "price_details": "Intervenante et matériel",
                "created_at": prebooked - timedelta(days=10),
                "updated_at": prebooked - timedelta(days=10),
            },
        )
        if created:
            confirmed = status != CollectiveBookingStatus.PREBOOKED
            CollectiveBooking.objects.create(
                offer=offer,
                venue=venue,
                school=school,
                teacher=teacher,
                status=CollectiveBookingStatus.BOOKED if confirmed else status,
                prebooked_at=prebooked,
                confirmed_at=prebooked + timedelta(days=1) if confirmed else None,
                confirmed_by=teacher if confirmed else None,
            )
            if status == CollectiveBookingStatus.ENDED:
                # The periodic command ends it 48 h after the visit, as it would have.
                end_due_collective_bookings(now=offer.ends_at + END_DELAY + timedelta(hours=1))


def seed_showcase(venue: Venue, offers: list[Offer]) -> None:
    """The Part-Dieu's public page (presentation, contact; its hours come with the venue,
    passlib/demo/accounts.py) and a drawn poster on each of its offers, so the demo
    shows what young people see."""

    if not venue.description:
        venue.description = (
            "Quatre étages de livres, de BD, de films et de jeux, un espace ados au 2e "
            "étage et des ateliers tous les mercredis."
        )
        venue.contact_phone = "04 78 62 18 00"
        venue.website = "https://www.bm-lyon.fr"
        venue.accessibility_details = "Ascenseurs, boucle magnétique à l'accueil."
        venue.save()
    colours = [(32, 58, 140), (170, 40, 70), (20, 110, 90), (200, 120, 20)]
    for n, offer in enumerate(o for o in offers if o.venue_id == venue.pk and not o.has_image):
        png = pictures.poster(offer.title, colours[n % len(colours)])
        picture = images.read_upload(ContentFile(png, name="affiche.png"))
        images.save_image(
            offer,
            picture=picture,
            alt=f"Affiche : « {offer.title} » en lettres blanches",
            credit="© Ville de Lyon",
            folder=image_folder(offer),
        )
