from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save

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
        # Every save or delete of a session or an offer, the admin's and the factories'
        # included, refreshes the offer's stored next session once it commits.
        from offers.services.next_sessions import next_sessions_changed

        def session_written(sender, instance, **kwargs):
            next_sessions_changed([instance.offer_id])

        def offer_saved(sender, instance, **kwargs):
            next_sessions_changed([instance.pk])

        post_save.connect(session_written, sender=Session, dispatch_uid="next-session-save")
        post_delete.connect(session_written, sender=Session, dispatch_uid="next-session-del")
        post_save.connect(offer_saved, sender=Offer, dispatch_uid="next-session-offer")
