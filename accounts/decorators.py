from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def confirmed_email_required(view: Callable) -> Callable:
    """Logged in with a confirmed email; otherwise back to the confirmation page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.email_confirmed:
            messages.warning(
                request, "Confirmez d'abord votre adresse électronique (lien reçu par email)."
            )
            return redirect("accounts:signup_sent")
        return view(request, *args, **kwargs)

    return wrapper
