"""The young people's credit (accounts/services/beneficiaries.py): the scheme's 2025
amounts by default (SPEC 5.1: nothing at 15 and 16, 50 € at 17, 150 € at 18), the
credit of the current age only at the start, later birthdays adding theirs."""

from datetime import date

import pytest
from django.test import override_settings

from accounts.models import Beneficiary
from accounts.services.beneficiaries import beneficiary_start, credit_between, credit_top_up
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 2)


def test_the_2025_amounts_by_age():
    assert [credit_between(age - 1, age) for age in (15, 16, 17, 18)] == [0, 0, 5000, 15000]
    assert credit_between(14, 18) == 20000  # every age from 15 to 18


@pytest.mark.parametrize(("age", "cents"), [(15, 0), (16, 0), (17, 5000), (18, 15000)])
def test_a_start_grants_the_credit_of_the_current_age_only(age, cents):
    born = date(TODAY.year - age, 10, 1)
    beneficiary = beneficiary_start(user=UserFactory(), birth_date=born, today=TODAY)
    assert (beneficiary.credit_cents, beneficiary.credit_age) == (cents, age)


def test_a_birthday_adds_the_next_age_once():
    born = date(2009, 12, 10)  # 16 on TODAY, 17 on 10 December
    beneficiary = beneficiary_start(user=UserFactory(), birth_date=born, today=TODAY)
    assert beneficiary.credit_cents == 0
    credit_top_up(beneficiary=beneficiary, today=date(2026, 12, 10))
    credit_top_up(beneficiary=beneficiary, today=date(2026, 12, 11))
    assert Beneficiary.objects.get(pk=beneficiary.pk).credit_cents == 5000


@override_settings(BENEFICIARY_CREDIT_BY_AGE={15: 2000, 16: 3000, 17: 3000, 18: 30000})
def test_the_amounts_are_configuration():
    assert credit_between(14, 15) == 2000
