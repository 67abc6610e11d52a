"""Sign-up of young people and teachers, beside their services (accounts/services/users.py)."""

from __future__ import annotations

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import BeneficiarySignupForm, TeacherSignupForm
from accounts.services.users import beneficiary_signup, teacher_signup


@require_http_methods(["GET", "POST"])
def beneficiary(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("offers:my_bookings")
    form = BeneficiarySignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = beneficiary_signup(
            email=d["email"],
            password=d["password"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            birth_date=d["birth_date"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:signup_sent")
    return render(request, "accounts/beneficiary_signup.html", {"form": form})


@require_http_methods(["GET", "POST"])
def teacher(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("offers:teacher_offers")
    form = TeacherSignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        user = teacher_signup(
            email=d["email"],
            password=d["password"],
            first_name=d["first_name"],
            last_name=d["last_name"],
            uai=d["uai"],
            school_name=d["school_name"],
            school_city=d["school_city"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:signup_sent")
    return render(request, "accounts/teacher_signup.html", {"form": form})
