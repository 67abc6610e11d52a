"""Who sees what of the reimbursements (the accounts policy decides the roles):

- a collectivité's administrators: its bank accounts (masked), its statements and their
  documents, the amount to come of every venue;
- a venue member: the amount to come and the statement lines of the venues they manage,
  nothing of bank details or whole statements;
- territory officers: nothing (they are not members; the pages answer 404);
- site staff: the runs, every statement and its documents (read only: they manage
  reimbursements nationally), the held payments, the transfer files.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from accounts.models import Collectivite, User
from accounts.policy import is_admin, managed_venue_ids
from finance.models import BankAccount, Statement, StatementLine


def bank_accounts_of(user: User, collectivite: Collectivite) -> QuerySet[BankAccount]:
    if not is_admin(user, collectivite):
        return BankAccount.objects.none()
    return BankAccount.objects.filter(collectivite=collectivite)


def statements_of(user: User, collectivite: Collectivite | None = None) -> QuerySet[Statement]:
    """The statements the person may read: a collectivité's for its administrators;
    every one for site staff (of `collectivite` when given, else all of them)."""
    if user.is_authenticated and user.is_staff:
        found = Statement.objects.all()
        if collectivite is not None:
            found = found.filter(collectivite=collectivite)
        return found.select_related("run")
    if collectivite is None or not is_admin(user, collectivite):
        return Statement.objects.none()
    return Statement.objects.filter(collectivite=collectivite).select_related("run")


def venue_ids_in(user: User, collectivite: Collectivite) -> list[int]:
    """The venues of this collectivité whose money the person follows."""
    ids = set(managed_venue_ids(user))
    return sorted(pk for pk in collectivite.venues.values_list("pk", flat=True) if pk in ids)


def lines_of(user: User, collectivite: Collectivite) -> QuerySet[StatementLine]:
    return StatementLine.objects.filter(
        venue_id__in=venue_ids_in(user, collectivite)
    ).select_related("statement")


def require_staff(user: User) -> None:
    if not (user.is_authenticated and user.is_staff):
        raise PermissionDenied("Réservé à l'équipe du pass Culture.")
