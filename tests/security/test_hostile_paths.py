"""Every URL pattern with hostile values in its path: never a 500.

For each variable of each URL of the permission matrix (itself checked against the
resolver), the valid value is replaced by NUL bytes, control characters, huge numbers,
Unicode digits, malformed ids, over-long and odd strings; the page is asked with the
view's method by a person it lets through and by an anonymous visitor. A NUL in a
token used to reach PostgreSQL (`/agenda/%00….ics` answered 500): the URL converters
of passlib/converters.py now refuse it before any view. Run on PostgreSQL in CI (SQLite
accepts NUL in a query; PostgreSQL does not).
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.urls import reverse

from tests.security.test_permission_matrix import MATRIX, client_for
from tests.security.test_protocol import allowed_role
from tests.security.world import build_world

pytestmark = pytest.mark.django_db

HOSTILE = [
    "\x00",
    "jeton\x00suite",
    "\x00" * 64,
    "\x01\x02\x1b[31m\x7f",
    "ligne\r\nSet-Cookie: x=1",
    "\t",
    "9" * 19,  # past a bigint
    "9" * 400,
    "-1",
    "0",
    "١٢٣٤٥٦٧٨٩",  # Arabic-Indic digits
    "１２３４５６７８９",  # fullwidth digits
    "00000000-0000-0000-0000-000000000000",
    "12345678-1234-1234-1234-12345678901Z",
    "../../../../etc/passwd",
    "..",
    "x" * 5000,
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00",
    "😀",
    "ÿ" * 40,
    "a.b:c-d_e",  # a well-formed token that is nobody's
]


def _paths(world) -> list[tuple[str, str, str, str, dict, object]]:
    """(name, variable, valid path, hostile-ready path template, data, role)."""
    cases = []
    for name, (method, kwargs, data, expected) in sorted(MATRIX.items()):
        if kwargs is None:
            continue
        values = kwargs(world)
        path = reverse(name, kwargs=values)
        for variable, value in values.items():
            value = str(value)
            assert path.count(value) >= 1, (name, variable)
            at = path.rindex(value)
            template = path[:at] + "{}" + path[at + len(value) :]
            payload = data(world) if data else {}
            cases.append((name, variable, method, template, payload, allowed_role(expected)))
    # The admin's change pages (site staff), whose object id is Django's `path`.
    for name, obj in (
        ("admin:accounts_user_change", world.users["admin"]),
        ("admin:accounts_collectivite_change", world.objects["x"]),
        ("admin:offers_booking_change", world.objects["booking"]),
        ("admin:finance_bankaccount_change", world.objects["bank_account"]),
    ):
        path = reverse(name, args=[obj.pk])
        at = path.rindex(f"/{obj.pk}/") + 1
        template = path[:at] + "{}" + path[at + len(str(obj.pk)) :]
        cases.append((name, "object_id", "get", template, {}, "staff"))
    return cases


def test_no_hostile_path_value_answers_a_server_error():
    world = build_world()
    clients = {role: client_for(world.users[role]) for role in ("anonymous",)}
    errors = []
    for name, variable, method, template, payload, role in _paths(world):
        if role not in clients:
            clients[role] = client_for(world.users[role])
        for value in HOSTILE:
            url = template.format(quote(value, safe=""))
            for who in {role, "anonymous"}:
                response = getattr(clients[who], method)(url, payload)
                if response.status_code >= 500:
                    errors.append((name, variable, repr(value[:20]), who, response.status_code))
    assert errors == [], errors


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\x00" * 64, "x" * 64 + "\x00"])
def test_a_nul_in_the_private_calendar_token_is_not_found(client, value):
    response = client.get("/agenda/" + quote(value, safe="") + ".ics")
    assert response.status_code == 404
