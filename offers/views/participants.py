"""A session's participants page, its one list (issue 30): pass Culture bookings and
people registered through other channels, their attendance, « Ajouter un participant »,
« Modifier » and « Annuler l'inscription », people counted at the door, the places a
library keeps on its own list, the printable sign-in sheet and the export. The session's
offer editors only (offers/views/sessions.py `_editable_session`: an outsider gets 404)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import member_required
from offers import exports, rules
from offers.forms import OutsidePlacesForm, RegistrationForm, WalkInForm
from offers.forms.registrations import errors_to
from offers.models import Channel, ExportLog, Registration, RegistrationStatus
from offers.selectors import participants as selectors
from offers.services import attendance, session_messages
from offers.services import bookings as booking_services
from offers.services import registrations as services
from offers.services.sessions import places_label
from offers.views.offers import venue_time
from offers.views.sessions import _editable_session
from passlib import params
from passlib.formats import count_fr
from passlib.refusal import Refusal, refusal_message

PRESENCE = (("present", "Présent"), ("absent", "Absent"))


# Attendance of a registration: « Non marqué » undoes a mis-click.
REGISTRATION_PRESENCE = (*PRESENCE, ("clear", "Non marqué"))
# The small forms sit low on a long page: the top says it too.
NOT_SAVED = "Rien n'a été enregistré : corrigez le formulaire « {} », plus bas."


def _back(offer, session):
    return redirect(
        "offers:session_participants", public_id=offer.public_id, session_id=session.public_id
    )


def _presence_open(offer, session) -> bool:
    opens = rules.presence_opens_at(session.starts_at, offer.venue.time_zone)
    return timezone.now() >= opens


def _page(request, offer, session, *, status=200, **forms) -> HttpResponse:
    """The list, its summary and its small forms (bound ones kept on an error)."""
    listing = selectors.session_list(session)
    sheet = request.GET.get("feuille") == "1"
    ctx = {
        "offer": offer,
        "session": session,
        "sheet": sheet,
        "rows": listing.sheet_rows if sheet else listing.rows,
        "counts": listing.counts,
        "waiting": listing.waiting,
        "places": places_label(session),
        "absence_open": rules.absence_open(session.starts_at, timezone.now()),
        "presence_open": _presence_open(offer, session),
        "may_write": session_messages.message_refusal(session) is None,
        "walk_in_form": forms.get("walk_in_form") or WalkInForm(),
        "outside_form": forms.get("outside_form")
        or OutsidePlacesForm(initial={"outside_places": session.outside_places}),
    }
    with venue_time(offer):
        return render(request, "offers/session_participants.html", ctx, status=status)


@member_required
@require_GET
def session_participants(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """Everyone of the session, whatever their channel, and a printable sign-in sheet."""
    offer, session = _editable_session(request, public_id, session_id)
    return _page(request, offer, session)


def _row(request, offer, session, row, error: str) -> HttpResponse:
    """The row alone, for htmx."""
    ctx = {
        "offer": offer,
        "session": session,
        "p": row,
        "row_error": error,
        "absence_open": rules.absence_open(session.starts_at, timezone.now()),
        "presence_open": _presence_open(offer, session),
    }
    with venue_time(offer):
        return render(request, "offers/session_participants.html#row", ctx)


def _marked(request, offer, session, name: str, mark: str, error: str) -> HttpResponse:
    if error:
        messages.error(request, f"{name} : {error}")
    else:
        said = {"present": "présent(e)", "absent": "absent(e)"}.get(mark, "présence effacée")
        messages.success(request, f"{name} : {said}.")
    return _back(offer, session)


@member_required
@require_POST
def session_attendance(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """Mark a young person present (validates the booking, as at the guichet) or absent
    (a no-show); the row comes back with htmx, the page without JavaScript."""
    offer, session = _editable_session(request, public_id, session_id)
    booking = get_object_or_404(
        session.bookings.select_related("beneficiary", "venue", "session"),
        public_id=params.uuid_or_404(request.POST.get("booking", "")),
    )
    mark = params.choice(request.POST.get("presence", ""), PRESENCE)
    error = ""
    try:
        if mark == "present":
            booking_services.booking_validate(actor=request.user, booking=booking)
        elif mark == "absent":
            attendance.booking_mark_absent(actor=request.user, booking=booking)
        else:
            error = "Choisissez « Présent » ou « Absent »."
    except Refusal as exc:
        error = exc.message
    booking.refresh_from_db()
    if request.htmx:
        return _row(request, offer, session, selectors.booking_row(booking), error)
    return _marked(request, offer, session, booking.beneficiary.display_name, mark, error)


def _registration(session, public_id) -> Registration:
    return get_object_or_404(
        Registration.objects.filter(session=session).select_related("session", "offer__venue"),
        public_id=public_id,
    )


@member_required
@require_POST
def registration_attendance(
    request: HttpRequest, public_id: UUID, session_id: UUID
) -> HttpResponse:
    """« Présent » / « Absent » for a person registered through another channel."""
    offer, session = _editable_session(request, public_id, session_id)
    registration_id = params.uuid_or_404(request.POST.get("registration", ""))
    if registration_id is None:
        raise Http404
    registration = _registration(session, registration_id)
    mark = params.choice(request.POST.get("presence", ""), REGISTRATION_PRESENCE)
    error = ""
    try:
        if mark:
            registration = services.registration_mark(
                actor=request.user,
                registration=registration,
                attendance="" if mark == "clear" else mark,
            )
        else:
            error = "Choisissez « Présent » ou « Absent »."
    except Refusal as exc:
        error = exc.message
    if request.htmx:
        return _row(request, offer, session, selectors.registration_row(registration), error)
    return _marked(request, offer, session, registration.name or "Sans nom", mark, error)


def _who(registration: Registration) -> str:
    """ "Famille Martin (3 places)"."""
    return f"{registration.name or 'Sans nom'} ({count_fr(registration.places, 'place')})"


def _added_text(registration: Registration) -> str:
    if registration.status == RegistrationStatus.WAITING:
        rank = selectors.line_rank(registration)
        return f"{_who(registration)} : sur la liste d'attente (n° {rank})."
    return f"{_who(registration)} : inscription enregistrée."


def _form_page(request, offer, session, form, *, registration=None, status=200):
    ctx = {
        "offer": offer,
        "session": session,
        "form": form,
        "registration": registration,
        "places": places_label(session),
    }
    with venue_time(offer):
        return render(request, "offers/registration_form.html", ctx, status=status)


def _closed(request, offer, session) -> HttpResponse | None:
    if session.is_cancelled:
        messages.error(request, "Cette séance est annulée : on ne peut plus s'y inscrire.")
        return _back(offer, session)
    return None


@member_required
@require_http_methods(["GET", "POST"])
def registration_add(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """« Ajouter un participant »: a person registered at the desk, by phone, by
    e-mail or in another tool."""
    offer, session = _editable_session(request, public_id, session_id)
    if closed := _closed(request, offer, session):
        return closed
    posted = request.method == "POST"
    form = RegistrationForm(request.POST if posted else None)
    if posted and form.is_valid():
        try:
            registration = services.registration_add(
                actor=request.user,
                target=session,
                data=form.to_data(),
                waitlist=form.cleaned_data["waitlist"],
            )
        except ValidationError as exc:
            errors_to(form, exc)
        except Refusal as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _added_text(registration))
            return _back(offer, session)
    return _form_page(request, offer, session, form, status=400 if posted else 200)


@member_required
@require_http_methods(["GET", "POST"])
def registration_edit(
    request: HttpRequest, public_id: UUID, session_id: UUID, registration_id: UUID
) -> HttpResponse:
    """« Modifier »: the registration's details; more places if they fit, fewer go to
    the waiting list at once."""
    offer, session = _editable_session(request, public_id, session_id)
    registration = _registration(session, registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        messages.error(request, "Cette inscription est annulée : elle ne peut plus être modifiée.")
        return _back(offer, session)
    posted = request.method == "POST"
    walk_in = registration.channel == Channel.WALK_IN
    form = RegistrationForm(
        request.POST if posted else None,
        initial=RegistrationForm.initial_of(registration),
        walk_in=walk_in,
        editing=True,
    )
    if posted and form.is_valid():
        try:
            changed = services.registration_change(
                actor=request.user, registration=registration, data=form.to_data()
            )
        except ValidationError as exc:
            errors_to(form, exc)
        except Refusal as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{_who(changed)} : inscription modifiée.")
            return _back(offer, session)
    status = 400 if posted else 200
    return _form_page(request, offer, session, form, registration=registration, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def registration_cancel(
    request: HttpRequest, public_id: UUID, session_id: UUID, registration_id: UUID
) -> HttpResponse:
    """« Annuler l'inscription »: a confirmation, then its places go to the waiting list
    first."""
    offer, session = _editable_session(request, public_id, session_id)
    registration = _registration(session, registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        messages.info(request, "Cette inscription est déjà annulée.")
        return _back(offer, session)
    if request.method == "POST":
        waiting = registration.status == RegistrationStatus.WAITING
        try:
            services.registration_cancel(actor=request.user, registration=registration)
        except Refusal as exc:
            refusal_message(request, exc)
        else:
            if waiting:
                said = "n'est plus sur la liste d'attente."
            elif registration.takes_places:
                said = (
                    "inscription annulée ; ses places vont d'abord à la liste d'attente, "
                    "puis à tout le monde."
                )
            else:
                said = "inscription annulée."
            messages.success(request, f"{_who(registration)} : {said}")
        return _back(offer, session)
    ctx = {"offer": offer, "session": session, "registration": registration}
    with venue_time(offer):
        return render(request, "offers/registration_cancel.html", ctx)


@member_required
@require_POST
def walk_ins(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """« Compter des personnes venues sans inscription »: present, without a place."""
    offer, session = _editable_session(request, public_id, session_id)
    if closed := _closed(request, offer, session):
        return closed
    form = WalkInForm(request.POST)
    if form.is_valid():
        try:
            services.registration_add(actor=request.user, target=session, data=form.to_data())
        except ValidationError as exc:
            errors_to(form, exc)
        except Refusal as exc:
            form.add_error(None, exc.message)
        else:
            counted = count_fr(
                form.cleaned_data["places"],
                "personne venue sans inscription comptée",
                "personnes venues sans inscription comptées",
            )
            messages.success(request, f"{counted}.")
            return _back(offer, session)
    said = form.non_field_errors()
    messages.error(
        request,
        said[0] if said else NOT_SAVED.format("Compter des personnes venues sans inscription"),
    )
    return _page(request, offer, session, status=400, walk_in_form=form)


@member_required
@require_POST
def outside_places(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """« Places déjà prises hors pass Culture »: the number a library keeps on its list."""
    offer, session = _editable_session(request, public_id, session_id)
    if closed := _closed(request, offer, session):
        return closed
    form = OutsidePlacesForm(request.POST)
    if form.is_valid():
        try:
            session = services.outside_places_set(
                actor=request.user, session=session, places=form.cleaned_data["outside_places"]
            )
        except ValidationError as exc:
            errors_to(form, exc)
        except Refusal as exc:
            form.add_error(None, exc.message)
        else:
            kept = count_fr(session.outside_places, "place", none="aucune place")
            messages.success(request, f"Places déjà prises hors pass Culture : {kept}.")
            return _back(offer, session)
    messages.error(request, NOT_SAVED.format("Places déjà prises hors pass Culture"))
    return _page(request, offer, session, status=400, outside_form=form)


@member_required
@require_GET
def participants_export(
    request: HttpRequest, public_id: UUID, session_id: UUID, fmt: str
) -> HttpResponse:
    """The session's participants, every channel, as CSV or XLSX (logged)."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    offer, session = _editable_session(request, public_id, session_id)
    rows = exports.participant_rows(selectors.session_list(session).rows, offer.venue.time_zone)
    ExportLog.objects.create(
        actor=request.user, kind="participants", fmt=fmt, filters=f"seance={session.public_id}"
    )
    with venue_time(offer):
        stamp = timezone.localtime(session.starts_at).strftime("%Y%m%d-%H%M")
    name = f"participants-{stamp}.{fmt}"
    if fmt == "xlsx":
        return exports.xlsx_response_rows(
            exports.PARTICIPANT_COLUMNS, rows, name, sheet="Participants"
        )
    return exports.csv_response_rows(exports.PARTICIPANT_COLUMNS, rows, name)
