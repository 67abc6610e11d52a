# Our path converters (token, id, siren): passlib/converters.py.
from django.urls import path

import passlib.converters  # noqa: F401
from finance import views

app_name = "finance"
urlpatterns = [
    path("collectivites/<uuid:public_id>/finances/", views.home, name="home"),
    path(
        "collectivites/<uuid:public_id>/finances/comptes/nouveau/",
        views.account_add,
        name="account_add",
    ),
    path(
        "collectivites/<uuid:public_id>/finances/comptes/<uuid:account_id>/",
        views.account_edit,
        name="account_edit",
    ),
    path(
        "collectivites/<uuid:public_id>/finances/releves/<uuid:statement_id>.pdf",
        views.statement_document,
        {"fmt": "pdf"},
        name="statement_pdf",
    ),
    path(
        "collectivites/<uuid:public_id>/finances/releves/<uuid:statement_id>.csv",
        views.statement_document,
        {"fmt": "csv"},
        name="statement_csv",
    ),
    path("equipe/remboursements/", views.staff_runs, name="staff_runs"),
    path(
        "equipe/remboursements/releves/<uuid:statement_id>/liberer/",
        views.staff_release,
        name="staff_release",
    ),
    path(
        "equipe/remboursements/periodes/<id:run_id>/",
        views.staff_run,
        name="staff_run",
    ),
    path(
        "equipe/remboursements/periodes/<id:run_id>/virements.xml",
        views.staff_sepa,
        name="staff_sepa",
    ),
]
