from django.urls import path

from reporting import views

app_name = "reporting"
urlpatterns = [
    path(
        "collectivites/<uuid:public_id>/statistiques/",
        views.collectivite_statistics,
        name="collectivite",
    ),
    path(
        "collectivites/<uuid:public_id>/statistiques/rapport.pdf",
        views.activity_report,
        {"fmt": "pdf"},
        name="report_pdf",
    ),
    path(
        "collectivites/<uuid:public_id>/statistiques/rapport.xlsx",
        views.activity_report,
        {"fmt": "xlsx"},
        name="report_xlsx",
    ),
    path("lieux/<uuid:public_id>/statistiques/", views.venue_statistics, name="venue"),
    path("territoire/statistiques/", views.territory, name="territory"),
]
