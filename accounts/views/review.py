"""The territory officers' review queue, object pages with history, and actions."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import departements, policy, selectors
from accounts.decorators import confirmed_email_required
from accounts.forms import ReviewActionForm, ReviewFilterForm
from accounts.models import Status
from accounts.policy import officer_departements, require_officer
from accounts.services import review as review_services
from passlib import params
from passlib.formats import count_fr
from passlib.refusal import Refusal

PAGE_SIZE = 25
ACTION_SLUGS = {"valider": "validate", "rejeter": "reject", "suspendre": "hold"}


def _reviewable(request: HttpRequest, kind: str, public_id: UUID) -> Model:
    """The object if it lies in one of the officer's départements, else 404."""
    querysets = {
        "collectivite": policy.collectivites_reviewable_by,
        "demande": policy.join_requests_reviewable_by,
        "lieu": policy.venues_reviewable_by,
    }
    if kind not in querysets:
        raise Http404
    return get_object_or_404(querysets[kind](request.user), public_id=public_id)


@confirmed_email_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    require_officer(request.user)
    departement_codes = officer_departements(request.user)
    form = ReviewFilterForm(request.GET or None, departement_codes=departement_codes)
    filters = selectors.ReviewFilters()
    if form.is_valid():
        d = form.cleaned_data
        filters = selectors.ReviewFilters(
            status=d["status"] or "open",
            departement=d["departement"],
            kind=d["kind"],
            date_from=d["date_from"],
            date_to=d["date_to"],
            hors_collectivite=d["hors_collectivite"],
            non_verifie=d["non_verifie"],
        )
    page_number = params.page_number(request.GET.get("page"))
    offset = (page_number - 1) * PAGE_SIZE
    rows, total = selectors.review_queue(request.user, filters, offset=offset, limit=PAGE_SIZE)
    paginator = Paginator(range(total), PAGE_SIZE)
    page = paginator.get_page(page_number)
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "rows": rows,
        "total": total,
        "page": page,
        "query": query.urlencode(),
        "counts": [
            (Status(s).label, n) for s, n in selectors.review_counts(request.user, filters).items()
        ],
    }
    template = "accounts/review_queue.html"
    if request.htmx:
        template += "#results"
    return render(request, template, ctx)


@confirmed_email_required
@require_GET
def detail(request: HttpRequest, kind: str, public_id: UUID) -> HttpResponse:
    require_officer(request.user)
    obj = _reviewable(request, kind, public_id)
    ctx = {
        "kind": kind,
        "kind_label": selectors.KINDS[kind],
        "obj": obj,
        "history": selectors.history_of(obj),
        "form": ReviewActionForm(),
        "open": obj.status in (Status.NEW, Status.PENDING),
    }
    if kind == "collectivite" and obj.departement in departements.BY_CODE:
        ctx["departement_label"] = departements.BY_CODE[obj.departement].label
    return render(request, "accounts/review_detail.html", ctx)


@confirmed_email_required
@require_POST
def act(request: HttpRequest, kind: str, public_id: UUID, action: str) -> HttpResponse:
    require_officer(request.user)
    obj = _reviewable(request, kind, public_id)
    if action not in ACTION_SLUGS:
        messages.error(request, "Action inconnue.")
        return redirect("accounts:review_detail", kind=kind, public_id=public_id)
    form = ReviewActionForm(request.POST)
    try:
        if not form.is_valid():  # an unknown reason, a comment too long: said by the form
            raise Refusal("Vérifiez le motif et le commentaire.", code="review.invalid_form")
        review_services.review(
            actor=request.user,
            obj=obj,
            action=ACTION_SLUGS[action],
            reason=form.cleaned_data["reason"],
            comment=form.cleaned_data["comment"],
        )
    except Refusal as exc:
        ctx = {
            "kind": kind,
            "kind_label": selectors.KINDS[kind],
            "obj": obj,
            "history": selectors.history_of(obj),
            "form": form,
            "action_error": str(exc),
            "failed_action": action,
            "open": obj.status in (Status.NEW, Status.PENDING),
        }
        return render(request, "accounts/review_detail.html", ctx, status=400)
    messages.success(request, decision_message(kind, obj))
    return redirect("accounts:review_detail", kind=kind, public_id=public_id)


def decision_message(kind: str, obj) -> str:
    """ "Collectivité « X » validée.", "Lieu « Y » mis en suspens." (agreeing in gender)."""
    word = selectors.DECIDED.get(obj.status)
    if word is None:
        return f"{selectors.KINDS[kind]} « {obj} » : {obj.get_status_display()}."
    e = "e" if kind in selectors.FEMININE_KINDS else ""
    suffix = " en suspens" if obj.status == Status.PENDING else ""
    return f"{selectors.KINDS[kind]} « {obj} » {word}{e}{suffix}."


@confirmed_email_required
@require_POST
def batch_validate(request: HttpRequest) -> HttpResponse:
    """Validate every checked item (values "kind:uuid") the officer may review."""
    require_officer(request.user)
    objects = []
    for value in request.POST.getlist("items"):
        kind, _, raw_id = value.partition(":")
        try:
            objects.append(_reviewable(request, kind, UUID(raw_id)))
        except (ValueError, Http404):
            messages.error(request, "Un élément sélectionné est introuvable.")
    done, refused = review_services.review_batch_validate(actor=request.user, objects=objects)
    if done:
        messages.success(request, f"{count_fr(done, 'élément validé', 'éléments validés')}.")
    for message in refused:
        messages.error(request, message)
    if not objects:
        messages.warning(request, "Cochez au moins un élément à valider.")
    return redirect("accounts:review_queue")
