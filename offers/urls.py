from django.urls import path

from offers.views import offers

app_name = "offers"
urlpatterns = [
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
]
