"""Writes of the accounts app. Views, commands and admin call these."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Beneficiary, Membership, Role, School, Status, Teacher, User
from accounts.policy import speaks_tu
from accounts.services.beneficiaries import beneficiary_start
from accounts.services.space import is_last_admin
from accounts.tokens import email_confirmation_token
from accounts.uai import departement_from_uai
from passlib.emails import send_on_commit
from passlib.refusal import Refusal


@transaction.atomic
def user_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    confirm: bool = True,
) -> User:
    """Create a professional account; it must confirm its email before acting.

    Terms acceptance is recorded with its time. A confirmation link (signed, 48 h)
    is emailed after the transaction commits.
    """
    user = User(
        email=email.strip().lower(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        phone=phone.strip(),
        terms_accepted_at=timezone.now(),
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    if confirm:
        email_confirmation_send(user=user)
    return user


def signup_once(*, email: str, create: Callable[[], User]) -> User | None:
    """Run one of the sign-up services below, once per address.

    When the address already has an account — found before, or by the unique index when
    two sign-ups race — nothing is created, the owner is told by e-mail, and None is
    returned: the person signing up sees the same answer either way (no enumeration).
    """
    if not User.objects.filter(email__iexact=email).exists():
        try:
            with transaction.atomic():
                return create()
        except (IntegrityError, ValidationError):
            if not User.objects.filter(email__iexact=email).exists():
                raise
    existing = User.objects.filter(email__iexact=email).first()
    send_on_commit(
        to=[email],
        template="signup_existing",
        context={
            "email": email,
            # the account's owner reads it: « tu » to a young person (accounts/policy.py)
            "tu": existing is not None and speaks_tu(existing),
            "first_name": existing.first_name if existing is not None else "",
            "login_path": reverse("accounts:login"),
            "reset_path": reverse("accounts:password_reset"),
        },
    )
    return None


def email_confirmation_send(*, user: User) -> None:
    token = email_confirmation_token(user_id=user.pk, email=user.email)
    send_on_commit(
        to=[user.email],
        template="confirm_email",
        context={
            "user": user,
            "path": reverse("accounts:confirm_email", args=[token]),
            "tu": speaks_tu(user),
        },
    )


@transaction.atomic
def email_confirm(*, user: User) -> bool:
    """Mark the email confirmed. Idempotent: returns False when it already was."""
    updated = User.objects.filter(pk=user.pk, email_confirmed_at__isnull=True).update(
        email_confirmed_at=timezone.now()
    )
    user.refresh_from_db(fields=["email_confirmed_at"])
    return bool(updated)


@transaction.atomic
def beneficiary_signup(
    *, email: str, password: str, first_name: str, last_name: str, birth_date
) -> User:
    """A young person's account with the credit of their age; email to confirm."""
    user = user_signup(
        email=email, password=password, first_name=first_name, last_name=last_name, confirm=False
    )
    beneficiary_start(user=user, birth_date=birth_date, today=timezone.localdate())
    email_confirmation_send(user=user)  # once the account is a young person's: "tu"
    return user


@transaction.atomic
def teacher_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    uai: str,
    school_name: str = "",
    school_city: str = "",
) -> User:
    """A teacher's account tied to a school; an unknown UAI creates the school."""
    school, _ = School.objects.get_or_create(
        uai=uai,
        defaults={
            "name": school_name.strip(),
            "city": school_city.strip(),
            "departement": departement_from_uai(uai),
        },
    )
    user = user_signup(email=email, password=password, first_name=first_name, last_name=last_name)
    Teacher.objects.create(user=user, school=school)
    return user


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete a person's account: anonymise it and keep their bookings for accounting.

    Name, email, phone and password are erased (the email becomes a unique placeholder),
    the account is deactivated, memberships and invitations end; a beneficiary's date of
    birth keeps only its year. Refused for the last administrator of a collectivité.
    """

    for membership in Membership.objects.filter(
        user=user, role=Role.ADMIN, status=Status.VALIDATED
    ):
        if is_last_admin(membership):
            raise Refusal(
                f"Personne d'autre n'administre {membership.collectivite.name} : "
                "donnez d'abord ce rôle à une autre personne.",
                code="space.last_admin",
            )
    Membership.objects.filter(user=user).delete()
    beneficiary = Beneficiary.objects.filter(user=user).first()
    if beneficiary is not None:
        beneficiary.birth_date = beneficiary.birth_date.replace(month=1, day=1)
        beneficiary.save(update_fields=["birth_date"])
    user.email = f"compte-supprime-{user.pk}@passlib.invalid"
    user.first_name = "Compte"
    user.last_name = "supprimé"
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
