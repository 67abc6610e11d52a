"""The booking's QR code: a standard QR code (never a Micro QR, which phone cameras and
the guichet's scanners do not read), holding `PASSLIB:<code>`; the guichet reads the
code after the prefix (offers/services/bookings.py `normalize_code`)."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import mark_safe

PREFIX = "PASSLIB:"


def booking_qr(code: str) -> segno.QRCode:
    # make_qr, not make: segno.make picks a Micro QR for data this short.
    return segno.make_qr(f"{PREFIX}{code}", error="m")


def booking_qr_svg(code: str) -> str:
    """Inline SVG (server-side, no script, no image request)."""
    svg = booking_qr(code).svg_inline(scale=4, border=4, title=f"QR code {code}")
    return mark_safe(svg)  # noqa: S308 - segno's markup, from a validated 6-character code


def booking_qr_png(code: str) -> bytes:
    """PNG for an e-mail attachment (the day-before reminder)."""
    out = io.BytesIO()
    booking_qr(code).save(out, kind="png", scale=8, border=4)
    return out.getvalue()
