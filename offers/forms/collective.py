"""Forms of collective offers and teachers' requests."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from accounts import departements
from accounts.models import School
from accounts.uai import clean_uai
from catalog.categories import subcategory_choices
from offers.collective_reference import DOMAINS, SCHOOL_LEVELS
from offers.forms.offers import FUTURE_DAYS
from offers.models import LocationType
from offers.services.collective import BookableData, CollectiveData
from passlib.forms import Form, MoneyField, window

MAX_STUDENTS = 1000  # a whole school at most

# --- collective offers ----------------------------------------------------------------------


class CollectiveForm(Form):
    venue = forms.ModelChoiceField(label="Lieu", queryset=None, empty_label="Choisissez…")
    subcategory = forms.ChoiceField(
        label="Catégorie et sous-catégorie",
        help_text="Les projets d'éducation aux médias ou de découverte des métiers du livre "
        "se publient dans « Conférences, rencontres » / « Rencontre ».",
        error_messages={
            "invalid_choice": "Cette sous-catégorie ne peut pas être proposée aux "
            "groupes scolaires."
        },
    )
    title = forms.CharField(label="Titre", max_length=110)
    description = forms.CharField(
        label="Description",
        max_length=1500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    school_levels = forms.MultipleChoiceField(
        label="Niveaux scolaires",
        choices=SCHOOL_LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    domains = forms.MultipleChoiceField(
        label="Domaines artistiques et culturels",
        choices=DOMAINS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intervention_area = forms.MultipleChoiceField(
        label="Zone de mobilité (départements)",
        choices=departements.CHOICES,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Les enseignants de ces départements verront l'offre. Maintenez Ctrl (ou "
        "Cmd) pour en choisir plusieurs.",
        error_messages={"required": "Choisissez au moins un département d'intervention."},
    )
    location_type = forms.ChoiceField(
        label="Où se déroule l'activité ?", widget=forms.RadioSelect, choices=[]
    )
    location_address = forms.CharField(label="Adresse (autre lieu)", max_length=255, required=False)
    location_comment = forms.CharField(
        label="Précisions sur le lieu", max_length=500, required=False
    )
    contact_email = forms.EmailField(label="Adresse électronique de contact")
    contact_phone = forms.CharField(label="Téléphone de contact", max_length=30, required=False)
    accessibility_audio = forms.BooleanField(label="Handicap auditif", required=False)
    accessibility_mental = forms.BooleanField(
        label="Handicap psychique ou cognitif", required=False
    )
    accessibility_motor = forms.BooleanField(label="Handicap moteur", required=False)
    accessibility_visual = forms.BooleanField(label="Handicap visuel", required=False)

    def __init__(self, *args, venues, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["subcategory"].choices = [
            ("", "Choisissez…"),
            *subcategory_choices(collective=True),
        ]
        self.fields["location_type"].choices = LocationType.choices

    def common_data(self):
        d = self.cleaned_data
        return CollectiveData(
            venue=d["venue"],
            subcategory_id=d["subcategory"],
            title=d["title"],
            description=d["description"],
            school_levels=d["school_levels"],
            domains=d["domains"],
            intervention_area=d["intervention_area"],
            location_type=d["location_type"],
            location_address=d["location_address"],
            location_comment=d["location_comment"],
            contact_email=d["contact_email"],
            contact_phone=d["contact_phone"],
            accessibility_audio=d["accessibility_audio"],
            accessibility_mental=d["accessibility_mental"],
            accessibility_motor=d["accessibility_motor"],
            accessibility_visual=d["accessibility_visual"],
        )


_DATETIME = {
    "widget": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
}


def _when(field: forms.DateTimeField) -> forms.DateTimeField:
    """A school year ahead and the next: two years; a past date stays editable a year."""
    return window(field, past_days=365, future_days=FUTURE_DAYS)


class BookableForm(CollectiveForm):
    starts_at = _when(forms.DateTimeField(label="Début", **_DATETIME))
    ends_at = _when(forms.DateTimeField(label="Fin", **_DATETIME))
    booking_limit_at = _when(
        forms.DateTimeField(
            label="Date limite de réservation",
            required=False,
            help_text="Par défaut : le début.",
            **_DATETIME,
        )
    )
    price = MoneyField(
        label="Prix total (€)",
        min_value=Decimal(0),
        initial=Decimal(0),
        error_messages={
            "min_value": "Le prix ne peut pas être négatif.",
            "max_value": "Le prix total ne peut pas dépasser %(limit)s €.",
        },
    )
    price_details = forms.CharField(
        label="Détail du prix",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    students = forms.IntegerField(label="Nombre d'élèves", min_value=1, max_value=MAX_STUDENTS)
    school_uai = forms.CharField(
        label="Réservée à l'établissement (code UAI)",
        max_length=20,
        required=False,
        help_text="Facultatif : seul cet établissement pourra préréserver.",
    )

    def clean_school_uai(self):
        value = self.cleaned_data["school_uai"].strip()
        if not value:
            return None
        uai = clean_uai(value)
        school = School.objects.filter(uai=uai).first()
        if school is None:
            raise forms.ValidationError(
                "Aucun enseignant de cet établissement n'est encore inscrit : il doit créer "
                "son compte pour que vous puissiez lui réserver une offre."
            )
        return school

    def bookable_data(self):
        d = self.cleaned_data
        return BookableData(
            starts_at=d["starts_at"],
            ends_at=d["ends_at"],
            booking_limit_at=d["booking_limit_at"],
            price_cents=int((d["price"] * 100).to_integral_value()),
            price_details=d["price_details"],
            students=d["students"],
            school=d["school_uai"],
        )


class CollectiveRequestForm(Form):
    message = forms.CharField(
        label="Votre projet", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    students = forms.IntegerField(label="Nombre d'élèves", min_value=1, max_value=MAX_STUDENTS)
    preferred_dates = forms.CharField(
        label="Dates souhaitées",
        max_length=255,
        required=False,
        help_text="Par exemple : en mars, le mardi matin.",
    )
