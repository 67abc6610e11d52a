"""Forms of individual offers and their sessions (pro side)."""

from __future__ import annotations

import copy
import re
from datetime import time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalog.categories import UnknownSubcategory, get_subcategory, subcategory_choices
from offers import recurrence, rules
from offers.models import DESCRIPTION_MAX, TITLE_MAX, SessionCancelReason
from offers.models.individual import AGE_MAX, AGE_MIN
from offers.services.offers import OfferData, StockData, check_ages
from offers.services.sessions import SessionData
from passlib.forms import DayInput, DurationField, Form, MoneyField, window

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


# Offers and sessions are published up to two years ahead; past dates stay editable for a
# year (a session being corrected after the fact).
FUTURE_DAYS = 2 * 366
MAX_PLACES = 100_000
# What is typed, in <kbd>: the pages' guard (tests/test_pages_read_french.py) reads it
# as input, not as the site's way to write a time.
DURATION_HELP = mark_safe("Par exemple <kbd>1h30</kbd>, <kbd>90 min</kbd> ou <kbd>2 h</kbd>")
OWN_DURATION_HELP = format_html("Facultatif. {} ; vide : la durée de l'offre.", DURATION_HELP)


def wall_time_field(label: str, *, required: bool = False, help_text: str = ""):
    """A date and time typed at the venue's wall time (a datetime-local input), within a
    year back and the sessions' window ahead."""
    return window(
        forms.DateTimeField(
            label=label,
            required=required,
            help_text=help_text,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        ),
        past_days=365,
        future_days=FUTURE_DAYS,
    )


def age_field(label: str) -> forms.TypedChoiceField:
    """An age bound of an offer: 15 to 18, or « — » (none). Whether the minimum is above
    the maximum is the service's to say (offers/services/offers.py)."""
    return forms.TypedChoiceField(
        label=label,
        required=False,
        choices=[("", "—"), *((age, f"{age} ans") for age in range(AGE_MIN, AGE_MAX + 1))],
        coerce=int,
        empty_value=None,
        error_messages={
            "invalid_choice": f"Choisissez un âge de {AGE_MIN} à {AGE_MAX} ans, ou « — »."
        },
    )


def _at_venue(value, venue):
    """A date-time typed in the venue's time zone (the form parsed it in the current
    one): the same wall time, in the venue's zone (offers/recurrence.py's rule for a
    skipped or repeated hour)."""
    if value is None:
        return None
    wall = timezone.make_naive(value)
    return recurrence.local_datetime(wall.date(), wall.time(), venue.time_zone)


def venue_wall_time(moment, venue) -> str:
    """The form's initial value of a stored instant: its wall time at the venue."""
    if moment is None:
        return ""
    return timezone.localtime(moment, ZoneInfo(venue.time_zone)).strftime("%Y-%m-%dT%H:%M")


class OfferForm(Form):
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
    price = MoneyField(
        label="Prix (€)",
        min_value=Decimal(0),
        initial=Decimal(0),
        max_value=Decimal(300),
        help_text="0 € pour une offre gratuite (de 0 à 300 €).",
        error_messages={
            "min_value": "Le prix ne peut pas être négatif.",
            "max_value": "Le prix ne peut pas dépasser %(limit)s €.",
        },
    )
    quantity = forms.IntegerField(
        label="Quantité disponible",
        required=False,
        min_value=0,
        max_value=MAX_PLACES,
        help_text="Laissez vide pour un nombre illimité.",
    )
    booking_limit_date = window(
        forms.DateField(
            label="Date limite de réservation",
            required=False,
            widget=DayInput(),
        ),
        past_days=365,
        future_days=FUTURE_DAYS,
    )
    accessibility_audio = forms.BooleanField(label="Handicap auditif", required=False)
    accessibility_mental = forms.BooleanField(
        label="Handicap psychique ou cognitif", required=False
    )
    accessibility_motor = forms.BooleanField(label="Handicap moteur", required=False)
    accessibility_visual = forms.BooleanField(label="Handicap visuel", required=False)
    age_min = age_field("Âge minimum")
    age_max = age_field("Âge maximum")
    withdrawal_details = forms.CharField(
        label="Modalités de retrait",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    booking_email = forms.EmailField(
        label="Adresse électronique de contact pour les réservations", required=False
    )
    duration_minutes = DurationField(label="Durée", required=False, help_text=DURATION_HELP)
    publish_at = wall_time_field(
        "Publication programmée le",
        help_text="Facultatif, à l'heure du lieu : l'offre publiée n'apparaît aux jeunes "
        "qu'à partir de cet instant. Vide : dès la publication.",
    )
    booking_opens_at = wall_time_field(
        "Ouverture des réservations le",
        help_text="Facultatif, à l'heure du lieu : avant cet instant, l'offre se voit "
        "mais ne se réserve pas. Vide : dès qu'elle apparaît.",
    )

    def __init__(self, *args, venues, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        self.fields["subcategory"].choices = [
            ("", "Choisissez…"),
            *subcategory_choices(collective=False),
        ]
        sub = self.chosen_subcategory
        if sub is not None and sub.is_event and not self.initial.get("duration_minutes"):
            # A new event offers its subcategory's usual length (SPEC §9).
            self.initial["duration_minutes"] = rules.usual_duration(sub.id)

    @property
    def chosen_subcategory(self):
        """The subcategory the form currently shows (bound value, else initial)."""
        value = self["subcategory"].value()
        try:
            return get_subcategory(value) if value else None
        except UnknownSubcategory:
            return None

    def clean(self):
        d = super().clean()
        try:  # with the other fields' messages, not after them (the service asks it too)
            check_ages(d.get("age_min"), d.get("age_max"))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                if field not in self.errors:
                    for message in messages:
                        self.add_error(field, message)
        return d

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
            age_min=d["age_min"],
            age_max=d["age_max"],
            withdrawal_details=d["withdrawal_details"],
            booking_email=d["booking_email"],
            price_cents=int((d["price"] * 100).to_integral_value()),
            publish_at=_at_venue(d["publish_at"], d["venue"]),
            booking_opens_at=_at_venue(d["booking_opens_at"], d["venue"]),
            duration_minutes=d["duration_minutes"],
        )
        stock = StockData(quantity=d["quantity"], booking_limit_date=d["booking_limit_date"])
        return offer, stock


class SessionForm(Form):
    """Dates are typed in the venue's time zone (the view activates it)."""

    starts_at = wall_time_field("Début", required=True)
    total_places = forms.IntegerField(
        label="Nombre total de places",
        required=False,
        min_value=0,
        max_value=MAX_PLACES,
        help_text="Laissez vide pour un nombre illimité.",
    )
    quota = forms.IntegerField(
        label="Quota pass Culture",
        required=False,
        min_value=0,
        max_value=MAX_PLACES,
        help_text="Facultatif : le nombre maximum de places que les jeunes du pass Culture "
        "peuvent réserver, au plus le nombre total de places. Ces places ne leur sont pas "
        "gardées : les inscriptions à l'accueil, par téléphone… les prennent aussi.",
    )
    booking_limit_at = wall_time_field(
        "Date limite de réservation", help_text="Par défaut : le début de la séance."
    )
    duration_minutes = DurationField(
        label="Durée de cette séance",
        required=False,
        help_text=OWN_DURATION_HELP,
    )

    def to_data(self) -> SessionData:
        d = self.cleaned_data
        return SessionData(
            starts_at=d["starts_at"],
            total_places=d["total_places"],
            quota=d["quota"],
            booking_limit_at=d["booking_limit_at"],
            duration_minutes=d["duration_minutes"],
        )


class SessionEditForm(SessionForm):
    """A session's edit; in a series, the change can apply to the following ones too."""

    scope = forms.ChoiceField(
        label="Appliquer la modification à",
        choices=[
            ("one", "Cette séance seulement"),
            ("following", "Cette séance et les suivantes de la série"),
        ],
        initial="one",
        required=False,
        widget=forms.RadioSelect,
    )


class CancellationForm(Form):
    """The reason given with a cancellation (venue or school); it reaches the other side."""

    comment = forms.CharField(
        label="Motif", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def error_text(self) -> str:
        return "Motif de l'annulation : " + " ".join(self.errors.get("comment", []))


class SessionCancelForm(Form):
    """Why the venue cancels a session (or every session to come): a reason from the
    short list, and what the participants should know (offers/services/cancellations.py
    checks both again)."""

    reason = forms.ChoiceField(
        label="Motif",
        choices=[("", "Choisissez un motif"), *SessionCancelReason.choices],
        error_messages={
            "required": "Choisissez un motif dans la liste.",
            "invalid_choice": "Choisissez un motif dans la liste.",
        },
    )
    comment = forms.CharField(
        label="Précisions (transmises telles quelles aux participants)",
        help_text="Obligatoires avec « Autre motif ».",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


_TIME = re.compile(r"^\s*([0-9]{1,2})\s*(?:[:hH.]\s*([0-9]{2})?)?\s*$")


def parse_times(value: str) -> tuple[time, ...]:
    """ "15:00", "15h", "15h30", "10:00, 14:30" or "10h ; 14h30" → times, sorted, once each."""
    found = set()
    for part in re.split(r"[,;/]|\bet\b", value):
        if not part.strip():
            continue
        match = _TIME.match(part)
        hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
        if hour > 23 or minute > 59:
            raise ValidationError(
                f"« {part.strip()} » n'est pas une heure : écrivez par exemple 15:00 ou 15h30."
            )
        found.add(time(hour, minute))
    if not found:
        raise ValidationError("Indiquez au moins une heure, par exemple 15:00.")
    if len(found) > 12:
        raise ValidationError("Indiquez au plus 12 heures par jour.")
    return tuple(sorted(found))


class RecurrenceForm(Form):
    """Sessions by rule: the dates come from offers/recurrence.py; places, quota and the
    booking limit are given once for all of them. Times are the venue's local time."""

    frequency = forms.ChoiceField(
        label="Fréquence",
        choices=recurrence.FREQUENCIES,
        initial=recurrence.WEEKLY,
        widget=forms.RadioSelect,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Jours de la semaine",
        choices=[(i, day.capitalize()) for i, day in enumerate(recurrence.WEEKDAYS)],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pour « Chaque semaine » : cochez un ou plusieurs jours.",
    )
    first_day = window(
        forms.DateField(
            label="À partir du",
            widget=DayInput(),
            help_text="Pour « Chaque mois », ce jour donne la date ou le jour de la semaine.",
        ),
        past_days=0,
        future_days=FUTURE_DAYS,
    )
    until = window(
        forms.DateField(
            label="Jusqu'au",
            required=False,
            widget=DayInput(),
            help_text="Remplissez cette date ou le nombre de dates.",
        ),
        past_days=0,
        future_days=FUTURE_DAYS,
    )
    count = forms.IntegerField(
        label="Nombre de dates",
        required=False,
        min_value=1,
        max_value=recurrence.MAX_SESSIONS_PER_OFFER,
        help_text="Les jours fériés ne comptent pas : la série continue à la date suivante.",
        error_messages={
            "min_value": "Indiquez au moins 1 date.",
            "max_value": f"Une offre compte au plus {recurrence.MAX_SESSIONS_PER_OFFER} "
            f"séances : indiquez au plus {recurrence.MAX_SESSIONS_PER_OFFER} dates.",
        },
    )
    times = forms.CharField(
        label="Heures de début",
        max_length=100,
        help_text="Heure locale du lieu, par exemple 15:00 ; plusieurs : 10:00, 14:30.",
    )
    total_places = copy.deepcopy(SessionForm.base_fields["total_places"])
    quota = copy.deepcopy(SessionForm.base_fields["quota"])
    duration_minutes = DurationField(
        label="Durée de ces séances",
        required=False,
        help_text=OWN_DURATION_HELP,
    )
    limit_hours = forms.IntegerField(
        label="Fin des réservations (heures avant le début)",
        required=False,
        min_value=0,
        max_value=24 * 60,
        help_text="Laissez vide ou 0 : réservable jusqu'au début de chaque séance.",
    )

    def clean_times(self) -> tuple[time, ...]:
        return parse_times(self.cleaned_data["times"])

    def clean(self):
        d = super().clean()
        if d.get("frequency") == recurrence.WEEKLY and not d.get("weekdays"):
            self.add_error("weekdays", "Cochez au moins un jour de la semaine.")
        until, count = d.get("until"), d.get("count")
        # Only the field at fault: a refused number of dates is not a missing end.
        if until is None and count is None and not self.errors.keys() & {"until", "count"}:
            self.add_error("until", "Indiquez une date de fin ou un nombre de dates.")
        if until is not None and count is not None:
            self.add_error("count", "Indiquez une date de fin ou un nombre de dates, pas les deux.")
        first = d.get("first_day")
        if until is not None and first is not None and until < first:
            self.add_error("until", "La date de fin doit suivre la date de début.")
        return d

    def rule(self) -> recurrence.Rule:
        d = self.cleaned_data
        return recurrence.Rule(
            frequency=d["frequency"],
            first_day=d["first_day"],
            times=d["times"],
            until=d["until"],
            count=d["count"],
            weekdays=tuple(d.get("weekdays") or ()),
        )

    def limit_before(self) -> timedelta:
        return timedelta(hours=self.cleaned_data["limit_hours"] or 0)
