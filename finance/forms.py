from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import Collectivite
from finance.bank import check_bic_matches_iban, clean_bic, clean_iban, mask
from finance.models import BankAccount
from finance.services.accounts import AccountData
from passlib.forms import Form


class BankAccountForm(Form):
    label = forms.CharField(
        label="Libellé du compte",
        max_length=100,
        help_text="Pour le reconnaître, par exemple « Trésor public — budget principal ».",
    )
    holder = forms.CharField(
        label="Titulaire du compte",
        max_length=70,
        help_text="Tel qu'il figure sur le RIB.",
    )
    iban = forms.CharField(
        label="IBAN",
        max_length=50,
        help_text="Tel qu'il figure sur le RIB, par exemple FR76 3000 6000 0112 3456 7890 189.",
    )
    bic = forms.CharField(label="BIC", max_length=20, help_text="8 ou 11 caractères.")
    venues = forms.ModelMultipleChoiceField(
        label="Lieux remboursés sur ce compte",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Un lieu est remboursé sur un seul compte : le cocher ici le retire de "
        "son compte actuel.",
    )
    password = forms.CharField(
        label="Votre mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text="Pour confirmer qu'il s'agit bien de vous : changer les coordonnées "
        "bancaires est le moyen le plus courant de détourner des remboursements.",
    )

    def __init__(
        self, *args, collectivite: Collectivite, account: BankAccount | None = None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.account = account
        self.fields["venues"].queryset = collectivite.venues.order_by("name")
        if account is not None:
            self.fields["iban"].required = False
            self.fields["iban"].help_text = (
                f"IBAN actuel : {mask(account.iban)}. Laissez vide pour le garder ; "
                "saisissez-le en entier pour le changer."
            )

    def clean_iban(self) -> str:
        value = self.cleaned_data.get("iban", "")
        if not value and self.account is not None:
            return self.account.iban
        return clean_iban(value)

    def clean_bic(self) -> str:
        return clean_bic(self.cleaned_data.get("bic", ""))

    def clean(self):
        data = super().clean()
        if data.get("iban") and data.get("bic"):
            try:
                check_bic_matches_iban(data["iban"], data["bic"])
            except ValidationError as exc:
                self.add_error("bic", exc)
        return data

    def to_data(self) -> AccountData:
        d = self.cleaned_data
        return AccountData(
            label=d["label"],
            holder=d["holder"],
            iban=d["iban"],
            bic=d["bic"],
            venue_ids=frozenset(v.pk for v in d["venues"]),
        )
