"""A small world with two collectivités, two venues, two schools and every role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Role, Status
from accounts.services.space import invitation_send, invitation_token
from accounts.tokens import email_confirmation_token
from offers.models import WaitlistEntry
from offers.services import bookings as booking_services
from offers.services import collective_bookings as collective_services
from offers.services import registrations as registration_services
from offers.services.reminders import release_token
from tests.factories import (
    CollectiviteFactory,
    MembershipFactory,
    UserFactory,
    VenueFactory,
    make_beneficiary,
    make_collective_offer,
    make_offer,
    make_officer,
    make_school,
    make_session,
    make_showcase,
    make_teacher,
)

ROLES = (
    "anonymous",
    "beneficiary",
    "teacher",
    "officer_other",
    "officer",
    "staff",
    "member",
    "admin",
)


@dataclass
class World:
    users: dict
    objects: dict


def build_world() -> World:
    x = CollectiviteFactory(name="Ville X")  # département 69
    y = CollectiviteFactory(name="Ville Y", postal_code="75001", departement="75")
    venue1 = VenueFactory(collectivite=x, name="Médiathèque 1")
    VenueFactory(collectivite=x, name="Médiathèque 2")  # a venue the member does not manage
    VenueFactory(collectivite=y)
    admin = MembershipFactory(collectivite=x).user
    member_ship = MembershipFactory(collectivite=x, role=Role.MEMBER, venues=[venue1])
    MembershipFactory(collectivite=y)
    pending = CollectiviteFactory(name="Commune en attente", status=Status.NEW)
    MembershipFactory(collectivite=pending)
    join_venue = VenueFactory(collectivite=x, name="Annexe", status=Status.NEW)
    join_request = MembershipFactory(
        collectivite=x,
        role=Role.MEMBER,
        status=Status.NEW,
        requested_venue=join_venue,
        venues=[join_venue],
    )
    invitation = invitation_send(
        actor=admin, collectivite=x, email="invite@x.fr", role=Role.MEMBER, venues=[]
    )

    offer = make_offer(venue1, "ATELIER_PRATIQUE_ART", title="Atelier")
    session = make_session(offer, total_places=20)
    beneficiary = make_beneficiary(17)
    booking = booking_services.booking_create(user=beneficiary, offer=offer, session=session)
    # A full session of the same offer, with the young person on its waiting list.
    full = make_session(offer, days=8, total_places=1)
    booking_services.booking_create(user=make_beneficiary(16), offer=offer, session=full)
    waitlist_entry = WaitlistEntry.objects.create(offer=offer, session=full, person=beneficiary)
    # A family registered at the desk (issue 30).
    registration = registration_services.registration_add(
        actor=admin,
        target=session,
        data=registration_services.RegistrationData(
            channel="desk", name="Famille Martin", places=2
        ),
    )

    school = make_school()
    make_school("0690002", name="Autre collège")
    teacher = make_teacher(school)
    showcase = make_showcase(venue1)
    bookable = make_collective_offer(venue1, title="Réservable")
    booked = make_collective_offer(
        venue1, title="Réservée", starts_at=timezone.now() + timedelta(days=60)
    )
    collective_booking = collective_services.prebook(user=teacher, offer=booked)

    users = {
        "anonymous": None,
        "beneficiary": beneficiary,
        "teacher": teacher,
        "officer_other": make_officer("75"),
        "officer": make_officer("69"),
        "staff": UserFactory(is_staff=True, is_superuser=True),
        "member": member_ship.user,
        "admin": admin,
    }
    # Reimbursements: an account for venue1 and a closed period with its statement.
    from finance.services.runs import close_period
    from tests.finance.helpers import account_for, validated

    bank_account = account_for(x, venue1)
    validated(venue1, price_cents=1500)
    run = close_period()
    objects = {
        "x": x,
        "bank_account": bank_account,
        "run": run,
        "statement": run.statements.get(),
        "venue1": venue1,
        "member_ship": member_ship,
        "join_request": join_request,
        "invitation": invitation,
        "invitation_token": invitation_token(invitation),
        "pending": pending,
        "offer": offer,
        "session": session,
        "booking": booking,
        "full_session": full,
        "waitlist_entry": waitlist_entry,
        "registration": registration,
        "release_token": release_token(booking),
        "showcase": showcase,
        "bookable": bookable,
        "collective_booking": collective_booking,
        "confirm_token": email_confirmation_token(user_id=beneficiary.pk, email=beneficiary.email),
    }
    return World(users=users, objects=objects)
