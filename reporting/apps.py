from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Accueil et statistiques"

    def ready(self) -> None:
        from accounts import home
        from accounts.models import Invitation, Membership
        from finance.models import VenueBankAccount
        from offers.models import CollectiveRequest, WaitlistEntry
        from passlib.counts import watch_models
        from reporting.home import home_panels

        home.register(home_panels)
        # The home is cached by the counts' generation: these writes move it too.
        watch_models(Membership, Invitation, VenueBankAccount, CollectiveRequest, WaitlistEntry)
