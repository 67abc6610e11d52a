from django.apps import AppConfig


class PasslibConfig(AppConfig):
    name = "passlib"
    verbose_name = "passlib"

    def ready(self) -> None:
        # The deploy check of the shared cache (check --deploy refuses local memory
        # with several web processes).
        from passlib import cache  # noqa: F401
