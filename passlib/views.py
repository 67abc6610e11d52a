from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


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
