"""View decorators: who may open a page, as accounts/policy.py answers it."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from accounts.policy import require_role, teacher_of


def confirmed_email_required(view: Callable) -> Callable:
    """Logged in with a confirmed email; otherwise back to the confirmation page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.email_confirmed:
            messages.warning(
                request,
                "Confirmez d'abord votre adresse électronique (lien envoyé à cette adresse).",
            )
            return redirect("accounts:signup_sent")
        return view(request, *args, **kwargs)

    return wrapper


def _role_required(view: Callable, allowed: tuple[str, ...], message: str) -> Callable:
    @confirmed_email_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_role(request.user, allowed, message)
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view: Callable) -> Callable:
    """A validated member of a collectivité (pro pages that manage venues); else 403."""
    return _role_required(view, ("member",), "Réservé aux membres d'une collectivité.")


def pro_required(view: Callable) -> Callable:
    """A member or a territory officer (pages officers may read); else 403."""
    return _role_required(view, ("member", "officer"), "Réservé aux professionnels.")


def beneficiary_required(view: Callable) -> Callable:
    """A young person registered for the pass Culture; else 403."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_role(
            request.user,
            ("beneficiary",),
            "Cette page est réservée aux jeunes inscrits au pass Culture.",
        )
        return view(request, *args, **kwargs)

    return wrapper


def teacher_required(view: Callable) -> Callable:
    """A teacher with a confirmed email, passed to the view; else 403 (or the
    confirmation page)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        teacher = teacher_of(request.user)
        if teacher is None:
            raise PermissionDenied("Cet espace est réservé aux enseignants.")
        if not request.user.email_confirmed:
            messages.warning(request, "Confirmez d'abord votre adresse électronique.")
            return redirect("accounts:signup_sent")
        return view(request, teacher, *args, **kwargs)

    return wrapper
