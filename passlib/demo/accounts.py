"""Demo people, collectivités, venues (with their opening hours) and officers
(idempotent: nothing twice)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts import departements, geo
from accounts.models import (
    Collectivite,
    HoursException,
    Membership,
    OfficerDepartement,
    OpeningHours,
    Role,
    Status,
    TerritoryOfficer,
    User,
    Venue,
)

DEMO_PASSWORD = "passlib-demo-2026"  # noqa: S105 - documented demo password

LOGINS = [
    ("admin@passlib.demo", "équipe du site (/admin/)"),
    ("culture@lyon.demo", "administratrice de la Ville de Lyon (2 bibliothèques)"),
    ("biblio.part-dieu@lyon.demo", "bibliothécaire de la médiathèque de la Part-Dieu"),
    ("culture@villeurbanne.demo", "administrateur de la Ville de Villeurbanne"),
    ("mairie@venissieux.demo", "inscription en attente (Ville de Vénissieux)"),
    ("biblio.croix-rousse@lyon.demo", "demande de rattachement en attente (Lyon)"),
    ("charge.69@passculture.demo", "chargée de territoire du Rhône (69)"),
    ("mediatheque@saint-denis.demo", "bibliothécaire à Saint-Denis (La Réunion, heure locale)"),
    ("prof@college-jean-moulin.demo", "enseignant du collège Jean Moulin (UAI 0690001B)"),
    ("lina.15@jeunes.demo", "bénéficiaire de 15 ans"),
    ("tom.17@jeunes.demo", "bénéficiaire de 17 ans"),
    ("jade.18@jeunes.demo", "bénéficiaire de 18 ans (une carte réservée il y a 31 jours)"),
]


# People joined before anything of theirs happened in the demo (the offers were
# published 60 days ago; young people join later: passlib/demo/offers.py).
JOINED_DAYS_AGO = 90


def _created(status: str) -> datetime:
    """Validated things were there before the demo's offers; pending ones came lately."""
    days = JOINED_DAYS_AGO if status == Status.VALIDATED else 2
    return timezone.now() - timedelta(days=days)


def demo_user(email: str, first: str, last: str, joined: datetime | None = None, **extra) -> User:
    joined = joined or timezone.now() - timedelta(days=JOINED_DAYS_AGO)
    user, created = User.objects.get_or_create(
        email=email,
        defaults={
            "first_name": first,
            "last_name": last,
            "date_joined": joined,
            "email_confirmed_at": joined,
            "terms_accepted_at": joined,
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def demo_collectivite(
    siret: str,
    name: str,
    city: str,
    postal_code: str,
    status: str,
    creator: User,
    departement: str = "69",
) -> Collectivite:
    collectivite, _ = Collectivite.objects.get_or_create(
        siren=siret[:9],
        defaults={
            "siret": siret,
            "name": name,
            "address": "Hôtel de ville",
            "postal_code": postal_code,
            "city": city,
            "departement": departement,
            "legal_category_code": "7210",
            "legal_category_label": "Commune et commune nouvelle",
            "ape_code": "84.11Z",
            "is_collectivite": True,
            "sirene_verified": True,
            "status": status,
            "created_by": creator,
            "created_at": _created(status),
        },
    )
    return collectivite


def demo_venue(
    collectivite: Collectivite, name: str, address: str, postal_code: str, status: str, email: str
) -> Venue:
    venue, _ = Venue.objects.get_or_create(
        collectivite=collectivite,
        name=name,
        defaults={
            "address": address,
            "postal_code": postal_code,
            "city": collectivite.city,
            "departement": collectivite.departement,
            "time_zone": departements.timezone_of(collectivite.departement),
            "siret_comment": "Lieu sans SIRET : dépend du SIRET de la collectivité",
            "booking_email": email,
            "accessibility_motor": True,
            "status": status,
            "created_at": _created(status),
        },
    )
    if venue.latitude is None:  # placed as a venue added through the app is
        point = geo.locate(venue.city, venue.departement)
        venue.latitude, venue.longitude = point.latitude, point.longitude
        venue.save(update_fields=["latitude", "longitude"])
    return venue


# Weekday (0 = Monday) → opening intervals (local time).
LYON_CENTRAL_WEEK = {1: [(10, 19)], 2: [(10, 19)], 3: [(10, 19)], 4: [(10, 19)], 5: [(10, 18)]}
NEIGHBOURHOOD_WEEK = {
    1: [(13, 19)],
    2: [(10, 12), (13, 19)],
    3: [(13, 19)],
    4: [(13, 19)],
    5: [(10, 18)],
}
REUNION_WEEK = {1: [(9, 17)], 2: [(9, 18)], 3: [(9, 17)], 4: [(9, 17)], 5: [(9, 16)]}


def demo_hours(venue: Venue, week: dict[int, list[tuple[int, int]]]) -> None:
    """The venue's opening hours and its Christmas closing (the next 25 December)."""
    if venue.opening_hours.exists():
        return
    OpeningHours.objects.bulk_create(
        OpeningHours(venue=venue, weekday=day, opens=time(o), closes=time(c))
        for day, intervals in week.items()
        for o, c in intervals
    )
    today = timezone.localdate()
    christmas = date(today.year, 12, 25)
    if christmas < today:
        christmas = date(today.year + 1, 12, 25)
    HoursException.objects.get_or_create(venue=venue, day=christmas, defaults={"label": "Noël"})


def demo_membership(
    user: User,
    collectivite: Collectivite,
    role: str,
    status: str,
    venues: list[Venue],
    requested: Venue | None = None,
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user,
        collectivite=collectivite,
        defaults={
            "role": role,
            "status": status,
            "requested_venue": requested,
            "created_at": _created(status),
        },
    )
    if created:
        membership.venues.set(venues)
    return membership


def seed_accounts() -> dict:
    staff = demo_user("admin@passlib.demo", "Équipe", "passlib", is_staff=True, is_superuser=True)
    lyon_admin = demo_user("culture@lyon.demo", "Claire", "Martin")
    librarian = demo_user("biblio.part-dieu@lyon.demo", "Hugo", "Bernard")
    villeurbanne_admin = demo_user("culture@villeurbanne.demo", "Sami", "Haddad")
    venissieux_admin = demo_user("mairie@venissieux.demo", "Inès", "Moreau")
    requester = demo_user("biblio.croix-rousse@lyon.demo", "Léa", "Petit")
    officer_user = demo_user("charge.69@passculture.demo", "Nadia", "Rousseau")

    lyon = demo_collectivite(
        "21690123100011",
        "Ville de Lyon",
        "Lyon",
        "69001",
        Status.VALIDATED,
        lyon_admin,
    )
    part_dieu = demo_venue(
        lyon,
        "Médiathèque de la Part-Dieu",
        "30 boulevard Vivier-Merle",
        "69003",
        Status.VALIDATED,
        "reservations.partdieu@lyon.demo",
    )
    jean_mace = demo_venue(
        lyon,
        "Bibliothèque Jean Macé",
        "2 rue Domer",
        "69007",
        Status.VALIDATED,
        "reservations.jeanmace@lyon.demo",
    )
    demo_hours(part_dieu, LYON_CENTRAL_WEEK)
    demo_hours(jean_mace, NEIGHBOURHOOD_WEEK)
    demo_membership(lyon_admin, lyon, Role.ADMIN, Status.VALIDATED, [])
    demo_membership(librarian, lyon, Role.MEMBER, Status.VALIDATED, [part_dieu])

    villeurbanne = demo_collectivite(
        "21690266800013",
        "Ville de Villeurbanne",
        "Villeurbanne",
        "69100",
        Status.VALIDATED,
        villeurbanne_admin,
    )
    demo_venue(
        villeurbanne,
        "Maison du livre, de l'image et du son",
        "247 cours Émile Zola",
        "69100",
        Status.VALIDATED,
        "mlis@villeurbanne.demo",
    )
    demo_membership(villeurbanne_admin, villeurbanne, Role.ADMIN, Status.VALIDATED, [])

    venissieux = demo_collectivite(
        "21690259300013",
        "Ville de Vénissieux",
        "Vénissieux",
        "69200",
        Status.NEW,
        venissieux_admin,
    )
    demo_venue(
        venissieux,
        "Médiathèque Lucie Aubrac",
        "2-4 avenue Marcel Houël",
        "69200",
        Status.NEW,
        "mediatheque@venissieux.demo",
    )
    demo_membership(venissieux_admin, venissieux, Role.ADMIN, Status.VALIDATED, [])

    croix_rousse = demo_venue(
        lyon,
        "Bibliothèque de la Croix-Rousse",
        "12 place Joannès Ambre",
        "69004",
        Status.NEW,
        "croixrousse@lyon.demo",
    )
    demo_membership(
        requester, lyon, Role.MEMBER, Status.NEW, [croix_rousse], requested=croix_rousse
    )

    # Overseas: a médiathèque on La Réunion's time (UTC+4), no officer for 974 (its
    # sign-ups go to the national queue).
    reunion_librarian = demo_user("mediatheque@saint-denis.demo", "Maëva", "Payet")
    saint_denis = demo_collectivite(
        "21974011500007",
        "Ville de Saint-Denis",
        "Saint-Denis",
        "97400",
        Status.VALIDATED,
        reunion_librarian,
        departement="974",
    )
    francois_mitterrand = demo_venue(
        saint_denis,
        "Médiathèque François-Mitterrand",
        "97 rue Jean Chatel",
        "97400",
        Status.VALIDATED,
        "mediatheque@saint-denis.demo",
    )
    demo_hours(francois_mitterrand, REUNION_WEEK)
    demo_membership(reunion_librarian, saint_denis, Role.ADMIN, Status.VALIDATED, [])

    officer, _ = TerritoryOfficer.objects.get_or_create(
        user=officer_user,
        defaults={"public_email": "charge.69@passculture.demo", "public_phone": "04 00 00 00 69"},
    )
    OfficerDepartement.objects.get_or_create(officer=officer, code="69")
    return {
        "lyon_admin": lyon_admin,
        "lyon": lyon,
        "part_dieu": part_dieu,
        "jean_mace": jean_mace,
        "villeurbanne": villeurbanne,
        "francois_mitterrand": francois_mitterrand,
        "reunion_librarian": reunion_librarian,
        "librarian": librarian,
        "staff": staff,
    }
