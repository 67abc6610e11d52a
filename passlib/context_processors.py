from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.policy import roles_of

# (audiences, url name, label). Audiences: the person's roles, plus "anonymous" (not
# logged in), "pro" (logged in without a role yet: a librarian before joining) and
# "staff" (site staff, the national team: also officers everywhere no officer is). A
# visitor not logged in on the young people's or the teachers' pages is of that
# audience ("young visitor", "teacher visitor"): those pages show no professional link.
PROS = frozenset({"anonymous", "pro", "member", "officer"})
VISITOR_PAGES = (("/jeunes/", "young visitor"), ("/enseignants/", "teacher visitor"))
_NAV = [
    (None, "home", "Accueil"),
    (frozenset({"anonymous", "pro", "member"}), "catalog:help", "Catégories d'offres"),
    (
        frozenset({"anonymous", "pro"}),
        "accounts:officers",
        "Trouver la personne chargée de mon territoire",
    ),
    (
        frozenset({"anonymous", "young visitor", "beneficiary"}),
        "offers:catalog",
        "Offres pour les jeunes",
    ),
    # officers and site staff read the offers of their départements (read-only)
    (frozenset({"member", "officer"}), "offers:list", "Offres"),
    (frozenset({"member"}), "offers:bookings", "Réservations"),
    (frozenset({"member"}), "offers:guichet", "Guichet"),
    (frozenset({"member"}), "offers:collective_list", "Offres collectives"),
    (frozenset({"officer"}), "accounts:review_queue", "Revue des inscriptions"),
    (frozenset({"staff"}), "finance:staff_runs", "Remboursements"),
    (frozenset({"teacher"}), "offers:teacher_offers", "Offres pour ma classe"),
    (frozenset({"teacher"}), "offers:teacher_bookings", "Réservations de l'établissement"),
    (frozenset({"beneficiary"}), "offers:my_bookings", "Mes réservations"),
]
_nav_urls: list[tuple[frozenset[str] | None, str, str]] = []


def visitor_of(path: str) -> str | None:
    """The visitor's audience of the young people's or teachers' pages, else None."""
    for prefix, visitor in VISITOR_PAGES:
        if path.startswith(prefix):
            return visitor
    return None


def audiences(request: HttpRequest) -> frozenset[str]:
    """Who the person is for the pages: their roles, "anonymous" (or the visitor of
    the young people's or teachers' pages), or "pro" (logged in without a role yet: a
    librarian before joining a collectivité)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        visitor = visitor_of(request.path)
        if visitor is None and hasattr(request, "session"):
            # the pages after a young person's or a teacher's sign-up (« Confirme ton
            # adresse ») stay in their world (accounts/views/signup.py `finish_signup`)
            visitor = request.session.get("signup_visitor")
        return frozenset({visitor or "anonymous"})
    roles = {name for name, has in roles_of(user).items() if has}
    if user.is_staff:
        roles.add("staff")
    return frozenset(roles or {"pro"})


def _nav_items(request: HttpRequest) -> list[tuple[str, str]]:
    if not _nav_urls:  # URLs never change while the process runs: reverse them once
        _nav_urls.extend((who, reverse(name), label) for who, name, label in _NAV)
    mine = audiences(request)
    return [(url, label) for who, url, label in _nav_urls if who is None or who & mine]


def navigation(request: HttpRequest) -> dict:
    """The header navigation per audience; computed only when a template shows it.
    `for_pros`: the page may show what only professionals need (categories help,
    officers): not to young people and teachers."""
    return {
        "nav_items": SimpleLazyObject(lambda: _nav_items(request)),
        "for_pros": SimpleLazyObject(lambda: bool(audiences(request) & PROS)),
    }
