from django.urls import path

from offers.views import beneficiary, bookings, guichet, offers

app_name = "offers"
urlpatterns = [
    # pro side: offers
    path("offres/", offers.offer_list, name="list"),
    path("offres/nouvelle/", offers.offer_create, name="create"),
    path("offres/gratuite/", offers.free_offer_start, name="free"),
    path("offres/<uuid:public_id>/", offers.offer_detail, name="detail"),
    path("offres/<uuid:public_id>/apercu/", offers.offer_preview, name="preview"),
    path("offres/<uuid:public_id>/modifier/", offers.offer_edit, name="edit"),
    path("offres/<uuid:public_id>/publier/", offers.offer_publish, name="publish"),
    path("offres/<uuid:public_id>/desactiver/", offers.offer_deactivate, name="deactivate"),
    path("offres/<uuid:public_id>/dupliquer/", offers.offer_duplicate, name="duplicate"),
    path("offres/<uuid:public_id>/supprimer/", offers.offer_delete, name="delete"),
    path("offres/<uuid:public_id>/seances/", offers.session_add, name="session_add"),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/",
        offers.session_edit,
        name="session_edit",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/supprimer/",
        offers.session_delete,
        name="session_delete",
    ),
    # pro side: bookings and guichet
    path("reservations/", bookings.booking_list, name="bookings"),
    path("reservations/export.<str:fmt>", bookings.export, name="bookings_export"),
    path(
        "reservations/<uuid:public_id>/annuler/",
        bookings.cancel_by_venue,
        name="booking_cancel_by_venue",
    ),
    path("guichet/", guichet.guichet, name="guichet"),
    path("guichet/valider/", guichet.validate, name="guichet_validate"),
    path("guichet/invalider/", guichet.unvalidate, name="guichet_unvalidate"),
    # beneficiaries
    path("jeunes/inscription/", beneficiary.signup, name="beneficiary_signup"),
    path("jeunes/offres/", beneficiary.catalog, name="catalog"),
    path("jeunes/offres/<uuid:public_id>/", beneficiary.offer_page, name="catalog_offer"),
    path("jeunes/offres/<uuid:public_id>/reserver/", beneficiary.book, name="book"),
    path("jeunes/reservations/", beneficiary.my_bookings, name="my_bookings"),
    path(
        "jeunes/reservations/<uuid:public_id>/annuler/",
        beneficiary.cancel,
        name="booking_cancel",
    ),
]
