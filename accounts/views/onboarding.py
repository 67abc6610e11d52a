"""SIRET first, then case A (register the collectivité) or case B (join it)."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts import departements, selectors, sirene
from accounts.decorators import confirmed_email_required
from accounts.forms import CollectiviteForm, JoinForm, OfficerSearchForm, SiretForm, VenueForm
from accounts.legal_categories import is_collectivite, legal_category_label
from accounts.models import Collectivite
from accounts.services.onboarding import collectivite_register, join_request_create
from accounts.siret import clean_siret, format_siret, siren_of
from passlib.refusal import Refusal

_SESSION_KEY = "sirene_lookups"


def _remember_lookup(request: HttpRequest, siret: str, lookup: sirene.SireneLookup) -> None:
    lookups = request.session.get(_SESSION_KEY, {})
    lookups[siret] = {
        "record": asdict(lookup.record) if lookup.record else None,
        "notice": lookup.notice,
    }
    request.session[_SESSION_KEY] = lookups


def _recall_lookup(request: HttpRequest, siret: str) -> sirene.SireneLookup | None:
    stored = request.session.get(_SESSION_KEY, {}).get(siret)
    if stored is None:
        return None
    record = sirene.SireneRecord(**stored["record"]) if stored["record"] else None
    return sirene.SireneLookup(record=record, notice=stored["notice"])


def _siret_from_query(request: HttpRequest) -> str:
    try:
        return clean_siret(request.GET.get("siret", ""))
    except ValidationError:
        raise Http404("SIRET invalide") from None


@confirmed_email_required
@require_http_methods(["GET", "POST"])
def siret_step(request: HttpRequest) -> HttpResponse:
    form = SiretForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        siret = form.cleaned_data["siret"]
        if Collectivite.objects.filter(siren=siren_of(siret)).exists():
            return redirect(f"{reverse('accounts:join', args=[siren_of(siret)])}?siret={siret}")
        _remember_lookup(request, siret, sirene.lookup(siret))
        return redirect(f"{reverse('accounts:register')}?siret={siret}")
    return render(request, "accounts/siret.html", {"form": form})


@confirmed_email_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Case A: the collectivité is not registered yet."""
    siret = _siret_from_query(request)
    if Collectivite.objects.filter(siren=siren_of(siret)).exists():
        return redirect(f"{reverse('accounts:join', args=[siren_of(siret)])}?siret={siret}")
    lookup = _recall_lookup(request, siret)
    if lookup is None:
        lookup = sirene.lookup(siret)
        _remember_lookup(request, siret, lookup)
    record = lookup.record
    initial = {}
    if record:
        initial = {
            "name": record.name,
            "address": record.address,
            "postal_code": record.postal_code,
            "city": record.city,
            "legal_category_code": record.legal_category_code,
        }
    col_form = CollectiviteForm(request.POST or None, prefix="col", initial=initial)
    if record:
        # Sirene's legal category is authoritative when it answered.
        col_form.fields["legal_category_code"].disabled = True
        col_form.fields["legal_category_code"].required = False
    venue_form = VenueForm(request.POST or None, prefix="venue")
    if request.method == "POST":
        col_ok, venue_ok = col_form.is_valid(), venue_form.is_valid()
        if col_ok and venue_ok:
            try:
                collectivite = collectivite_register(
                    actor=request.user,
                    siret=siret,
                    data=col_form.to_data(),
                    venue=venue_form.to_data(),
                    sirene=record,
                )
            except Refusal as exc:
                col_form.add_error(None, exc.message)
            except ValidationError as exc:
                col_form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    "Votre inscription est enregistrée. Elle est en attente de validation : "
                    "voyez ci-dessous qui l'examinera.",
                )
                return redirect("accounts:space", public_id=collectivite.public_id)
    departement = (record.departement if record else "") or (
        departements.departement_from_postal_code(col_form["postal_code"].value() or "") or ""
    )
    ctx = {
        "siret": siret,
        "siret_display": format_siret(siret),
        "lookup": lookup,
        "legal_label": legal_category_label(record.legal_category_code) if record else "",
        # La Poste and others: known to Sirene, not a collectivité; said before signing up.
        "not_a_collectivite": bool(record)
        and not is_collectivite(record.legal_category_code, record.ape_code),
        "col_form": col_form,
        "venue_form": venue_form,
        "departement": departements.get(departement),
        "officers": selectors.officers_for(departement) if departement else [],
    }
    return render(request, "accounts/register.html", ctx)


@confirmed_email_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, siren: str) -> HttpResponse:
    """Case B: the collectivité is already registered; ask to join its space."""
    collectivite = get_object_or_404(Collectivite, siren=siren)
    existing = selectors.memberships_of(request.user).filter(collectivite=collectivite).first()
    venue_form = VenueForm(request.POST or None, prefix="venue")
    join_form = JoinForm(request.POST or None, prefix="join")
    if request.method == "POST" and existing is None:
        venue_ok, join_ok = venue_form.is_valid(), join_form.is_valid()
        if venue_ok and join_ok:
            try:
                join_request_create(
                    actor=request.user,
                    collectivite=collectivite,
                    venue=venue_form.to_data(),
                    message=join_form.cleaned_data["message"],
                )
            except Refusal as exc:
                join_form.add_error(None, exc.message)
            except ValidationError as exc:
                venue_form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    "Votre demande a été envoyée aux administrateurs de la collectivité. "
                    "Vous recevrez un message à votre adresse électronique dès qu'elle sera "
                    "traitée.",
                )
                return redirect("accounts:dashboard")
    ctx = {
        "collectivite": collectivite,
        "administrators": selectors.space_administrator_names(collectivite),
        "existing": existing,
        "venue_form": venue_form,
        "join_form": join_form,
    }
    return render(request, "accounts/join.html", ctx)


@require_GET
def officers_public(request: HttpRequest) -> HttpResponse:
    """Public page "Trouver la personne chargée de mon territoire"; htmx swaps only the results."""
    form = OfficerSearchForm(request.GET or None)
    departement = form.cleaned_data["departement"] if form.is_valid() else ""
    ctx = {
        "form": form,
        "departement": departements.get(departement),
        "officers": selectors.officers_for(departement) if departement else [],
    }
    template = "accounts/officers.html"
    if request.htmx:
        template += "#results"
    return render(request, template, ctx)
