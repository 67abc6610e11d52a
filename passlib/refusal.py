"""The one refusal type: a business rule said no.

Services raise `Refusal(message, code=...)`: `message` is French and shown to the person
as it is, `code` is a stable machine name (``"booking.full"``) for tests, logs and
callers that must tell refusals apart (pretix's `CheckInError(message, code)` is the
model). Views catch it in one way: `refusal_message(request, exc)` turns it into an
error message, or the form shows it (`form.add_error(None, exc.message)`). A Refusal no
view caught becomes a 400 page with its message (`RefusalMiddleware`), never a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import render


class Refusal(Exception):
    """A refused action; `message` is French and meant for the person, `code` for code."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def refusal_message(request: HttpRequest, exc: Refusal) -> None:
    """The way views report a refusal on the next page: an error message."""
    messages.error(request, exc.message)


class RefusalMiddleware:
    """A Refusal that reached the top of a view answers 400 with its message."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if isinstance(exception, Refusal):
            return render(request, "400.html", {"refusal": exception.message}, status=400)
        return None
