"""« Importer des inscriptions (CSV) », from a session's participants page: the file,
its preview line by line, then « Importer » (offers/imports.py,
offers/services/registrations_import.py), and the model file to fill in."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from offers import imports
from offers.exports import csv_response_rows
from offers.forms.registrations_import import ImportConfirmForm, ImportFileForm
from offers.models.registrations import MAX_PARTY
from offers.services import registrations_import as services
from offers.views.offers import venue_time
from offers.views.sessions import _editable_session
from passlib.refusal import Refusal


def _page(request, offer, session, *, form, preview=None, refusal="", status=200):
    ctx = {
        "offer": offer,
        "session": session,
        "form": form,
        "preview": preview,
        "refusal": refusal,
        "closed": services.import_refusal(session),
        "left": session.places_left,
        "headers": imports.HEADERS,
        "max_lines": imports.MAX_LINES,
        "max_kb": imports.MAX_BYTES // 1024,
        "max_party": MAX_PARTY,
    }
    with venue_time(offer):
        return render(request, "offers/registrations_import.html", ctx, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def registrations_import(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """The file (GET), then its preview (POST): nothing is written here."""
    offer, session = _editable_session(request, public_id, session_id)
    if request.method == "GET":
        return _page(request, offer, session, form=ImportFileForm())
    form = ImportFileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, offer, session, form=form, status=400)
    preview = services.preview(
        target=session,
        content=form.cleaned_data["file"],
        default_channel=form.cleaned_data["channel"],
    )
    kept = ImportFileForm(initial={"channel": form.cleaned_data["channel"]})  # as chosen
    return _page(request, offer, session, form=kept, preview=preview)


@member_required
@require_POST
def registrations_import_confirm(
    request: HttpRequest, public_id: UUID, session_id: UUID
) -> HttpResponse:
    """« Importer n inscriptions »: the preview's signed lines, all or nothing."""
    offer, session = _editable_session(request, public_id, session_id)
    back = redirect(
        "offers:session_participants", public_id=offer.public_id, session_id=session.public_id
    )
    form = ImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise Refusal(
                "Cet aperçu n'est pas valable : choisissez le fichier à nouveau. Rien n'a été "
                "importé.",
                code="import.tampered",
            )
        key, rows = services.read_rows(
            form.cleaned_data["payload"], target=services.target_ref(session)
        )
        count, places = services.registrations_import(
            actor=request.user, target=session, rows=rows, key=key
        )
    except Refusal as exc:
        if exc.code == "registrations_import.done":
            messages.info(request, exc.message)
            return back
        session.refresh_from_db()
        status = 409 if exc.code == "registrations_import.full" else 400
        return _page(
            request, offer, session, form=ImportFileForm(), refusal=exc.message, status=status
        )
    messages.success(request, services.imported_label(count, places) + ".")
    return back


@member_required
@require_GET
def registrations_import_model(
    request: HttpRequest, public_id: UUID, session_id: UUID
) -> HttpResponse:
    """« Télécharger un modèle (CSV) »: the columns and two example lines."""
    _editable_session(request, public_id, session_id)
    return csv_response_rows(imports.HEADERS, imports.MODEL_ROWS, "modele-inscriptions.csv")
