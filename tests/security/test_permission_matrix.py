"""Every URL of the project against every role: 200, redirect to login, 403 or 404.

The matrix must list each named URL pattern (the resolver is walked): a new URL
without an entry makes `test_every_url_has_an_entry` fail. For each URL the world is
built once and the roles are tried in an order where those allowed to change data come
last (ROLES), each with its own logged-in client.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.world import ROLES, build_world

pytestmark = pytest.mark.django_db


def exp(default: int, **overrides: int) -> dict[str, int]:
    return {role: overrides.get(role, default) for role in ROLES}


PUBLIC = exp(200)
LOGGED = exp(200, anonymous=302)
MEMBERS = exp(403, anonymous=302, member=200, admin=200)
MEMBERS_POST = exp(403, anonymous=302, member=302, admin=302)
PROS_READ = exp(
    403, anonymous=302, member=200, admin=200, officer=200, officer_other=404, staff=404
)
SPACE_ADMIN = exp(404, anonymous=302, member=403, admin=200)
SPACE_ADMIN_POST = exp(404, anonymous=302, member=403, admin=302)
# Bank details, statements, statistics of a collectivité: its administrators only (every
# other role is refused before the collectivité is looked up: not a member).
COLLECTIVITE_ADMIN = exp(403, anonymous=302, admin=200)
# A statement and its documents: its collectivité's administrators, and site staff, who
# manage reimbursements nationally (finance/policy.py `statements_of`).
STATEMENT_READERS = exp(403, anonymous=302, admin=200, staff=200)
# Site staff are the national team: they review what no officer covers (the world's
# pending collectivité is in 69, which has its officer: out of their scope, 404).
OFFICERS = exp(403, anonymous=302, officer=200, officer_other=200, staff=200)
OFFICER_OBJECT = exp(403, anonymous=302, officer=200, officer_other=404, staff=404)
TEACHER = exp(403, anonymous=302, teacher=200)
TEACHER_POST = exp(403, anonymous=302, teacher=302)
BENEFICIARY = exp(403, anonymous=302, beneficiary=200)
BENEFICIARY_POST = exp(403, anonymous=302, beneficiary=302)


def o(w, key):
    return w.objects[key]


# name: (method, kwargs(world) -> dict, query or data (world) -> dict, expectations)
MATRIX = {
    "home": ("get", None, None, PUBLIC),
    "healthz": ("get", None, None, PUBLIC),
    "catalog:help": ("get", None, None, PUBLIC),
    "accounts:signup": ("get", None, None, PUBLIC),
    "accounts:signup_sent": ("get", None, None, PUBLIC),
    "accounts:confirm_email": ("get", lambda w: {"token": o(w, "confirm_token")}, None, PUBLIC),
    "accounts:resend_confirmation": ("post", None, None, exp(302)),
    "accounts:login": ("get", None, None, PUBLIC),
    "accounts:logout": ("post", None, None, exp(302)),
    "accounts:password_reset": ("get", None, None, PUBLIC),
    "accounts:password_reset_done": ("get", None, None, PUBLIC),
    "accounts:password_reset_confirm": (
        "get",
        lambda w: {"uidb64": "MQ", "token": "faux-jeton"},
        None,
        PUBLIC,
    ),
    "accounts:password_reset_complete": ("get", None, None, PUBLIC),
    # young people and teachers are sent to their own pages
    "accounts:dashboard": (
        "get",
        None,
        None,
        exp(200, anonymous=302, beneficiary=302, teacher=302),
    ),
    "accounts:account_delete": ("get", None, None, LOGGED),
    "accounts:siret": ("get", None, None, LOGGED),
    "accounts:register": ("get", None, lambda w: {"siret": "21750001600019"}, LOGGED),
    "accounts:join": ("get", lambda w: {"siren": o(w, "x").siren}, None, LOGGED),
    "accounts:officers": ("get", None, None, PUBLIC),
    "accounts:space": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id},
        None,
        exp(404, anonymous=302, member=200, admin=200),
    ),
    "accounts:venue_add": ("get", lambda w: {"public_id": o(w, "x").public_id}, None, SPACE_ADMIN),
    "accounts:venue_edit": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id, "venue_id": o(w, "venue1").public_id},
        None,
        SPACE_ADMIN,
    ),
    "accounts:member_update": (
        "post",
        lambda w: {"public_id": o(w, "x").public_id, "member_id": o(w, "member_ship").public_id},
        lambda w: {"role": "member"},
        SPACE_ADMIN_POST,
    ),
    "accounts:member_remove": (
        "post",
        lambda w: {"public_id": o(w, "x").public_id, "member_id": o(w, "member_ship").public_id},
        None,
        SPACE_ADMIN_POST,
    ),
    "accounts:request_decide": (
        "post",
        lambda w: {
            "public_id": o(w, "x").public_id,
            "member_id": o(w, "join_request").public_id,
            "action": "approuver",
        },
        None,
        SPACE_ADMIN_POST,
    ),
    "accounts:invitation_create": (
        "post",
        lambda w: {"public_id": o(w, "x").public_id},
        None,
        exp(404, anonymous=302, member=403, admin=400),
    ),
    "accounts:invitation_resend": (
        "post",
        lambda w: {"public_id": o(w, "x").public_id, "invitation_id": o(w, "invitation").public_id},
        None,
        SPACE_ADMIN_POST,
    ),
    "accounts:invitation_revoke": (
        "post",
        lambda w: {"public_id": o(w, "x").public_id, "invitation_id": o(w, "invitation").public_id},
        None,
        SPACE_ADMIN_POST,
    ),
    "accounts:invitation_accept": (
        "get",
        lambda w: {"token": o(w, "invitation_token")},
        None,
        PUBLIC,
    ),
    "accounts:review_queue": ("get", None, None, OFFICERS),
    "accounts:review_batch": (
        "post",
        None,
        None,
        exp(403, anonymous=302, officer=302, officer_other=302, staff=302),
    ),
    "accounts:review_detail": (
        "get",
        lambda w: {"kind": "collectivite", "public_id": o(w, "pending").public_id},
        None,
        OFFICER_OBJECT,
    ),
    "accounts:review_act": (
        "post",
        lambda w: {
            "kind": "collectivite",
            "public_id": o(w, "pending").public_id,
            "action": "valider",
        },
        None,
        exp(403, anonymous=302, officer=302, officer_other=404, staff=404),
    ),
    # individual offers (pro side)
    "offers:list": (
        "get",
        None,
        None,
        exp(403, anonymous=302, member=200, admin=200, officer=200, officer_other=200, staff=200),
    ),
    "offers:create": ("get", None, None, MEMBERS),
    "offers:free": ("get", None, None, MEMBERS),
    "offers:detail": ("get", lambda w: {"public_id": o(w, "offer").public_id}, None, PROS_READ),
    "offers:preview": ("get", lambda w: {"public_id": o(w, "offer").public_id}, None, PROS_READ),
    "offers:edit": ("get", lambda w: {"public_id": o(w, "offer").public_id}, None, MEMBERS),
    "offers:publish": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:deactivate": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:duplicate": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:delete": ("post", lambda w: {"public_id": o(w, "offer").public_id}, None, MEMBERS_POST),
    "offers:session_add": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        exp(403, anonymous=302, member=400, admin=400),
    ),
    "offers:session_edit": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    "offers:session_series": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        MEMBERS,
    ),
    "offers:session_participants": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    # the session's one list (issue 30)
    "offers:registration_add": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    "offers:registration_edit": (
        "get",
        lambda w: {
            "public_id": o(w, "offer").public_id,
            "session_id": o(w, "session").public_id,
            "registration_id": o(w, "registration").public_id,
        },
        None,
        MEMBERS,
    ),
    "offers:registration_cancel": (
        "get",
        lambda w: {
            "public_id": o(w, "offer").public_id,
            "session_id": o(w, "session").public_id,
            "registration_id": o(w, "registration").public_id,
        },
        None,
        MEMBERS,
    ),
    "offers:registration_attendance": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        lambda w: {"registration": o(w, "registration").public_id, "presence": "present"},
        MEMBERS_POST,
    ),
    "offers:walk_ins": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        lambda w: {"places": "1"},
        # The world's session is days ahead: a member is told « à partir du jour de la
        # séance » (400, nothing written); the others are refused as for every POST.
        {**MEMBERS_POST, "member": 400, "admin": 400},
    ),
    "offers:outside_places": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        lambda w: {"outside_places": "1"},
        MEMBERS_POST,
    ),
    "offers:participants_export": (
        "get",
        lambda w: {
            "public_id": o(w, "offer").public_id,
            "session_id": o(w, "session").public_id,
            "fmt": "csv",
        },
        None,
        MEMBERS,
    ),
    "offers:session_attendance": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        exp(403, anonymous=302, member=404, admin=404),
    ),
    "offers:session_delete_following": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:session_delete": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS_POST,
    ),
    # programme changes (issue 28): the confirmation pages and the message form
    "offers:session_cancel": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    "offers:offer_cancel_sessions": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        MEMBERS,
    ),
    "offers:session_message": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    # the CSV import of registrations (issue 30): the page, « Importer » without its
    # signed lines (400), the model file
    "offers:registrations_import": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    "offers:registrations_import_confirm": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        exp(403, anonymous=302, member=400, admin=400),
    ),
    "offers:registrations_import_model": (
        "get",
        lambda w: {"public_id": o(w, "offer").public_id, "session_id": o(w, "session").public_id},
        None,
        MEMBERS,
    ),
    # « Me prévenir »: the young person's own alert (the world's offer is open: the
    # answer is a message on the offer page, a redirect)
    "offers:alert_add": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        BENEFICIARY_POST,
    ),
    "offers:alert_remove": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        BENEFICIARY_POST,
    ),
    # bookings and guichet
    "offers:bookings": ("get", None, None, MEMBERS),
    "offers:bookings_export": ("get", lambda w: {"fmt": "csv"}, None, MEMBERS),
    "offers:booking_cancel_by_venue": (
        "post",
        lambda w: {"public_id": o(w, "booking").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:guichet": ("get", None, lambda w: {"code": o(w, "booking").code}, MEMBERS),
    "offers:guichet_validate": (
        "post",
        None,
        lambda w: {"code": o(w, "booking").code},
        MEMBERS_POST,
    ),
    # the first POST asks for a confirmation (a page), without changing anything
    "offers:guichet_unvalidate": ("post", None, lambda w: {"code": o(w, "booking").code}, MEMBERS),
    # collective offers (pro side)
    "offers:collective_list": ("get", None, None, MEMBERS),
    "offers:collective_create": ("get", lambda w: {"kind": "vitrines"}, None, MEMBERS),
    "offers:collective_detail": (
        "get",
        lambda w: {"kind": "vitrines", "public_id": o(w, "showcase").public_id},
        None,
        MEMBERS,
    ),
    "offers:collective_edit": (
        "get",
        lambda w: {"kind": "vitrines", "public_id": o(w, "showcase").public_id},
        None,
        MEMBERS,
    ),
    "offers:collective_publish": (
        "post",
        lambda w: {"kind": "offres", "public_id": o(w, "bookable").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:collective_archive": (
        "post",
        lambda w: {"kind": "vitrines", "public_id": o(w, "showcase").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:collective_duplicate": (
        "post",
        lambda w: {"kind": "vitrines", "public_id": o(w, "showcase").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:collective_bookings": ("get", None, None, MEMBERS),
    "offers:collective_bookings_export": ("get", lambda w: {"fmt": "csv"}, None, MEMBERS),
    "offers:collective_booking_cancel": (
        "post",
        lambda w: {"public_id": o(w, "collective_booking").public_id},
        None,
        MEMBERS_POST,
    ),
    # teachers
    "accounts:teacher_signup": ("get", None, None, PUBLIC),
    "offers:teacher_offers": ("get", None, None, TEACHER),
    "offers:teacher_showcase": (
        "get",
        lambda w: {"public_id": o(w, "showcase").public_id},
        None,
        TEACHER,
    ),
    "offers:teacher_offer": (
        "get",
        lambda w: {"public_id": o(w, "bookable").public_id},
        None,
        TEACHER,
    ),
    "offers:teacher_prebook": (
        "post",
        lambda w: {"public_id": o(w, "bookable").public_id},
        None,
        TEACHER_POST,
    ),
    "offers:teacher_bookings": ("get", None, None, TEACHER),
    "offers:teacher_confirm": (
        "post",
        lambda w: {"public_id": o(w, "collective_booking").public_id},
        None,
        TEACHER_POST,
    ),
    "offers:teacher_cancel": (
        "post",
        lambda w: {"public_id": o(w, "collective_booking").public_id},
        None,
        TEACHER_POST,
    ),
    # beneficiaries
    "accounts:beneficiary_signup": ("get", None, None, PUBLIC),
    "offers:catalog": ("get", None, None, PUBLIC),
    "offers:catalog_offer": ("get", lambda w: {"public_id": o(w, "offer").public_id}, None, PUBLIC),
    "offers:book": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        lambda w: {"session": str(o(w, "session").public_id)},
        BENEFICIARY_POST,
    ),
    "offers:my_bookings": ("get", None, None, BENEFICIARY),
    "offers:booking_calendar": (
        "get",
        lambda w: {"public_id": o(w, "booking").public_id},
        None,
        BENEFICIARY,
    ),
    "offers:venue_calendar": (
        "get",
        lambda w: {"public_id": o(w, "venue1").public_id},
        None,
        MEMBERS,
    ),
    # a collectivité's public programme (offers/feeds.py): anyone, no login
    "offers:programme": (
        "get",
        lambda w: {"kind": "collectivite", "public_id": o(w, "x").public_id, "fmt": "json"},
        None,
        PUBLIC,
    ),
    # a venue's public page, and what its members manage of it (issue 19)
    "offers:venue_page": ("get", lambda w: {"public_id": o(w, "venue1").public_id}, None, PUBLIC),
    "accounts:venue_page_edit": (
        "get",
        lambda w: {"public_id": o(w, "venue1").public_id},
        None,
        MEMBERS,
    ),
    "accounts:hours_exception_add": (
        "post",
        lambda w: {"public_id": o(w, "venue1").public_id},
        lambda w: {"day": "2099-01-01"},
        exp(403, anonymous=302, member=400, admin=400),  # refused: too far; nothing written
    ),
    "accounts:hours_exception_delete": (
        "post",
        lambda w: {"public_id": o(w, "venue1").public_id, "exception_id": 999999},
        None,
        MEMBERS_POST,
    ),
    "accounts:venue_image": (
        "get",
        lambda w: {"public_id": o(w, "venue1").public_id},
        None,
        MEMBERS,
    ),
    "accounts:venue_image_delete": (
        "post",
        lambda w: {"public_id": o(w, "venue1").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:bulk": ("post", None, None, MEMBERS_POST),  # no selection: back to the list
    "offers:image": ("get", lambda w: {"public_id": o(w, "offer").public_id}, None, MEMBERS),
    "offers:image_delete": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        None,
        MEMBERS_POST,
    ),
    "offers:collective_image": (
        "get",
        lambda w: {"kind": "vitrines", "public_id": o(w, "showcase").public_id},
        None,
        MEMBERS,
    ),
    "offers:collective_image_delete": (
        "post",
        lambda w: {"kind": "vitrines", "public_id": o(w, "showcase").public_id},
        None,
        MEMBERS_POST,
    ),
    # uploaded pictures are public files; an unknown one is 404 for everybody
    "media": ("get", lambda w: {"path": "offres/inconnue.jpg"}, None, exp(404)),
    # without its token the feed is nobody's (the token is tested in test_calendar.py)
    "offers:venue_feed": ("get", lambda w: {"token": "pas-un-jeton"}, None, exp(404)),
    "offers:booking_cancel": (
        "post",
        lambda w: {"public_id": o(w, "booking").public_id},
        None,
        BENEFICIARY_POST,
    ),
    # the waiting list: the young person's own entry (the world's full session)
    "offers:waitlist_join": (
        "post",
        lambda w: {"public_id": o(w, "offer").public_id},
        lambda w: {"session": str(o(w, "full_session").public_id)},
        BENEFICIARY_POST,
    ),
    "offers:waitlist_entry": (
        "get",
        lambda w: {"public_id": o(w, "waitlist_entry").public_id},
        None,
        BENEFICIARY,
    ),
    "offers:waitlist_confirm": (
        "post",
        lambda w: {"public_id": o(w, "waitlist_entry").public_id},
        None,
        BENEFICIARY_POST,
    ),
    "offers:waitlist_leave": (
        "post",
        lambda w: {"public_id": o(w, "waitlist_entry").public_id},
        None,
        BENEFICIARY_POST,
    ),
    # the reminder's signed link is the young person's key: anyone holding it sees the
    # page (a wrong token is a 404: tests/offers/test_reminders.py)
    "offers:booking_release": (
        "get",
        lambda w: {"public_id": o(w, "booking").public_id, "token": o(w, "release_token")},
        None,
        PUBLIC,
    ),
    # reimbursements: the collectivité's administrators; its venue members see their lines
    "finance:home": ("get", lambda w: {"public_id": o(w, "x").public_id}, None, MEMBERS),
    "finance:account_add": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id},
        None,
        COLLECTIVITE_ADMIN,
    ),
    "finance:account_edit": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id, "account_id": o(w, "bank_account").public_id},
        None,
        COLLECTIVITE_ADMIN,
    ),
    "finance:statement_pdf": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id, "statement_id": o(w, "statement").public_id},
        None,
        STATEMENT_READERS,
    ),
    "finance:statement_csv": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id, "statement_id": o(w, "statement").public_id},
        None,
        STATEMENT_READERS,
    ),
    # statistics: a collectivité's (administrators), a venue's (its members), a territory's
    "reporting:collectivite": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id},
        None,
        COLLECTIVITE_ADMIN,
    ),
    "reporting:report_pdf": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id},
        None,
        COLLECTIVITE_ADMIN,
    ),
    "reporting:report_xlsx": (
        "get",
        lambda w: {"public_id": o(w, "x").public_id},
        None,
        COLLECTIVITE_ADMIN,
    ),
    "reporting:venue": ("get", lambda w: {"public_id": o(w, "venue1").public_id}, None, MEMBERS),
    "reporting:territory": ("get", None, None, OFFICERS),
    # site staff's reimbursement pages
    "finance:staff_runs": ("get", None, None, exp(403, anonymous=302, staff=200)),
    "finance:staff_sepa": (
        "get",
        lambda w: {"run_id": o(w, "run").pk},
        None,
        exp(403, anonymous=302, staff=200),
    ),
    "finance:staff_run": (
        "get",
        lambda w: {"run_id": o(w, "run").pk},
        None,
        exp(403, anonymous=302, staff=200),
    ),
    # the world's statement is not held: releasing it says so (back to the list)
    "finance:staff_release": (
        "post",
        lambda w: {"statement_id": o(w, "statement").public_id},
        None,
        exp(403, anonymous=302, staff=302),
    ),
}

# The Django admin is site staff's: every admin URL requires a staff login.
ADMIN_SAMPLE = [
    "admin:index",
    "admin:accounts_collectivite_changelist",
    "admin:offers_booking_changelist",
    "admin:offers_waitlistentry_changelist",
    "admin:finance_bankaccount_changelist",
    "admin:finance_statement_changelist",
    "admin:finance_customrate_changelist",
    "admin:django_tasks_database_dbtaskresult_changelist",
    "admin:accounts_user_changelist",
]


def url_names(patterns=None, namespace="") -> set[str]:
    names = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            names |= url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}{p.name}")
    return names


def test_every_url_has_an_entry():
    ours = {n for n in url_names() if not n.startswith("admin:")}
    assert ours - set(MATRIX) == set(), "URLs without a permission-matrix entry"
    assert set(MATRIX) - ours == set(), "matrix entries for URLs that no longer exist"


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_answers_each_role_as_expected(name):
    method, kwargs, data, expected = MATRIX[name]
    world = build_world()
    url = reverse(name, kwargs=kwargs(world) if kwargs else None)
    payload = data(world) if data else {}
    got = {}
    for role in ROLES:
        response = getattr(client_for(world.users[role]), method)(url, payload)
        got[role] = response.status_code
        if response.status_code == 302 and expected[role] == 302 and role == "anonymous":
            assert "/connexion/" in response.url or name.endswith(("logout", "resend_confirmation"))
    assert got == expected, f"{name} ({url})"


@pytest.mark.parametrize("name", ADMIN_SAMPLE)
def test_admin_is_for_site_staff_only(name):
    world = build_world()
    url = reverse(name)
    for role in ROLES:
        response = client_for(world.users[role]).get(url)
        if role == "staff":
            assert response.status_code == 200, role
        else:
            assert response.status_code == 302 and "/admin/login/" in response.url, role
