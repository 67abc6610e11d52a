"""The forms of a venue's public page (accounts/views/venue_page.py): its texts,
contact, accessibility and the week's hours typed as people write them
(accounts/hours.py), and an exception to the hours."""

from __future__ import annotations

from dataclasses import fields

from django import forms
from django.utils import timezone

from accounts import hours
from accounts.models import WEEKDAYS
from accounts.services.venue_page import VenuePageData
from passlib.forms import DayInput, Form, window


class VenuePageForm(Form):
    """A venue's public page: texts, accessibility, contact and the week's hours typed
    as people write them (accounts/hours.py)."""

    public_name = forms.CharField(
        label="Nom public",
        max_length=200,
        required=False,
        help_text="Laissez vide pour le nom du lieu.",
    )
    description = forms.CharField(
        label="Présentation",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Ce que le lieu propose, à qui, comment venir (3000 caractères au plus).",
    )
    accessibility_audio = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap auditif", required=False
    )
    accessibility_mental = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap psychique ou cognitif",
        required=False,
    )
    accessibility_motor = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap moteur", required=False
    )
    accessibility_visual = forms.BooleanField(
        label="Accessible aux personnes en situation de handicap visuel", required=False
    )
    accessibility_details = forms.CharField(
        label="Précisions sur l'accessibilité",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "Par exemple : boucle magnétique à l'accueil, ascenseur, livres en gros caractères."
        ),
    )
    contact_phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    contact_email = forms.EmailField(
        label="Adresse électronique de contact", max_length=254, required=False
    )
    website = forms.URLField(
        label="Site internet",
        max_length=300,
        required=False,
        assume_scheme="https",
        help_text="Par exemple https://bm-lyon.fr",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for day, label in enumerate(WEEKDAYS):
            # The fieldset says what to type, once for the seven days.
            self.fields[f"hours_{day}"] = forms.CharField(
                label=label,
                max_length=120,
                required=False,
                widget=forms.TextInput(attrs={"aria-describedby": "hours-help"}),
            )

    @property
    def hours_fields(self):
        return [self[f"hours_{day}"] for day in range(len(WEEKDAYS))]

    def clean(self):
        data = super().clean()
        week = {}
        for day in range(len(WEEKDAYS)):
            name = f"hours_{day}"
            if name in data:
                try:
                    week[day] = hours.parse(data[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        data["week"] = week
        return data

    def to_data(self) -> VenuePageData:
        d = self.cleaned_data
        return VenuePageData(**{f.name: d[f.name] for f in fields(VenuePageData)})


class HoursExceptionForm(Form):
    day = window(
        forms.DateField(label="Date", widget=DayInput()),
        past_days=0,
        future_days=730,
    )
    label = forms.CharField(
        label="Motif (facultatif)",
        max_length=120,
        required=False,
        help_text="Par exemple « Noël ».",
    )
    hours = forms.CharField(
        label="Horaires ce jour-là",
        max_length=60,
        required=False,
        help_text="Vide ou « fermé » si le lieu est fermé ; sinon par exemple « 10:00-13:00 ».",
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError("Choisissez une date à venir.", code="past")
        return day

    def clean_hours(self):
        intervals = hours.parse(self.cleaned_data["hours"])
        if len(intervals) > 1:
            raise forms.ValidationError(
                "Une seule plage horaire pour une exception (par exemple « 10:00-13:00 »).",
                code="hours.one_interval",
            )
        return intervals[0] if intervals else None
