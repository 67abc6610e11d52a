"""Who may do what in the accounts app — the one place that answers it.

Scope rules (SPEC §1): people see only their collectivités; objects outside their
scope answer 404 (the views fetch through the scoped selectors); inside the scope, a
missing right answers 403 (PermissionDenied).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Collectivite, Membership, Role, Status, User, Venue


def officer_departements(user: User) -> frozenset[str]:
    """Départements a territory officer covers (empty for everyone else); cached per request."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_officer_departements", None)
    if cached is None:
        from accounts.models import OfficerDepartement

        cached = frozenset(
            OfficerDepartement.objects.filter(officer__user=user).values_list("code", flat=True)
        )
        user._officer_departements = cached
    return cached


def is_officer(user: User) -> bool:
    return bool(officer_departements(user))


def _validated_memberships(user: User) -> dict[int, Membership]:
    """The person's validated memberships by collectivité id; one query per request."""
    cache = getattr(user, "_memberships", None)
    if cache is None:
        cache = {
            m.collectivite_id: m
            for m in Membership.objects.filter(user=user, status=Status.VALIDATED)
        }
        user._memberships = cache
    return cache


def active_membership(user: User, collectivite: Collectivite) -> Membership | None:
    if not user.is_authenticated:
        return None
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
    membership = active_membership(user, venue.collectivite)
    if membership is None:
        return False
    if membership.role == Role.ADMIN:
        return True
    return membership.venues.filter(pk=venue.pk).exists()


def require_admin(user: User, collectivite: Collectivite) -> None:
    if not is_admin(user, collectivite):
        raise PermissionDenied("Réservé aux administrateurs de la collectivité.")


def require_officer(user: User) -> None:
    if not is_officer(user):
        raise PermissionDenied("Réservé aux chargés de territoire.")


_PERSON_SQL = """
    SELECT r.member, r.officer, r.teacher, r.beneficiary,
           v.id, v.name, v.public_name, v.time_zone
    FROM (
      SELECT
        EXISTS (SELECT 1 FROM accounts_membership
                WHERE user_id = %(user)s AND status = 'validated') AS member,
        EXISTS (SELECT 1 FROM accounts_officerdepartement d
                JOIN accounts_territoryofficer o ON o.id = d.officer_id
                WHERE o.user_id = %(user)s) AS officer,
        EXISTS (SELECT 1 FROM accounts_teacher WHERE user_id = %(user)s) AS teacher,
        EXISTS (SELECT 1 FROM accounts_beneficiary WHERE user_id = %(user)s) AS beneficiary
    ) r
    LEFT JOIN (
      SELECT id, name, public_name, time_zone FROM accounts_venue
      WHERE collectivite_id IN (
          SELECT collectivite_id FROM accounts_membership
          WHERE user_id = %(user)s AND status = 'validated' AND role = 'admin')
      OR id IN (
          SELECT mv.venue_id FROM accounts_membership_venues mv
          JOIN accounts_membership m ON m.id = mv.membership_id
          WHERE m.user_id = %(user)s AND m.status = 'validated' AND m.role = 'member')
    ) v ON true
    ORDER BY v.name, v.id
"""


def load_person(user: User) -> None:
    """Read, in one query, the person's roles and the venues they manage, and keep both on
    the user object for the rest of the request (`roles_of`, `managed_venue_ids`).

    Both are asked on every pro page (navigation, permission checks, list filters):
    one plain SQL statement costs one round trip where the ORM would compile and send
    several. The venue rule is the one of `venues_managed_by` (a test keeps them equal).
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_PERSON_SQL, {"user": user.pk})
        rows = cursor.fetchall()
    member, officer, teacher, beneficiary = rows[0][:4]
    user._roles = {
        "member": bool(member),
        "officer": bool(officer),
        "teacher": bool(teacher),
        "beneficiary": bool(beneficiary),
    }
    user._managed_venues = [tuple(row[4:]) for row in rows if row[4] is not None]


def roles_of(user: User) -> dict[str, bool]:
    """Which roles the person has (member, officer, teacher, beneficiary); read once per
    request with the managed venues (`load_person`)."""
    if not user.is_authenticated:
        return {"member": False, "officer": False, "teacher": False, "beneficiary": False}
    if getattr(user, "_roles", None) is None:
        load_person(user)
    return user._roles
