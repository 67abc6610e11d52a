"""« Écrire aux participants », from a session's participants page: the librarian's
message, e-mailed to each person booked (and, if ticked, waiting), once
(offers/services/session_messages.py)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.decorators import member_required
from offers.forms import SessionMessageForm
from offers.services import session_messages as services
from offers.views.offers import venue_time
from offers.views.sessions import _editable_session
from passlib.formats import count_fr
from passlib.refusal import Refusal


@member_required
@require_http_methods(["GET", "POST"])
def session_message(request: HttpRequest, public_id: UUID, session_id: UUID) -> HttpResponse:
    offer, session = _editable_session(request, public_id, session_id)
    back = redirect(
        "offers:session_participants", public_id=offer.public_id, session_id=session.public_id
    )
    status = 200
    if request.method == "POST":
        form = SessionMessageForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                written = services.session_message(
                    actor=request.user,
                    session=session,
                    text=form.cleaned_data["message"],
                    waiting=form.cleaned_data["waiting"],
                    key=form.cleaned_data["key"],
                )
            except Refusal as exc:
                if exc.code == "session_message.already_sent":
                    messages.info(request, exc.message)
                    return back
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Message envoyé à {count_fr(written, 'personne')}.")
                return back
    else:
        form = SessionMessageForm()
    ctx = {
        "offer": offer,
        "session": session,
        "form": form,
        "refusal": services.message_refusal(session),
        "booked": services.recipients_count(session, waiting=False),
        "with_waiting": services.recipients_count(session, waiting=True),
    }
    with venue_time(offer):
        return render(request, "offers/session_message.html", ctx, status=status)
