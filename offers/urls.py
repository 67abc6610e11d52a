# Our path converters (token, id, siren): passlib/converters.py.
from django.urls import path

import passlib.converters  # noqa: F401
from offers.views import (
    alerts,
    beneficiary,
    bookings,
    calendar,
    collective,
    feeds,
    guichet,
    offers,
    participants,
    registrations_import,
    session_messages,
    sessions,
    teacher,
    venue_page,
    waitlist,
)

app_name = "offers"
urlpatterns = [
    # pro side: offers
    path("offres/", offers.offer_list, name="list"),
    path("offres/nouvelle/", offers.offer_create, name="create"),
    path("offres/actions/", offers.offer_bulk, name="bulk"),
    path("offres/gratuite/", offers.free_offer_start, name="free"),
    path("offres/<uuid:public_id>/", offers.offer_detail, name="detail"),
    path("offres/<uuid:public_id>/apercu/", offers.offer_preview, name="preview"),
    path("offres/<uuid:public_id>/modifier/", offers.offer_edit, name="edit"),
    path("offres/<uuid:public_id>/publier/", offers.offer_publish, name="publish"),
    path("offres/<uuid:public_id>/desactiver/", offers.offer_deactivate, name="deactivate"),
    path("offres/<uuid:public_id>/image/", offers.offer_image, name="image"),
    path(
        "offres/<uuid:public_id>/image/supprimer/", offers.offer_image_delete, name="image_delete"
    ),
    path("offres/<uuid:public_id>/dupliquer/", offers.offer_duplicate, name="duplicate"),
    path("offres/<uuid:public_id>/supprimer/", offers.offer_delete, name="delete"),
    path("offres/<uuid:public_id>/seances/", sessions.session_add, name="session_add"),
    path("offres/<uuid:public_id>/seances/serie/", sessions.session_series, name="session_series"),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/",
        sessions.session_edit,
        name="session_edit",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/supprimer/",
        sessions.session_delete,
        name="session_delete",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/annuler/",
        sessions.session_cancel,
        name="session_cancel",
    ),
    path(
        "offres/<uuid:public_id>/seances/annuler/",
        sessions.offer_cancel_sessions,
        name="offer_cancel_sessions",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/participants/",
        participants.session_participants,
        name="session_participants",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/participants/ajouter/",
        participants.registration_add,
        name="registration_add",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/participants/sans-inscription/",
        participants.walk_ins,
        name="walk_ins",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/participants/hors-pass-culture/",
        participants.outside_places,
        name="outside_places",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/participants/export.<slug:fmt>",
        participants.participants_export,
        name="participants_export",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/inscriptions/presence/",
        participants.registration_attendance,
        name="registration_attendance",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/inscriptions/<uuid:registration_id>/",
        participants.registration_edit,
        name="registration_edit",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/inscriptions/<uuid:registration_id>/"
        "annuler/",
        participants.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/message/",
        session_messages.session_message,
        name="session_message",
    ),
    # the CSV import of registrations (issue 30)
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/importer/",
        registrations_import.registrations_import,
        name="registrations_import",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/importer/confirmer/",
        registrations_import.registrations_import_confirm,
        name="registrations_import_confirm",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/importer/modele.csv",
        registrations_import.registrations_import_model,
        name="registrations_import_model",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/presence/",
        participants.session_attendance,
        name="session_attendance",
    ),
    path(
        "offres/<uuid:public_id>/seances/<uuid:session_id>/supprimer-suivantes/",
        sessions.session_delete_following,
        name="session_delete_following",
    ),
    # pro side: bookings and guichet
    path("reservations/", bookings.booking_list, name="bookings"),
    path("reservations/export.<slug:fmt>", bookings.export, name="bookings_export"),
    path(
        "reservations/<uuid:public_id>/annuler/",
        bookings.cancel_by_venue,
        name="booking_cancel_by_venue",
    ),
    path("guichet/", guichet.guichet, name="guichet"),
    path("lieux/<uuid:public_id>/", venue_page.venue_page, name="venue_page"),
    path("lieux/<uuid:public_id>/agenda/", calendar.venue_calendar, name="venue_calendar"),
    path("agenda/<token:token>.ics", calendar.venue_feed, name="venue_feed"),
    # public programme of a collectivité or a venue (offers/feeds.py)
    path("programme/<slug:kind>/<uuid:public_id>.<slug:fmt>", feeds.programme, name="programme"),
    path(
        "jeunes/reservations/<uuid:public_id>/agenda.ics",
        calendar.booking_calendar,
        name="booking_calendar",
    ),
    path("guichet/valider/", guichet.validate, name="guichet_validate"),
    path("guichet/invalider/", guichet.unvalidate, name="guichet_unvalidate"),
    # pro side: collective offers
    path("collectif/", collective.collective_list, name="collective_list"),
    path("collectif/<slug:kind>/nouvelle/", collective.collective_create, name="collective_create"),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/",
        collective.collective_detail,
        name="collective_detail",
    ),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/modifier/",
        collective.collective_edit,
        name="collective_edit",
    ),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/publier/",
        collective.collective_publish,
        name="collective_publish",
    ),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/image/",
        collective.collective_image,
        name="collective_image",
    ),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/image/supprimer/",
        collective.collective_image_delete,
        name="collective_image_delete",
    ),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/archiver/",
        collective.collective_archive,
        name="collective_archive",
    ),
    path(
        "collectif/<slug:kind>/<uuid:public_id>/dupliquer/",
        collective.collective_duplicate,
        name="collective_duplicate",
    ),
    path("reservations/collectives/", collective.collective_bookings, name="collective_bookings"),
    path(
        "reservations/collectives/export.<slug:fmt>",
        collective.collective_bookings_export,
        name="collective_bookings_export",
    ),
    path(
        "reservations/collectives/<uuid:public_id>/annuler/",
        collective.collective_booking_cancel,
        name="collective_booking_cancel",
    ),
    # teachers
    path("enseignants/offres/", teacher.offers_for_school, name="teacher_offers"),
    path("enseignants/vitrines/<uuid:public_id>/", teacher.showcase_page, name="teacher_showcase"),
    path("enseignants/offres/<uuid:public_id>/", teacher.offer_page, name="teacher_offer"),
    path(
        "enseignants/offres/<uuid:public_id>/prereserver/", teacher.prebook, name="teacher_prebook"
    ),
    path("enseignants/reservations/", teacher.school_bookings, name="teacher_bookings"),
    path(
        "enseignants/reservations/<uuid:public_id>/confirmer/",
        teacher.confirm,
        name="teacher_confirm",
    ),
    path(
        "enseignants/reservations/<uuid:public_id>/annuler/", teacher.cancel, name="teacher_cancel"
    ),
    # beneficiaries
    path("jeunes/offres/", beneficiary.catalog, name="catalog"),
    path("jeunes/offres/<uuid:public_id>/", beneficiary.offer_page, name="catalog_offer"),
    path("jeunes/offres/<uuid:public_id>/reserver/", beneficiary.book, name="book"),
    path("jeunes/offres/<uuid:public_id>/me-prevenir/", alerts.alert_add, name="alert_add"),
    path(
        "jeunes/offres/<uuid:public_id>/ne-plus-me-prevenir/",
        alerts.alert_remove,
        name="alert_remove",
    ),
    path("jeunes/reservations/", beneficiary.my_bookings, name="my_bookings"),
    path("jeunes/offres/<uuid:public_id>/liste-attente/", waitlist.join, name="waitlist_join"),
    path("jeunes/liste-attente/<uuid:public_id>/", waitlist.entry_page, name="waitlist_entry"),
    path(
        "jeunes/liste-attente/<uuid:public_id>/confirmer/",
        waitlist.confirm,
        name="waitlist_confirm",
    ),
    path("jeunes/liste-attente/<uuid:public_id>/quitter/", waitlist.leave, name="waitlist_leave"),
    path(
        "jeunes/reservations/<uuid:public_id>/je-ne-viendrai-pas/<token:token>/",
        beneficiary.release,
        name="booking_release",
    ),
    path(
        "jeunes/reservations/<uuid:public_id>/annuler/",
        beneficiary.cancel,
        name="booking_cancel",
    ),
]
