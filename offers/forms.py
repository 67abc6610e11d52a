from __future__ import annotations

from decimal import Decimal

from django import forms

from catalog.categories import UnknownSubcategory, get_subcategory, subcategory_choices
from offers.models import DESCRIPTION_MAX, TITLE_MAX, DisplayStatus
from offers.services.offers import OfferData, SessionData, StockData

# Typical free offers of the help article, with what they pre-fill.
FREE_OFFER_MODELS = {
    "abonnement": (
        "Cartes d'abonnement",
        "ABO_BIBLIOTHEQUE",
        "Carte d'abonnement à la bibliothèque",
    ),
    "atelier": ("Ateliers de pratique artistique", "ATELIER_PRATIQUE_ART", "Atelier"),
    "rencontre": ("Rencontres avec un artiste", "RENCONTRE", "Rencontre avec"),
    "visite": ("Visites d'expositions", "VISITE", "Visite de l'exposition"),
    "spectacle": ("Spectacles", "RENCONTRE", "Spectacle"),
    "club-lecture": ("Clubs de lecture", "RENCONTRE", "Club de lecture"),
}


class OfferForm(forms.Form):
    venue = forms.ModelChoiceField(label="Lieu", queryset=None, empty_label="Choisissez…")
    subcategory = forms.ChoiceField(
        label="Catégorie et sous-catégorie",
        help_text="Le type d'offre (physique ou événement) en découle.",
        error_messages={
            "invalid_choice": "Cette sous-catégorie ne peut pas être proposée en offre "
            "individuelle."
        },
    )
    title = forms.CharField(label="Titre", max_length=TITLE_MAX)
    description = forms.CharField(
        label="Description",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Texte simple ; les retours à la ligne sont conservés.",
    )
    speaker = forms.CharField(label="Intervenant", max_length=200, required=False)
    director = forms.CharField(label="Réalisateur", max_length=200, required=False)
    visa = forms.CharField(label="Visa d'exploitation", max_length=20, required=False)
    price = forms.DecimalField(
        label="Prix (€)",
        min_value=Decimal(0),
        max_digits=6,
        decimal_places=2,
        initial=Decimal(0),
        help_text="0 € pour une offre gratuite (de 0 à 300 €).",
        error_messages={"min_value": "Le prix ne peut pas être négatif."},
    )
    quantity = forms.IntegerField(
        label="Quantité disponible",
        required=False,
        min_value=0,
        help_text="Laissez vide pour un nombre illimité.",
    )
    booking_limit_date = forms.DateField(
        label="Date limite de réservation",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    accessibility_audio = forms.BooleanField(label="Handicap auditif", required=False)
    accessibility_mental = forms.BooleanField(
        label="Handicap psychique ou cognitif", required=False
    )
    accessibility_motor = forms.BooleanField(label="Handicap moteur", required=False)
    accessibility_visual = forms.BooleanField(label="Handicap visuel", required=False)
    withdrawal_details = forms.CharField(
        label="Modalités de retrait",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    booking_email = forms.EmailField(label="Email de contact pour les réservations", required=False)

    def __init__(self, *args, venues, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["subcategory"].choices = [
            ("", "Choisissez…"),
            *subcategory_choices(collective=False),
        ]

    def clean_price(self) -> Decimal:
        price = self.cleaned_data["price"]
        if price is not None and price > 300:
            raise forms.ValidationError("Le prix ne peut pas dépasser 300 €.")
        return price

    @property
    def chosen_subcategory(self):
        """The subcategory the form currently shows (bound value, else initial)."""
        value = self["subcategory"].value()
        try:
            return get_subcategory(value) if value else None
        except UnknownSubcategory:
            return None

    def to_data(self) -> tuple[OfferData, StockData]:
        d = self.cleaned_data
        offer = OfferData(
            venue=d["venue"],
            subcategory_id=d["subcategory"],
            title=d["title"],
            description=d["description"],
            speaker=d["speaker"],
            director=d["director"],
            visa=d["visa"],
            accessibility_audio=d["accessibility_audio"],
            accessibility_mental=d["accessibility_mental"],
            accessibility_motor=d["accessibility_motor"],
            accessibility_visual=d["accessibility_visual"],
            withdrawal_details=d["withdrawal_details"],
            booking_email=d["booking_email"],
            price_cents=int((d["price"] * 100).to_integral_value()),
        )
        stock = StockData(quantity=d["quantity"], booking_limit_date=d["booking_limit_date"])
        return offer, stock


class SessionForm(forms.Form):
    """Dates are typed in the venue's time zone (the view activates it)."""

    starts_at = forms.DateTimeField(
        label="Début",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    total_places = forms.IntegerField(
        label="Nombre total de places",
        required=False,
        min_value=0,
        help_text="Laissez vide pour un nombre illimité.",
    )
    quota = forms.IntegerField(
        label="Quota pass Culture",
        required=False,
        min_value=0,
        help_text="Facultatif : places réservées aux jeunes du pass Culture, au plus le "
        "nombre total de places.",
    )
    booking_limit_at = forms.DateTimeField(
        label="Date limite de réservation",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Par défaut : le début de la séance.",
    )

    def to_data(self) -> SessionData:
        d = self.cleaned_data
        return SessionData(
            starts_at=d["starts_at"],
            total_places=d["total_places"],
            quota=d["quota"],
            booking_limit_at=d["booking_limit_at"],
        )


class OfferFilterForm(forms.Form):
    q = forms.CharField(label="Rechercher un titre", required=False, max_length=100)
    venue = forms.TypedChoiceField(label="Lieu", required=False, coerce=int, empty_value=None)
    category = forms.ChoiceField(label="Catégorie", required=False)
    status = forms.ChoiceField(
        label="Statut", required=False, choices=[("", "Tous"), *DisplayStatus.choices]
    )
    pricing = forms.ChoiceField(
        label="Prix",
        required=False,
        choices=[("", "Tous"), ("free", "Gratuites"), ("paid", "Payantes")],
    )

    def __init__(self, *args, venue_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        from catalog.categories import CATEGORIES

        self.fields["venue"].choices = [("", "Tous"), *venue_choices]
        self.fields["category"].choices = [("", "Toutes"), *((c.id, c.label) for c in CATEGORIES)]


# --- collective offers ----------------------------------------------------------------------


class CollectiveForm(forms.Form):
    from accounts import departements as _deps
    from offers.collective_reference import DOMAINS as _DOMAINS
    from offers.collective_reference import SCHOOL_LEVELS as _LEVELS

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
        choices=_LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    domains = forms.MultipleChoiceField(
        label="Domaines artistiques et culturels",
        choices=_DOMAINS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    intervention_area = forms.MultipleChoiceField(
        label="Zone de mobilité (départements)",
        choices=_deps.CHOICES,
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
    contact_email = forms.EmailField(label="Email de contact")
    contact_phone = forms.CharField(label="Téléphone de contact", max_length=30, required=False)
    accessibility_audio = forms.BooleanField(label="Handicap auditif", required=False)
    accessibility_mental = forms.BooleanField(
        label="Handicap psychique ou cognitif", required=False
    )
    accessibility_motor = forms.BooleanField(label="Handicap moteur", required=False)
    accessibility_visual = forms.BooleanField(label="Handicap visuel", required=False)

    def __init__(self, *args, venues, **kwargs) -> None:
        from offers.models import LocationType

        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["subcategory"].choices = [
            ("", "Choisissez…"),
            *subcategory_choices(collective=True),
        ]
        self.fields["location_type"].choices = LocationType.choices

    def common_data(self):
        from offers.services.collective import CollectiveData

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


class BookableForm(CollectiveForm):
    starts_at = forms.DateTimeField(label="Début", **_DATETIME)
    ends_at = forms.DateTimeField(label="Fin", **_DATETIME)
    booking_limit_at = forms.DateTimeField(
        label="Date limite de réservation",
        required=False,
        help_text="Par défaut : le début.",
        **_DATETIME,
    )
    price = forms.DecimalField(
        label="Prix total (€)",
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        initial=Decimal(0),
        error_messages={"min_value": "Le prix ne peut pas être négatif."},
    )
    price_details = forms.CharField(
        label="Détail du prix",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    students = forms.IntegerField(label="Nombre d'élèves", min_value=1)
    school_uai = forms.CharField(
        label="Réservée à l'établissement (code UAI)",
        max_length=20,
        required=False,
        help_text="Facultatif : seul cet établissement pourra préréserver.",
    )

    def clean_school_uai(self):
        from accounts.models import School
        from accounts.uai import clean_uai

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
        from offers.services.collective import BookableData

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


class CollectiveRequestForm(forms.Form):
    message = forms.CharField(
        label="Votre projet", max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    students = forms.IntegerField(label="Nombre d'élèves", min_value=1)
    preferred_dates = forms.CharField(
        label="Dates souhaitées",
        max_length=255,
        required=False,
        help_text="Par exemple : en mars, le mardi matin.",
    )


class TeacherFilterForm(forms.Form):
    from offers.collective_reference import DOMAINS as _DOMAINS
    from offers.collective_reference import SCHOOL_LEVELS as _LEVELS

    domain = forms.ChoiceField(label="Domaine", required=False, choices=[("", "Tous"), *_DOMAINS])
    level = forms.ChoiceField(label="Niveau", required=False, choices=[("", "Tous"), *_LEVELS])
    subcategory = forms.ChoiceField(label="Type d'activité", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subcategory"].choices = [("", "Toutes"), *subcategory_choices(collective=True)]
