"""Every page a role may open is reachable from its navigation (issue 27).

For each role of the permission matrix, start where the person lands after logging in
(an anonymous visitor: the home page), follow the links of each page (GET, same site,
breadth first, a few pages per URL name), and check that every URL the matrix says the
role may open (a GET answering 200) is linked from somewhere it reached — compared by URL
name through `resolve()`. Pages reached only from an e-mail, a token or a form's answer
are listed in NOT_LINKED with their reason.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from tests.security.test_permission_matrix import MATRIX, client_for
from tests.security.world import ROLES, build_world

pytestmark = pytest.mark.django_db

# Pages no menu needs to link to, each with why.
NOT_LINKED = {
    "healthz": "the monitoring's probe, not a page for people",
    "accounts:confirm_email": "the link of the confirmation e-mail (a token)",
    "accounts:signup_sent": "the answer to the sign-up form",
    "accounts:password_reset_done": "the answer to the password reset form",
    "accounts:password_reset_confirm": "the link of the password reset e-mail (a token)",
    "accounts:password_reset_complete": "the answer to the new password form",
    "accounts:invitation_accept": "the link of the invitation e-mail (a token)",
    "offers:booking_release": "the link of the reminder e-mail (a token)",
    "accounts:register": "the answer to the SIRET form (« Inscrire ma collectivité »)",
    "accounts:join": "the answer to the SIRET form, for a collectivité already registered",
    "offers:programme": "a feed for other sites and calendars (its page links the venue's)",
}
# Professionals' pages (registering a collectivité, the categories' help, the officers)
# answer anyone but are not shown to young people and teachers on purpose: their pages
# speak to them only (passlib/context_processors.py `audiences`, tests/test_audiences.py).
PRO_PAGES = {"accounts:siret", "catalog:help", "accounts:officers"}
# Pages for people not logged in: they answer a logged-in person (the sign-up pages say
# who they are logged in as) but nothing links them once logged in, on purpose.
LOGGED_OUT_PAGES = {
    "accounts:login",
    "accounts:password_reset",
    "accounts:signup",
    "accounts:teacher_signup",
    "accounts:beneficiary_signup",
}
NOT_LINKED_FOR_ROLE = {
    role: LOGGED_OUT_PAGES | (PRO_PAGES if role in ("beneficiary", "teacher") else set())
    for role in ROLES
    if role != "anonymous"
}
MAX_PER_NAME = 3  # pages visited per URL name: enough to see every kind of link
MAX_PAGES = 400


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _view_name(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def landing(client: Client, user) -> str:
    """Where the login form sends the person (LOGIN_REDIRECT_URL, then its redirects)."""
    if user is None:
        return reverse("home")
    response = client.get(reverse(settings.LOGIN_REDIRECT_URL), follow=True)
    return response.request["PATH_INFO"]


def walk(client: Client, start: str) -> set[str]:
    """The URL names linked from the pages reachable from `start` (GET, same site)."""
    queue, seen, per_name, linked = deque([start]), {start}, {}, set()
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for href in parser.hrefs:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            name = _view_name(target.path)
            if name is None:
                continue
            linked.add(name)
            full = target.path + (f"?{target.query}" if target.query else "")
            if full in seen or name.startswith("admin:") or per_name.get(name, 0) >= MAX_PER_NAME:
                continue
            seen.add(full)
            per_name[name] = per_name.get(name, 0) + 1
            queue.append(full)
    return linked


def openable(role: str) -> set[str]:
    """The GET pages the permission matrix lets this role open (200)."""
    return {
        name
        for name, (method, _kwargs, _data, expected) in MATRIX.items()
        if method == "get" and expected[role] == 200
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_may_open_is_linked_from_its_navigation(role):
    world = build_world()
    user = world.users[role]
    client = client_for(user)
    linked = walk(client, landing(client, user))
    missing = openable(role) - linked - set(NOT_LINKED) - NOT_LINKED_FOR_ROLE.get(role, set())
    assert missing == set(), f"{role}: pages it may open that no link reaches: {sorted(missing)}"


def test_staff_reach_reimbursements_from_their_menu():
    """Site staff land on « Mon espace »; « Remboursements » is in their menu."""
    world = build_world()
    client = client_for(world.users["staff"])
    html = client.get(landing(client, world.users["staff"])).content.decode()
    assert f'href="{reverse("finance:staff_runs")}"' in html
    assert ">Remboursements<" in html


def test_the_admin_index_links_to_the_reimbursements():
    world = build_world()
    html = client_for(world.users["staff"]).get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("finance:staff_runs")}"' in html


@pytest.mark.parametrize("role", ROLES)
def test_every_link_of_the_home_page_opens_for_every_role(role):
    """A logged-in person sees the home page for who they are: none of its links is a
    dead end (403 « Accès refusé », 404) for them (issue 27, second round)."""
    world = build_world()
    client = client_for(world.users[role])
    home = client.get(reverse("home"))
    assert home.status_code == 200
    parser = _Links()
    parser.feed(home.content.decode())
    dead = {}
    for href in parser.hrefs:
        target = urlsplit(href)
        if target.netloc or target.scheme or _view_name(target.path) is None:
            continue
        answer = client.get(href, follow=True)
        if answer.status_code != 200:
            dead[href] = answer.status_code
    assert dead == {}, f"{role}: links of the home page that do not open: {dead}"


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_home_page_offers_no_sign_up_nor_log_in_to_a_logged_in_person(role):
    world = build_world()
    html = client_for(world.users[role]).get(reverse("home")).content.decode()
    for url_name in (
        "accounts:login",
        "accounts:signup",
        "accounts:teacher_signup",
        "accounts:beneficiary_signup",
    ):
        assert f'href="{reverse(url_name)}"' not in html, url_name


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
@pytest.mark.parametrize(
    "url_name", ["accounts:signup", "accounts:teacher_signup", "accounts:beneficiary_signup"]
)
def test_a_sign_up_page_opened_while_logged_in_says_who_is_logged_in(role, url_name):
    """Not a 403 wall nor a redirect to a page of another role: who they are logged in
    as, the way to log out, the way to their own space."""
    world = build_world()
    user = world.users[role]
    response = client_for(user).get(reverse(url_name))
    assert response.status_code == 200
    html = response.content.decode()
    assert user.email in html
    assert "session est déjà ouverte" in html and "compte <strong>" in html
    # the page's own logout button, besides the header's
    assert html.count(f'action="{reverse("accounts:logout")}"') == 2


def test_staff_home_names_their_statistics_by_what_they_cover():
    """Site staff have no territory: their statistics are those of the départements no
    officer covers (accounts/policy.py `officer_departements`); an officer's are theirs."""
    world = build_world()
    staff = client_for(world.users["staff"]).get(reverse("accounts:dashboard")).content.decode()
    assert "Statistiques de votre territoire" not in staff
    assert "Statistiques des départements sans personne chargée du territoire" in staff
    officer = client_for(world.users["officer"]).get(reverse("accounts:dashboard"))
    assert "Statistiques de votre territoire" in officer.content.decode()


@pytest.mark.parametrize("role", ["member", "admin", "officer", "officer_other", "staff"])
def test_attaching_a_library_is_the_main_button_only_for_a_librarian_without_one(role):
    """« Rattacher ma bibliothèque (SIRET) » is the main action of a librarian with no
    structure; for one already attached, an officer or staff it is a plain link."""
    from tests.factories import UserFactory

    world = build_world()
    siret = reverse("accounts:siret")
    html = client_for(world.users[role]).get(reverse("accounts:dashboard")).content.decode()
    assert f'href="{siret}"' in html
    assert f'class="button" href="{siret}"' not in html
    newcomer = client_for(UserFactory()).get(reverse("accounts:dashboard")).content.decode()
    assert f'<a class="button" href="{siret}">Rattacher ma bibliothèque (SIRET)</a>' in newcomer


def test_staff_open_each_statement_and_its_documents_from_the_runs_page():
    """Site staff manage reimbursements nationally: from « Remboursements », a period's
    page lists its statements, and each one's PDF and CSV open (read only)."""
    world = build_world()
    client = client_for(world.users["staff"])
    runs = client.get(reverse("finance:staff_runs")).content.decode()
    parser = _Links()
    parser.feed(runs)
    run_pages = [h for h in parser.hrefs if _view_name(h) == "finance:staff_run"]
    assert run_pages, "no period links to its statements"
    documents = []
    for page in run_pages:
        listing = _Links()
        listing.feed(client.get(page).content.decode())
        documents += [
            h
            for h in listing.hrefs
            if _view_name(urlsplit(h).path) in ("finance:statement_pdf", "finance:statement_csv")
        ]
    assert {_view_name(h) for h in documents} == {"finance:statement_pdf", "finance:statement_csv"}
    for href in documents:
        response = client.get(href)
        assert response.status_code == 200, href
        assert response["Content-Disposition"].startswith('attachment; filename="releve-')


def test_the_admins_statement_page_reads_in_french_with_its_documents():
    """The admin's statement page: French labels (no « Run », « Account », « Released
    by », « Collectivite »), the total in euros (not « Total (centimes) »), and links to
    its PDF and CSV, which open for staff."""
    from offers.templatetags.money import euros

    world = build_world()
    statement = world.objects["statement"]
    client = client_for(world.users["staff"])
    response = client.get(reverse("admin:finance_statement_change", args=[statement.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for raw in ("Run", "Account", "Released by", "Collectivite", "centimes"):
        assert raw not in html, raw
    assert "Période de remboursement" in html and "Collectivité" in html
    assert euros(statement.total_cents) in html
    args = [statement.collectivite.public_id, statement.public_id]
    for name in ("finance:statement_pdf", "finance:statement_csv"):
        assert f'href="{reverse(name, args=args)}"' in html
        assert client.get(reverse(name, args=args)).status_code == 200
    run = client.get(reverse("admin:finance_reimbursementrun_change", args=[statement.run.pk]))
    assert "centimes" not in run.content.decode()
