"""Idempotent demo data for `make run`: safe to run again, it changes nothing twice."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User

DEMO_PASSWORD = "passlib-demo-2026"  # noqa: S105 - documented demo password


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        from django.utils import timezone

        admin, created = User.objects.get_or_create(
            email="admin@passlib.demo",
            defaults={
                "first_name": "Équipe",
                "last_name": "passlib",
                "is_staff": True,
                "is_superuser": True,
                "email_confirmed_at": timezone.now(),
            },
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save(update_fields=["password"])
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD})")
        self.stdout.write("  admin@passlib.demo  — équipe du site (/admin/)")
