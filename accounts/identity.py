"""The login identity, written once: an e-mail address, trimmed, without control
characters, lower-cased. Sign-up stores it so, the login form and django-axes'
lockout count it so (AXES_USERNAME_CALLABLE), the sign-up, reset and re-send limits key
on it: `Chloe@X.fr`, ` chloe@x.fr ` and `CHLOE@X.FR` are one person everywhere."""

from __future__ import annotations

from passlib.text import clean_line, printable

MAX_LENGTH = 254  # RFC 5321; also under the 255 characters django-axes stores


def normalize_email(value: object) -> str:
    return printable(clean_line(str(value or ""))).strip().lower()[:MAX_LENGTH]


def axes_username(request, credentials: dict | None = None) -> str:
    """django-axes' key for the identity tried (settings.AXES_USERNAME_CALLABLE)."""
    if credentials and credentials.get("username") is not None:
        return normalize_email(credentials["username"])
    return normalize_email(request.POST.get("username", "") if request is not None else "")
