"""A collectivité's shared space: venues, members, join requests, invitations."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import policy, selectors
from accounts.decorators import confirmed_email_required
from accounts.forms import InvitationForm, MemberForm, ReviewActionForm, VenueForm
from accounts.models import Collectivite, Invitation, Membership, Role, Status
from accounts.policy import active_membership, can_decide_join_request, require_admin
from accounts.services import review as review_services
from accounts.services import space as space_services
from passlib.middleware import private_page
from passlib.refusal import Refusal, refusal_message


def _space_for(request: HttpRequest, public_id: UUID) -> Collectivite:
    """The collectivité if the person is a validated member of it, else 404."""
    return get_object_or_404(policy.collectivites_of(request.user), public_id=public_id)


def _admin_space_for(request: HttpRequest, public_id: UUID) -> Collectivite:
    collectivite = _space_for(request, public_id)
    require_admin(request.user, collectivite)
    return collectivite


@confirmed_email_required
@require_GET
def space(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collectivite = _space_for(request, public_id)
    membership = active_membership(request.user, collectivite)
    is_admin = membership.role == Role.ADMIN
    ctx = {"collectivite": collectivite, "membership": membership, "is_admin": is_admin}
    if collectivite.status != Status.VALIDATED:
        reviewers, national = selectors.reviewers_for(collectivite.departement)
        ctx.update(
            reviewers=reviewers,
            reviewers_national=national,
            national_email=settings.NATIONAL_REVIEW_EMAIL,
        )
    if is_admin:
        members = list(selectors.space_members(collectivite))
        validated = [m for m in members if m.status == Status.VALIDATED]
        admins = [m for m in validated if m.role == Role.ADMIN]
        for m in validated:  # the last administrator cannot be removed (services.space)
            m.last_admin = admins == [m]
        ctx.update(
            venues=collectivite.venues.order_by("name"),
            members=validated,
            requests=[m for m in members if m.status in (Status.NEW, Status.PENDING)],
            invitations=collectivite.invitations.select_related("invited_by").order_by(
                "-created_at"
            )[:50],
            invitation_form=InvitationForm(collectivite=collectivite, prefix="inv"),
            reject_form=ReviewActionForm(),
            history=selectors.history_of(collectivite)[:30],
            role_choices=Role.choices,
        )
    else:
        ctx["venues"] = membership.venues.order_by("name")
    return render(request, "accounts/space.html", ctx)


@confirmed_email_required
@require_http_methods(["GET", "POST"])
def venue_add(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    form = VenueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            venue = space_services.venue_create(
                actor=request.user, collectivite=collectivite, data=form.to_data()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                f"Le lieu « {venue.name} » est ajouté. Il sera visible des jeunes après "
                "validation par la personne chargée du territoire.",
            )
            return redirect("accounts:space", public_id=collectivite.public_id)
    ctx = {"collectivite": collectivite, "form": form, "venue": None}
    return render(request, "accounts/venue_form.html", ctx)


@confirmed_email_required
@require_http_methods(["GET", "POST"])
def venue_edit(request: HttpRequest, public_id: UUID, venue_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    venue = get_object_or_404(collectivite.venues, public_id=venue_id)
    form = VenueForm(request.POST or None, instance=venue)
    if request.method == "POST" and form.is_valid():
        try:
            space_services.venue_update(actor=request.user, venue=venue, data=form.to_data())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Le lieu « {venue.name} » est enregistré.")
            return redirect("accounts:space", public_id=collectivite.public_id)
    ctx = {"collectivite": collectivite, "form": form, "venue": venue}
    return render(request, "accounts/venue_form.html", ctx)


def _member_of_space(collectivite: Collectivite, member_id: UUID) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "collectivite"),
        collectivite=collectivite,
        public_id=member_id,
    )


def _run(request: HttpRequest, collectivite: Collectivite, action, success: str):
    """Run a service; its refusal becomes an error message. Back to the space page."""
    try:
        action()
    except Refusal as exc:
        refusal_message(request, exc)
    else:
        messages.success(request, success)
    return redirect("accounts:space", public_id=collectivite.public_id)


@confirmed_email_required
@require_POST
def member_update(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    membership = _member_of_space(collectivite, member_id)
    form = MemberForm(request.POST, collectivite=collectivite)
    if not form.is_valid():
        messages.error(request, "Choix invalide : " + " ".join(form.errors.get("role", [])))
        return redirect("accounts:space", public_id=collectivite.public_id)
    return _run(
        request,
        collectivite,
        lambda: space_services.membership_update(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            venues=list(form.cleaned_data["venues"]),
        ),
        f"{membership.user.display_name} : modifications enregistrées.",
    )


@confirmed_email_required
@require_POST
def member_remove(request: HttpRequest, public_id: UUID, member_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    membership = _member_of_space(collectivite, member_id)
    return _run(
        request,
        collectivite,
        lambda: space_services.membership_remove(actor=request.user, membership=membership),
        f"{membership.user.display_name} a été retiré de l'espace.",
    )


@confirmed_email_required
@require_POST
def request_decide(
    request: HttpRequest, public_id: UUID, member_id: UUID, action: str
) -> HttpResponse:
    """An administrator approves or rejects a join request."""
    if action not in ("approuver", "rejeter"):
        raise Http404
    collectivite = _space_for(request, public_id)
    membership = _member_of_space(collectivite, member_id)
    if not can_decide_join_request(request.user, membership):
        raise PermissionDenied("Réservé aux administrateurs de la collectivité.")
    form = ReviewActionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Motif ou commentaire invalide : "
            + " ".join(form.errors.get("reason", []) + form.errors.get("comment", [])),
        )
        return redirect("accounts:space", public_id=collectivite.public_id)
    data = form.cleaned_data
    verb = "approuvée" if action == "approuver" else "refusée"
    return _run(
        request,
        collectivite,
        lambda: review_services.join_request_review(
            actor=request.user,
            membership=membership,
            action="validate" if action == "approuver" else "reject",
            reason=data.get("reason", ""),
            comment=data.get("comment", ""),
        ),
        f"La demande de {membership.user.display_name} est {verb}.",
    )


@confirmed_email_required
@require_POST
def invitation_create(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    form = InvitationForm(request.POST, collectivite=collectivite, prefix="inv")
    if form.is_valid():
        try:
            invitation = space_services.invitation_send(
                actor=request.user,
                collectivite=collectivite,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                venues=list(form.cleaned_data["venues"]),
            )
        except Refusal as exc:
            form.add_error("email", exc.message)
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("accounts:space", public_id=collectivite.public_id)
    ctx = {"collectivite": collectivite, "form": form}
    return render(request, "accounts/invitation_form.html", ctx, status=400)


def _invitation_of_space(collectivite: Collectivite, invitation_id: UUID) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("collectivite"),
        collectivite=collectivite,
        public_id=invitation_id,
    )


@confirmed_email_required
@require_POST
def invitation_resend(request: HttpRequest, public_id: UUID, invitation_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    invitation = _invitation_of_space(collectivite, invitation_id)
    return _run(
        request,
        collectivite,
        lambda: space_services.invitation_resend(actor=request.user, invitation=invitation),
        f"Invitation renvoyée à {invitation.email}.",
    )


@confirmed_email_required
@require_POST
def invitation_revoke(request: HttpRequest, public_id: UUID, invitation_id: UUID) -> HttpResponse:
    collectivite = _admin_space_for(request, public_id)
    invitation = _invitation_of_space(collectivite, invitation_id)
    return _run(
        request,
        collectivite,
        lambda: space_services.invitation_revoke(actor=request.user, invitation=invitation),
        f"Invitation à {invitation.email} révoquée.",
    )


@require_http_methods(["GET", "POST"])
@private_page
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = space_services.invitation_from_token(token)
    if invitation is None or not invitation.is_open:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        try:
            space_services.invitation_accept(user=request.user, invitation=invitation)
        except Refusal as exc:
            refusal_message(request, exc)
        else:
            messages.success(request, f"Bienvenue dans l'espace de {invitation.collectivite.name}.")
            return redirect("accounts:space", public_id=invitation.collectivite.public_id)
    ctx = {"invitation": invitation}
    return render(request, "accounts/invitation_accept.html", ctx)
