"""Young people's credit: the rule lives with beneficiaries (offers' booking service
calls it on each booking; sign-up grants the credit of the current age)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db.models import F

from accounts.models import Beneficiary


def credit_top_up(*, beneficiary: Beneficiary, today: date) -> Beneficiary:
    """Add the credit of each age reached since the last grant (idempotent: a
    conditional UPDATE on the age granted so far)."""
    age = min(beneficiary.age_on(today), settings.BENEFICIARY_MAX_AGE)
    amounts = settings.BENEFICIARY_CREDIT_BY_AGE
    due = sum(amounts.get(a, 0) for a in range(beneficiary.credit_age + 1, age + 1))
    if age > beneficiary.credit_age:
        Beneficiary.objects.filter(pk=beneficiary.pk, credit_age=beneficiary.credit_age).update(
            credit_cents=F("credit_cents") + due, credit_age=age
        )
        beneficiary.refresh_from_db()
    return beneficiary
