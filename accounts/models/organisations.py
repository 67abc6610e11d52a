"""People and the collectivités they work for: accounts, collectivités, venues,
memberships, invitations, territory officers and the review history."""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from passlib.images import ImageFields, alt_required


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        extra.setdefault("email_confirmed_at", timezone.now())
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        # Emails are stored lower-cased; log in whatever case the person types.
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person: email is the login. Roles come from memberships and officer records."""

    email = models.EmailField("adresse électronique", unique=True)
    first_name = models.CharField("prénom", max_length=150)
    last_name = models.CharField("nom", max_length=150)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email_confirmed_at = models.DateTimeField(
        "adresse électronique confirmée le", null=True, blank=True
    )
    terms_accepted_at = models.DateTimeField("CGU acceptées le", null=True, blank=True)
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("équipe du site", default=False)
    date_joined = models.DateTimeField("inscrit le", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class Status(models.TextChoices):
    """Review status shared by collectivités, venues and memberships."""

    NEW = "new", "En attente"
    PENDING = "pending", "En suspens"
    VALIDATED = "validated", "Validé"
    REJECTED = "rejected", "Rejeté"


OPEN_STATUSES = (Status.NEW, Status.PENDING)


class RejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", "Hors éligibilité"
    INPUT_ERROR = "input_error", "Erreur de saisie"
    DUPLICATE = "duplicate", "Doublon"
    CLOSED = "closed", "Structure fermée"
    OTHER = "other", "Autre"


class Collectivite(models.Model):
    """A legal structure identified by its SIREN; usually a local authority."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    siren = models.CharField("SIREN", max_length=9, unique=True)
    siret = models.CharField("SIRET d'inscription", max_length=14)
    name = models.CharField("nom", max_length=200)
    address = models.CharField("adresse", max_length=255)
    postal_code = models.CharField("code postal", max_length=5)
    city = models.CharField("commune", max_length=120)
    departement = models.CharField("département", max_length=3, db_index=True)
    legal_category_code = models.CharField("catégorie juridique", max_length=4)
    legal_category_label = models.CharField("libellé de la catégorie juridique", max_length=120)
    ape_code = models.CharField("code APE", max_length=6, blank=True)
    is_collectivite = models.BooleanField("collectivité", default=True)
    sirene_verified = models.BooleanField("vérifié par Sirene", default=False)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créée le", default=timezone.now)

    class Meta:
        verbose_name = "collectivité"
        verbose_name_plural = "collectivités"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(siren__regex=r"^[0-9]{9}$"), name="collectivite_siren_9_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(siret__regex=r"^[0-9]{14}$"),
                name="collectivite_siret_14_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="collectivite_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VenueType(models.TextChoices):
    LIBRARY = "library", "Bibliothèque ou médiathèque"
    MUSEUM = "museum", "Musée"
    CINEMA = "cinema", "Cinéma"
    CONSERVATOIRE = "conservatoire", "Conservatoire"
    PERFORMANCE_HALL = "performance_hall", "Salle de spectacle"
    OTHER = "other", "Autre"


NO_SIRET_COMMENT = "Lieu sans SIRET : dépend du SIRET de la collectivité"


class Venue(ImageFields, models.Model):
    """A cultural venue of a collectivité (a library first of all)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collectivite = models.ForeignKey(Collectivite, on_delete=models.PROTECT, related_name="venues")
    name = models.CharField("nom", max_length=200)
    public_name = models.CharField("nom public", max_length=200, blank=True)
    venue_type = models.CharField(
        "type de lieu", max_length=20, choices=VenueType.choices, default=VenueType.LIBRARY
    )
    address = models.CharField("adresse", max_length=255)
    postal_code = models.CharField("code postal", max_length=5)
    city = models.CharField("commune", max_length=120)
    departement = models.CharField("département", max_length=3, db_index=True)
    time_zone = models.CharField("fuseau horaire", max_length=40, default="Europe/Paris")
    siret = models.CharField("SIRET du lieu", max_length=14, blank=True)
    siret_comment = models.CharField("commentaire (lieu sans SIRET)", max_length=255, blank=True)
    accessibility_audio = models.BooleanField("accessible handicap auditif", default=False)
    accessibility_mental = models.BooleanField("accessible handicap psychique", default=False)
    accessibility_motor = models.BooleanField("accessible handicap moteur", default=False)
    accessibility_visual = models.BooleanField("accessible handicap visuel", default=False)
    booking_email = models.EmailField("adresse de réservation", blank=True)
    withdrawal_details = models.TextField("modalités de retrait", blank=True, max_length=2000)
    # The public page (accounts/views/venue_page.py), written by the venue's members.
    description = models.TextField("présentation", blank=True, max_length=3000)
    accessibility_details = models.TextField(
        "précisions sur l'accessibilité", blank=True, max_length=1000
    )
    contact_phone = models.CharField("téléphone", max_length=30, blank=True)
    contact_email = models.EmailField("adresse électronique de contact", blank=True)
    website = models.URLField("site internet", blank=True, max_length=300)
    # Its commune's position (accounts/geo.py), for the catalogue's distance sort.
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "lieu"
        verbose_name_plural = "lieux"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(siret="") | ~models.Q(siret_comment=""),
                name="venue_siret_or_comment",
            ),
            models.CheckConstraint(
                condition=models.Q(siret="") | models.Q(siret__regex=r"^[0-9]{14}$"),
                name="venue_siret_14_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="venue_status_valid"
            ),
            alt_required("venue"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.public_name or self.name


class Role(models.TextChoices):
    ADMIN = "admin", "Administration de la collectivité"
    MEMBER = "member", "Bibliothécaire (membre d'un lieu)"


class Membership(models.Model):
    """A person in a collectivité's shared space; `new` while a join request waits."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.MEMBER)
    venues = models.ManyToManyField(
        Venue, blank=True, related_name="memberships", verbose_name="lieux gérés"
    )
    # The venue created with a join request; validated with the request.
    requested_venue = models.ForeignKey(
        Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField("message", blank=True, max_length=2000)
    status = models.CharField(
        "statut", max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_at = models.DateTimeField("demandé le", default=timezone.now)

    class Meta:
        verbose_name = "membre"
        verbose_name_plural = "membres"
        constraints = [
            models.UniqueConstraint(fields=["user", "collectivite"], name="membership_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="membership_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.collectivite}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN


class Invitation(models.Model):
    """An email invitation to a shared space; the link is signed and valid 14 days."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=10, choices=Role.choices, default=Role.MEMBER)
    venues = models.ManyToManyField(Venue, blank=True, related_name="+", verbose_name="lieux")
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField("révoquée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        constraints = [
            # One open invitation per email and space.
            models.UniqueConstraint(
                Lower("email"),
                "collectivite",
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )

    @property
    def state_label(self) -> str:
        if self.accepted_at:
            return "Acceptée"
        if self.revoked_at:
            return "Révoquée"
        if self.expires_at <= timezone.now():
            return "Expirée"
        return "En cours"


class TerritoryOfficer(models.Model):
    """pass Culture staff covering one or more départements."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="officer")
    public_email = models.EmailField("adresse électronique publique")
    public_phone = models.CharField("téléphone public", max_length=30, blank=True)

    class Meta:
        verbose_name = "personne chargée du territoire"
        verbose_name_plural = "personnes chargées du territoire"

    def __str__(self) -> str:
        return self.user.display_name


class OfficerDepartement(models.Model):
    officer = models.ForeignKey(
        TerritoryOfficer, on_delete=models.CASCADE, related_name="departements"
    )
    code = models.CharField("département", max_length=3, db_index=True)

    class Meta:
        verbose_name = "département couvert"
        verbose_name_plural = "départements couverts"
        constraints = [
            models.UniqueConstraint(fields=["officer", "code"], name="officer_departement_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Verb(models.TextChoices):
    SUBMITTED = "submitted", "Inscription déposée"
    JOIN_REQUESTED = "join_requested", "Demande de rattachement"
    VALIDATED = "validated", "Validé"
    REJECTED = "rejected", "Rejeté"
    PUT_ON_HOLD = "put_on_hold", "Mis en suspens"
    VENUE_ADDED = "venue_added", "Lieu ajouté"
    VENUE_UPDATED = "venue_updated", "Lieu modifié"
    ROLE_CHANGED = "role_changed", "Rôle modifié"
    VENUES_CHANGED = "venues_changed", "Lieux gérés modifiés"
    MEMBER_REMOVED = "member_removed", "Membre retiré"
    INVITED = "invited", "Invitation envoyée"
    INVITATION_RESENT = "invitation_resent", "Invitation renvoyée"
    INVITATION_REVOKED = "invitation_revoked", "Invitation révoquée"
    INVITATION_ACCEPTED = "invitation_accepted", "Invitation acceptée"
    BANK_ACCOUNT_ADDED = "bank_account_added", "Coordonnées bancaires ajoutées"
    BANK_ACCOUNT_CHANGED = "bank_account_changed", "Coordonnées bancaires modifiées"


class ActionLog(models.Model):
    """History of every transition: who, when, what, on which object, with comment."""

    collectivite = models.ForeignKey(Collectivite, on_delete=models.CASCADE, related_name="history")
    venue = models.ForeignKey(
        Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="history"
    )
    membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="history"
    )
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    verb = models.CharField(max_length=30, choices=Verb.choices)
    target_label = models.CharField(max_length=255)
    reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "historique"
        verbose_name_plural = "historique"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_verb_display()} — {self.target_label}"
