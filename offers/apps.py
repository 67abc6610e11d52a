from django.apps import AppConfig


class OffersConfig(AppConfig):
    name = "offers"
    verbose_name = "Offres et réservations"

    def ready(self) -> None:
        from offers.models import (
            Booking,
            CollectiveBooking,
            CollectiveOffer,
            CollectiveShowcase,
            Offer,
            Session,
            Stock,
        )
        from passlib.counts import watch_models

        watch_models(
            Offer, Session, Stock, Booking, CollectiveShowcase, CollectiveOffer, CollectiveBooking
        )
