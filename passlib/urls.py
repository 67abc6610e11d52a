from django.conf import settings
from django.contrib import admin
from django.urls import include, path

import passlib.converters  # noqa: F401 (token, id, siren, media_path)
from passlib import views

admin.site.site_header = "passlib — administration"
admin.site.site_title = "passlib"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("catalog.urls")),
    path("", include("accounts.urls")),
    path("", include("offers.urls")),
    path("", include("finance.urls")),
    path("", include("reporting.urls")),
    path("admin/", admin.site.urls),
]

if not settings.MEDIA_S3_BUCKET:
    # Local uploaded images (passlib/images.py): names are random and never reused,
    # so they are cached for good. A front web server may serve MEDIA_ROOT instead.
    urlpatterns.append(
        path(f"{settings.MEDIA_URL.strip('/')}/<media_path:path>", views.media, name="media")
    )

if settings.BENCH_FLOOR_VIEW:
    urlpatterns.append(path("bench/floor", views.bench_floor, name="bench_floor"))

handler400 = "django.views.defaults.bad_request"
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
