"""What every answer shares: the methods a page accepts, and who may keep a copy of it.

Methods: the site is HTML forms and htmx, which send GET and POST only (HEAD is GET
without its body). `AllowedMethodsMiddleware` answers 405 to any other method (PUT,
DELETE, PATCH, OPTIONS, TRACE, WebDAV's…) before any view runs, whatever the view
(Django's class-based views would answer PUT like POST, and OPTIONS with 200); each
view then declares which of GET and POST it takes (`require_GET`, `require_POST`,
`require_http_methods`), so a page refuses the other one with 405 too.

Caching: pages and files with personal data are never stored by a browser or a proxy.

Every answer to a logged-in person, and every answer that read the session (the
sign-up's "check your mailbox" page shows the address typed), is sent with
`Cache-Control: private, no-store`: booking lists, exports, the guichet, a young
person's or a teacher's bookings hold minors' data, and a shared library computer's
back button or a proxy's cache must not show them to the next person. Pages reached
by a token without login that show personal data say so with `private_page`. What a
view declares public (`Cache-Control: public`: pictures, programme feeds) is public for
everybody, logged in or not, and never varies by cookie.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.utils.cache import patch_cache_control

ALLOWED_METHODS = ("GET", "HEAD", "POST")


class AllowedMethodsMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


def keep_private(response):
    """Never stored by a browser's cache or a proxy (`private, no-store`)."""
    patch_cache_control(response, private=True, no_store=True)
    response.headers.pop("Expires", None)
    return response


def private_page(view):
    """For a page reached without login, by a token, that shows personal data (the
    « Je ne viendrai pas » page of a minor's booking, an invitation, an e-mail
    confirmation, a venue's private calendar): the middleware cannot know it, as nobody
    is logged in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return keep_private(view(request, *args, **kwargs))

    return wrapper


def is_public(response) -> bool:
    """A view said its answer is public (a picture, a programme feed): the same for
    everyone, so it stays cacheable and nobody's session is read for it."""
    return "public" in response.get("Cache-Control", "").replace(" ", "").split(",")


class PrivatePagesMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_public(response):
            # Reading `request.user` here would load the session, and Django would then
            # add `Vary: Cookie` — a public file cached once per visitor.
            return response
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (user is not None and user.is_authenticated) or (
            session is not None and session.accessed and not session.is_empty()
        ):
            keep_private(response)
        return response
