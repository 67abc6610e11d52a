from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = "Accueil et statistiques"

    def ready(self) -> None:
        from accounts import home
        from reporting.home import home_panels

        home.register(home_panels)
