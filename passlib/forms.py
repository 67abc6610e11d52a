"""Every form of passlib inherits `Form` or `ModelForm` from here (tests/test_layout.py
checks it): what is typed is bounded where it enters, whatever the field.

- Text: control characters are cleaned (`passlib/text.py`); one-line fields lose line
  breaks too (a title cannot carry a header into an e-mail); NUL is refused by Django's
  validator with its French message. Passwords are left as typed.
- Messages: Django's French apostrophe ’ is written ' as on the rest of the site.
- Integers: within the database's `integer` range unless the field says narrower (then
  « Ce nombre est trop grand. », never the number 2147483647). Amounts: `MoneyField`.
- Dates and date-times: within a window around today, the field's own (`window()`) or
  ten years back and three ahead; a date-time whose conversion overflows is refused.
- Model choices: an id that is not a whole number in range is refused as unknown
  (Django would send it to the database).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.formats import get_format

from passlib import durations
from passlib.formats import date_fr
from passlib.images import read_upload
from passlib.text import clean_line, clean_text

INT_MAX = 2_147_483_647  # PostgreSQL's integer
ID_MAX = 9_223_372_036_854_775_807  # bigint


@dataclass(frozen=True)
class Window:
    """How far before and after today a date field accepts."""

    past: timedelta
    future: timedelta

    def bounds(self) -> tuple[date, date]:
        today = timezone.localdate()
        return today - self.past, today + self.future


DEFAULT_WINDOW = Window(past=timedelta(days=3653), future=timedelta(days=1096))


def window(field: forms.Field, *, past_days: int, future_days: int) -> forms.Field:
    """Give a date or date-time field its own window around today."""
    field.window = Window(timedelta(days=past_days), timedelta(days=future_days))
    return field


def _clean_chars(field: forms.CharField) -> None:
    to_python = field.to_python
    multiline = isinstance(field.widget, forms.Textarea)

    def cleaned(value):
        value = to_python(value)
        if not isinstance(value, str):
            return value
        value = clean_text(value) if multiline else clean_line(value)
        return value.strip() if field.strip else value

    field.to_python = cleaned


def _bound_integers(field: forms.IntegerField) -> None:
    # The database's bound is no bound a person chose: no « 2147483647 » on a page.
    if field.max_value is None:
        field.max_value = INT_MAX
        field.validators.append(MaxValueValidator(INT_MAX, message="Ce nombre est trop grand."))
    if field.min_value is None:
        field.min_value = -INT_MAX
        field.validators.append(MinValueValidator(-INT_MAX, message="Ce nombre est trop petit."))


def _bound_dates(field: forms.Field) -> None:
    to_python = field.to_python
    span = getattr(field, "window", DEFAULT_WINDOW)

    def bounded(value):
        try:
            result = to_python(value)
        except OverflowError:
            raise forms.ValidationError(field.error_messages["invalid"], code="invalid") from None
        if result is None:
            return result
        day = timezone.localtime(result).date() if isinstance(result, datetime) else result
        first, last = span.bounds()
        if not first <= day <= last:
            raise forms.ValidationError(
                "Saisissez une date entre le %(first)s et le %(last)s.",
                code="out_of_window",
                params={"first": date_fr(first), "last": date_fr(last)},
            )
        return result

    field.to_python = bounded


def _guard_ids(field: forms.ModelChoiceField) -> None:
    """Integer keys only, when the field looks rows up by an integer key."""
    clean = field.clean

    def guarded(value):
        key = field.queryset.model._meta.pk if field.to_field_name is None else None
        if key is not None and key.get_internal_type() in ("AutoField", "BigAutoField"):
            values = value if isinstance(value, list | tuple) else [value]
            for v in values:
                if v in (None, "") or isinstance(v, int):
                    continue
                text = str(v)
                if not (text.isascii() and text.isdigit() and 0 < int(text) <= ID_MAX):
                    raise forms.ValidationError(
                        field.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": v},
                    )
        return clean(value)

    field.clean = guarded


class MoneyField(forms.DecimalField):
    """Euros as a French person types them: `4,50`, `4.50`, `4,5 €`, ` 4,50 `, `1 200,00`.

    A text input (a number input lets the browser drop the comma: `4,50` arrived as
    `450`); shown back with a decimal comma. What was typed is kept on an error.
    Digits and one decimal mark only: `1e3` is no amount (Python would read 1000).
    Above the field's `max_value` (by default what its digits hold), one message in
    euros, « Le montant ne peut pas dépasser 300 € », not Django's digits count.
    """

    AMOUNT = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)")

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {
        "invalid": "Saisissez un montant en euros, par exemple 4,50.",
        "max_decimal_places": "Indiquez au plus 2 chiffres après la virgule (les centimes).",
        "max_value": "Le montant ne peut pas dépasser %(limit)s €.",
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        places = kwargs["decimal_places"]
        biggest = (Decimal(10) ** (kwargs["max_digits"] - places) - 1) + (
            1 - Decimal(10) ** -places
        )
        kwargs.setdefault("max_value", biggest)
        super().__init__(**kwargs)

    def run_validators(self, value) -> None:
        if value not in self.empty_values and value > self.max_value:
            limit = f"{self.max_value:,.2f}".replace(",", "\u202f").replace(".", ",")
            raise forms.ValidationError(
                self.error_messages["max_value"],
                code="max_value",
                params={"limit": limit.removesuffix(",00")},
            )
        super().run_validators(value)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removesuffix("€").removesuffix("EUR").strip()
            value = "".join(value.replace("\u202f", " ").replace("\xa0", " ").split())
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
            if not self.AMOUNT.fullmatch(value) and value:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)

    def widget_attrs(self, widget):
        # No min/max/step: they belong to a number input.
        return {}

    def prepare_value(self, value):
        if isinstance(value, Decimal | int | float):
            return f"{Decimal(value):.2f}".replace(".", ",")
        return value


class DayInput(forms.DateInput):
    """A day as the browser's date picker holds it (`type=date`, its value in ISO). A
    day typed as French people write it, in the address bar or where a browser has no
    picker (« 05/12/2026 »), is shown back as the picker reads it (2026-12-05) instead of
    an empty field over a filtered list; what cannot be read is shown as typed."""

    input_type = "date"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str) and value.strip():
            for pattern in get_format("DATE_INPUT_FORMATS"):
                try:
                    return datetime.strptime(value.strip(), pattern).date().isoformat()
                except ValueError:
                    continue
            return value
        return super().format_value(value)


class DurationField(forms.CharField):
    """A length as people type it (`1h30`, `90 min`, `2 h`, `1,5 h`: passlib/durations.py),
    cleaned to whole minutes; shown back as « 1 h 30 ». What was typed is kept on an
    error (a text input: the bound value is the typed text). No `max_length`: Django
    would measure the cleaned minutes (an int) with it; the length typed is bounded
    here, before parsing."""

    MAX_TYPED = 40
    widget = forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "maxlength": str(self.MAX_TYPED)}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            if len(value) > self.MAX_TYPED:
                raise ValueError(durations.INVALID)
            return durations.parse_duration(value)
        except ValueError as error:
            raise forms.ValidationError(str(error), code="invalid") from None

    def prepare_value(self, value):
        if isinstance(value, int):
            return durations.duration_fr(value)
        return value


# Django's French messages and most of ours say "vous"; a form a young person fills in
# (`speaks_tu = True`) says "tu" like the rest of their pages (accounts/policy.py
# `speaks_tu`). Whole words at the start of a message or after a colon/stop.
TU_WORDS = (
    ("Saisissez", "Saisis"),
    ("saisissez", "saisis"),
    ("Choisissez", "Choisis"),
    ("choisissez", "choisis"),
    ("Sélectionnez", "Sélectionne"),
    ("Indiquez", "Indique"),
    ("Vous devez", "Tu dois"),
    ("vérifiez", "vérifie"),
    ("Vérifiez", "Vérifie"),
    ("essayez", "essaie"),
    ("Essayez", "Essaie"),
    ("Assurez-vous", "Assure-toi"),
    ("Veuillez", "Merci de"),
)


def to_tu(message: str) -> str:
    """A form's error message as said to a young person."""
    for vous, tu in TU_WORDS:
        message = message.replace(vous, tu)
    return message


class SafeInput:
    """The mixin behind `Form` and `ModelForm`; see the module's docstring."""

    speaks_tu = False  # a form only young people fill in: its errors say "tu"

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.PasswordInput
            ):
                _clean_chars(field)
            elif isinstance(field, forms.IntegerField) and not isinstance(
                field,
                forms.DecimalField,  # bounded by its digits (MoneyField: in euros)
            ):
                _bound_integers(field)
            elif isinstance(field, forms.DateField | forms.DateTimeField):
                _bound_dates(field)
            elif isinstance(field, forms.ModelChoiceField):
                _guard_ids(field)
            if isinstance(field, forms.EmailField):
                # The project's one word (docs/decisions.md), not Django's « courriel ».
                field.error_messages["invalid"] = "Saisissez une adresse électronique valide."

    def full_clean(self) -> None:
        super().full_clean()
        for errors in (self._errors or {}).values():
            # Django's French messages write ’ (« qu’il », « n’est »); the site writes '.
            errors.data = [message.replace("\u2019", "'") for message in errors]
            if self.speaks_tu:
                errors.data = [to_tu(message) for message in errors.data]


class Form(SafeInput, forms.Form):
    pass


class ModelForm(SafeInput, forms.ModelForm):
    pass


class LoginForm(SafeInput, AuthenticationForm):
    pass


class ResetForm(SafeInput, PasswordResetForm):
    pass


class ImageForm(Form):
    """A picture with its alternative text (required) and credit (passlib/images.py
    checks and re-encodes the file). The file is optional when the object already has
    a picture: the texts alone may change."""

    image = forms.FileField(
        label="Image",
        required=False,
        help_text="JPEG, PNG ou WebP, 10 Mo au plus, au moins 400 × 400 pixels.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt = forms.CharField(
        label="Texte alternatif",
        max_length=180,
        help_text=(
            "Décrivez ce que montre l'image, pour les personnes qui ne la voient pas "
            "(par exemple « Des adolescents lisent en cercle dans la médiathèque »)."
        ),
    )
    credit = forms.CharField(
        label="Crédit (facultatif)",
        max_length=120,
        required=False,
        help_text="Par exemple « © Ville de Lyon ».",
    )

    def __init__(self, *args, has_image: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_image = has_image
        self.fields["image"].required = not has_image
        self.fields["image"].widget = forms.FileInput(attrs=self.fields["image"].widget.attrs)

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not upload:
            if not self.has_image:
                raise forms.ValidationError("Choisissez une image.", code="required")
            return None
        return read_upload(upload)
