"""The session's one list (issue 30): pass Culture bookings and registrations from
other channels as one row type, the counts the page's summary says, and the waiting line
of every channel merged in arrival order.

Bounded: three queries whatever the number of rows (the bookings with their young
person, every registration of the session, the young people's entries with their
person). Rows are ordered by name; the line in the order offers/services/holds.py
serves it (`_line`: arrival, a young person first at the same instant, then id), so
the rank shown is the order a freed place follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from offers.models import (
    AgeBracket,
    Attendance,
    Booking,
    BookingStatus,
    Channel,
    Registration,
    RegistrationStatus,
    Session,
    WaitlistEntry,
    WaitlistStatus,
)
from offers.models.registrations import ALL_CHANNELS, PASS_CULTURE
from offers.models.waitlist import ACTIVE as WAITLIST_ACTIVE
from passlib import search

PASS = PASS_CULTURE[0]
_AGE_LABELS = dict(AgeBracket.choices)
_CHANNEL_LABELS = dict(ALL_CHANNELS)


@dataclass(frozen=True)
class Participant:
    """One row of the list: a booking (one place) or a registration (its places)."""

    kind: str  # "booking" or "registration"
    name: str
    channel: str  # "pass" or a `Channel` value
    places: int
    status_label: str
    attendance: str  # an `Attendance` value: "present", "absent" or ""
    at: datetime  # booked or registered at
    active: bool  # takes part (not cancelled)
    obj: Booking | Registration
    code: str = ""  # a booking's counter code
    phone: str = ""  # a registration's, with the person's consent
    email: str = ""
    age_bracket: str = ""
    # Given a place from the waiting line and without an address to be told by: the
    # page says « à prévenir » with the phone.
    to_tell: bool = False

    @property
    def channel_label(self) -> str:
        return _CHANNEL_LABELS[self.channel]

    @property
    def age_label(self) -> str:
        return _AGE_LABELS.get(self.age_bracket, "")

    @property
    def is_booking(self) -> bool:
        return self.kind == "booking"

    @property
    def is_walk_in(self) -> bool:
        return self.channel == Channel.WALK_IN

    @property
    def public_id(self):
        return self.obj.public_id


def _booking_status(b: Booking) -> str:
    if b.status == BookingStatus.CONFIRMED and b.absent_at:
        return "Absent"
    if b.status == BookingStatus.VALIDATED and b.validated_auto:
        return "Validée automatiquement"
    if b.status == BookingStatus.VALIDATED:
        return "Présent (validée)"
    return b.get_status_display()


def _booking_attendance(b: Booking) -> str:
    """Present: validated at the door (an automatic validation says nothing of it);
    absent: marked so."""
    if b.status in (BookingStatus.VALIDATED, BookingStatus.REIMBURSED) and not b.validated_auto:
        return Attendance.PRESENT
    if b.status == BookingStatus.CONFIRMED and b.absent_at:
        return Attendance.ABSENT
    return Attendance.UNKNOWN


def booking_row(b: Booking) -> Participant:
    """A booking as a row (its `beneficiary` selected with it)."""
    person = b.beneficiary
    return Participant(
        kind="booking",
        name=f"{person.last_name} {person.first_name}".strip(),
        channel=PASS,
        places=1,
        status_label=_booking_status(b),
        attendance=_booking_attendance(b),
        at=b.booked_at,
        active=b.status != BookingStatus.CANCELLED,
        obj=b,
        code=b.code,
    )


def _registration_status(r: Registration) -> str:
    if r.status == RegistrationStatus.CANCELLED:
        return "Annulée"
    if r.attendance:
        return Attendance(r.attendance).label
    return r.get_status_display()


def registration_row(r: Registration) -> Participant:
    return Participant(
        kind="registration",
        name=r.name,
        channel=r.channel,
        places=r.places,
        status_label=_registration_status(r),
        attendance=r.attendance,
        at=r.joined_at,
        active=r.status == RegistrationStatus.REGISTERED,
        obj=r,
        phone=r.phone,
        email=r.email,
        age_bracket=r.age_bracket,
        to_tell=bool(
            r.promoted_at
            and r.status == RegistrationStatus.REGISTERED
            and not (r.email and r.contact_consent)
        ),
    )


@dataclass(frozen=True)
class Waiting:
    """One person of the session's waiting line, whatever their channel."""

    kind: str  # "young" (a WaitlistEntry) or "registration"
    name: str
    channel: str
    places: int
    joined_at: datetime
    obj: WaitlistEntry | Registration
    rank: int | None = None  # None: a place is offered (held) to them
    offered_until: datetime | None = None
    phone: str = ""  # a registration's, to call them
    email: str = ""

    @property
    def channel_label(self) -> str:
        return _CHANNEL_LABELS[self.channel]


@dataclass(frozen=True)
class Counts:
    """What the summary says. Participants expected: the places of the active rows and
    the places kept on the library's own list."""

    pass_culture: int = 0
    others: int = 0  # registrations taking places + the library's own list
    walk_ins: int = 0
    outside: int = 0
    present: int = 0
    absent: int = 0
    by_channel: list[tuple[str, int]] = field(default_factory=list)

    @property
    def expected(self) -> int:
        return self.pass_culture + self.others  # walk-ins came without a place: apart


@dataclass(frozen=True)
class SessionList:
    rows: list[Participant]
    counts: Counts
    waiting: list[Waiting]

    @property
    def sheet_rows(self) -> list[Participant]:
        """The sign-in sheet: everyone who is not cancelled."""
        return [row for row in self.rows if row.active]


def _name_key(row) -> tuple:
    """By name as people read them: « Élodie » among the E, « d'Arc » by its letters."""
    name = row.name.replace("Œ", "Oe").replace("œ", "oe").replace("Æ", "Ae").replace("æ", "ae")
    return (not row.name, search.fold(name), row.at)


def _counts(rows: list[Participant], outside: int) -> Counts:
    places: dict[str, int] = {}
    present = absent = 0
    for row in rows:
        if not row.active:
            continue
        places[row.channel] = places.get(row.channel, 0) + row.places
        if row.attendance == Attendance.PRESENT:
            present += row.places
        elif row.attendance == Attendance.ABSENT:
            absent += row.places
    walk_ins = places.get(Channel.WALK_IN, 0)
    pass_culture = places.get(PASS, 0)
    return Counts(
        pass_culture=pass_culture,
        others=sum(places.values()) - pass_culture - walk_ins + outside,
        walk_ins=walk_ins,
        outside=outside,
        present=present,
        absent=absent,
        by_channel=[(label, places[key]) for key, label in ALL_CHANNELS if places.get(key)],
    )


def _line(entries: list[WaitlistEntry], waiting: list[Registration]) -> list[Waiting]:
    """Places offered first (held until a date), then the line in the order
    offers/services/holds.py serves it, numbered."""
    young = [
        Waiting(
            kind="young",
            name=f"{e.person.last_name} {e.person.first_name}".strip(),
            channel=PASS,
            places=1,
            joined_at=e.joined_at,
            obj=e,
            offered_until=e.offered_until if e.status == WaitlistStatus.OFFERED else None,
        )
        for e in entries
    ]
    others = [
        Waiting(
            kind="registration",
            name=r.name,
            channel=r.channel,
            places=r.places,
            joined_at=r.joined_at,
            obj=r,
            phone=r.phone,
            email=r.email,
        )
        for r in waiting
    ]
    offered = [w for w in young if w.offered_until is not None]
    line = sorted(
        [w for w in young if w.offered_until is None] + others,
        key=lambda w: (w.joined_at, 0 if w.kind == "young" else 1, w.obj.pk),
    )
    ranked = [Waiting(**{**w.__dict__, "rank": rank}) for rank, w in enumerate(line, start=1)]
    return sorted(offered, key=lambda w: (w.joined_at, w.obj.pk)) + ranked


def session_list(session: Session) -> SessionList:
    """The session's one list, its counts and its waiting line (three queries)."""
    bookings = session.bookings.select_related("beneficiary").order_by("id")
    rows = [booking_row(b) for b in bookings]
    waiting = []
    for r in Registration.objects.filter(session=session).order_by("joined_at", "id"):
        if r.status == RegistrationStatus.WAITING:
            waiting.append(r)
        else:
            rows.append(registration_row(r))
    rows.sort(key=_name_key)
    entries = list(
        WaitlistEntry.objects.filter(session=session, status__in=WAITLIST_ACTIVE)
        .select_related("person")
        .order_by("joined_at", "id")
    )
    return SessionList(
        rows=rows,
        counts=_counts(rows, session.outside_places),
        waiting=_line(entries, waiting),
    )


def line_rank(registration: Registration) -> int | None:
    """A waiting registration's place in its session's line of every channel."""
    if registration.session_id is None or registration.status != RegistrationStatus.WAITING:
        return None
    line = session_list(registration.session).waiting
    return next((w.rank for w in line if w.obj == registration), None)
