from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Comptes et collectivités"

    def ready(self) -> None:
        from accounts.models import Collectivite, Membership, Venue
        from passlib.counts import watch_models

        # A venue's or collectivité's status changes its offers' display status, and a
        # membership the venues a person manages: list counts are counted again.
        watch_models(Collectivite, Venue, Membership)
