from django.apps import AppConfig

from passlib.counts import watch_models


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et collectivités"

    def ready(self) -> None:
        # Models load once the app registry is ready (Django's rule), hence here.
        from accounts.models import Collectivite, Venue

        # A venue's or collectivité's status changes its offers' display status: list
        # counts are counted again. (A person's venues are part of every count's key.)
        watch_models(Collectivite, Venue)
