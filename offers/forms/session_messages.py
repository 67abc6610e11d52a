"""The librarian's message to a session's participants (offers/services/session_messages.py)."""

from __future__ import annotations

import uuid

from django import forms

from offers.services.session_messages import MESSAGE_MAX_LENGTH
from passlib.forms import Form


class SessionMessageForm(Form):
    message = forms.CharField(
        label="Message",
        max_length=MESSAGE_MAX_LENGTH,
        help_text=(
            f"Au plus {MESSAGE_MAX_LENGTH} caractères. Chaque personne le reçoit seule, avec "
            "la date, l'heure et le lieu de la séance ; il est gardé dans l'historique de "
            "l'offre."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    waiting = forms.BooleanField(
        label="L'envoyer aussi aux personnes en liste d'attente", required=False
    )
    # The form's own key (offers/services/session_messages.py): a second submit of the
    # same form is refused. A new one with each blank form; kept through an error.
    key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("initial", {}).setdefault("key", uuid.uuid4())
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if "key" in self.errors:
            # Not the person's doing (a page kept from elsewhere): a fresh key, and one
            # line saying what to do; what was typed stays.
            del self.errors["key"]
            data = self.data.copy()
            data["key"] = str(uuid.uuid4())
            self.data = data
            raise forms.ValidationError(
                "Ce formulaire n'est plus valable : envoyez-le à nouveau.", code="key"
            )
        return cleaned
