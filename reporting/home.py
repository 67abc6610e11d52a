"""What "Mon espace" tells a professional in the morning: the things to do, each with
its count and a link, today's and this week's sessions, the offers that end soon, what
their structures still wait for; and to a territory officer, the state of their queue.

Each item reads the rule where it lives (offers/rules.py, the policies, finance/); the
home only counts. Queries are bounded: one per item, whatever the data.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts import departements
from accounts.models import (
    OPEN_STATUSES,
    Collectivite,
    Invitation,
    Membership,
    Role,
    Status,
    Venue,
)
from accounts.policy import (
    collectivites_reviewable_by,
    join_requests_reviewable_by,
    managed_venue_ids,
    roles_of,
    venues_reviewable_by,
)
from accounts.selectors import ReviewFilters, review_counts
from finance.models import VenueBankAccount
from offers.models import (
    Booking,
    BookingStatus,
    CollectiveOffer,
    CollectiveRequest,
    Offer,
    OfferStatus,
    Registration,
    Session,
    WaitlistEntry,
)
from passlib.counts import COUNTS_CACHE_SECONDS, counts_generation
from passlib.formats import count_fr

SOON = timedelta(days=7)


@dataclass(frozen=True)
class Todo:
    label: str  # "3 offres en brouillon"
    count: int
    url: str
    link_text: str


@dataclass
class Scope:
    """The person's validated memberships (with their collectivité) and managed venues,
    read once for the whole home."""

    memberships: list
    venues: list[dict]

    @property
    def admin_collectivites(self) -> list[Collectivite]:
        return [m.collectivite for m in self.memberships if m.role == Role.ADMIN]

    @property
    def admin_of(self) -> list[int]:
        return [c.pk for c in self.admin_collectivites]


def scope_of(user) -> Scope:
    memberships = list(
        Membership.objects.filter(user=user, status=Status.VALIDATED)
        .select_related("collectivite")
        .order_by("collectivite__name")
    )
    venues = list(
        Venue.objects.filter(pk__in=managed_venue_ids(user))
        .order_by("name")
        .values("pk", "public_id", "name", "status", "collectivite_id")
    )
    return Scope(memberships, venues)


def _today_bounds(now):
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, time(0)))
    return start, start + timedelta(days=1)


def todos(user, *, now=None, scope: Scope | None = None) -> list[Todo]:
    now = now or timezone.now()
    scope = scope or scope_of(user)
    venues = [v["pk"] for v in scope.venues]
    admin_of = scope.admin_of
    names = {c.pk: c for c in scope.admin_collectivites}
    items: list[Todo] = []
    if admin_of:
        requests = (
            Membership.objects.filter(collectivite_id__in=admin_of, status__in=OPEN_STATUSES)
            .values("collectivite_id")
            .annotate(n=Count("pk"))
        )
        for row in requests:
            coll = names[row["collectivite_id"]]
            items.append(
                Todo(
                    count_fr(row["n"], "demande de rattachement", "demandes de rattachement")
                    + f" à {coll.name}",
                    row["n"],
                    reverse("accounts:space", args=[coll.public_id]),
                    "Examiner les demandes",
                )
            )
    invitations = Invitation.objects.filter(
        email__iexact=user.email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).count()
    if invitations:
        items.append(
            Todo(
                count_fr(invitations, "invitation vous attend", "invitations vous attendent")
                + " : ouvrez le lien envoyé à votre adresse électronique",
                invitations,
                reverse("accounts:dashboard"),
                "Voir mes structures",
            )
        )
    if venues:
        drafts = Offer.objects.filter(venue_id__in=venues, status=OfferStatus.DRAFT).count()
        if drafts:
            items.append(
                Todo(
                    count_fr(drafts, "offre en brouillon", "offres en brouillon"),
                    drafts,
                    reverse("offers:list") + "?status=draft",
                    "Voir les brouillons",
                )
            )
        answered = CollectiveOffer.objects.filter(request=OuterRef("pk"))
        unanswered = (
            CollectiveRequest.objects.filter(showcase__venue_id__in=venues)
            .exclude(Exists(answered))
            .count()
        )
        if unanswered:
            items.append(
                Todo(
                    count_fr(
                        unanswered,
                        "demande d'enseignant sans réponse",
                        "demandes d'enseignants sans réponse",
                    ),
                    unanswered,
                    reverse("offers:collective_list"),
                    "Répondre aux enseignants",
                )
            )
        start, end = _today_bounds(now)
        to_validate = Booking.objects.filter(
            venue_id__in=venues,
            status=BookingStatus.CONFIRMED,
            absent_at__isnull=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        ).count()
        if to_validate:
            items.append(
                Todo(
                    count_fr(
                        to_validate,
                        "réservation à valider aujourd'hui",
                        "réservations à valider aujourd'hui",
                    ),
                    to_validate,
                    reverse("offers:guichet"),
                    "Ouvrir le guichet",
                )
            )
    if admin_of:
        linked = VenueBankAccount.objects.filter(venue=OuterRef("pk"))
        without = (
            Venue.objects.filter(collectivite_id__in=admin_of)
            .exclude(Exists(linked))
            .values("collectivite__public_id")
            .annotate(n=Count("pk"))
        )
        for row in without:
            items.append(
                Todo(
                    count_fr(
                        row["n"],
                        "lieu sans coordonnées bancaires",
                        "lieux sans coordonnées bancaires",
                    ),
                    row["n"],
                    reverse("finance:home", args=[row["collectivite__public_id"]]),
                    "Ajouter des coordonnées bancaires",
                )
            )
    return items


def sessions_ahead(user, *, now=None, days: int = 7) -> list[dict]:
    """Today's and the coming days' sessions of the person's venues, with places taken
    and left by every channel (`Session.left_for_anyone`) and waiting (at most 50).
    Drafts' sessions are left out: nobody can book them (a deactivated offer's stay,
    its bookings are still honoured at the desk; docs/decisions.md)."""
    now = now or timezone.now()
    start, _ = _today_bounds(now)
    rows = list(
        Session.objects.filter(
            offer__venue_id__in=managed_venue_ids(user),
            starts_at__gte=start,
            starts_at__lt=start + timedelta(days=days),
        )
        .exclude(offer__status=OfferStatus.DRAFT)
        .order_by("starts_at", "pk")
        .values(
            "pk",
            "public_id",
            "starts_at",
            "quota",
            "total_places",
            "booked_count",
            "held_count",
            "other_count",
            "outside_places",
            "cancelled_at",
            "offer__public_id",
            "offer__title",
            "offer__venue__name",
        )[:50]
    )
    # The waiting lines of these sessions only (young people and other channels: one
    # line, offers/services/holds.py), one grouped query each.
    waiting = Counter()
    for model in (WaitlistEntry, Registration):
        line = model.objects.filter(session_id__in=[r["pk"] for r in rows], status="waiting")
        waiting.update(dict(line.values_list("session_id").annotate(n=Count("pk"))))
    today = timezone.localdate(now)
    result = []
    for r in rows:
        local = timezone.localtime(r["starts_at"])
        places = Session(
            quota=r["quota"],
            total_places=r["total_places"],
            booked_count=r["booked_count"],
            held_count=r["held_count"],
            other_count=r["other_count"],
            outside_places=r["outside_places"],
        )
        result.append(
            {
                "title": r["offer__title"],
                "venue": r["offer__venue__name"],
                "today": local.date() == today,
                "starts_at": local,
                # A cancelled session stays listed, marked « Annulée », without places
                # (its bookings were cancelled, its line closed: docs/decisions.md).
                "cancelled": r["cancelled_at"] is not None,
                # Every channel's participants; places left for anyone (of the total,
                # else of the quota: offers/models/places.py).
                "booked": r["booked_count"] + r["other_count"] + r["outside_places"],
                "left": None if r["cancelled_at"] else places.left_for_anyone,
                "waiting": waiting.get(r["pk"], 0),
                "url": reverse(
                    "offers:session_participants", args=[r["offer__public_id"], r["public_id"]]
                ),
            }
        )
    return result


def ending_soon(user, *, now=None) -> list[dict]:
    """Published offers whose last open session starts, or whose stock closes, within a
    week (at most 20)."""
    now = now or timezone.now()
    venues = managed_venue_ids(user)
    # A session this week and none after it: two EXISTS on the index (offer, starts_at)
    # instead of a MAX over every session of every offer.
    # A cancelled session is no date to come (it stays listed « Annulée » elsewhere).
    live = Session.objects.filter(offer=OuterRef("pk"), cancelled_at__isnull=True)
    week = live.filter(starts_at__gte=now, starts_at__lt=now + SOON)
    after = live.filter(starts_at__gte=now + SOON)
    last = (
        Offer.objects.filter(venue_id__in=venues, status=OfferStatus.PUBLISHED)
        .filter(Exists(week))
        .exclude(Exists(after))
        .annotate(last=Max("sessions__starts_at", filter=Q(sessions__cancelled_at__isnull=True)))
        .values("public_id", "title", "last")
        .order_by("last")[:20]
    )
    stocks = (
        Offer.objects.filter(
            venue_id__in=venues,
            status=OfferStatus.PUBLISHED,
            stock__booking_limit_date__gte=timezone.localdate(now),
            stock__booking_limit_date__lt=timezone.localdate(now) + SOON,
        )
        .values("public_id", "title", last=Max("stock__booking_limit_date"))
        .order_by("last")[:20]
    )
    rows = [{**r, "url": reverse("offers:detail", args=[r["public_id"]])} for r in [*last, *stocks]]
    return rows


def waiting_for_review(user, *, scope: Scope | None = None) -> list[dict]:
    """The person's collectivités and venues not validated yet, and what they wait for."""
    scope = scope or scope_of(user)
    rows = [
        {
            "label": m.collectivite.name,
            "status": m.collectivite.get_status_display(),
            "missing": "la validation de la collectivité par la personne chargée du territoire",
            "url": reverse("accounts:space", args=[m.collectivite.public_id]),
        }
        for m in scope.memberships
        if m.collectivite.status != Status.VALIDATED
    ]
    rows += [
        {
            "label": v["name"],
            "status": Status(v["status"]).label,
            "missing": "la validation du lieu par la personne chargée du territoire : ses offres "
            "ne sont pas encore visibles des jeunes",
            "url": "",
        }
        for v in scope.venues
        if v["status"] != Status.VALIDATED
    ]
    return rows


def officer_overview(user, *, oldest: int = 5) -> dict | None:
    """The officer's queue: counts per status (the queue's own), open dossiers per
    département and status (collectivités, venues, join requests), the oldest ones."""
    if not roles_of(user)["officer"]:
        return None
    per_dep: dict[str, Counter] = defaultdict(Counter)
    for qs, dep in (
        (collectivites_reviewable_by(user), "departement"),
        (venues_reviewable_by(user), "departement"),
        (join_requests_reviewable_by(user), "collectivite__departement"),
    ):
        rows = (
            qs.filter(status__in=OPEN_STATUSES)
            .order_by()
            .values(dep, "status")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            per_dep[row[dep]][row["status"]] += row["n"]
    oldest_rows = list(
        collectivites_reviewable_by(user)
        .filter(status__in=OPEN_STATUSES)
        .order_by("created_at", "pk")[:oldest]
    )
    return {
        "counts": review_counts(user, ReviewFilters()),
        "per_departement": [
            {
                "departement": code,
                "name": departements.name_of(code),
                "new": counts[Status.NEW],
                "pending": counts[Status.PENDING],
            }
            for code, counts in sorted(per_dep.items())
        ],
        "oldest": oldest_rows,
    }


def home_panels(request) -> dict | None:
    """The pro home's panel (accounts/home.py): to-dos, sessions, offers ending soon,
    reviews awaited; the officer's queue.

    Its markup is kept in the shared cache by `{% cache %}` (templates/reporting/
    _home.html) like the lists' counts (passlib/counts.py): per person and local day,
    until any write moves the counts' generation (the models read here are watched:
    reporting/apps.py), at most COUNTS_CACHE_SECONDS. Its data are read only when the
    markup is not there."""
    user = request.user
    roles = roles_of(user)
    if not (roles["member"] or roles["officer"]):
        return None
    return {
        "template": "reporting/_home.html",
        "cache_key": (counts_generation(), user.pk, timezone.localdate().isoformat()),
        "cache_seconds": COUNTS_CACHE_SECONDS,
        "data": SimpleLazyObject(lambda: _home_context(user, roles)),
    }


def _home_context(user, roles) -> dict:
    ctx: dict = {}
    if roles["member"]:
        scope = scope_of(user)
        ctx.update(
            todos=todos(user, scope=scope),
            sessions=sessions_ahead(user),
            ending=ending_soon(user),
            awaiting=waiting_for_review(user, scope=scope),
            statistics=_statistics_links(scope),
        )
    ctx["officer"] = officer_overview(user)
    return ctx


def _statistics_links(scope: Scope) -> list[dict]:
    """A collectivité's statistics for its administrators; a venue's for the venues
    managed elsewhere (an administrator reaches those from the collectivité's page,
    which links each of its venues')."""
    admin_of = set(scope.admin_of)
    links = [
        {
            "label": f"Statistiques de {c.name}",
            "url": reverse("reporting:collectivite", args=[c.public_id]),
        }
        for c in scope.admin_collectivites
    ]
    links += [
        {
            "label": f"Statistiques de {v['name']}",
            "url": reverse("reporting:venue", args=[v["public_id"]]),
        }
        for v in scope.venues
        if v["collectivite_id"] not in admin_of
    ]
    return links
