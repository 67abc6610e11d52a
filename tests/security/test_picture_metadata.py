"""What a picture carries besides its pixels never reaches the stored files
(passlib/images.py): a `<script>` in a JPEG comment, EXIF with a GPS position, XMP, an
ICC profile, Photoshop's IPTC block. Both renditions are read back byte by byte, segment
by segment."""

from __future__ import annotations

import io
import struct

from PIL import Image

from passlib.images import read_upload
from tests.images import upload

SCRIPT = b"<script>alert('commentaire')</script>"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Chlo\xc3\xa9 d\'Arc'
    b"</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)
# The markers a baseline or progressive JPEG needs: JFIF's APP0, quantisation and
# Huffman tables, restart interval, the frame and the scans.
NEEDED = {0xE0, 0xDB, 0xC4, 0xDD, 0xC0, 0xC1, 0xC2, 0xDA}


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _loaded_picture() -> bytes:
    img = Image.new("RGB", (1600, 1200), (40, 120, 200))
    for x in range(0, 1600, 40):
        img.putpixel((x, x % 1200), (0, 0, 0))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0)}  # GPS: a position
    icc = b"\x00" * 128 + b"acspICC-FAUX"  # written as given: enough to be carried
    out = io.BytesIO()
    img.save(out, "JPEG", comment=SCRIPT, exif=exif.tobytes(), xmp=XMP, icc_profile=icc)
    data = out.getvalue()
    # Photoshop's APP13 (IPTC) and an APP15, right after SOI.
    extra = _segment(0xED, b"Photoshop 3.0\x00" + SCRIPT) + _segment(0xEF, SCRIPT)
    return data[:2] + extra + data[2:]


def _markers(jpeg: bytes) -> list[tuple[int, bytes]]:
    """The segments before the first scan: (marker, payload)."""
    assert jpeg[:2] == b"\xff\xd8"
    found, at = [], 2
    while at < len(jpeg):
        assert jpeg[at] == 0xFF, at
        marker = jpeg[at + 1]
        (length,) = struct.unpack(">H", jpeg[at + 2 : at + 4])
        found.append((marker, jpeg[at + 4 : at + 2 + length]))
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        at += 2 + length
    return found


def test_every_metadata_segment_is_dropped_from_both_renditions():
    content = _loaded_picture()
    markers = {m for m, _ in _markers(content)}
    assert {0xFE, 0xE1, 0xE2, 0xED, 0xEF} <= markers  # the upload carries them all
    read = read_upload(upload(content))
    for rendition in (read.large, read.small):
        jpeg = rendition.content
        segments = _markers(jpeg)
        assert {m for m, _ in segments} <= NEEDED, [hex(m) for m, _ in segments]
        app0 = [payload for m, payload in segments if m == 0xE0]
        assert all(p.startswith(b"JFIF\x00") for p in app0)
        for needle in (SCRIPT, b"<script", b"CameraMaker", b"xmpmeta", b"Photoshop", b"ICC"):
            assert needle not in jpeg, needle
        assert jpeg.endswith(b"\xff\xd9")  # nothing appended after the end of the image
        with Image.open(io.BytesIO(jpeg)) as img:
            assert not img.getexif() and "comment" not in img.info and "xmp" not in img.info
