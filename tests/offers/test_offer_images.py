"""Offer pictures (issue 19, point 1): a real JPEG, PNG or WebP is stored re-encoded at
the sizes the pages need, without its EXIF; anything else is refused with a French
message and nothing is stored; the alternative text is required."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.urls import reverse
from PIL import Image

from offers.models import Action, Offer, Transition
from tests.factories import make_offer, make_session
from tests.images import SCRIPT_AS_JPG, SVG, huge_png_header, picture, upload

pytestmark = pytest.mark.django_db


def stored_files(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


@pytest.fixture
def offer(space):
    offer = make_offer(space["venue"], title="Club de lecture ados")
    make_session(offer)
    return offer


def post_image(client, offer, content, *, name="photo.jpg", alt="Des ados lisent", credit=""):
    return client.post(
        reverse("offers:image", args=[offer.public_id]),
        {"image": upload(content, name), "alt": alt, "credit": credit},
    )


@pytest.mark.parametrize(
    ("fmt", "mode", "name"),
    [("JPEG", "RGB", "photo.jpg"), ("PNG", "RGBA", "affiche.png"), ("WEBP", "RGB", "vue.webp")],
)
def test_a_real_picture_is_stored_resized_without_exif(
    login, owner, offer, _media_root, fmt, mode, name
):
    content = picture(fmt, (2400, 1600), mode=mode, exif=fmt != "PNG")
    if fmt != "PNG":
        assert b"CameraMaker" in content  # the upload carries EXIF
    response = post_image(login(owner), offer, content, name=name, credit="© Ville de Lyon")
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.has_image and offer.image_alt == "Des ados lisent"
    assert offer.image_credit == "© Ville de Lyon"
    assert (offer.image_width, offer.image_height) == (1200, 800)
    assert (offer.image_small_width, offer.image_small_height) == (400, 267)
    files = stored_files(_media_root)
    assert len(files) == 2
    for path, size in ((offer.image_large.path, (1200, 800)), (offer.image_small.path, (400, 267))):
        data = Path(path).read_bytes()
        assert b"CameraMaker" not in data and "Chloé".encode() not in data
        with Image.open(io.BytesIO(data)) as img:
            assert img.format == "JPEG" and img.size == size
            assert not img.getexif() and "icc_profile" not in img.info
    assert Transition.objects.filter(
        offer=offer, action=Action.OFFER_EDITED, comment="Image ajoutée"
    ).exists()


HOSTILE = {
    "a script renamed .jpg": (SCRIPT_AS_JPG, "photo.jpg", "n'est pas une image JPEG, PNG ou WebP"),
    "an SVG": (SVG, "logo.svg", "n'est pas une image JPEG, PNG ou WebP"),
    "a 20,000 × 20,000 pixel image": (
        huge_png_header(),
        "immense.png",
        "L'image est trop grande : au plus 40 millions de pixels",
    ),
    "a GIF": (picture("GIF", (800, 800), exif=False), "anim.gif", "n'est pas une image JPEG"),
    "a truncated JPEG": (picture("JPEG", (1600, 1200))[:2000], "coupee.jpg", "abîmée"),
    "a tiny image": (picture("PNG", (120, 90), exif=False), "icone.png", "trop petite"),
    "an empty file": (b"", "vide.jpg", ""),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_file_is_refused_in_french_and_nothing_is_stored(
    login, owner, offer, _media_root, case
):
    content, name, message = HOSTILE[case]
    response = post_image(login(owner), offer, content, name=name, alt="Une affiche")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert 'value="Une affiche"' in page  # what was typed is kept
    offer.refresh_from_db()
    assert not offer.has_image
    assert stored_files(_media_root) == []


def test_an_oversized_file_is_refused_before_it_is_read(login, owner, offer, _media_root, settings):
    settings.IMAGE_MAX_BYTES = 200_000
    noisy = Image.frombytes("RGB", (600, 600), os.urandom(600 * 600 * 3))
    out = io.BytesIO()
    noisy.save(out, "PNG")
    content = out.getvalue()
    assert len(content) > settings.IMAGE_MAX_BYTES
    response = post_image(login(owner), offer, content, name="lourde.png")
    assert response.status_code == 400
    assert "Le fichier dépasse 195 Ko." in response.content.decode()
    offer.refresh_from_db()
    assert not offer.has_image and stored_files(_media_root) == []


def test_the_default_limit_is_ten_megabytes(settings):
    from passlib.images import max_bytes, size_label

    assert max_bytes() == 10 * 1024 * 1024
    assert size_label(max_bytes()) == "10 Mo" and size_label(1536 * 1024) == "1,5 Mo"


def test_the_alternative_text_is_required(login, owner, offer, _media_root):
    response = post_image(login(owner), offer, picture(), alt="")
    assert response.status_code == 400
    assert "Ce champ est obligatoire" in response.content.decode()
    offer.refresh_from_db()
    assert not offer.has_image and stored_files(_media_root) == []


def test_the_database_refuses_a_picture_without_its_text(offer):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Offer.objects.filter(pk=offer.pk).update(image_large="offres/x.jpg", image_alt="")


def test_replacing_deletes_the_old_files_and_deleting_removes_them(
    login, owner, offer, _media_root, django_capture_on_commit_callbacks
):
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        post_image(client, offer, picture())
    offer.refresh_from_db()
    first = {offer.image_large.name, offer.image_small.name}
    with django_capture_on_commit_callbacks(execute=True):
        post_image(client, offer, picture("PNG", (900, 1200), exif=False), alt="Autre")
    offer.refresh_from_db()
    assert {offer.image_large.name, offer.image_small.name}.isdisjoint(first)
    assert (offer.image_width, offer.image_height) == (900, 1200)
    assert len(stored_files(_media_root)) == 2
    # Only the texts: no file needed once there is a picture.
    client.post(reverse("offers:image", args=[offer.public_id]), {"alt": "Texte revu"})
    offer.refresh_from_db()
    assert offer.image_alt == "Texte revu" and offer.has_image
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("offers:image_delete", args=[offer.public_id]))
    offer.refresh_from_db()
    assert not offer.has_image and stored_files(_media_root) == []


def test_a_duplicated_offer_owns_a_copy_of_the_picture(
    login, owner, offer, _media_root, django_capture_on_commit_callbacks
):
    client = login(owner)
    post_image(client, offer, picture())
    client.post(reverse("offers:duplicate", args=[offer.public_id]))
    copy = Offer.objects.exclude(pk=offer.pk).get()
    offer.refresh_from_db()
    assert copy.has_image and copy.image_large.name != offer.image_large.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("offers:image_delete", args=[copy.public_id]))
    assert Path(offer.image_large.path).exists()


def test_pages_show_the_picture_lazily_with_its_size(client, login, owner, offer):
    post_image(login(owner), offer, picture(), credit="© Ville de Lyon")
    offer.refresh_from_db()
    client.logout()
    catalog = client.get(reverse("offers:catalog")).content.decode()
    assert f'src="/media/{offer.image_small.name}" width="400" height="300"' in catalog
    assert 'alt="Des ados lisent" loading="lazy"' in catalog
    page = client.get(reverse("offers:catalog_offer", args=[offer.public_id])).content.decode()
    assert 'width="1200" height="900" alt="Des ados lisent"' in page
    assert "© Ville de Lyon" in page
    served = client.get(f"/media/{offer.image_small.name}")
    assert served.status_code == 200 and served["Cache-Control"].startswith("public")
    assert client.get("/media/../passlib/settings.py").status_code in (400, 404)
    assert client.get("/media/offres/inconnue.jpg").status_code == 404


def test_only_the_offers_editors_reach_its_picture(login, outsider, offer):
    response = post_image(login(outsider), offer, picture())
    assert response.status_code == 404
    offer.refresh_from_db()
    assert not offer.has_image


def test_several_nodes_store_pictures_in_an_s3_bucket():
    """MEDIA_S3_BUCKET switches the storage to django-storages' S3 backend (its lock:
    requirements/s3.txt); without it, local files served by the app."""
    import json
    import os
    import subprocess
    import sys

    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps([settings.STORAGES['default'], settings.MEDIA_S3_BUCKET]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "passlib.settings",
        "DEBUG": "true",
        "MEDIA_S3_BUCKET": "passlib-images",
        "MEDIA_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    storage, bucket = json.loads(out.stdout.strip().splitlines()[-1])
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == bucket == "passlib-images"
    assert storage["OPTIONS"]["endpoint_url"] == "https://s3.fr-par.scw.cloud"
    assert storage["OPTIONS"]["querystring_auth"] is False


@pytest.mark.parametrize(
    "name",
    ["../../passlib/settings.jpg", "photo\x00.php.jpg", "ａｆｆｉｃｈｅ.jpg", "x" * 300 + ".jpg"],
)
def test_the_senders_file_name_is_never_used(login, owner, offer, _media_root, name):
    response = post_image(login(owner), offer, picture(), name=name)
    assert response.status_code in (302, 400)
    offer.refresh_from_db()
    for path in stored_files(_media_root):
        relative = path.relative_to(_media_root).as_posix()
        assert relative.startswith(f"offres/{offer.public_id}/") and relative.endswith(".jpg")
        assert "settings" not in relative and "php" not in relative


def test_a_collective_offer_has_its_picture_on_the_teachers_list_and_its_copy(
    login, space, owner, _media_root, django_capture_on_commit_callbacks
):
    from offers.models import CollectiveOffer
    from tests.factories import make_collective_offer, make_school, make_teacher

    offer = make_collective_offer(space["venue"], title="Atelier théâtre", status="published")
    client = login(owner)
    url = reverse("offers:collective_image", args=["offres", offer.public_id])
    refused = client.post(url, {"image": upload(SVG, "x.svg"), "alt": "Une scène"})
    assert refused.status_code == 400 and stored_files(_media_root) == []
    assert client.post(url, {"image": upload(picture()), "alt": "Une scène"}).status_code == 302
    offer.refresh_from_db()
    assert offer.has_image and (offer.image_small_width, offer.image_small_height) == (400, 300)
    teacher = make_teacher(make_school())
    page = login(teacher).get(reverse("offers:teacher_offers")).content.decode()
    assert f'src="/media/{offer.image_small.name}" width="400" height="300"' in page
    assert 'alt="Une scène" loading="lazy"' in page
    client = login(owner)
    client.post(reverse("offers:collective_duplicate", args=["offres", offer.public_id]))
    copy = CollectiveOffer.objects.exclude(pk=offer.pk).get()
    assert copy.has_image and copy.image_large.name != offer.image_large.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("offers:collective_image_delete", args=["offres", copy.public_id]))
    assert Path(offer.image_large.path).exists() and len(stored_files(_media_root)) == 2
