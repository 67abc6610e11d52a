"""Reimbursements: the collectivités' bank accounts, the scheme's custom rates, and the
fortnightly runs with their immutable statements (docs/finance.md).

Every amount is an integer number of cents and every rate an integer number of basis
points (10 000 = 100 %): no float anywhere.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from passlib.formats import date_fr, period_fr

FULL_RATE_BP = 10_000


class BankAccount(models.Model):
    """A bank account of a collectivité (often one at the Trésor public for all its
    venues, sometimes one per venue). IBAN and BIC are stored compact (finance/bank.py)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collectivite = models.ForeignKey(
        "accounts.Collectivite",
        on_delete=models.PROTECT,
        related_name="bank_accounts",
        verbose_name="collectivité",
    )
    label = models.CharField("libellé", max_length=100)
    holder = models.CharField("titulaire du compte", max_length=70)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    created_at = models.DateTimeField("ajouté le", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="ajouté par",
    )
    # When the holder, IBAN or BIC last changed (the addition counts): an account changed
    # shortly before a run has its payment held for staff (finance/services/runs.py).
    changed_at = models.DateTimeField("coordonnées modifiées le", default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="coordonnées modifiées par",
    )

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["collectivite", "iban"], name="bank_account_iban_once_per_collectivite"
            ),
            models.CheckConstraint(
                condition=models.Q(iban__regex=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"),
                name="bank_account_iban_compact",
            ),
            models.CheckConstraint(
                condition=models.Q(bic__regex=r"^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$"),
                name="bank_account_bic_compact",
            ),
        ]

    def __str__(self) -> str:
        from finance.bank import mask

        return f"{self.label} ({mask(self.iban)})"

    @property
    def iban_masked(self) -> str:
        from finance.bank import mask

        return mask(self.iban)


class VenueBankAccount(models.Model):
    """The account a venue is reimbursed on (one per venue)."""

    venue = models.OneToOneField(
        "accounts.Venue",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="bank_link",
        verbose_name="lieu",
    )
    account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        related_name="venue_links",
        verbose_name="coordonnées bancaires",
    )
    linked_at = models.DateTimeField("rattaché le", default=timezone.now)

    class Meta:
        verbose_name = "compte d'un lieu"
        verbose_name_plural = "comptes des lieux"

    def __str__(self) -> str:
        return f"{self.venue_id} → {self.account_id}"


class CustomRate(models.Model):
    """A rate staff set for one offer or one venue, between two dates (validation date,
    in the venue's time zone). It replaces the scheme's scale for the bookings it covers."""

    offer = models.ForeignKey(
        "offers.Offer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="offre",
    )
    venue = models.ForeignKey(
        "accounts.Venue",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="lieu",
    )
    rate_bp = models.PositiveIntegerField(
        "taux (points de base, 10 000 = 100 %)",
        help_text="Par exemple 9 500 pour 95 %.",
    )
    starts_on = models.DateField("à partir du")
    ends_on = models.DateField("jusqu'au (inclus)", null=True, blank=True)
    comment = models.CharField("motif", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "taux particulier"
        verbose_name_plural = "taux particuliers"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(offer__isnull=False, venue__isnull=True)
                | models.Q(offer__isnull=True, venue__isnull=False),
                name="custom_rate_offer_xor_venue",
            ),
            models.CheckConstraint(
                condition=models.Q(rate_bp__lte=FULL_RATE_BP), name="custom_rate_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="custom_rate_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        from finance.rates import percent

        target = f"offre {self.offer_id}" if self.offer_id else f"lieu {self.venue_id}"
        return f"{percent(self.rate_bp)} pour {target} depuis le {date_fr(self.starts_on)}"

    def clean(self) -> None:
        if (self.offer_id is None) == (self.venue_id is None):
            raise ValidationError("Choisissez une offre ou un lieu (l'un des deux).")


class ReimbursementRun(models.Model):
    """The closing of one fortnight (1st–15th or 16th–end of month): one per period."""

    period_start = models.DateField("début de la période", unique=True)
    period_end = models.DateField("fin de la période (incluse)")
    created_at = models.DateTimeField("clôturée le", default=timezone.now)
    total_cents = models.BigIntegerField("total (centimes)", default=0)
    lines_count = models.PositiveIntegerField("réservations", default=0)

    class Meta:
        verbose_name = "clôture de période"
        verbose_name_plural = "clôtures de période"
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="run_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"Période {period_fr(self.period_start, self.period_end)}"


class Statement(models.Model):
    """One numbered, immutable statement per bank account and run. The account's holder,
    IBAN and BIC are copied: the statement says where the money went, whatever the
    account becomes."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField("numéro", max_length=20, unique=True)
    run = models.ForeignKey(
        ReimbursementRun,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name="période de remboursement",
    )
    collectivite = models.ForeignKey(
        "accounts.Collectivite",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name="collectivité",
    )
    account = models.ForeignKey(
        BankAccount,
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name="coordonnées bancaires",
    )
    holder = models.CharField("titulaire", max_length=70)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    account_label = models.CharField("libellé du compte", max_length=100)
    total_cents = models.BigIntegerField("total (centimes)")
    created_at = models.DateTimeField("émis le", default=timezone.now)
    # The account's details changed shortly before the run (the classic fraud path): the
    # transfer waits until staff release it (finance/services/runs.py).
    held = models.BooleanField("paiement retenu (coordonnées récemment modifiées)", default=False)
    released_at = models.DateTimeField("paiement libéré le", null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name="paiement libéré par",
    )

    class Meta:
        verbose_name = "relevé de remboursement"
        verbose_name_plural = "relevés de remboursement"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "account"], name="statement_once_per_run"),
            models.CheckConstraint(condition=models.Q(total_cents__gte=0), name="statement_total"),
        ]
        indexes = [models.Index(fields=["collectivite", "-created_at"], name="statement_coll")]

    def __str__(self) -> str:
        return self.number

    @property
    def payable(self) -> bool:
        """Python twin of PAYABLE (below)."""
        return not self.held or self.released_at is not None

    @property
    def iban_masked(self) -> str:
        from finance.bank import mask

        return mask(self.iban)


# A statement whose transfer may go: not held, or released by staff.
PAYABLE = models.Q(held=False) | models.Q(released_at__isnull=False)


class RateRule(models.TextChoices):
    """Which rule priced a line (finance/rates.py)."""

    STANDARD_100 = "standard_100", "Barème : 100 % jusqu'à 20 000 €"
    STANDARD_95 = "standard_95", "Barème : 95 % de 20 000 à 40 000 €"
    STANDARD_92 = "standard_92", "Barème : 92 % de 40 000 à 150 000 €"
    STANDARD_90 = "standard_90", "Barème : 90 % au-delà de 150 000 €"
    COLLECTIVE = "collective", "Offre collective : 100 %"
    CUSTOM = "custom", "Taux particulier"
    NOT_REIMBURSED = "not_reimbursed", "Sous-catégorie non remboursée"


class StatementLine(models.Model):
    """One reimbursed booking (individual or collective) on a statement, with the rule
    applied. What the booking was is copied (offer, venue, code, price)."""

    statement = models.ForeignKey(
        Statement, on_delete=models.PROTECT, related_name="lines", verbose_name="relevé"
    )
    booking = models.OneToOneField(
        "offers.Booking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="réservation",
    )
    collective_booking = models.OneToOneField(
        "offers.CollectiveBooking",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="réservation collective",
    )
    venue = models.ForeignKey(
        "accounts.Venue", on_delete=models.PROTECT, related_name="+", verbose_name="lieu"
    )
    venue_name = models.CharField("lieu", max_length=200)
    offer_title = models.CharField("offre", max_length=255)
    reference = models.CharField("contremarque ou référence", max_length=40)
    validated_at = models.DateTimeField("validée le")
    # The calendar year of the validation in the venue's time zone: the scale's revenue
    # counts per venue and year.
    year = models.PositiveSmallIntegerField("année")
    price_cents = models.PositiveIntegerField("prix (centimes)")
    rate_bp = models.PositiveIntegerField("taux (points de base)")
    rule = models.CharField("règle", max_length=20, choices=RateRule.choices)
    amount_cents = models.PositiveIntegerField("montant remboursé (centimes)")

    class Meta:
        verbose_name = "ligne de relevé"
        verbose_name_plural = "lignes de relevé"
        ordering = ["venue_name", "validated_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(booking__isnull=False, collective_booking__isnull=True)
                | models.Q(booking__isnull=True, collective_booking__isnull=False),
                name="line_booking_xor_collective",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_cents__lte=models.F("price_cents")),
                name="line_amount_within_price",
            ),
            models.CheckConstraint(
                condition=models.Q(rate_bp__lte=FULL_RATE_BP), name="line_rate_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["venue", "year", "rule"], name="line_venue_year"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} · {self.reference}"
