"""The CSV import of registrations (offers/imports.py, offers/services/registrations_import.py):
the file with its default channel, then the confirmation carrying the signed lines."""

from __future__ import annotations

from django import forms

from offers.imports import IMPORT_CHANNELS, MAX_BYTES, MAX_LINES, too_big
from offers.models import Channel
from passlib.forms import Form


class ImportFileForm(Form):
    file = forms.FileField(
        label="Fichier CSV",
        help_text=(
            f"Enregistré « CSV » depuis votre tableur : {MAX_BYTES // 1024} Ko et "
            f"{MAX_LINES} lignes au plus, la première ligne donnant le nom des colonnes."
        ),
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
        error_messages={"required": "Choisissez le fichier à importer."},
    )
    channel = forms.ChoiceField(
        label="Canal par défaut",
        choices=[(value, label) for value, label in Channel.choices if value in IMPORT_CHANNELS],
        initial=Channel.DESK,
        help_text="Pour les lignes dont la colonne « Canal » est vide ou absente.",
    )

    def clean_file(self) -> bytes:
        """The file's bytes, read only up to the limit (a larger file is not read)."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(too_big(), code="too_big")
        upload.seek(0)
        content = upload.read(MAX_BYTES + 1)
        if len(content) > MAX_BYTES:
            raise forms.ValidationError(too_big(), code="too_big")
        return content


class ImportConfirmForm(Form):
    # The signed lines of the preview (offers/imports.py `sign_rows`), checked on POST.
    payload = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)
