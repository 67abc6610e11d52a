"""Images people upload (an offer's, a venue's): checked, re-encoded, stored.

An upload is never stored as it came. `read_upload` refuses what is not a real JPEG,
PNG or WebP picture of sensible size (by its content, never its name or announced
type), then decodes it and writes our own JPEG files at the sizes the pages need
(`RENDITIONS`): what was in the file besides its pixels (EXIF with the camera's GPS
position, comments — a `<script>` in a COM segment —, XMP, ICC profiles, Photoshop's
IPTC, a script appended to the picture) is gone. `ImageFields` is the
model part; `save_image`, `delete_image` and `copy_image` write and delete through
Django's storage API (local files in development, an S3-compatible store on several
nodes: docs/operations.md).
"""

from __future__ import annotations

import io
import secrets
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models, transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from passlib.refusal import Refusal

FORMATS = ["JPEG", "PNG", "WEBP"]  # Pillow opens these only: anything else is "not_image"
MIN_SIDE = 400  # pixels, the smaller side (the offer page shows up to 1200)
MAX_PIXELS = 40_000_000  # 40 Mpx: a 48 Mpx phone photo is about 8000 × 6000
# The largest box of each rendition (width, height); the picture keeps its proportions.
RENDITIONS = {"large": (1200, 1200), "small": (400, 400)}
JPEG_QUALITY = 85

MESSAGES = {
    "too_big": "Le fichier dépasse {limit}. Choisissez une image plus légère.",
    "empty": "Le fichier est vide.",
    "not_image": "Ce fichier n'est pas une image JPEG, PNG ou WebP.",
    "too_many_pixels": (
        "L'image est trop grande : au plus 40 millions de pixels (par exemple 8000 × 5000). "
        "Réduisez-la avant de l'envoyer."
    ),
    "too_small": "L'image est trop petite : au moins {min} pixels de large et de haut.",
    "broken": "L'image est abîmée ou incomplète : elle ne peut pas être lue.",
}


def max_bytes() -> int:
    return settings.IMAGE_MAX_BYTES


def size_label(n: int) -> str:
    """« 10 Mo », « 195 Ko » (binary units, as file managers show them)."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.3g} Mo".replace(".", ",")
    return f"{max(1, n // 1024)} Ko"


@dataclass(frozen=True)
class Rendition:
    content: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ReadImage:
    """A checked upload, re-encoded: one JPEG per rendition."""

    large: Rendition
    small: Rendition


def _refuse(code: str, **params) -> ValidationError:
    return ValidationError(MESSAGES[code].format(**params), code=f"image.{code}")


def read_upload(upload) -> ReadImage:
    """The renditions of an uploaded file, or ValidationError with a French message.
    Checks come cheapest first: the size in bytes, the header (format and pixel count,
    before any decoding: a decompression bomb is refused unread), then the decoding."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise _refuse("too_big", limit=size_label(max_bytes()))
    if not size:
        raise _refuse("empty")
    upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise _refuse("too_big", limit=size_label(max_bytes()))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise _refuse("too_many_pixels")
                if min(width, height) < MIN_SIDE:
                    raise _refuse("too_small", min=MIN_SIDE)
                probe.verify()
            with Image.open(io.BytesIO(data), formats=FORMATS) as img:
                img.load()
                picture = _upright_rgb(img)
                # Only the pixels go on: Pillow would write the comment it read back
                # into the new file (its JPEG writer reads `info["comment"]`).
                picture.info = {}
        except ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse("too_many_pixels") from None
        except UnidentifiedImageError:
            raise _refuse("not_image") from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _refuse("broken") from None
    return ReadImage(**{name: _encode(picture, box) for name, box in RENDITIONS.items()})


def _upright_rgb(img: Image.Image) -> Image.Image:
    """The picture as people see it (EXIF orientation applied), on white where it was
    transparent, in RGB."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return img.convert("RGB")


def _encode(picture: Image.Image, box: tuple[int, int]) -> Rendition:
    copy = picture.copy()
    copy.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # No `exif=`, `icc_profile=`, `xmp=` or `comment=`, and `info` emptied: nothing but
    # the pixels is written (JFIF's APP0, tables, frame, scans: tests read the segments).
    copy.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return Rendition(out.getvalue(), copy.width, copy.height)


class ImageFields(models.Model):
    """An optional picture with its alternative text and credit, in two renditions
    with their dimensions (pages write `width` and `height`: nothing moves as it
    loads)."""

    image_large = models.FileField("image", max_length=200, blank=True)
    image_small = models.FileField("vignette", max_length=200, blank=True)
    image_width = models.PositiveIntegerField(null=True, blank=True)
    image_height = models.PositiveIntegerField(null=True, blank=True)
    image_small_width = models.PositiveIntegerField(null=True, blank=True)
    image_small_height = models.PositiveIntegerField(null=True, blank=True)
    image_alt = models.CharField("texte alternatif de l'image", max_length=180, blank=True)
    image_credit = models.CharField("crédit de l'image", max_length=120, blank=True)

    class Meta:
        abstract = True

    @property
    def has_image(self) -> bool:
        return bool(self.image_large)


def alt_required(prefix: str) -> models.CheckConstraint:
    """The database's side of "an image has its alternative text"."""
    return models.CheckConstraint(
        condition=models.Q(image_large="") | ~models.Q(image_alt=""),
        name=f"{prefix}_image_has_alt",
    )


@contextmanager
def stored(picture: ReadImage, *, folder: str) -> Iterator[Stored]:
    """Writes the renditions under new names (a changed picture never hides behind a
    cached copy); when the block raises (a refusal, a rollback), deletes them."""
    token = secrets.token_urlsafe(12)
    names = []
    try:
        for key, rendition in (("large", picture.large), ("small", picture.small)):
            names.append(
                default_storage.save(f"{folder}/{token}-{key}.jpg", ContentFile(rendition.content))
            )
        yield Stored(picture, names[0], names[1])
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


@dataclass(frozen=True)
class Stored:
    picture: ReadImage
    large_name: str
    small_name: str


def apply(obj: ImageFields, stored: Stored, *, alt: str, credit: str) -> list[str]:
    """Sets the fields to the stored files; returns the names the object had, for
    `remove_after_commit`. The caller saves `obj`."""
    old = names_of(obj)
    obj.image_large.name, obj.image_small.name = stored.large_name, stored.small_name
    p = stored.picture
    obj.image_width, obj.image_height = p.large.width, p.large.height
    obj.image_small_width, obj.image_small_height = p.small.width, p.small.height
    obj.image_alt, obj.image_credit = alt, credit
    return old


def clear(obj: ImageFields) -> list[str]:
    """Empties the fields; returns the names to remove after the commit."""
    old = names_of(obj)
    obj.image_large.name = obj.image_small.name = ""
    obj.image_width = obj.image_height = None
    obj.image_small_width = obj.image_small_height = None
    obj.image_alt = obj.image_credit = ""
    return old


def names_of(obj: ImageFields) -> list[str]:
    return [n for n in (obj.image_large.name, obj.image_small.name) if n]


def remove_after_commit(names: list[str]) -> None:
    """The files a change replaced, deleted once it is committed (a rollback keeps them,
    as the rows still name them)."""

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)


IMAGE_FIELDS = [
    "image_large",
    "image_small",
    "image_width",
    "image_height",
    "image_small_width",
    "image_small_height",
    "image_alt",
    "image_credit",
]


def save_image(obj: ImageFields, *, picture: ReadImage | None, alt: str, credit: str, folder: str):
    """The one write of a picture, inside the caller's transaction: a new picture (or
    none: only the texts change) with its alternative text and credit. The replaced
    files are deleted after the commit; the new ones if anything fails before it."""
    if picture is None:
        if not obj.has_image:  # removed by someone else since the form was shown
            raise Refusal("Choisissez une image.", code="image.missing")
        obj.image_alt, obj.image_credit = alt, credit
        obj.save(update_fields=["image_alt", "image_credit"])
        return
    with stored(picture, folder=folder) as files:
        old = apply(obj, files, alt=alt, credit=credit)
        obj.save(update_fields=IMAGE_FIELDS)
    remove_after_commit(old)


def delete_image(obj: ImageFields) -> None:
    old = clear(obj)
    obj.save(update_fields=IMAGE_FIELDS)
    remove_after_commit(old)


def copy_image(source: ImageFields, target: ImageFields, *, folder: str) -> None:
    """The target (a saved duplicate, without a picture) gets its own copy of the
    source's files: changing one copy's picture never deletes the other's."""
    if not source.has_image:
        return
    with stored(_picture_of(source), folder=folder) as files:
        apply(target, files, alt=source.image_alt, credit=source.image_credit)
        target.save(update_fields=IMAGE_FIELDS)


def _picture_of(obj: ImageFields) -> ReadImage:
    """The object's stored renditions, read back."""
    renditions = []
    for field, width, height in (
        (obj.image_large, obj.image_width, obj.image_height),
        (obj.image_small, obj.image_small_width, obj.image_small_height),
    ):
        with default_storage.open(field.name, "rb") as f:
            renditions.append(Rendition(f.read(), width, height))
    return ReadImage(*renditions)
