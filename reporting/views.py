"""Statistics of a collectivité (its administrators) and of a venue (its members), the
year's activity report, and the territory view of an officer (read-only)."""

from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from accounts import departements
from accounts.decorators import member_required, pro_required
from accounts.models import Venue
from accounts.policy import (
    collectivites_of,
    officer_departements,
    require_admin,
    require_officer,
    venues_managed_by,
)
from offers.models import Offer, OfferStatus
from passlib.formats import count_fr
from passlib.params import choice
from reporting import documents
from reporting.channels import CHANNELS
from reporting.figures import (
    AGES,
    CURRENT_YEAR_SECONDS,
    LABELS,
    cached_year_figures,
    figures_key,
)
from reporting.present import (
    channel_month_rows,
    channel_rows,
    charts,
    chosen_year,
    monthly_rows,
    public_rows,
    summary,
    years,
)


def _page(request, *, venue_ids: list[int], year: int, title: str, scope: str, extra=None):
    """The statistics page. Its figures' markup (a few hundred values and four charts) is
    kept by `{% cache %}` under the figures' own key and the instant they were computed:
    while the figures are cached, so is their markup, and what it shows is never older
    than them. The charts and tables are built only when the markup is not cached."""
    figures, computed_at = cached_year_figures(venue_ids, year)
    ctx = {
        "computed_at": computed_at,
        "refresh_minutes": CURRENT_YEAR_SECONDS // 60,
        "markup_key": (figures_key(venue_ids, year), computed_at.isoformat()),
        "markup_seconds": CURRENT_YEAR_SECONDS,
        "title": title,
        "scope": scope,
        "figures": figures,
        "charts": SimpleLazyObject(lambda: charts(figures)),
        "monthly": SimpleLazyObject(lambda: monthly_rows(figures)),
        "labels": list(LABELS.values()),
        "summary": SimpleLazyObject(lambda: summary(figures)),
        "ages": SimpleLazyObject(lambda: _ages(figures)),
        "public": SimpleLazyObject(lambda: public_rows(figures)),
        "channels": SimpleLazyObject(lambda: channel_rows(figures)),
        "channel_months": SimpleLazyObject(lambda: channel_month_rows(figures)),
        "channel_labels": list(CHANNELS.values()),
        "years": years(),
        "year": figures.year,
        **(extra or {}),
    }
    return render(request, "reporting/statistics.html", ctx)


def _ages(figures) -> list[tuple[str, int]]:
    return [(f"{a} ans" if a in AGES else "autre âge", n) for a, n in figures.by_age.items()]


def _admin_collectivite(request: HttpRequest, public_id: UUID):
    collectivite = get_object_or_404(collectivites_of(request.user), public_id=public_id)
    require_admin(request.user, collectivite)
    return collectivite


@member_required
@require_GET
def collectivite_statistics(request: HttpRequest, public_id: UUID) -> HttpResponse:
    collectivite = _admin_collectivite(request, public_id)
    year = chosen_year(request.GET.get("annee"))
    # each venue's own page (its administrators reach them from here)
    venue_pages = list(collectivite.venues.order_by("name").values("pk", "public_id", "name"))
    venue_ids = [v["pk"] for v in venue_pages]
    return _page(
        request,
        venue_ids=venue_ids,
        year=year,
        title=f"Statistiques {year} — {collectivite.name}",
        scope=f"Tous les lieux de la collectivité ({len(venue_ids)})",
        extra={"collectivite": collectivite, "venue_pages": venue_pages},
    )


@member_required
@require_GET
def venue_statistics(request: HttpRequest, public_id: UUID) -> HttpResponse:
    venue = get_object_or_404(venues_managed_by(request.user), public_id=public_id)
    year = chosen_year(request.GET.get("annee"))
    return _page(
        request,
        venue_ids=[venue.pk],
        year=year,
        title=f"Statistiques {year} — {venue.name}",
        scope=f"Le lieu {venue.name}",
        extra={"venue": venue},
    )


@member_required
@require_GET
def activity_report(request: HttpRequest, public_id: UUID, fmt: str) -> HttpResponse:
    collectivite = _admin_collectivite(request, public_id)
    year = chosen_year(request.GET.get("annee"))
    venue_ids = list(collectivite.venues.values_list("pk", flat=True))
    figures, _ = cached_year_figures(venue_ids, year)
    name = f"rapport-pass-culture-{year}"
    if fmt == "pdf":
        body = documents.report_pdf(
            figures,
            collectivite_name=collectivite.name,
            scope=count_fr(len(venue_ids), "lieu", "lieux"),
        )
        response = HttpResponse(body, content_type="application/pdf")
    else:
        body = documents.report_xlsx(figures, f"Rapport d'activité {year} — {collectivite.name}")
        response = HttpResponse(
            body,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@pro_required
@require_GET
def territory(request: HttpRequest) -> HttpResponse:
    require_officer(request.user)
    deps = sorted(officer_departements(request.user))
    dep_choices = [(code, f"{code} — {departements.name_of(code)}") for code in deps]
    chosen = choice(request.GET.get("departement"), dep_choices)
    scope_deps = [chosen] if chosen else deps
    year = chosen_year(request.GET.get("annee"))
    venues = Venue.objects.filter(departement__in=scope_deps)
    venue_ids = list(venues.values_list("pk", flat=True))
    extra = {
        "departement_choices": dep_choices,
        "departement": chosen,
        "territory": {
            "venues": len(venue_ids),
            "offers": Offer.objects.filter(
                venue_id__in=venue_ids, status=OfferStatus.PUBLISHED
            ).count(),
        },
    }
    label = (
        f"{chosen} — {departements.name_of(chosen)}"
        if chosen
        else count_fr(len(deps), "département")
    )
    return _page(
        request,
        venue_ids=venue_ids,
        year=year,
        title=f"Territoire {year} — {label}",
        scope=f"Lieux des départements que vous suivez ({label})",
        extra=extra,
    )
