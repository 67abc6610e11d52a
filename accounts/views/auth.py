from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import home, selectors
from accounts.forms import SignupForm
from accounts.models import User
from accounts.policy import roles_of, speaks_tu
from accounts.services import users as services
from accounts.tokens import read_email_confirmation_token
from accounts.views.signup import PERSON, signup_page
from passlib import ratelimit
from passlib.middleware import private_page
from passlib.refusal import Refusal, refusal_message


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    return signup_page(
        request,
        form_class=SignupForm,
        template="accounts/signup.html",
        service=services.user_signup,
        fields=(*PERSON, "phone"),
        next_url=safe_next_url(request),
    )


def safe_next_url(request: HttpRequest) -> str:
    """The `next` parameter when it points inside this site, else ""."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    """The same page whether the address was new or already had an account."""
    email = request.session.get("signup_email", "")
    tu = request.session.get("signup_tu", False)
    if request.user.is_authenticated:
        email, tu = request.user.email, speaks_tu(request.user)
    return render(request, "accounts/signup_sent.html", {"email": email, "tu": tu})


@require_http_methods(["GET", "POST"])
@private_page
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST confirms (links must not change data on GET).

    The first confirmation of a sign-up also logs the person in, in the browser that
    opens the link: the link proves the mailbox, once (later uses only confirm again).
    """
    data = read_email_confirmation_token(token)
    user = None
    if data:
        user = User.objects.filter(pk=data[0], email__iexact=data[1]).first()
    if user is None:
        return render(request, "accounts/confirm_email_invalid.html", status=400)
    if request.method == "POST":
        first_time = services.email_confirm(user=user)
        messages.success(
            request,
            "Ton adresse électronique est confirmée."
            if speaks_tu(user)
            else "Votre adresse électronique est confirmée.",
        )
        if request.user.is_authenticated and request.user.pk == user.pk:
            return redirect("accounts:dashboard")
        if first_time and not request.user.is_authenticated and user.is_active:
            next_url = request.session.pop("signup_next", "")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect(next_url or "accounts:dashboard")
        return redirect("accounts:login")
    return render(
        request, "accounts/confirm_email.html", {"confirmed_user": user, "tu": speaks_tu(user)}
    )


@require_POST
def resend_confirmation(request: HttpRequest) -> HttpResponse:
    """Send the link again to the address being confirmed; the same answer whether or
    not it has an account waiting, within the re-send limits."""
    if request.user.is_authenticated:
        email, back = request.user.email, "accounts:dashboard"
    else:
        email, back = request.session.get("signup_email", ""), "accounts:signup_sent"
    if not email:
        return redirect("accounts:signup")
    if not ratelimit.hit_request(request, "resend_confirmation", email):
        messages.error(request, "Trop de demandes de lien : réessayez dans une heure.")
        return redirect(back)
    user = User.objects.filter(email__iexact=email, email_confirmed_at__isnull=True).first()
    if user is not None:
        services.email_confirmation_send(user=user)
    messages.success(
        request,
        f"Si l'adresse {email} attend sa confirmation, un nouveau lien vient d'y être envoyé.",
    )
    return redirect(back)


TOO_MANY_RESETS = "Trop de demandes depuis votre connexion : réessayez dans une heure."


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset, limited per IP (a message) and per address (silently: the page
    says the same whether the address has an account, was limited or not)."""

    def form_valid(self, form):
        if not ratelimit.hit_ip(self.request, "password_reset"):
            form.add_error(None, TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        if not ratelimit.hit_targets("password_reset", form.cleaned_data["email"]):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    """The professional's space; a young person or a teacher (with no professional role)
    goes to their own home instead of SIRET and structures."""
    roles = roles_of(request.user)
    if not (roles["member"] or roles["officer"]) and request.user.email_confirmed:
        if roles["beneficiary"]:
            return redirect("offers:my_bookings")
        if roles["teacher"]:
            return redirect("offers:teacher_offers")
    ctx = {
        "memberships": selectors.memberships_of(request.user),
        "is_officer": roles["officer"],
        # To-dos, sessions, statistics: given by the apps above accounts (accounts/home.py).
        "panels": home.panels_for(request),
    }
    return render(request, "accounts/dashboard.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """GET asks for a confirmation; POST anonymises the account and logs out."""
    tu = speaks_tu(request.user)
    if request.method == "POST":
        try:
            services.account_delete(user=request.user)
        except Refusal as exc:
            refusal_message(request, exc)
            return redirect("accounts:account_delete")
        logout(request)
        messages.success(
            request,
            "Ton compte est supprimé. Tes données personnelles ont été effacées."
            if tu
            else "Votre compte est supprimé. Vos données personnelles ont été effacées.",
        )
        return redirect("home")
    return render(request, "accounts/account_delete.html", {"tu": tu})
