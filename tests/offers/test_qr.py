"""The booking's QR code is a standard QR code that a standard decoder (ZXing, as in
phone camera apps and scanners) reads back to the code the guichet accepts."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

from offers.qr import booking_qr, booking_qr_svg
from offers.services.bookings import is_valid_code, new_code, normalize_code

CODES = ["ABC234", "ZZZZZZ", "2345XY"]


def decode(code: str) -> list:
    buffer = io.BytesIO()
    booking_qr(code).save(buffer, kind="png", scale=6, border=4)
    buffer.seek(0)
    return zxingcpp.read_barcodes(Image.open(buffer).convert("L"))


@pytest.mark.parametrize("code", [*CODES, new_code(), new_code()])
def test_a_standard_decoder_reads_the_code_back(code):
    qr = booking_qr(code)
    assert not qr.is_micro
    (found,) = decode(code)
    assert found.format == zxingcpp.BarcodeFormat.QRCode
    assert found.text == f"PASSLIB:{code}"
    # What the scanner types into the guichet is read back to the code.
    assert normalize_code(found.text) == code and is_valid_code(code)


def test_the_page_shows_the_same_symbol_as_an_inline_svg():
    svg = booking_qr_svg("ABC234")
    assert svg.startswith("<svg") and "QR code ABC234" in svg
    assert svg == booking_qr("ABC234").svg_inline(scale=4, border=4, title="QR code ABC234")


def test_the_old_micro_qr_is_what_a_standard_decoder_missed():
    """segno.make picked a Micro QR for such short data: the kind this test prevents."""
    import segno

    assert segno.make("PASSLIB:ABC234", error="m").is_micro
