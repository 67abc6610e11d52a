"""Young people's credit: the rule lives with beneficiaries (offers' booking service
calls it on each booking; sign-up grants the credit of the current age; the offer page
asks `credit_on` what the booking would find, before the click)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import F

from accounts.models import Beneficiary, User


def credit_between(granted_age: int, age: int) -> int:
    """The credit (cents) of each age after `granted_age` up to `age` included, from
    BENEFICIARY_CREDIT_BY_AGE (the scheme's 2025 reform by default: 0 € at 15 and 16,
    50 € at 17, 150 € at 18)."""
    amounts = settings.BENEFICIARY_CREDIT_BY_AGE
    return sum(amounts.get(a, 0) for a in range(granted_age + 1, age + 1))


def _granted_age(beneficiary: Beneficiary, today: date) -> int:
    return min(beneficiary.age_on(today), settings.BENEFICIARY_MAX_AGE)


def credit_due(beneficiary: Beneficiary, today: date) -> int:
    """The credit of each age reached since the last grant, not granted yet (cents)."""
    return credit_between(beneficiary.credit_age, _granted_age(beneficiary, today))


def credit_on(beneficiary: Beneficiary, today: date) -> int:
    """The credit a booking made `today` draws on: what is left plus what `credit_top_up`
    grants first (a read: the page says it before the click, the service writes it)."""
    return beneficiary.credit_cents + credit_due(beneficiary, today)


def credit_top_up(*, beneficiary: Beneficiary, today: date) -> Beneficiary:
    """Add the credit of each age reached since the last grant (idempotent: a
    conditional UPDATE on the age granted so far)."""
    age = _granted_age(beneficiary, today)
    if age > beneficiary.credit_age:
        Beneficiary.objects.filter(pk=beneficiary.pk, credit_age=beneficiary.credit_age).update(
            credit_cents=F("credit_cents") + credit_due(beneficiary, today), credit_age=age
        )
        beneficiary.refresh_from_db()
    return beneficiary


def beneficiary_start(*, user: User, birth_date: date, today: date) -> Beneficiary:
    """A young person's record with the credit of their current age only: the ages
    before it are not granted; later birthdays add theirs (credit_top_up)."""
    age = Beneficiary(birth_date=birth_date).age_on(today)
    beneficiary = Beneficiary.objects.create(user=user, birth_date=birth_date, credit_age=age - 1)
    return credit_top_up(beneficiary=beneficiary, today=today)


def first_credit_age() -> int | None:
    """The first age with individual credit (17 since the scheme's 2025 reform)."""
    ages = [age for age, cents in settings.BENEFICIARY_CREDIT_BY_AGE.items() if cents > 0]
    return min(ages) if ages else None


def credit_not_yet(beneficiary: Beneficiary, today: date) -> int | None:
    """The age credit starts at, when this young person is not there yet (None else):
    they keep the free offers and their class's collective share."""
    start = first_credit_age()
    if start is not None and beneficiary.age_on(today) < start:
        return start
    return None
