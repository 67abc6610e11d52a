from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UsernameField

from accounts.models import User


class SignupForm(forms.Form):
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
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "Un compte existe déjà avec cette adresse. Connectez-vous ou réinitialisez "
                "votre mot de passe."
            )
        return email

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


class EmailAuthenticationForm(AuthenticationForm):
    username = UsernameField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": (
            "Adresse électronique ou mot de passe incorrect. Les deux champs tiennent compte "
            "des majuscules."
        ),
        "inactive": "Ce compte est désactivé.",
    }


class FrenchPasswordResetForm(PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
