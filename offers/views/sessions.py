"""Sessions of an event offer, for the venue: add one, program a series by rule
(preview, then create), edit or delete one or the following ones of its series."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import member_required
from offers import recurrence, rules
from offers.forms import RecurrenceForm, SessionCancelForm, SessionEditForm, SessionForm
from offers.models import Offer, Session
from offers.services import cancellations
from offers.services import sessions as services
from offers.views.offers import detail_context, editable_offer, venue_time
from passlib.formats import count_fr, session_time_fr
from passlib.refusal import Refusal, refusal_message


@member_required
@require_POST
def session_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    offer = editable_offer(request, public_id)
    with venue_time(offer):
        form = SessionForm(request.POST)
        if form.is_valid():
            try:
                session = services.session_add(actor=request.user, offer=offer, data=form.to_data())
            except ValidationError as exc:
                form.add_error(None, exc)
            except Refusal as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Séance ajoutée.")
                _warn_overlaps(request, offer, [session])
                return redirect("offers:detail", public_id=offer.public_id)
        return render(
            request, "offers/detail.html", detail_context(request, offer, form), status=400
        )


MAX_OVERLAP_WARNINGS = 5


def _when(session: Session, tz: str) -> str:
    return session_time_fr(session.starts_at, session.ends_at, weekday=True, tz=tz)


def _warn_overlaps(request: HttpRequest, offer: Offer, created: list[Session]) -> None:
    """Say which of the venue's other sessions the new ones overlap (offers/rules.py
    `overlaps_of`, one query): a warning, not a refusal — a library may run two
    workshops in two rooms at once."""
    tz = offer.venue.time_zone
    for session in created:
        session.offer = offer  # `ends_at` reads it
    clashes = rules.overlaps_of(offer.venue, created)
    for session, others in clashes[:MAX_OVERLAP_WARNINGS]:
        what = " et ".join(f"« {o.offer.title} » le {_when(o, tz)}" for o in others[:3])
        if len(others) > 3:
            what += " et " + count_fr(len(others) - 3, "autre séance", "autres séances")
        this = "cette séance" if len(created) == 1 else f"la séance du {_when(session, tz)}"
        messages.warning(request, f"Attention : {this} chevauche {what}.")
    if len(clashes) > MAX_OVERLAP_WARNINGS:
        rest = count_fr(
            len(clashes) - MAX_OVERLAP_WARNINGS,
            "autre séance de la série chevauche",
            "autres séances de la série chevauchent",
        )
        messages.warning(request, f"Attention : {rest} aussi une séance du lieu.")


def _series_preview(offer: Offer, form: RecurrenceForm) -> list[dict] | None:
    """The sessions of the rule still to come, each with its public holiday if any (then
    unticked; a number of dates goes on past it: offers/recurrence.py `plan`); None, with
    the error next to the field at fault, past the cap on sessions per offer."""
    rule = form.rule()
    room = recurrence.MAX_SESSIONS_PER_OFFER - offer.sessions.count()
    planned = recurrence.plan(
        rule, offer.venue.time_zone, offer.venue.departement, now=timezone.now()
    )
    working = [p for p in planned if not p.holiday]
    field = "count" if rule.count is not None else "until"
    if len(working) > room:
        more = "plus de " if len(working) > recurrence.MAX_SESSIONS_PER_OFFER else ""
        form.add_error(
            field,
            f"Cette règle donne {more}{count_fr(len(working), 'séance')} ; une offre compte au "
            f"plus {count_fr(recurrence.MAX_SESSIONS_PER_OFFER, 'séance')} et celle-ci peut "
            f"encore en recevoir {room}. Raccourcissez la période ou le nombre de dates.",
        )
        return None
    if not planned:
        form.add_error(None, "Cette règle ne donne aucune date à venir.")
        return None
    return [
        {"value": p.moment.isoformat(), "moment": p.moment, "holiday": p.holiday} for p in planned
    ]


def _preview_summary(form: RecurrenceForm, preview: list[dict]) -> dict:
    """What the preview's heading and its note say: the sessions to create (the holidays
    left out), over how many dates, and the holidays skipped."""
    working = [row for row in preview if not row["holiday"]]
    holidays = [row for row in preview if row["holiday"]]
    return {
        "rule": form.rule().describe(),
        "sessions": len(working),
        "dates": len({row["moment"].date() for row in working}),
        "holidays": list({row["moment"].date(): row for row in holidays}.values()),
        "by_count": form.cleaned_data["count"] is not None,
        "last": working[-1]["moment"] if working else None,
    }


@member_required
@require_http_methods(["GET", "POST"])
def session_series(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Sessions by rule: the form, then a preview of the dates (public holidays
    unticked), then the chosen dates created as one series."""
    offer = editable_offer(request, public_id)
    if not offer.is_event:
        raise Http404
    with venue_time(offer):
        form = RecurrenceForm(request.POST or None)
        preview = None
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                preview = _series_preview(offer, form)
            if preview is not None and "creer" in request.POST:
                chosen = set(request.POST.getlist("dates"))
                starts = [row["moment"] for row in preview if row["value"] in chosen]
                try:
                    created = services.sessions_add_series(
                        actor=request.user,
                        offer=offer,
                        starts=starts,
                        total_places=form.cleaned_data["total_places"],
                        quota=form.cleaned_data["quota"],
                        limit_before=form.limit_before(),
                        duration_minutes=form.cleaned_data["duration_minutes"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                except Refusal as exc:
                    form.add_error(None, exc.message)
                else:
                    messages.success(
                        request,
                        count_fr(len(created), "séance ajoutée", "séances ajoutées") + ".",
                    )
                    _warn_overlaps(request, offer, created)
                    return redirect("offers:detail", public_id=offer.public_id)
                for row in preview:
                    row["checked"] = row["value"] in chosen
            elif preview is not None:
                status = 200
                for row in preview:
                    row["checked"] = not row["holiday"]
        ctx = {"offer": offer, "form": form, "preview": preview}
        if preview is not None:
            ctx["summary"] = _preview_summary(form, preview)
        return render(request, "offers/session_series.html", ctx, status=status)


def _editable_session(request: HttpRequest, public_id: UUID, session_id: UUID):
    offer = editable_offer(request, public_id)
    # Through `offer.sessions`: the session's `offer` is this one (`ends_at` reads it).
    return offer, get_object_or_404(offer.sessions, public_id=session_id)


@member_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    offer, session = _editable_session(request, public_id, session_id)
    if session.is_cancelled:
        messages.error(request, "Cette séance est annulée : elle ne peut plus être modifiée.")
        return redirect("offers:detail", public_id=offer.public_id)
    following = services.following_in_series(session).count() if session.series else 1
    with venue_time(offer):
        if request.method == "POST":
            form = SessionEditForm(request.POST)
            if form.is_valid():
                together = following > 1 and form.cleaned_data["scope"] == "following"
                moved = form.cleaned_data["starts_at"] != session.starts_at
                try:
                    if together:
                        done = services.series_update(
                            actor=request.user, session=session, data=form.to_data()
                        )
                    else:
                        changed = services.session_update(
                            actor=request.user, session=session, data=form.to_data()
                        )
                except ValidationError as exc:
                    form.add_error(None, exc)
                except Refusal as exc:
                    form.add_error(None, exc.message)
                else:
                    done_text = (
                        count_fr(done, "séance modifiée", "séances modifiées")
                        if together
                        else "Séance modifiée"
                    )
                    told = (
                        " : les jeunes qui ont réservé et la liste d'attente sont prévenus "
                        "de la nouvelle date par message."
                        if moved
                        else "."
                    )
                    messages.success(request, done_text + told)
                    if moved and not together:  # the new date may clash like a new one
                        _warn_overlaps(request, offer, [changed])
                    return redirect("offers:detail", public_id=offer.public_id)
            status = 400
        else:
            form = SessionEditForm(
                initial={
                    "starts_at": timezone.localtime(session.starts_at),
                    "total_places": session.total_places,
                    "quota": session.quota,
                    "booking_limit_at": timezone.localtime(session.booking_limit_at),
                    "duration_minutes": session.duration_minutes,
                    "scope": "one",
                }
            )
            status = 200
        ctx = {"offer": offer, "session": session, "form": form, "following": following}
        return render(request, "offers/session_form.html", ctx, status=status)


@member_required
@require_POST
def session_delete(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    offer, session = _editable_session(request, public_id, session_id)
    try:
        services.session_remove(actor=request.user, session=session)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, "Séance supprimée.")
    return redirect("offers:detail", public_id=offer.public_id)


@member_required
@require_POST
def session_delete_following(
    request: HttpRequest, public_id: UUID, session_id: UUID
) -> HttpResponse:
    offer, session = _editable_session(request, public_id, session_id)
    try:
        deleted, kept = services.series_remove_following(actor=request.user, session=session)
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        kept_text = (
            " ; " + count_fr(kept, "gardée car déjà réservée", "gardées car déjà réservées")
            if kept
            else ""
        )
        deleted_text = count_fr(deleted, "séance supprimée", "séances supprimées")
        messages.success(request, f"{deleted_text}{kept_text}.")
    return redirect("offers:detail", public_id=offer.public_id)


def _cancelled_text(done: cancellations.Cancelled) -> str:
    """« Séance annulée : 5 réservations annulées et remboursées, 2 personnes de la liste
    d'attente prévenues. »"""
    what = "Séance annulée" if done.sessions == 1 else f"{done.sessions} séances annulées"
    booked = count_fr(
        done.bookings,
        "réservation annulée et remboursée",
        "réservations annulées et remboursées",
        none="aucune réservation",
    )
    waiting = count_fr(
        done.waiting,
        "personne de la liste d'attente prévenue",
        "personnes de la liste d'attente prévenues",
        none="personne en liste d'attente",
    )
    return f"{what} : {booked}, {waiting}."


def _cancel_page(request, offer, sessions, *, session=None) -> HttpResponse:
    """The confirmation page of a cancellation (one session, or every session to come
    of the offer), and its POST: the service decides, the page says what it did."""
    form = SessionCancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                if session is not None:
                    done = cancellations.session_cancel(
                        actor=request.user,
                        session=session,
                        reason=data["reason"],
                        comment=data["comment"],
                    )
                else:
                    done = cancellations.offer_cancel(
                        actor=request.user,
                        offer=offer,
                        reason=data["reason"],
                        comment=data["comment"],
                    )
            except Refusal as exc:
                if exc.code in ("session.already_cancelled", "offer.no_session_to_cancel"):
                    # A second click of the same form: answered, nothing done twice.
                    refusal_message(request, exc)
                    return redirect("offers:detail", public_id=offer.public_id)
                field = "comment" if exc.code == "session.cancel_comment" else None
                form.add_error(field, exc.message)
            else:
                messages.success(request, _cancelled_text(done))
                return redirect("offers:detail", public_id=offer.public_id)
    ctx = {
        "offer": offer,
        "session": session,
        "sessions": sessions,
        "form": form,
        "impact": cancellations.impact(sessions),
    }
    with venue_time(offer):
        return render(request, "offers/session_cancel.html", ctx, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def session_cancel(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    """« Annuler la séance »: the reason, what will happen, then the cancellation."""
    offer, session = _editable_session(request, public_id, session_id)
    if session.is_cancelled and request.method == "GET":
        messages.info(request, "Cette séance est déjà annulée.")
        return redirect("offers:detail", public_id=offer.public_id)
    return _cancel_page(request, offer, [session], session=session)


@member_required
@require_http_methods(["GET", "POST"])
def offer_cancel_sessions(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """« Annuler toutes les séances à venir » of an event offer."""
    offer = editable_offer(request, public_id)
    if not offer.is_event:
        raise Http404
    sessions = list(cancellations.sessions_to_come(offer, timezone.now()))
    if not sessions and request.method == "GET":
        messages.info(request, "Cette offre n'a aucune séance à venir à annuler.")
        return redirect("offers:detail", public_id=offer.public_id)
    return _cancel_page(request, offer, sessions)
