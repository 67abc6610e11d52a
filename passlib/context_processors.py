from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict:
    """The header navigation: public links, then the links of the person's roles."""
    items = [
        (reverse("home"), "Accueil"),
        (reverse("catalog:help"), "Catégories d'offres"),
    ]
    return {"nav_items": items}
