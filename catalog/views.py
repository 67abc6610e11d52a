from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from catalog.categories import GENERAL_GUIDANCE, SUBCATEGORIES, TYPICAL_FREE_OFFERS


def categories_help(request: HttpRequest) -> HttpResponse:
    ctx = {
        "subcategories": SUBCATEGORIES,
        "guidance": GENERAL_GUIDANCE,
        "typical_free_offers": TYPICAL_FREE_OFFERS,
    }
    return render(request, "catalog/categories.html", ctx)
