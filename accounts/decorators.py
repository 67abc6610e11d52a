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


def _role_required(view: Callable, allowed: tuple[str, ...], message: str) -> Callable:
    from django.core.exceptions import PermissionDenied

    from accounts.permissions import roles_of

    @confirmed_email_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        roles = roles_of(request.user)
        if not any(roles[name] for name in allowed):
            raise PermissionDenied(message)
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view: Callable) -> Callable:
    """A validated member of a collectivité (pro pages that manage venues); else 403."""
    return _role_required(view, ("member",), "Réservé aux membres d'une collectivité.")


def pro_required(view: Callable) -> Callable:
    """A member or a territory officer (pages officers may read); else 403."""
    return _role_required(view, ("member", "officer"), "Réservé aux professionnels.")
