"""The filter forms of the list pages. Each `to_filters()` gives the selector's filter
dataclass, or the empty filters when the input is invalid (the form then shows why)."""

from __future__ import annotations

import hashlib

from django import forms

from accounts import departements, geo
from catalog.categories import CATEGORIES, subcategory_choices
from offers.collective_reference import DOMAINS, SCHOOL_LEVELS
from offers.models import BookingStatus, DisplayStatus
from offers.selectors import (
    COLLECTIVE_DISPLAY_LABELS,
    BookingFilters,
    CatalogFilters,
    CollectiveFilters,
    OfferFilters,
    TeacherFilters,
)
from offers.selectors.catalog import SORT_LABELS, venue_points
from offers.services.bulk import ACTIONS as BULK_ACTIONS
from offers.services.bulk import MAX_OFFERS as BULK_MAX
from passlib import params
from passlib.forms import DayInput, Form

_DATE = {"required": False, "widget": DayInput()}


def search_field(examples: str) -> forms.CharField:
    """« Rechercher » of the catalogues (passlib/search.py reads it)."""
    return forms.CharField(
        label="Rechercher",
        required=False,
        max_length=100,
        help_text=f"Un titre, un mot, un lieu, une ville : {examples}…",
    )


class FilterForm(Form):
    """A list's filter form. Its markup is a pure function of the submitted values and
    the choices offered (a person's venues), so the page caches it by `render_key`
    (Django's `{% cache %}` fragment cache, shared by the web processes): the eight
    fields of the bookings filters cost, through the template engine, a third of the
    page (docs/performance.md)."""

    @property
    def render_key(self) -> str:
        values = [
            (
                name,
                self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name),
            )
            for name in self.fields
            if name in self.data
        ]
        choices = [
            repr(field.choices) for field in self.fields.values() if hasattr(field, "choices")
        ]
        # The fields themselves: a form may show one to some people only (« Pour mon âge »).
        raw = repr((type(self).__name__, list(self.fields), self.is_bound, values, choices))
        return hashlib.sha256(raw.encode()).hexdigest()


class OfferFilterForm(FilterForm):
    q = forms.CharField(label="Rechercher un titre", required=False, max_length=100)
    venue = forms.TypedChoiceField(
        widget=forms.Select, label="Lieu", required=False, coerce=int, empty_value=None
    )
    category = forms.ChoiceField(widget=forms.Select, label="Catégorie", required=False)
    status = forms.ChoiceField(
        widget=forms.Select,
        label="Statut",
        required=False,
        choices=[("", "Tous"), *DisplayStatus.choices],
    )
    pricing = forms.ChoiceField(
        widget=forms.Select,
        label="Prix",
        required=False,
        choices=[("", "Tous"), ("free", "Gratuites"), ("paid", "Payantes")],
    )

    def __init__(self, *args, venue_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", "Tous"), *venue_choices]
        self.fields["category"].choices = [("", "Toutes"), *((c.id, c.label) for c in CATEGORIES)]

    def to_filters(self) -> OfferFilters:
        if not self.is_valid():
            return OfferFilters()
        d = self.cleaned_data
        return OfferFilters(
            venue=d["venue"],
            category=d["category"],
            status=d["status"],
            pricing=d["pricing"],
            q=d["q"].strip(),
        )


class BookingFilterForm(FilterForm):
    q = forms.CharField(label="Code ou nom du bénéficiaire", required=False, max_length=100)
    venue = forms.TypedChoiceField(
        widget=forms.Select, label="Lieu", required=False, coerce=int, empty_value=None
    )
    offer = forms.CharField(label="Offre (mots du titre)", required=False, max_length=100)
    status = forms.ChoiceField(
        widget=forms.Select,
        label="Statut",
        required=False,
        choices=[("", "Tous"), *BookingStatus.choices],
    )
    booked_from = forms.DateField(label="Réservée depuis le", **_DATE)
    booked_to = forms.DateField(label="Réservée jusqu'au", **_DATE)
    event_from = forms.DateField(label="Événement depuis le", **_DATE)
    event_to = forms.DateField(label="Événement jusqu'au", **_DATE)

    def __init__(self, *args, venue_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", "Tous"), *venue_choices]

    def to_filters(self) -> BookingFilters:
        if not self.is_valid():
            return BookingFilters()
        d = self.cleaned_data
        return BookingFilters(**{**d, "offer": d["offer"].strip(), "q": d["q"].strip()})


class CatalogFilterForm(FilterForm):
    speaks_tu = True  # the young people's catalogue
    q = search_field("« club lecture », « théâtre »")
    departement = forms.ChoiceField(
        widget=forms.Select,
        label="Département",
        required=False,
        choices=[("", "Tous"), *departements.CHOICES],
    )
    category = forms.ChoiceField(
        widget=forms.Select,
        label="Catégorie",
        required=False,
        choices=[("", "Toutes"), *((c.id, c.label) for c in CATEGORIES)],
    )
    free_only = forms.BooleanField(label="Gratuites uniquement", required=False)
    for_my_age = forms.BooleanField(label="Pour mon âge", required=False)
    day = forms.DateField(label="Date", **_DATE)
    near = forms.CharField(
        label="Près de (commune ou code postal)",
        required=False,
        max_length=80,
        help_text="Pour trier par distance, par exemple « Villeurbanne » ou « 69100 ».",
    )
    sort = forms.ChoiceField(
        widget=forms.Select, label="Trier par", required=False, choices=list(SORT_LABELS.items())
    )

    def __init__(self, *args, age: int | None = None, **kwargs) -> None:
        """`age`: the young person's age today, for « Pour mon âge » (only they see it)."""
        super().__init__(*args, **kwargs)
        self.age = age
        if age is None:
            del self.fields["for_my_age"]

    def clean_near(self):
        text = self.cleaned_data["near"]
        if not text:
            return None
        place = geo.place_of(text, venue_points=venue_points)
        if place is None:
            raise forms.ValidationError(
                "Commune ou code postal introuvable : vérifiez l'orthographe, ou essayez "
                "le code postal.",
                code="near.unknown",
            )
        return place

    def clean(self):
        data = super().clean()
        if data.get("sort") == "distance" and not data.get("near"):
            if "near" not in self.errors:
                self.add_error(
                    "near", "Indiquez une commune ou un code postal pour trier par distance."
                )
        elif data.get("near") and not data.get("sort"):
            data["sort"] = "distance"  # a place chosen: nearest first
        return data

    def to_filters(self) -> CatalogFilters:
        if not self.is_valid():
            return CatalogFilters()
        d = dict(self.cleaned_data)
        place = d.pop("near")
        age = self.age if d.pop("for_my_age", False) else None
        return CatalogFilters(**d, near=place.point if place else None, age=age)

    @property
    def place(self):
        return self.cleaned_data.get("near") if self.is_valid() else None


class CollectiveFilterForm(Form):
    q = forms.CharField(label="Rechercher un titre", required=False, max_length=100)
    venue = forms.ModelChoiceField(label="Lieu", queryset=None, required=False, empty_label="Tous")
    status = forms.ChoiceField(
        widget=forms.Select,
        label="Statut",
        required=False,
        choices=[("", "Tous"), *COLLECTIVE_DISPLAY_LABELS.items()],
    )

    def __init__(self, *args, venues, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues

    def to_filters(self) -> CollectiveFilters:
        if not self.is_valid():
            return CollectiveFilters()
        d = self.cleaned_data
        return CollectiveFilters(venue=d["venue"], status=d["status"], q=d["q"].strip())


class TeacherFilterForm(FilterForm):
    q = search_field("« théâtre », « lecture à voix haute »")
    domain = forms.ChoiceField(
        widget=forms.Select, label="Domaine", required=False, choices=[("", "Tous"), *DOMAINS]
    )
    level = forms.ChoiceField(
        widget=forms.Select, label="Niveau", required=False, choices=[("", "Tous"), *SCHOOL_LEVELS]
    )
    subcategory = forms.ChoiceField(widget=forms.Select, label="Type d'activité", required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subcategory"].choices = [("", "Toutes"), *subcategory_choices(collective=True)]

    def to_filters(self) -> TeacherFilters:
        return TeacherFilters(**self.cleaned_data) if self.is_valid() else TeacherFilters()


class BulkForm(Form):
    """The offers list's grouped action: which action, which offers (checked rows, or
    every offer matching the list's filters, carried as its query string), and whether
    the person confirmed. Unreadable ids are ignored; none left is refused."""

    action = forms.ChoiceField(
        label="Action sur la sélection",
        choices=[("", "Choisissez…"), *((k, a.label) for k, a in BULK_ACTIONS.items())],
    )
    tout = forms.BooleanField(label="Toutes les offres correspondant aux filtres", required=False)
    filtres = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    confirme = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        ids = self.data.getlist("offres") if hasattr(self.data, "getlist") else []
        parsed = [params.uuid_or_none(v) for v in ids[: BULK_MAX + 1]]
        data["offres"] = [u for u in parsed if u is not None]
        if len(ids) > BULK_MAX:
            raise forms.ValidationError(
                f"Au plus {BULK_MAX} offres à la fois : affinez les filtres.", code="too_many"
            )
        if not data.get("tout") and not data["offres"]:
            raise forms.ValidationError(
                "Sélectionnez au moins une offre, ou toutes celles des filtres.", code="empty"
            )
        return data

    def problems(self) -> list[str]:
        """What to tell the person back on the list (the form has no page of its own)."""
        found = list(self.non_field_errors())
        if "action" in self.errors:
            found.append("Choisissez une action.")
        if "filtres" in self.errors:
            found.append("Les filtres de la liste sont illisibles : refaites la sélection.")
        return found or ["La sélection n'a pas pu être lue : refaites-la."]
