from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.forms import SignupForm
from accounts.models import User
from accounts.tokens import read_email_confirmation_token


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
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
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form})


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
    return render(request, "accounts/dashboard.html")
