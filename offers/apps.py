from django.apps import AppConfig

from passlib.counts import watch_models


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = "Offres et réservations"

    def ready(self) -> None:
        import passlib.search  # noqa: F401 (SQLite connections get passlib_fold)

        # Models load once the app registry is ready (Django's rule), hence here.
        from offers.models import (
            Booking,
            CollectiveBooking,
            CollectiveOffer,
            CollectiveShowcase,
            Offer,
            Session,
            Stock,
        )

        watch_models(
            Offer, Session, Stock, Booking, CollectiveShowcase, CollectiveOffer, CollectiveBooking
        )
