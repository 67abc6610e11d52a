"""Demo reimbursements: the Ville de Lyon's account at the Trésor public for the
Part-Dieu, none for Jean Macé (its page says to add one), and the last fortnight
closed, so a statement and its documents are there to download."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Venue
from finance.models import BankAccount, VenueBankAccount
from finance.services.runs import close_period


def seed_finance(part_dieu: Venue) -> None:
    collectivite = part_dieu.collectivite
    if BankAccount.objects.filter(collectivite=collectivite).exists():
        return
    long_ago = timezone.now() - timedelta(days=60)
    account = BankAccount.objects.create(
        collectivite=collectivite,
        label="Trésor public — budget principal",
        holder="Trésorerie de Lyon Municipale",
        iban="FR7630001007941234567890185",
        bic="BDFEFRPPCCT",
        created_at=long_ago,
        changed_at=long_ago,
    )
    VenueBankAccount.objects.create(venue=part_dieu, account=account)
    close_period()  # the last fortnight that ended (once: a second call does nothing)
