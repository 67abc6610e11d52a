from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors
from accounts.forms import SignupForm
from accounts.models import User
from accounts.policy import is_officer
from accounts.services import users as services
from accounts.tokens import read_email_confirmation_token
from passlib.refusal import Refusal, refusal_message


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    next_url = safe_next_url(request)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_signup(
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            phone=form.cleaned_data["phone"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        if next_url:
            return redirect(next_url)
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def safe_next_url(request: HttpRequest) -> str:
    """The `next` parameter when it points inside this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@login_required
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signup_sent.html")


@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST confirms (links must not change data on GET)."""
    data = read_email_confirmation_token(token)
    user = None
    if data:
        user = User.objects.filter(pk=data[0], email__iexact=data[1]).first()
    if user is None:
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    if request.method == "POST":
        services.email_confirm(user=user)
        messages.success(request, "Votre adresse électronique est confirmée.")
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("accounts:dashboard")
        return redirect("accounts:login")
    return render(request, "accounts/confirm_email.html", {"confirmed_user": user})


@login_required
@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    if request.user.email_confirmed:
        messages.info(request, "Votre adresse électronique est déjà confirmée.")
    else:
        services.email_confirmation_send(user=request.user)
        messages.success(request, f"Un nouveau lien a été envoyé à {request.user.email}.")
    return redirect("accounts:dashboard")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    ctx = {
        "memberships": selectors.memberships_of(request.user),
        "is_officer": is_officer(request.user),
    }
    return render(request, "accounts/dashboard.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """GET asks for a confirmation; POST anonymises the account and logs out."""
    if request.method == "POST":
        try:
            services.account_delete(user=request.user)
        except Refusal as exc:
            refusal_message(request, exc)
            return redirect("accounts:account_delete")
        logout(request)
        messages.success(
            request, "Votre compte est supprimé. Vos données personnelles ont été effacées."
        )
        return redirect("home")
    return render(request, "accounts/account_delete.html")
