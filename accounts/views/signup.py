"""The three sign-ups (professionals, young people, teachers) end here, in one way.

The answer never says whether the address already had an account: a new one is
created and gets its confirmation link, an existing one's owner is told by e-mail
(`services.signup_once`), and both see the same "check your mailbox" page. Attempts
are limited per IP and per address in the shared cache (passlib/ratelimit.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import BeneficiarySignupForm, TeacherSignupForm
from accounts.models import User
from accounts.policy import speaks_tu
from accounts.services import users as services
from passlib import ratelimit
from passlib.context_processors import visitor_of

TOO_MANY = (
    "Trop de demandes d'inscription depuis votre connexion ou pour cette adresse : "
    "réessayez dans une heure."
)


def finish_signup(
    request: HttpRequest,
    form,
    create: Callable[[], User],
    next_url: str = "",
    *,
    tu: bool = False,
) -> HttpResponse | None:
    """Create the account (or tell the existing owner) and go to the mailbox page;
    None when the limit is reached (the form then carries the message). `tu`: the
    mailbox page speaks to a young person."""
    email = form.cleaned_data["email"]
    if not ratelimit.hit_request(request, "signup", email):
        form.add_error(None, TOO_MANY)
        return None
    services.signup_once(email=email, create=create)
    request.session["signup_email"] = email
    request.session["signup_tu"] = tu
    request.session["signup_visitor"] = visitor_of(request.path)
    if next_url:
        request.session["signup_next"] = next_url
    return redirect("accounts:signup_sent")


def signup_page(
    request: HttpRequest,
    *,
    form_class,
    template: str,
    service: Callable[..., User],
    fields: tuple[str, ...],
    next_url: str = "",
    tu: bool = False,
) -> HttpResponse:
    """A sign-up page: the form, then `service(**fields)` through `finish_signup`.

    Opened while logged in, it says who the person is logged in as and offers to log
    out or to go to their own space (never a redirect to another role's page: a 403).
    """
    if request.user.is_authenticated:
        ctx = {"tu": speaks_tu(request.user)}
        return render(request, "accounts/signup_logged_in.html", ctx)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        done = finish_signup(
            request, form, lambda: service(**{f: d[f] for f in fields}), next_url, tu=tu
        )
        if done:
            return done
    status = 429 if form.non_field_errors() else 200
    return render(request, template, {"form": form, "next": next_url}, status=status)


PERSON = ("email", "password", "first_name", "last_name")


@require_http_methods(["GET", "POST"])
def beneficiary(request: HttpRequest) -> HttpResponse:
    return signup_page(
        request,
        form_class=BeneficiarySignupForm,
        template="accounts/beneficiary_signup.html",
        service=services.beneficiary_signup,
        fields=(*PERSON, "birth_date"),
        tu=True,
    )


@require_http_methods(["GET", "POST"])
def teacher(request: HttpRequest) -> HttpResponse:
    return signup_page(
        request,
        form_class=TeacherSignupForm,
        template="accounts/teacher_signup.html",
        service=services.teacher_signup,
        fields=(*PERSON, "uai", "school_name", "school_city"),
    )
