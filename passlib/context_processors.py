from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict:
    """The header navigation: public links, then the links of the person's roles."""
    from accounts.permissions import has_membership, is_officer

    items = [
        (reverse("home"), "Accueil"),
        (reverse("catalog:help"), "Catégories d'offres"),
        (reverse("accounts:officers"), "Trouver mon chargé de territoire"),
        (reverse("offers:catalog"), "Offres pour les jeunes"),
    ]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if has_membership(user):
            items.append((reverse("offers:list"), "Offres"))
            items.append((reverse("offers:bookings"), "Réservations"))
            items.append((reverse("offers:guichet"), "Guichet"))
            items.append((reverse("offers:collective_list"), "Offres collectives"))
        if hasattr(user, "teacher"):
            items.append((reverse("offers:teacher_offers"), "Offres pour ma classe"))
            items.append((reverse("offers:teacher_bookings"), "Réservations de l'établissement"))
        if hasattr(user, "beneficiary"):
            items.append((reverse("offers:my_bookings"), "Mes réservations"))
        if is_officer(user):
            items.append((reverse("accounts:review_queue"), "Revue des inscriptions"))
    return {"nav_items": items}
