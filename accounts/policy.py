"""Who may see and do what in the accounts app, and the roles every app asks about.

The access policy of the accounts app (Wagtail's permission policies are the model): it
answers "may this person do X to this object" (`is_admin`, `can_manage_venue`,
`can_review`, `can_decide_join_request`) and "which objects may this person see"
(`collectivites_of`, `venues_managed_by`, `*_reviewable_by`). Views, services,
selectors, the navigation and offers/policy.py ask it; nothing else decides.

Scope (SPEC §1): objects outside a person's scope answer 404 (views fetch through these
querysets); inside the scope, a missing right answers 403 (`require_*`).

A person's roles and managed venues are read once per request, in one query, into a
`Person` kept by `person_of` (see there).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, Q, QuerySet
from django.utils.functional import empty

from accounts import departements
from accounts.models import (
    Beneficiary,
    Collectivite,
    Membership,
    OfficerDepartement,
    Role,
    Status,
    Teacher,
    User,
    Venue,
)
from passlib.sql import CompiledQuery

ROLES = ("member", "officer", "teacher", "beneficiary")
NO_ROLES = dict.fromkeys(ROLES, False)

# --- which objects may this person see ----------------------------------------------------


def _venues_managed_by_id(user_id) -> QuerySet[Venue]:
    admin_of = Membership.objects.filter(
        user_id=user_id, status=Status.VALIDATED, role=Role.ADMIN
    ).values("collectivite_id")
    member_venues = Membership.venues.through.objects.filter(
        membership__user_id=user_id,
        membership__status=Status.VALIDATED,
        membership__role=Role.MEMBER,
    ).values("venue_id")
    return Venue.objects.filter(Q(collectivite_id__in=admin_of) | Q(pk__in=member_venues))


def venues_managed_by(user: User) -> QuerySet[Venue]:
    """Venues the person manages: every venue of a collectivité they administer, the
    venues given to them where they are a member. The one form of the rule: the
    per-request `Person` reads it too (its ids: `managed_venue_ids`).

    Two plain sub-selects (no join, no DISTINCT), so it stays cheap inside other queries.
    """
    if not user.is_authenticated:
        return Venue.objects.none()
    return _venues_managed_by_id(user.pk).select_related("collectivite")


def collectivites_of(user: User) -> QuerySet[Collectivite]:
    """Collectivités where the person has a validated membership (any role)."""
    if not user.is_authenticated:
        return Collectivite.objects.none()
    return Collectivite.objects.filter(memberships__user=user, memberships__status=Status.VALIDATED)


def collectivites_reviewable_by(user: User) -> QuerySet[Collectivite]:
    return Collectivite.objects.filter(departement__in=officer_departements(user))


def venues_reviewable_by(user: User) -> QuerySet[Venue]:
    return Venue.objects.filter(departement__in=officer_departements(user)).select_related(
        "collectivite", "created_by"
    )


def join_requests_reviewable_by(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(
        collectivite__departement__in=officer_departements(user), requested_venue__isnull=False
    ).select_related("collectivite", "user", "requested_venue")


# --- the person, read once per request -------------------------------------------------------


def _person_query(user_id) -> QuerySet:
    # Named role_* : "officer", "teacher" and "beneficiary" are reverse relations of User.
    roles = User.objects.filter(pk=user_id).annotate(
        role_member=Exists(Membership.objects.filter(user_id=user_id, status=Status.VALIDATED)),
        # Site staff are the national team: they review what no officer covers.
        role_officer=ExpressionWrapper(
            Q(is_staff=True)
            | Q(Exists(OfficerDepartement.objects.filter(officer__user_id=user_id))),
            output_field=BooleanField(),
        ),
        role_teacher=Exists(Teacher.objects.filter(user_id=user_id)),
        role_beneficiary=Exists(Beneficiary.objects.filter(user_id=user_id)),
    )
    return roles.values(*(f"role_{name}" for name in ROLES))


def _venues_query(user_id) -> QuerySet:
    return _venues_managed_by_id(user_id).values("id", "name", "public_name", "time_zone")


_ROLES_SQL = CompiledQuery(_person_query, {"user_id": "int"})
_VENUES_SQL = CompiledQuery(_venues_query, {"user_id": "int"})


@dataclass
class Person:
    """What the policy knows of one person for one request: roles, managed venues
    (id, name, public name, time zone; by name), and, read on first use, the
    départements they review and their validated memberships."""

    roles: dict[str, bool]
    venues: list[tuple[int, str, str, str]]
    _departements: frozenset[str] | None = None
    _memberships: dict[int, Membership] | None = field(default=None, repr=False)

    @classmethod
    def load(cls, user_id: int) -> Person:
        """Roles and venues in one query: both are asked on every pro page (navigation,
        permission checks, list filters). The two parts are the ORM queries above,
        compiled once (passlib/sql.py), joined so that they cost one round trip."""
        roles_sql, roles_params = _ROLES_SQL.sql(user_id=user_id)
        venues_sql, venues_params = _VENUES_SQL.sql(user_id=user_id)
        sql = (
            f"SELECT r.*, v.* FROM ({roles_sql}) r LEFT JOIN ({venues_sql}) v ON true "  # noqa: S608 - compiled ORM
            "ORDER BY v.name, v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*roles_params, *venues_params])
            rows = cursor.fetchall()
        if not rows:
            return cls(roles=dict(NO_ROLES), venues=[])
        n = len(ROLES)
        return cls(
            roles={name: bool(value) for name, value in zip(ROLES, rows[0][:n], strict=True)},
            venues=[tuple(row[n:]) for row in rows if row[n] is not None],
        )


# One Person per user object, kept while that object lives (request.user lives for one
# request), by object identity: nothing is added to the user object, and two objects of
# the same person (two requests) never share what was read.
_people: dict[int, Person] = {}
_people_lock = threading.Lock()


def _the_user_object(user):
    """request.user is a lazy wrapper: the cache follows the user object inside."""
    wrapped = getattr(user, "_wrapped", None)
    if wrapped is empty:
        user.pk  # noqa: B018 - evaluates the lazy object
        wrapped = user._wrapped
    return user if wrapped is None else wrapped


def person_of(user: User) -> Person | None:
    """The person's cached roles and venues (None for an anonymous visitor)."""
    if not user.is_authenticated:
        return None
    target = _the_user_object(user)
    key = id(target)
    found = _people.get(key)
    if found is None:
        found = Person.load(target.pk)
        with _people_lock:
            _people[key] = found
        weakref.finalize(target, _people.pop, key, None)
    return found


def roles_of(user: User) -> dict[str, bool]:
    """Which roles the person has: member (validated member of a collectivité), officer,
    teacher, beneficiary."""
    found = person_of(user)
    return found.roles if found is not None else dict(NO_ROLES)


def speaks_tu(user: User) -> bool:
    """Young people are addressed with "tu" (as the pass Culture app does), everyone else
    with "vous". For any account, logged in or not (a confirmation link, an e-mail)."""
    return Beneficiary.objects.filter(user_id=user.pk).exists()


def managed_venue_ids(user: User) -> list[int]:
    """Ids of the venues the person manages (`venues_managed_by`), without a query of
    its own. Filtering other tables with `venue_id IN (<ids>)` lets PostgreSQL use their
    venue and date indexes, where a sub-select would not."""
    found = person_of(user)
    return sorted(row[0] for row in found.venues) if found is not None else []


def venue_choices(user: User) -> list[tuple[int, str]]:
    """(id, name) of the managed venues, for filter <select>s (no query of its own)."""
    found = person_of(user)
    return [row[:2] for row in found.venues] if found is not None else []


def managed_venue_labels(user: User) -> dict[int, tuple[str, str]]:
    """Venue id → (name shown to the public, time zone) of the managed venues."""
    found = person_of(user)
    if found is None:
        return {}
    return {pk: (public_name or name, tz) for pk, name, public_name, tz in found.venues}


def officer_departements(user: User) -> frozenset[str]:
    """Départements a territory officer covers, and for site staff (the national team)
    also those no officer covers; empty for everyone else."""
    found = person_of(user)
    if found is None or not found.roles["officer"]:
        return frozenset()
    if found._departements is None:
        own = set(
            OfficerDepartement.objects.filter(officer__user=user).values_list("code", flat=True)
        )
        if user.is_staff:
            own |= uncovered_departements()
        found._departements = frozenset(own)
    return found._departements


def uncovered_departements() -> set[str]:
    """Départements (and overseas collectivities) no territory officer covers: their
    signups go to the national queue, reviewed by site staff."""
    covered = set(OfficerDepartement.objects.values_list("code", flat=True).distinct())
    return set(departements.BY_CODE) - covered


def _validated_memberships(user: User) -> dict[int, Membership]:
    found = person_of(user)
    if found is None:
        return {}
    if found._memberships is None:
        found._memberships = {
            m.collectivite_id: m
            for m in Membership.objects.filter(user=user, status=Status.VALIDATED)
        }
    return found._memberships


# --- may this person do X to this object ---------------------------------------------------


def teacher_of(user: User) -> Teacher | None:
    """The person's Teacher record with its school (None if they are not a teacher)."""
    if not user.is_authenticated:
        return None
    return Teacher.objects.select_related("school").filter(user=user).first()


def beneficiary_of(user: User) -> Beneficiary | None:
    """The young person's Beneficiary record (None if they are not one)."""
    if not user.is_authenticated:
        return None
    return Beneficiary.objects.filter(user=user).first()


def is_officer(user: User) -> bool:
    return roles_of(user)["officer"]


def active_membership(user: User, collectivite: Collectivite) -> Membership | None:
    return _validated_memberships(user).get(collectivite.pk)


def is_admin(user: User, collectivite: Collectivite) -> bool:
    membership = active_membership(user, collectivite)
    return membership is not None and membership.role == Role.ADMIN


def can_review(user: User, departement: str) -> bool:
    return departement in officer_departements(user)


def can_decide_join_request(user: User, membership: Membership) -> bool:
    """An administrator of the collectivité or an officer of its département."""
    return is_admin(user, membership.collectivite) or can_review(
        user, membership.collectivite.departement
    )


def can_manage_venue(user: User, venue: Venue) -> bool:
    """The venue is one of `venues_managed_by` (read with the person's roles)."""
    return venue.pk in managed_venue_ids(user)


def require_admin(user: User, collectivite: Collectivite) -> None:
    if not is_admin(user, collectivite):
        raise PermissionDenied("Réservé aux administrateurs de la collectivité.")


def require_officer(user: User) -> None:
    if not is_officer(user):
        raise PermissionDenied("Réservé aux personnes chargées d'un territoire.")


def require_role(user: User, allowed: tuple[str, ...], message: str) -> None:
    """403 unless the person has one of the roles (pages of one audience)."""
    roles = roles_of(user)
    if not any(roles[name] for name in allowed):
        raise PermissionDenied(message)
