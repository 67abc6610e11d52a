"""Pictures for the tests, made with Pillow: real ones with EXIF, and hostile files."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def picture(fmt="JPEG", size=(1600, 1200), *, exif=True, mode="RGB", name=None) -> bytes:
    img = Image.new(mode, size, (200, 30, 60) if mode == "RGB" else (200, 30, 60, 128))
    for x in range(0, size[0], 50):  # some content, so re-encoding has something to do
        img.putpixel((x, x % size[1]), (0, 0, 0) if mode == "RGB" else (0, 0, 0, 255))
    out = io.BytesIO()
    options = {}
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "CameraMaker"  # Make
        tags[0x010E] = "Maison de Chloé d'Arc"  # ImageDescription
        tags[0x0112] = 1  # Orientation
        options["exif"] = tags.tobytes()
    img.save(out, fmt, **options)
    return out.getvalue()


def upload(content: bytes, name="image.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def huge_png_header(width=20_000, height=20_000) -> bytes:
    """A PNG that says 20,000 × 20,000 pixels (400 Mpx, 1.2 GB decoded) in a few
    hundred bytes: a decompression bomb's header, with a little compressed data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 100_000, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")
    )


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="800" height="800">'
    b'<script>alert("xss")</script><rect width="800" height="800"/></svg>'
)
SCRIPT_AS_JPG = b"#!/bin/sh\nrm -rf /\n<script>alert(1)</script>\n"
