from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from accounts.policy import speaks_tu
from passlib.forms import ImageForm
from passlib.refusal import Refusal


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The home page: to visitors, how to join and sign up; to a logged-in person, who
    they are logged in as and the way to their own space (no sign-up nor log-in link)."""
    tu = request.user.is_authenticated and speaks_tu(request.user)
    return render(request, "home.html", {"tu": tu})


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers a query, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
@require_GET
def bench_floor(request: HttpRequest) -> HttpResponse:
    """The framework's floor for the benchmark: the same middleware, a constant template.

    Login is required like every measured page, so the floor includes what Django
    itself does for a logged-in request (session and user lookups) and nothing of ours.
    Only routed when BENCH_FLOOR_VIEW is set (see passlib/urls.py and bench/).
    """
    return render(request, "bench_floor.html")


@require_GET
def media(request: HttpRequest, path: str) -> HttpResponse:
    """An uploaded image from MEDIA_ROOT (passlib/images.py writes only JPEG files under
    random names, so they are public and cached for good; `serve` refuses paths
    outside the folder)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def image_page(request: HttpRequest, obj, *, save, back_url: str, back_label: str, delete_url: str):
    """The page where a picture (passlib/images.py) is added, replaced or its texts
    changed, for an offer, a collective offer or a venue: `save(picture, alt, credit)`
    is the object's service (it raises Refusal). A refused file changes nothing and the
    texts typed stay in the form."""

    initial = {"alt": obj.image_alt, "credit": obj.image_credit}
    if request.method == "POST":
        form = ImageForm(request.POST, request.FILES, has_image=obj.has_image, initial=initial)
        if form.is_valid():
            d = form.cleaned_data
            try:
                save(picture=d["image"], alt=d["alt"], credit=d["credit"])
            except Refusal as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, "Image enregistrée.")
                return redirect(back_url)
        status = 400
    else:
        form = ImageForm(initial=initial, has_image=obj.has_image)
        status = 200
    ctx = {
        "form": form,
        "obj": obj,
        "back_url": back_url,
        "back_label": back_label,
        "delete_url": delete_url,
        "image_label": "Nouvelle image (facultatif)" if obj.has_image else "Image",
    }
    return render(request, "includes/image_form.html", ctx, status=status)
