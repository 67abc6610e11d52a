"""Reads of the accounts app, always scoped to the person asking (accounts/policy.py
says which objects a person may see)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts import hours
from accounts.models import (
    OPEN_STATUSES,
    WEEKDAYS,
    ActionLog,
    Collectivite,
    HoursException,
    Membership,
    Role,
    Status,
    TerritoryOfficer,
    User,
    Venue,
)
from accounts.policy import (
    collectivites_reviewable_by,
    join_requests_reviewable_by,
    venues_reviewable_by,
)


def memberships_of(user: User) -> QuerySet[Membership]:
    """All the person's memberships, active or not, with their collectivité."""
    return (
        Membership.objects.filter(user=user)
        .select_related("collectivite", "requested_venue")
        .order_by("collectivite__name")
    )


def space_members(collectivite: Collectivite) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(collectivite=collectivite)
        .select_related("user", "requested_venue")
        .prefetch_related(Prefetch("venues", queryset=Venue.objects.order_by("name")))
        .order_by("status", "-role", "user__last_name", "user__first_name")
    )


def space_administrator_names(collectivite: Collectivite) -> list[str]:
    """Display names (never emails) of the validated administrators."""
    users = User.objects.filter(
        memberships__collectivite=collectivite,
        memberships__role=Role.ADMIN,
        memberships__status=Status.VALIDATED,
    ).order_by("last_name", "first_name")
    return [u.display_name for u in users]


def officers_for(departement: str) -> QuerySet[TerritoryOfficer]:
    return (
        TerritoryOfficer.objects.filter(departements__code=departement)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
        .distinct()
    )


def reviewers_for(departement: str) -> tuple[list[User], bool]:
    """Who reviews a signup of this département: its territory officers, or, when it has
    none, the site staff's national queue — (people, national)."""
    officers = [o.user for o in officers_for(departement)]
    if officers:
        return officers, False
    return list(User.objects.filter(is_staff=True, is_active=True).order_by("pk")), True


# --- review queue ---------------------------------------------------------------------


KINDS = {
    "collectivite": "Collectivité",
    "demande": "Demande de rattachement",
    "lieu": "Lieu",
}
FEMININE_KINDS = frozenset({"collectivite", "demande"})  # "validée" / "validé"
# What a decision did, as a past participle to agree with the kind (+ "e").
DECIDED = {
    Status.VALIDATED: "validé",
    Status.REJECTED: "rejeté",
    Status.PENDING: "mis",  # "mis en suspens"
}


@dataclass(frozen=True)
class ReviewFilters:
    status: str = "open"  # "open", "all", or a Status value
    departement: str = ""
    kind: str = ""
    date_from: date | None = None
    date_to: date | None = None
    hors_collectivite: bool = False
    non_verifie: bool = False


@dataclass(frozen=True)
class ReviewItem:
    kind: str
    obj: object
    created_at: object
    status: str
    departement: str
    collectivite: Collectivite

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return Status(self.status).label


def _filter(qs: QuerySet, f: ReviewFilters, *, prefix: str, dep_field: str, with_status=True):
    if with_status:
        if f.status == "open":
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif f.status in Status.values:
            qs = qs.filter(status=f.status)
    if f.departement:
        qs = qs.filter(**{dep_field: f.departement})
    if f.date_from:
        qs = qs.filter(created_at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(created_at__date__lte=f.date_to)
    if f.hors_collectivite:
        qs = qs.filter(**{f"{prefix}is_collectivite": False})
    if f.non_verifie:
        qs = qs.filter(**{f"{prefix}sirene_verified": False})
    return qs


def _scoped_querysets(user: User, f: ReviewFilters, *, with_status: bool = True) -> dict:
    querysets = {
        "collectivite": _filter(
            collectivites_reviewable_by(user),
            f,
            prefix="",
            dep_field="departement",
            with_status=with_status,
        ),
        "demande": _filter(
            join_requests_reviewable_by(user),
            f,
            prefix="collectivite__",
            dep_field="collectivite__departement",
            with_status=with_status,
        ),
        "lieu": _filter(
            venues_reviewable_by(user),
            f,
            prefix="collectivite__",
            dep_field="departement",
            with_status=with_status,
        ),
    }
    if f.kind in querysets:
        querysets = {f.kind: querysets[f.kind]}
    return querysets


def review_queue(user: User, f: ReviewFilters, *, offset: int, limit: int) -> tuple[list, int]:
    """One page of the officer's queue, newest first, across the three kinds.

    Three queries for the rows (each cut at offset + limit) and three for the total.
    """
    rows: list[ReviewItem] = []
    total = 0
    for kind, qs in _scoped_querysets(user, f).items():
        total += qs.count()
        for obj in qs.order_by("-created_at", "-pk")[: offset + limit]:
            collectivite = obj if kind == "collectivite" else obj.collectivite
            departement = collectivite.departement if kind != "lieu" else obj.departement
            rows.append(
                ReviewItem(kind, obj, obj.created_at, obj.status, departement, collectivite)
            )
    rows.sort(key=lambda r: r.created_at, reverse=True)
    return rows[offset : offset + limit], total


def review_counts(user: User, f: ReviewFilters) -> dict[str, int]:
    """Counts per status over the filtered scope (status filter ignored)."""
    counts = dict.fromkeys(Status.values, 0)
    for qs in _scoped_querysets(user, f, with_status=False).values():
        for row in qs.order_by().values("status").annotate(n=Count("pk", distinct=True)):
            counts[row["status"]] += row["n"]
    return counts


def history_of(obj) -> QuerySet[ActionLog]:
    qs = ActionLog.objects.select_related("actor").order_by("-created_at", "-id")
    if isinstance(obj, Collectivite):
        return qs.filter(collectivite=obj)
    if isinstance(obj, Venue):
        return qs.filter(venue=obj)
    return qs.filter(membership=obj)


def week_hours(venue: Venue) -> dict[int, list]:
    """The venue's intervals by weekday (0 = Monday), every day present (closed: [])."""
    week: dict[int, list] = {day: [] for day in range(len(WEEKDAYS))}
    for h in venue.opening_hours.all():
        week[h.weekday].append((h.opens, h.closes))
    return week


def upcoming_exceptions(venue: Venue, *, days: int | None = None) -> list[HoursException]:
    """The venue's exceptions from today (within `days` when given), soonest first."""
    today = timezone.localdate()
    qs = HoursException.objects.filter(venue=venue, day__gte=today)
    if days is not None:
        qs = qs.filter(day__lte=today + timedelta(days=days))
    return list(qs.order_by("day"))


@dataclass(frozen=True)
class DayHours:
    label: str
    text: str
    today: bool


def public_week(venue: Venue) -> list[DayHours]:
    """The week as the public page shows it, in French, today marked (in the venue's
    time zone)."""
    today = timezone.localtime(timezone=ZoneInfo(venue.time_zone)).weekday()
    return [
        DayHours(WEEKDAYS[day], hours.format_intervals(intervals), day == today)
        for day, intervals in week_hours(venue).items()
    ]
