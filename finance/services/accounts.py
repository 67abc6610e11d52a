"""A collectivité's bank accounts and the venues reimbursed on each.

- Only the collectivité's administrators add or change one (PermissionDenied: 403).
- Every addition or change is confirmed by the person's password (the form checks it,
  `check_password` here), written in the collectivité's history, and e-mailed to every
  administrator: a change nobody asked for is seen at once.
- A change of holder, IBAN or BIC dates the account (`changed_at`): the next statement
  of a recently changed account is held for staff (finance/services/runs.py).
- A venue is reimbursed on one account; giving it another moves it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Collectivite, User, Venue, Verb
from accounts.policy import require_admin
from accounts.services.history import action_log
from accounts.services.onboarding import administrator_emails
from finance.bank import mask
from finance.models import BankAccount, VenueBankAccount
from passlib import ratelimit
from passlib.emails import send_on_commit
from passlib.refusal import Refusal


@dataclass(frozen=True)
class AccountData:
    label: str
    holder: str
    iban: str  # compact and valid (finance/bank.py, through the form)
    bic: str
    venue_ids: frozenset[int]


def check_password(user: User, password: str) -> None:
    """The person re-types their password; a few wrong ones per quarter of an hour.

    Only failures count: each try is counted before the password is checked (so that
    tries sent in parallel all count) and a right one is taken back, so an administrator
    entering several accounts is never locked out. Called before the service's
    transaction: a refused try stays counted whatever the cache (passlib/cache.py)."""
    now = time.time()
    subject = f"user:{user.pk}"
    if not ratelimit.hit_targets("bank_password", subject, now=now):
        raise Refusal(
            "Trop d'essais de mot de passe : réessayez dans un quart d'heure.",
            code="finance.password_limit",
        )
    if password and user.check_password(password):
        ratelimit.forgive_targets("bank_password", subject, now=now)
        return
    raise Refusal(
        "Mot de passe incorrect : retapez le mot de passe de votre compte passlib.",
        code="finance.password",
    )


def _lock(collectivite: Collectivite) -> None:
    Collectivite.objects.select_for_update().filter(pk=collectivite.pk).first()


def _attach(account: BankAccount, venue_ids: frozenset[int]) -> list[str]:
    """Link the chosen venues to the account (moving them from another one) and unlink
    the venues no longer chosen. Returns the names of the venues now on the account."""
    venues = Venue.objects.filter(collectivite=account.collectivite, pk__in=venue_ids)
    found = {v.pk: v.name for v in venues}
    if set(venue_ids) - set(found):
        raise Refusal(
            "Un des lieux choisis n'appartient pas à la collectivité.", code="finance.venue"
        )
    VenueBankAccount.objects.filter(account=account).exclude(venue_id__in=found).delete()
    for venue_id in found:
        VenueBankAccount.objects.update_or_create(
            venue_id=venue_id, defaults={"account": account, "linked_at": timezone.now()}
        )
    return sorted(found.values())


def _save(account: BankAccount) -> None:
    """Insert or update; the same IBAN twice in one collectivité is a French "no"."""
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        raise Refusal(
            "Ce compte (même IBAN) est déjà enregistré pour la collectivité.",
            code="finance.duplicate_iban",
        ) from None


def _announce(account: BankAccount, *, actor: User, added: bool, what: str) -> None:
    """In the collectivité's history and in every administrator's mailbox."""
    action_log(
        actor=actor,
        verb=Verb.BANK_ACCOUNT_ADDED if added else Verb.BANK_ACCOUNT_CHANGED,
        collectivite=account.collectivite,
        target_label=account.label,
        comment=what,
    )
    send_on_commit(
        to=administrator_emails(account.collectivite),
        template="bank_account_changed",
        context={
            "account": account,
            "collectivite": account.collectivite,
            "actor": actor,
            "added": added,
            "what": what,
            "when": timezone.localtime(),
        },
    )


def account_add(
    *, actor: User, collectivite: Collectivite, data: AccountData, password: str
) -> BankAccount:
    require_admin(actor, collectivite)
    check_password(actor, password)
    return _add(actor=actor, collectivite=collectivite, data=data)


@transaction.atomic
def _add(*, actor: User, collectivite: Collectivite, data: AccountData) -> BankAccount:
    _lock(collectivite)
    now = timezone.now()
    account = BankAccount(
        collectivite=collectivite,
        label=data.label,
        holder=data.holder,
        iban=data.iban,
        bic=data.bic,
        created_by=actor,
        created_at=now,
        changed_at=now,
        changed_by=actor,
    )
    _save(account)
    venues = _attach(account, data.venue_ids)
    what = f"{account.label} : IBAN {mask(account.iban)}, BIC {account.bic}, titulaire " + (
        f"{account.holder}. Lieux : {', '.join(venues) or 'aucun'}."
    )
    _announce(account, actor=actor, added=True, what=what)
    return account


def account_change(
    *, actor: User, account: BankAccount, data: AccountData, password: str
) -> BankAccount:
    require_admin(actor, account.collectivite)
    check_password(actor, password)
    return _change(actor=actor, account=account, data=data)


@transaction.atomic
def _change(*, actor: User, account: BankAccount, data: AccountData) -> BankAccount:
    _lock(account.collectivite)
    account = BankAccount.objects.select_for_update().get(pk=account.pk)
    changes = []
    if data.label != account.label:
        changes.append(f"libellé « {account.label} » → « {data.label} »")
    if data.holder != account.holder:
        changes.append(f"titulaire « {account.holder} » → « {data.holder} »")
    if data.iban != account.iban:
        changes.append(f"IBAN {mask(account.iban)} → {mask(data.iban)}")
    if data.bic != account.bic:
        changes.append(f"BIC {account.bic} → {data.bic}")
    details_changed = (data.holder, data.iban, data.bic) != (
        account.holder,
        account.iban,
        account.bic,
    )
    before_venues = set(account.venue_links.values_list("venue__name", flat=True))
    account.label, account.holder, account.iban, account.bic = (
        data.label,
        data.holder,
        data.iban,
        data.bic,
    )
    if details_changed:
        account.changed_at = timezone.now()
        account.changed_by = actor
    _save(account)
    venues = _attach(account, data.venue_ids)
    if set(venues) != before_venues:
        changes.append(f"lieux : {', '.join(venues) or 'aucun'}")
    if not changes:
        return account
    what = f"{account.label} : " + " ; ".join(changes) + "."
    _announce(account, actor=actor, added=False, what=what)
    return account
