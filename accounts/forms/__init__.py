from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UsernameField
from django.utils import timezone

from accounts import departements, identity
from accounts.legal_categories import LEGAL_CATEGORY_CHOICES
from accounts.models import (
    Beneficiary,
    RejectionReason,
    Role,
    School,
    Status,
    User,
    Venue,
)
from accounts.services.onboarding import CollectiviteData, VenueData
from accounts.siret import clean_siret
from accounts.uai import clean_uai, departement_from_uai
from passlib.emails import send_on_commit
from passlib.forms import DayInput, Form, LoginForm, ModelForm, ResetForm, window


class SignupForm(Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    email = forms.EmailField(
        label="Adresse électronique professionnelle",
        max_length=254,
        help_text="Un lien de confirmation y sera envoyé.",
    )
    phone = forms.CharField(
        label="Téléphone", max_length=30, required=False, help_text="Facultatif."
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 12 caractères, pas uniquement des chiffres, ni trop courant.",
    )
    password_confirm = forms.CharField(
        label="Confirmation du mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_terms = forms.BooleanField(
        label="J'accepte les conditions générales d'utilisation du service.",
        error_messages={"required": "Vous devez accepter les conditions générales d'utilisation."},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "email": "email",
            "phone": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value

    def clean_email(self) -> str:
        # Whether the address has an account is not said here (accounts/views/signup.py).
        return identity.normalize_email(self.cleaned_data["email"])

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and cleaned.get("password_confirm") != password:
            self.add_error("password_confirm", "Les deux mots de passe ne correspondent pas.")
        if password:
            probe = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password, probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class EmailAuthenticationForm(LoginForm):
    username = UsernameField(
        label="Adresse électronique",
        max_length=identity.MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Le mot de passe tient compte "
            "des majuscules."
        ),
        "inactive": "Ce compte est désactivé.",
    }

    def clean_username(self) -> str:
        # The identity the backend and django-axes' lockout both receive.
        return identity.normalize_email(self.cleaned_data["username"])


class FrenchPasswordResetForm(ResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self) -> str:
        return identity.normalize_email(self.cleaned_data["email"])

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kw):
        """Through passlib/emails.py, like every e-mail: plain text without escaping,
        delivered by the worker (retried when the mail server is down)."""
        send_on_commit(
            to=[args[1] if len(args) > 1 else kw["to_email"]],
            template="password_reset",
            context=context,
        )


# --- onboarding ---------------------------------------------------------------------


def _postal_code_departement(value: str) -> str:
    value = (value or "").strip().replace(" ", "")
    if not (len(value) == 5 and value.isascii() and value.isdigit()):
        raise forms.ValidationError("Le code postal comporte 5 chiffres.")
    if departements.departement_from_postal_code(value) is None:
        raise forms.ValidationError("Ce code postal ne correspond à aucun département français.")
    return value


class SiretForm(Form):
    siret = forms.CharField(
        label="SIRET de la collectivité",
        max_length=40,
        help_text=(
            "14 chiffres ; les espaces et les points sont acceptés. Votre lieu est rattaché au "
            "numéro de SIRET de votre collectivité."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_siret(self) -> str:
        return clean_siret(self.cleaned_data["siret"])


class CollectiviteForm(Form):
    name = forms.CharField(label="Nom de la collectivité", max_length=200)
    address = forms.CharField(label="Adresse", max_length=255)
    postal_code = forms.CharField(label="Code postal", max_length=10)
    city = forms.CharField(label="Commune", max_length=120)
    legal_category_code = forms.ChoiceField(
        label="Catégorie juridique",
        choices=[("", "Choisissez…"), *LEGAL_CATEGORY_CHOICES],
        help_text="Indiquée sur l'avis de situation au répertoire Sirene.",
    )

    def clean_postal_code(self) -> str:
        return _postal_code_departement(self.cleaned_data["postal_code"])

    def to_data(self) -> CollectiviteData:
        d = self.cleaned_data
        return CollectiviteData(
            name=d["name"],
            address=d["address"],
            postal_code=d["postal_code"],
            city=d["city"],
            legal_category_code=d["legal_category_code"],
        )


class VenueForm(ModelForm):
    siret = forms.CharField(
        label="SIRET du lieu",
        required=False,
        max_length=40,
        help_text="Facultatif : seulement si le lieu a son propre SIRET.",
    )

    class Meta:
        model = Venue
        fields = [
            "name",
            "public_name",
            "venue_type",
            "address",
            "postal_code",
            "city",
            "siret",
            "siret_comment",
            "booking_email",
            "accessibility_audio",
            "accessibility_mental",
            "accessibility_motor",
            "accessibility_visual",
            "withdrawal_details",
        ]
        labels = {
            "name": "Nom du lieu",
            "public_name": "Nom public",
            "booking_email": "Adresse électronique pour les réservations",
            "accessibility_audio": "Handicap auditif",
            "accessibility_mental": "Handicap psychique ou cognitif",
            "accessibility_motor": "Handicap moteur",
            "accessibility_visual": "Handicap visuel",
            "withdrawal_details": "Modalités de retrait (par défaut pour les offres)",
        }
        help_texts = {
            "public_name": "Facultatif : le nom affiché aux jeunes, s'il diffère.",
            "siret_comment": (
                "Pour un lieu sans SIRET. Laissé vide : « Lieu sans SIRET : dépend du SIRET "
                "de la collectivité »."
            ),
        }
        widgets = {"withdrawal_details": forms.Textarea(attrs={"rows": 3})}

    def clean_postal_code(self) -> str:
        return _postal_code_departement(self.cleaned_data["postal_code"])

    def clean_siret(self) -> str:
        value = self.cleaned_data.get("siret", "")
        return clean_siret(value) if value.strip() else ""

    def _post_clean(self) -> None:
        # Département, time zone and the SIRET comment are derived by the service.
        pass

    def to_data(self) -> VenueData:
        d = self.cleaned_data
        return VenueData(**{f: d[f] for f in self.Meta.fields})


class JoinForm(Form):
    message = forms.CharField(
        label="Message aux administrateurs",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Facultatif : présentez-vous et votre lieu.",
    )


class MemberForm(Form):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices, initial=Role.MEMBER)
    venues = forms.ModelMultipleChoiceField(
        label="Lieux gérés",
        queryset=Venue.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour un bibliothécaire : les lieux dont il gère les offres et réservations.",
    )

    def __init__(self, *args, collectivite, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venues"].queryset = collectivite.venues.order_by("name")


class InvitationForm(MemberForm):
    email = forms.EmailField(label="Adresse électronique de la personne invitée", max_length=254)

    field_order = ["email", "role", "venues"]


class ReviewActionForm(Form):
    reason = forms.ChoiceField(
        label="Motif du rejet",
        choices=[("", "Choisissez…"), *RejectionReason.choices],
        required=False,
    )
    comment = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewFilterForm(Form):
    status = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("open", "À traiter"), ("all", "Tous"), *Status.choices],
    )
    departement = forms.ChoiceField(label="Département", required=False)
    kind = forms.ChoiceField(
        label="Type",
        required=False,
        choices=[
            ("", "Tous"),
            ("collectivite", "Collectivités"),
            ("demande", "Demandes de rattachement"),
            ("lieu", "Lieux"),
        ],
    )
    date_from = forms.DateField(label="Déposé depuis le", required=False, widget=DayInput())
    date_to = forms.DateField(label="Déposé jusqu'au", required=False, widget=DayInput())
    hors_collectivite = forms.BooleanField(label="Hors collectivité", required=False)
    non_verifie = forms.BooleanField(label="Non vérifié (Sirene)", required=False)

    def __init__(self, *args, departement_codes, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = [
            ("", "Tous mes départements"),
            *(
                (c, departements.BY_CODE[c].label)
                for c in sorted(departement_codes)
                if c in departements.BY_CODE
            ),
        ]


class OfficerSearchForm(Form):
    departement = forms.ChoiceField(
        label="Votre département", choices=[("", "Choisissez…"), *departements.CHOICES]
    )


class BeneficiarySignupForm(SignupForm):
    """Sign-up of a young person: no phone, a date of birth (15 to 18 today). Its
    errors say "tu", like the page."""

    speaks_tu = True

    birth_date = window(
        forms.DateField(
            label="Date de naissance",
            widget=DayInput(attrs={"autocomplete": "bday"}),
            help_text="Le pass Culture individuel est ouvert de 15 à 18 ans.",
        ),
        past_days=120 * 366,
        future_days=0,
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "birth_date",
        "password",
        "password_confirm",
        "accept_terms",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["phone"]
        self.fields["email"].label = "Adresse électronique"

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        age = Beneficiary(birth_date=birth_date).age_on(timezone.localdate())
        if not settings.BENEFICIARY_MIN_AGE <= age <= settings.BENEFICIARY_MAX_AGE:
            raise forms.ValidationError(
                "Le pass Culture individuel est ouvert aux jeunes de 15 à 18 ans "
                f"(tu as {age} ans)."
            )
        return birth_date


class TeacherSignupForm(SignupForm):
    """Sign-up of a teacher with the school's UAI (name and city for a new school)."""

    uai = forms.CharField(
        label="Code UAI de l'établissement",
        max_length=20,
        help_text="7 chiffres et une lettre, par exemple 0690001B.",
    )
    school_name = forms.CharField(
        label="Nom de l'établissement",
        max_length=200,
        required=False,
        help_text="Si l'établissement n'est pas encore connu.",
    )
    school_city = forms.CharField(
        label="Commune de l'établissement", max_length=120, required=False
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "uai",
        "school_name",
        "school_city",
        "password",
        "password_confirm",
        "accept_terms",
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["phone"]

    def clean_uai(self) -> str:
        uai = clean_uai(self.cleaned_data["uai"])
        if departement_from_uai(uai) is None:
            raise forms.ValidationError("Ce code UAI ne correspond à aucun département.")
        return uai

    def clean(self) -> dict:
        cleaned = super().clean()
        uai = cleaned.get("uai")
        if uai and not School.objects.filter(uai=uai).exists():
            for name in ("school_name", "school_city"):
                if not cleaned.get(name, "").strip():
                    self.add_error(name, "Établissement inconnu : précisez-le.")
        return cleaned


from accounts.forms.venue_page import HoursExceptionForm, VenuePageForm  # noqa: E402,F401
