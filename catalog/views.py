from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from catalog.categories import GENERAL_GUIDANCE, SUBCATEGORIES, TYPICAL_FREE_OFFERS


@require_GET
def categories_help(request: HttpRequest) -> HttpResponse:
    ctx = {
        "subcategories": SUBCATEGORIES,
        "guidance": GENERAL_GUIDANCE,
        "typical_free_offers": TYPICAL_FREE_OFFERS,
    }
    return render(request, "catalog/categories.html", ctx)
