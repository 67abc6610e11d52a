"""The audiences outside the collectivités: young people (beneficiaries), schools and
their teachers."""

from __future__ import annotations

from django.db import models

from accounts.models.organisations import User
from passlib.dates import FIRST_BIRTH_DAY, LAST_DAY, within_range


class Beneficiary(models.Model):
    """A young person (15 to 18) who books individual offers with their credit."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="beneficiary")
    birth_date = models.DateField("date de naissance")
    credit_cents = models.PositiveIntegerField("crédit restant (centimes)", default=0)
    # The age up to which credit was granted: birthdays add the next age's amount.
    credit_age = models.PositiveSmallIntegerField("crédit accordé jusqu'à l'âge", default=0)

    class Meta:
        verbose_name = "bénéficiaire"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(credit_cents__gte=0), name="beneficiary_credit_not_negative"
            ),
            models.CheckConstraint(
                condition=within_range("birth_date", first=FIRST_BIRTH_DAY, last=LAST_DAY),
                name="beneficiary_birth_date_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.user.display_name

    def age_on(self, day) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


class School(models.Model):
    """A school identified by its UAI; its département comes from the UAI."""

    uai = models.CharField("code UAI", max_length=8, unique=True)
    name = models.CharField("nom de l'établissement", max_length=200)
    city = models.CharField("commune", max_length=120)
    departement = models.CharField("département", max_length=3, db_index=True)

    class Meta:
        verbose_name = "établissement scolaire"
        verbose_name_plural = "établissements scolaires"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(uai__regex=r"^[0-9]{7}[A-Z]$"), name="school_uai_format"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"


class Teacher(models.Model):
    """A teacher of one school: browses collective offers, pre-books for a class."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="teacher")
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="teachers")

    class Meta:
        verbose_name = "enseignant"

    def __str__(self) -> str:
        return f"{self.user.display_name} — {self.school}"
