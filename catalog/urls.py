from django.urls import path

from catalog import views

app_name = "catalog"
urlpatterns = [
    path("aide/categories/", views.categories_help, name="help"),
]
