"""Scale data for benchmarks: collectivités, venues, offers, beneficiaries, bookings.

Deterministic for a given --seed (the same rows, statuses and codes; dates relative to
now). Rows are created with bulk inserts in chunks, so 10,000 offers and 300,000
bookings take well under two minutes on PostgreSQL. The logins it prints are the ones
the benchmark uses.
"""

from __future__ import annotations

import random
import time
from datetime import date, timedelta
from datetime import time as clock_time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts import geo
from accounts.models import Beneficiary, Collectivite, Membership, Role, Status, User, Venue
from accounts.services.beneficiaries import credit_between
from catalog.categories import SUBCATEGORIES, SUBSCRIPTION_IDS
from offers.models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Booking,
    BookingStatus,
    Offer,
    OfferStatus,
    Session,
    Stock,
)
from offers.recurrence import local_datetime
from offers.services import next_sessions

BENCH_PASSWORD = "bench-passlib-2026"  # noqa: S105 - benchmark-only accounts
CHUNK = 10_000
# Titles and communes vary as a real programme does, so the catalogue's search and its
# distance sort read realistic data (a search for one theme finds 1/40 of the offers).
THEMES = [
    "club de lecture", "théâtre d'impro", "manga", "jazz", "origami", "poésie", "contes",
    "bande dessinée", "photographie", "cinéma d'animation", "jeux de société", "écriture",
    "slam", "robotique", "podcast", "dessin", "science-fiction", "musique électronique",
    "danse hip-hop", "histoire locale", "calligraphie", "astronomie", "jeux vidéo",
    "lecture à voix haute", "fanzine", "gravure", "sérigraphie", "chorale", "escape game",
    "éloquence", "philosophie", "romans policiers", "langue des signes", "couture",
    "street art", "radio", "échecs", "herbier", "cartographie", "marionnettes",
]  # fmt: skip
COMMUNES = [
    ("Lyon", "69003"), ("Villeurbanne", "69100"), ("Vénissieux", "69200"),
    ("Vaulx-en-Velin", "69120"), ("Bron", "69500"), ("Caluire-et-Cuire", "69300"),
    ("Saint-Priest", "69800"), ("Rillieux-la-Pape", "69140"), ("Villefranche-sur-Saône", "69400"),
    ("Tarare", "69170"),
]  # fmt: skip
_SPACE = len(CODE_ALPHABET) ** CODE_LENGTH


def _spread(c: int, v: int, axis: int) -> float:
    """A venue's own offset from its commune's centre (up to about 2 km, the same for a
    given venue), so that no two venues of the data share a position, as in a real
    network of libraries: nearest-first then orders venues, not ties of a commune."""
    n = (c * 7919 + v * 104_729 + axis * 15_485_863) % 1000
    return (n / 1000 - 0.5) * 0.04


def code_for(index: int) -> str:
    """A unique code per index (an affine bijection of the code space), random-looking."""
    n = (index * 7_654_321 + 12_345) % _SPACE
    chars = []
    for _ in range(CODE_LENGTH):
        n, r = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[r])
    return "".join(chars)


class Command(BaseCommand):
    help = "Create benchmark data at scale (bulk inserts, deterministic with --seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collectivites", type=int, default=1)
        parser.add_argument("--venues", type=int, default=20, help="venues per collectivité")
        parser.add_argument("--offers", type=int, default=10_000)
        parser.add_argument("--bookings", type=int, default=300_000)
        parser.add_argument(
            "--beneficiaries",
            type=int,
            default=0,
            help="default: max(bookings / 10, bookings / offers + 1)",
        )
        parser.add_argument("--seed", type=int, default=42)

    def handle(self, *args, **o) -> None:
        started = time.monotonic()
        rng = random.Random(o["seed"])
        now = timezone.now().replace(second=0, microsecond=0)
        password = make_password(BENCH_PASSWORD)
        with transaction.atomic():
            venues, admins, members = self._structures(o, password)
            offers = self._offers(o, rng, venues, now)
            self._bookings(o, rng, offers, now)
            # Bulk inserts send no signal: every offer's next session is stored at once.
            next_sessions.reconcile()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{len(venues)} lieux, {len(offers)} offres, {o['bookings']} réservations "
            f"en {elapsed:.1f} s"
        )
        self.stdout.write(f"Mot de passe des comptes : {BENCH_PASSWORD}")
        for email in admins[:1] + members[:1]:
            self.stdout.write(f"  {email}")

    def _structures(self, o, password):
        collectivites = Collectivite.objects.bulk_create(
            Collectivite(
                siren=f"8{c:08d}",
                siret=f"8{c:08d}00010",
                name=f"Métropole d'essai {c}",
                address="1 place de l'Hôtel de ville",
                postal_code="69001",
                city="Lyon",
                departement="69",
                legal_category_code="7344",
                legal_category_label="Métropole",
                is_collectivite=True,
                sirene_verified=True,
                status=Status.VALIDATED,
            )
            for c in range(o["collectivites"])
        )
        places = [(city, postal, geo.locate(city, "69")) for city, postal in COMMUNES]
        venues = Venue.objects.bulk_create(
            Venue(
                collectivite=col,
                name=f"Médiathèque {c}-{v}",
                address=f"{v} rue des Livres",
                postal_code=places[(c + v) % len(places)][1],
                city=places[(c + v) % len(places)][0],
                latitude=places[(c + v) % len(places)][2].latitude + _spread(c, v, 0),
                longitude=places[(c + v) % len(places)][2].longitude + _spread(c, v, 1),
                departement="69",
                siret_comment="Lieu sans SIRET : dépend du SIRET de la collectivité",
                booking_email=f"mediatheque-{c}-{v}@passlib.bench",
                status=Status.VALIDATED,
            )
            for c, col in enumerate(collectivites)
            for v in range(o["venues"])
        )
        admins, members, memberships = [], [], []
        for c in range(len(collectivites)):
            admin = User(
                email=f"admin-{c}@passlib.bench",
                first_name="Admin",
                last_name=str(c),
                password=password,
                email_confirmed_at=timezone.now(),
            )
            member = User(
                email=f"biblio-{c}@passlib.bench",
                first_name="Biblio",
                last_name=str(c),
                password=password,
                email_confirmed_at=timezone.now(),
            )
            admins.append(admin)
            members.append(member)
        User.objects.bulk_create(admins + members)
        for c, col in enumerate(collectivites):
            memberships.append(
                Membership(
                    user=admins[c], collectivite=col, role=Role.ADMIN, status=Status.VALIDATED
                )
            )
            memberships.append(
                Membership(
                    user=members[c], collectivite=col, role=Role.MEMBER, status=Status.VALIDATED
                )
            )
        Membership.objects.bulk_create(memberships)
        through = Membership.venues.through
        first_venue = {}
        for v in venues:
            first_venue.setdefault(v.collectivite_id, v)
        # Each collectivité's venue member manages its first venue.
        through.objects.bulk_create(
            through(membership=m, venue=first_venue[m.collectivite_id])
            for m in memberships
            if m.role == Role.MEMBER
        )
        return venues, [a.email for a in admins], [m.email for m in members]

    def _offers(self, o, rng, venues, now):
        subs = list(SUBCATEGORIES)
        offers = []
        for i in range(o["offers"]):
            sub = subs[i % len(subs)]
            offers.append(
                Offer(
                    venue=venues[i % len(venues)],
                    category_id=sub.category.id,
                    subcategory_id=sub.id,
                    title=f"{sub.label} : {THEMES[i % len(THEMES)]} n°{i}"[:90],
                    description=f"Offre de démonstration à grande échelle, autour de "
                    f"{THEMES[(i * 7) % len(THEMES)]}.",
                    price_cents=0
                    if sub.id in SUBSCRIPTION_IDS or rng.random() < 0.7
                    else rng.choice([300, 500, 800, 1200]),
                    status=OfferStatus.PUBLISHED if rng.random() < 0.9 else OfferStatus.DRAFT,
                    created_at=now - timedelta(minutes=i),
                    updated_at=now,
                )
            )
        for start in range(0, len(offers), CHUNK):
            Offer.objects.bulk_create(offers[start : start + CHUNK])
        sessions, stocks = [], []
        for i, offer in enumerate(offers):
            if offer.subcategory.is_event:
                # At library hours (10:00 to 18:00 local), whatever the hour it runs.
                day = timezone.localdate(now) + timedelta(days=3 + i % 60)
                begin = local_datetime(day, clock_time(10 + i % 9), offer.venue.time_zone)
                sessions.append(
                    Session(
                        offer=offer,
                        starts_at=begin,
                        booking_limit_at=begin,
                        total_places=None if i % 3 else 500,
                    )
                )
            else:
                stocks.append(Stock(offer=offer, quantity=None if i % 4 else 1000))
        Session.objects.bulk_create(sessions, batch_size=CHUNK)
        Stock.objects.bulk_create(stocks, batch_size=CHUNK)
        return offers

    def _bookings(self, o, rng, offers, now):
        n = o["bookings"]
        if not n:
            return
        rounds = -(-n // len(offers))
        n_benef = o["beneficiaries"] or max(n // 10, rounds)
        n_benef = max(n_benef, rounds)
        today = timezone.localdate(now)
        # 17 for a few weeks (a real date, 29 February included).
        birth = date(today.year - 17, today.month, 1) - timedelta(days=40)
        credit = credit_between(16, 17)  # the rule's amount at 17, as a sign-up gets
        users = [
            User(
                email=f"jeune-{b}@passlib.bench",
                first_name="Jeune",
                last_name=f"Bench{b}",
                password="!bench",  # noqa: S106 - an unusable password
                email_confirmed_at=now,
            )
            for b in range(n_benef)
        ]
        for start in range(0, n_benef, CHUNK):
            User.objects.bulk_create(users[start : start + CHUNK])
        Beneficiary.objects.bulk_create(
            (
                Beneficiary(user=u, birth_date=birth, credit_cents=credit, credit_age=17)
                for u in users
            ),
            batch_size=CHUNK,
        )
        session_of = dict(
            Session.objects.filter(
                offer__in=[x.pk for x in offers if x.subcategory.is_event]
            ).values_list("offer_id", "pk")
        )
        stock_of = dict(Stock.objects.values_list("offer_id", "pk"))
        stride = max(1, n_benef // rounds)
        statuses = (
            [BookingStatus.CONFIRMED] * 70
            + [BookingStatus.VALIDATED] * 20
            + [BookingStatus.CANCELLED] * 8
            + [BookingStatus.REIMBURSED] * 2
        )
        batch = []
        for i in range(n):
            offer_index, round_ = i % len(offers), i // len(offers)
            offer = offers[offer_index]
            status = statuses[rng.randrange(100)]
            booked_at = now - timedelta(days=rng.randrange(90), minutes=rng.randrange(1440))
            batch.append(
                Booking(
                    code=code_for(i),
                    offer=offer,
                    venue_id=offer.venue_id,
                    session_id=session_of.get(offer.pk),
                    stock_id=stock_of.get(offer.pk),
                    beneficiary=users[(offer_index + round_ * stride) % n_benef],
                    price_cents=offer.price_cents,
                    status=status,
                    booked_at=booked_at,
                    validated_at=min(booked_at + timedelta(days=1), now)
                    if status in (BookingStatus.VALIDATED, BookingStatus.REIMBURSED)
                    else None,
                    cancelled_at=min(booked_at + timedelta(hours=2), now)
                    if status == BookingStatus.CANCELLED
                    else None,
                    cancellation_reason="beneficiary" if status == BookingStatus.CANCELLED else "",
                    reimbursed_at=now if status == BookingStatus.REIMBURSED else None,
                    is_free_subscription=offer.price_cents == 0
                    and offer.subcategory_id in SUBSCRIPTION_IDS,
                )
            )
            if len(batch) == CHUNK:
                Booking.objects.bulk_create(batch)
                batch = []
        Booking.objects.bulk_create(batch)
        # Counters consistent with the active bookings (one UPDATE per table).
        active = Booking.objects.exclude(status=BookingStatus.CANCELLED)
        Session.objects.update(
            booked_count=Coalesce(
                Subquery(
                    active.filter(session=OuterRef("pk"))
                    .order_by()
                    .values("session")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                Value(0),
            )
        )
        Stock.objects.update(
            booked_count=Coalesce(
                Subquery(
                    active.filter(stock=OuterRef("pk"))
                    .order_by()
                    .values("stock")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                Value(0),
            )
        )
