"""Path converters: what a URL's variable part may hold, before any view reads it.

Django's `str` matches anything but a slash — a NUL byte included, which PostgreSQL
refuses in a query (a 500, where a wrong link must be a 404) — and its `int` any number
of digits (past the database's bigint: another 500). Every variable of our URLs uses
one of these, or `uuid`/`slug`, so a hostile value does not match and the resolver
answers 404 (tests/security/test_hostile_paths.py walks every URL pattern).
"""

from __future__ import annotations

from django.urls import register_converter


class TokenConverter:
    """A signed token (django.core.signing: base64url and `:`; `.` when compressed),
    a random one (`secrets.token_urlsafe`) or a password-reset link's parts."""

    regex = r"[A-Za-z0-9_.:-]{1,500}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class IdConverter:
    """An integer key: ASCII digits, at most 18 (always within a bigint)."""

    regex = r"[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class SirenConverter(TokenConverter):
    """A SIREN: nine ASCII digits."""

    regex = r"[0-9]{9}"


class MediaPathConverter(TokenConverter):
    """A stored picture's name (passlib/images.py writes `folder/token-size.jpg`):
    a few short folders, a name, `.jpg`."""

    regex = r"(?:[A-Za-z0-9_-]{1,64}/){0,4}[A-Za-z0-9_-]{1,100}\.jpg"


register_converter(TokenConverter, "token")
register_converter(MediaPathConverter, "media_path")
register_converter(IdConverter, "id")
register_converter(SirenConverter, "siren")
