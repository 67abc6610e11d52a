"""Every URL pattern answers 405 to the methods it does not take (passlib/middleware.py
`AllowedMethodsMiddleware` and each view's declaration): PUT, DELETE, PATCH and the
rest never reach a view, and a page that only shows refuses POST.

The URL list is the permission matrix's, itself checked against the resolver (a new URL
without an entry fails `test_every_url_has_an_entry`), plus a sample of the admin's.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import resolve, reverse

from tests.security.test_permission_matrix import ADMIN_SAMPLE, MATRIX, client_for
from tests.security.test_protocol import allowed_role
from tests.security.world import ROLES, build_world

pytestmark = pytest.mark.django_db

REFUSED = ("PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "CONNECT")


def _urls(world) -> list[tuple[str, str, str, object]]:
    """(name, url with its query, declared method, a user the view lets through:
    the first shown the page itself, else one the view answers)."""
    urls = []
    for name, (method, kwargs, data, expected) in sorted(MATRIX.items()):
        url = reverse(name, kwargs=kwargs(world) if kwargs else None)
        if data and method == "get":
            url += "?" + urlencode(data(world))
        shown = [role for role in ROLES if expected[role] == 200]
        role = shown[0] if shown else allowed_role(expected)
        urls.append((name, url, method, world.users[role]))
    urls += [(name, reverse(name), "get", world.users["staff"]) for name in ADMIN_SAMPLE]
    return urls


def test_every_url_refuses_put_delete_patch_and_the_other_methods():
    world = build_world()
    wrong = []
    for name, url, _method, user in _urls(world):
        client = client_for(user)
        for verb in REFUSED:
            response = client.generic(verb, url, b"role=admin", "application/x-www-form-urlencoded")
            if response.status_code != 405 or response["Allow"] != "GET, HEAD, POST":
                wrong.append((name, verb, response.status_code))
    assert wrong == [], wrong


def declared_methods(view) -> set[str] | None:
    """The methods a view declares: a class-based view's handlers, or the list given
    to Django's `require_http_methods` (`require_GET`, `require_POST`) anywhere in its
    decorators; None when it declares none."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    while view is not None:
        for cell in view.__closure__ or ():
            value = cell.cell_contents
            if isinstance(value, list | tuple) and value and all(m in METHODS for m in value):
                return set(value)
        view = getattr(view, "__wrapped__", None)
    return None


METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"}


def test_every_view_declares_its_methods_and_a_page_that_only_shows_refuses_post():
    world = build_world()
    undeclared, wrong = [], []
    for name, url, _method, user in _urls(world):
        if name.startswith("admin:"):
            continue
        declared = declared_methods(resolve(url.partition("?")[0]).func)
        if declared is None:
            undeclared.append(name)
        elif "POST" not in declared:
            status = client_for(user).post(url.partition("?")[0]).status_code
            if status != 405:
                wrong.append((name, status))
    assert undeclared == [], undeclared
    assert wrong == [], wrong
