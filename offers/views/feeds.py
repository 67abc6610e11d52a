"""Public feeds of a programme (offers/feeds.py): no login, cacheable by proxies and the
library's website for a quarter of an hour."""

from __future__ import annotations

import json
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from accounts.models import Collectivite, Status, Venue
from offers import feeds

MAX_AGE = 15 * 60


def _answer(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"  # a library's website reads it
    patch_cache_control(response, public=True, max_age=MAX_AGE)
    return response


def _scope(kind: str, public_id: UUID) -> tuple[list[int], str]:
    if kind not in ("collectivite", "lieu"):
        raise Http404("Programme introuvable.")
    if kind == "collectivite":
        collectivite = get_object_or_404(Collectivite, public_id=public_id, status=Status.VALIDATED)
        return list(collectivite.venues.values_list("pk", flat=True)), collectivite.name
    venue = get_object_or_404(Venue, public_id=public_id, status=Status.VALIDATED)
    return [venue.pk], venue.display_name


@require_GET
def programme(request: HttpRequest, kind: str, public_id: UUID, fmt: str) -> HttpResponse:
    venue_ids, name = _scope(kind, public_id)
    if fmt not in ("json", "ics"):
        raise Http404("Format inconnu : .json ou .ics.")
    if fmt == "json":
        document = feeds.programme(venue_ids, name=name)
        body = json.dumps(document, ensure_ascii=False, indent=1).encode()
        return _answer(body, "application/json; charset=utf-8", "programme.json")
    return _answer(
        feeds.programme_ics(venue_ids, name=name), "text/calendar; charset=utf-8", "programme.ics"
    )
