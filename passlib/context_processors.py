from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.policy import roles_of

# (role, url name, label); role None = everyone.
_NAV = [
    (None, "home", "Accueil"),
    (None, "catalog:help", "Catégories d'offres"),
    (None, "accounts:officers", "Trouver mon chargé de territoire"),
    (None, "offers:catalog", "Offres pour les jeunes"),
    ("member", "offers:list", "Offres"),
    ("member", "offers:bookings", "Réservations"),
    ("member", "offers:guichet", "Guichet"),
    ("member", "offers:collective_list", "Offres collectives"),
    ("officer", "accounts:review_queue", "Revue des inscriptions"),
    ("teacher", "offers:teacher_offers", "Offres pour ma classe"),
    ("teacher", "offers:teacher_bookings", "Réservations de l'établissement"),
    ("beneficiary", "offers:my_bookings", "Mes réservations"),
]
_nav_urls: list[tuple[str | None, str, str]] = []


def _nav_items(request: HttpRequest) -> list[tuple[str, str]]:
    if not _nav_urls:  # URLs never change while the process runs: reverse them once
        _nav_urls.extend((role, reverse(name), label) for role, name, label in _NAV)
    user = getattr(request, "user", None)
    roles = roles_of(user) if user is not None and user.is_authenticated else {}
    return [(url, label) for role, url, label in _nav_urls if role is None or roles.get(role)]


def navigation(request: HttpRequest) -> dict:
    """The header navigation per role; computed only when a template shows it."""
    return {"nav_items": SimpleLazyObject(lambda: _nav_items(request))}
