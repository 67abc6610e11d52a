"""« Me prévenir » (SPEC §9, issue 28): on an offer whose bookings open later, a young
person asks to be told; `send_opening_alerts` (every 5 minutes, docs/operations.md)
e-mails each of them once bookings are open.

- One alert per offer and person (unique constraint); asking twice keeps one row.
- Sent only when bookings are open (`policy.booking_opened_q`) on an offer young people
  may still open (`policy.offers_open_to_young`): both are evaluated at each run, so an
  offer deactivated, or whose opening was moved later, waits; nothing is sent early.
- Sent once: the rows due are locked and stamped (`sent_at`) in the transaction that
  queues their e-mails; a second scheduler at the same instant waits for the advisory
  lock (PostgreSQL), then finds them stamped (as offers/services/reminders.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.policy import beneficiary_of
from offers import policy
from offers.models import Offer, OpeningAlert
from offers.services.closing import locked
from passlib.emails import send_on_commit
from passlib.refusal import Refusal

ALERT_LOCK = 0x70A55_0028
BATCH = 500


def opening_alert_of(user: User, offer: Offer) -> OpeningAlert | None:
    """The person's alert on the offer still to be sent, if any."""
    if not user.is_authenticated:
        return None
    return OpeningAlert.objects.filter(offer=offer, person=user, sent_at__isnull=True).first()


def opening_alert_add(*, user: User, offer: Offer, now=None) -> bool:
    """Ask to be told when the offer's bookings open; False when already asked (one row
    per offer and person). Refused once bookings are open: the young person may book."""
    now = now or timezone.now()
    if policy.booking_opened(offer, now):
        raise Refusal(
            "Les réservations de cette offre sont déjà ouvertes : tu peux réserver dès maintenant.",
            code="alert.already_open",
        )
    # Outside the offer's ages, nothing to be told of: the same refusal as booking.
    policy.check_age_range(beneficiary_of(user), offer, timezone.localdate(now))
    with transaction.atomic():
        alert, created = OpeningAlert.objects.select_for_update().get_or_create(
            offer=offer, person=user, defaults={"created_at": now}
        )
        if not created and alert.sent_at is not None:
            # Told at an opening that was then moved later: asked again, told again.
            alert.sent_at = None
            alert.created_at = now
            alert.save(update_fields=["sent_at", "created_at"])
            return True
    return created


def opening_alert_remove(*, user: User, offer: Offer) -> bool:
    """No longer be told; False when there was nothing to remove."""
    deleted, _ = OpeningAlert.objects.filter(
        offer=offer, person=user, sent_at__isnull=True
    ).delete()
    return bool(deleted)


def opening_alerts_due(now) -> QuerySet[OpeningAlert]:
    """Alerts not sent whose offer young people may open and whose bookings are open."""
    offers = policy.offers_open_to_young().filter(policy.booking_opened_q(now))
    return OpeningAlert.objects.filter(
        sent_at__isnull=True, person__is_active=True, offer__in=offers.values("pk")
    )


def send_opening_alerts(*, now=None) -> int:
    """Stamp and queue every alert due; returns how many."""
    now = now or timezone.now()
    total = 0
    with locked(ALERT_LOCK, transaction_scoped=False):
        while True:
            with transaction.atomic():
                # Locked, then re-read by PostgreSQL after a concurrent run's commit: a
                # row stamped meanwhile no longer matches and is not taken twice.
                batch = list(
                    opening_alerts_due(now)
                    .select_for_update(of=("self",))
                    .select_related("offer", "offer__venue", "person")
                    .order_by("id")[:BATCH]
                )
                if not batch:
                    return total
                OpeningAlert.objects.filter(id__in=[a.pk for a in batch]).update(sent_at=now)
                for alert in batch:
                    _alert_mail(alert)
                total += len(batch)


def _alert_mail(alert: OpeningAlert) -> None:
    path = reverse("offers:catalog_offer", args=[alert.offer.public_id])
    send_on_commit(
        to=[alert.person.email],
        template="opening_alert",
        context={
            "person": alert.person,
            "offer": alert.offer,
            "url": settings.SITE_URL + path,
        },
    )
