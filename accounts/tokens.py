"""Signed, expiring tokens for links sent by email (no table needed).

Each token carries the user's primary key and email, signed with SECRET_KEY and a
purpose-specific salt; a token for one purpose is useless for another.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

EMAIL_CONFIRMATION_MAX_AGE = timedelta(hours=48)
_CONFIRM_SALT = "accounts.email-confirmation"


def email_confirmation_token(*, user_id: int, email: str) -> str:
    return signing.dumps({"u": user_id, "e": email}, salt=_CONFIRM_SALT, compress=True)


def read_email_confirmation_token(token: str) -> tuple[int, str] | None:
    """Return (user_id, email) of a valid, unexpired token, else None."""
    try:
        data = signing.loads(
            token, salt=_CONFIRM_SALT, max_age=EMAIL_CONFIRMATION_MAX_AGE.total_seconds()
        )
    except signing.BadSignature:  # includes SignatureExpired
        return None
    return int(data["u"]), str(data["e"])
