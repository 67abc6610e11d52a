"""The session's participants page (issue 30): a person registered through another
channel than pass Culture (« Ajouter un participant », « Modifier »), people counted at
the door, and the places a library keeps on its own list. The rules are the service's
(offers/services/registrations.py): its `ValidationError`s go next to these fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from offers.models import AgeBracket, Channel, Registration
from offers.models.registrations import MAX_PARTY
from offers.services.registrations import RegistrationData
from passlib.forms import Form

MAX_OUTSIDE = 100_000  # offers/services/registrations.py `outside_places_set`

# Registered beforehand: every channel but the door's.
REGISTERED_CHANNELS = [(v, label) for v, label in Channel.choices if v != Channel.WALK_IN]


def errors_to(form: forms.Form, exc: ValidationError) -> None:
    """A service's field errors next to the form's fields (the others above it)."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


class RegistrationForm(Form):
    channel = forms.ChoiceField(label="Canal", choices=REGISTERED_CHANNELS)
    name = forms.CharField(
        label="Nom ou initiales",
        max_length=150,
        help_text="Par exemple « Famille Martin » ou « C. D. ».",
    )
    phone = forms.CharField(
        label="Téléphone (facultatif)",
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label="Adresse électronique (facultatif)",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    contact_consent = forms.BooleanField(
        label="La personne accepte d'être contactée pour cette séance",
        required=False,
        help_text=(
            "Son téléphone ou son adresse électronique ne servent qu'à la prévenir pour "
            "cette séance (une place libérée, un changement, une annulation)."
        ),
    )
    age_bracket = forms.ChoiceField(
        label="Tranche d'âge",
        choices=AgeBracket.choices,
        initial=AgeBracket.UNKNOWN,
        help_text="Pour les statistiques seulement.",
    )
    places = forms.IntegerField(
        label="Nombre de places",
        min_value=1,
        max_value=MAX_PARTY,
        initial=1,
        help_text=f"Un parent avec deux enfants : 3. Au plus {MAX_PARTY}.",
    )
    note = forms.CharField(label="Note (facultatif)", max_length=500, required=False)
    waitlist = forms.BooleanField(
        label="Si c'est complet, l'inscrire sur la liste d'attente", required=False
    )

    def __init__(self, *args, walk_in: bool = False, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["waitlist"]
        if walk_in:
            # Counted at the door: stays « Sans inscription », a name is not needed.
            self.fields["channel"].choices = [(Channel.WALK_IN, Channel.WALK_IN.label)]
            self.fields["name"].required = False
            self.fields["name"].label = "Nom (facultatif)"
            self.fields["places"].label = "Nombre de personnes"

    @classmethod
    def initial_of(cls, registration: Registration) -> dict:
        return {
            "channel": registration.channel,
            "name": registration.name,
            "phone": registration.phone,
            "email": registration.email,
            "contact_consent": registration.contact_consent,
            "age_bracket": registration.age_bracket,
            "places": registration.places,
            "note": registration.note,
        }

    def to_data(self) -> RegistrationData:
        d = self.cleaned_data
        return RegistrationData(
            channel=d["channel"],
            name=d["name"],
            phone=d["phone"],
            email=d["email"],
            contact_consent=d["contact_consent"],
            age_bracket=d["age_bracket"],
            places=d["places"],
            note=d["note"],
        )


class WalkInForm(Form):
    """« Compter des personnes venues sans inscription »: a number, a name if given."""

    places = forms.IntegerField(label="Nombre", min_value=1, max_value=MAX_PARTY, initial=1)
    name = forms.CharField(label="Nom (facultatif)", max_length=150, required=False)

    def to_data(self) -> RegistrationData:
        return RegistrationData(
            channel=Channel.WALK_IN,
            name=self.cleaned_data["name"],
            places=self.cleaned_data["places"],
        )


class OutsidePlacesForm(Form):
    """« Places déjà prises hors pass Culture »: the number a library keeps on its list."""

    outside_places = forms.IntegerField(
        label="Places déjà prises hors pass Culture",
        min_value=0,
        max_value=MAX_OUTSIDE,
    )
