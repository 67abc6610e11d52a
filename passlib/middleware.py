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
back button or a proxy's cache must not show them to the next person. Public pages
stay cacheable.
"""

from __future__ import annotations

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


class PrivatePagesMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if (user is not None and user.is_authenticated) or (
            session is not None and session.accessed and not session.is_empty()
        ):
            patch_cache_control(response, private=True, no_store=True)
            response.headers.pop("Expires", None)
        return response
