"""Recurring sessions (issue 15): the rules (offers/recurrence.py), the series service
and the page that previews the dates (public holidays unticked) and creates them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from offers import recurrence
from offers.forms.offers import parse_times
from offers.models import Session
from offers.recurrence import DAILY, MONTHLY_DAY, MONTHLY_NTH, WEEKLY, Rule
from offers.services import sessions as services
from passlib.refusal import Refusal
from tests.factories import VenueFactory, make_booking, make_offer

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.localdate().year + 1
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


def moments(rule: Rule, tz: str = "Europe/Paris", departement: str = "69") -> list[datetime]:
    """Every session the rule plans, seen from long before it (nothing past)."""
    return [planned.moment for planned in recurrence.plan(rule, tz, departement, now=LONG_AGO)]


def dates(rule: Rule) -> list[date]:
    return list(dict.fromkeys(moment.date() for moment in moments(rule)))


def test_weekly_on_two_days_at_two_times():
    rule = Rule(WEEKLY, date(2027, 1, 4), (time(14, 30), time(10)), count=4, weekdays=(3, 0))
    assert dates(rule) == [
        date(2027, 1, 4),
        date(2027, 1, 7),
        date(2027, 1, 11),
        date(2027, 1, 14),
    ]
    found = moments(rule)
    assert [(m.day, m.hour, m.minute) for m in found[:3]] == [(4, 10, 0), (4, 14, 30), (7, 10, 0)]
    assert len(found) == 8
    assert rule.describe() == "chaque lundi et jeudi à 10:00, 14:30"


def test_monthly_second_saturday_and_monthly_same_date():
    nth = Rule(MONTHLY_NTH, date(2027, 1, 9), (time(10),), until=date(2027, 6, 30))
    assert dates(nth) == [
        date(2027, 1, 9),
        date(2027, 2, 13),
        date(2027, 3, 13),
        date(2027, 4, 10),
        date(2027, 5, 8),
        date(2027, 6, 12),
    ]
    assert all(d.weekday() == 5 and 8 <= d.day <= 14 for d in dates(nth))
    assert nth.describe() == "le 2e samedi de chaque mois à 10:00"
    last = Rule(MONTHLY_NTH, date(2027, 1, 29), (time(10),), count=3)  # 5th Friday: last
    assert dates(last) == [date(2027, 1, 29), date(2027, 2, 26), date(2027, 3, 26)]
    # the 31st skips the months without one
    same = Rule(MONTHLY_DAY, date(2027, 1, 31), (time(10),), count=3)
    assert dates(same) == [date(2027, 1, 31), date(2027, 3, 31), date(2027, 5, 31)]
    daily = Rule(DAILY, date(2027, 1, 30), (time(9),), until=date(2027, 2, 2))
    assert len(dates(daily)) == 4


def test_a_series_across_the_daylight_saving_change_keeps_the_local_time():
    rule = Rule(WEEKLY, date(2027, 3, 17), (time(15),), count=3, weekdays=(2,))
    found = moments(rule)
    assert [m.strftime("%d %H:%M") for m in found] == ["17 15:00", "24 15:00", "31 15:00"]
    # Paris goes to summer time on 28 March 2027: the UTC instant moves by one hour
    assert [m.astimezone(UTC).hour for m in found] == [14, 14, 13]
    autumn = Rule(WEEKLY, date(2027, 10, 27), (time(15),), count=2, weekdays=(2,))
    assert [m.astimezone(UTC).hour for m in moments(autumn)] == [
        13,
        14,
    ]
    # the hour skipped in spring is read as a clock does
    skipped = recurrence.local_datetime(date(2027, 3, 28), time(2, 30), "Europe/Paris")
    assert skipped.strftime("%H:%M %z") == "03:30 +0200"


def test_an_overseas_venue_has_its_local_time_and_its_own_public_holidays():
    rule = Rule(WEEKLY, date(2027, 12, 13), (time(15),), count=2, weekdays=(0,))
    found = moments(rule, "Indian/Reunion")
    assert [m.astimezone(UTC).hour for m in found] == [11, 11]  # UTC+4, no summer time
    reunion = recurrence.public_holidays("974", range(2027, 2028))
    assert "esclavage" in reunion[date(2027, 12, 20)]
    assert date(2027, 12, 20) not in recurrence.public_holidays("69", range(2027, 2028))
    assert date(2027, 12, 26) in recurrence.public_holidays("57", range(2027, 2028))
    assert date(2027, 10, 9) in recurrence.public_holidays("977", range(2027, 2028))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("15:00", [time(15)]), ("15h", [time(15)]), ("10h ; 14h30", [time(10), time(14, 30)])],
)
def test_times_are_typed_as_french_people_write_them(typed, expected):
    assert list(parse_times(typed)) == expected


@pytest.mark.parametrize("typed", ["25:00", "15h75", "midi", "", "١٥:٠٠"])
def test_a_wrong_time_is_refused_in_french(typed):
    with pytest.raises(ValidationError):
        parse_times(typed)


def _starts(n, first=None):
    first = first or timezone.now() + timedelta(days=3)
    return [first + timedelta(days=7 * i) for i in range(n)]


def test_the_series_service_creates_one_series_and_respects_the_cap(space, owner, monkeypatch):
    offer = make_offer(space["venue"])
    made = services.sessions_add_series(
        actor=owner,
        offer=offer,
        starts=_starts(6),
        total_places=12,
        quota=8,
        limit_before=timedelta(hours=2),
    )
    assert len(made) == 6 and len({s.series for s in made}) == 1
    assert all(
        (s.total_places, s.quota, s.starts_at - s.booking_limit_at) == (12, 8, timedelta(hours=2))
        for s in Session.objects.filter(offer=offer)
    )
    monkeypatch.setattr(recurrence, "MAX_SESSIONS_PER_OFFER", 10)
    with pytest.raises(Refusal, match="au plus 10 séances"):
        services.sessions_add_series(
            actor=owner,
            offer=offer,
            starts=_starts(5, made[-1].starts_at),
            total_places=12,
            quota=8,
        )
    assert Session.objects.filter(offer=offer).count() == 6  # nothing written


def test_following_sessions_change_together_never_below_their_bookings(space, owner):
    offer = make_offer(space["venue"])
    made = services.sessions_add_series(
        actor=owner, offer=offer, starts=_starts(4), total_places=12, quota=8
    )
    make_booking(offer, session=made[3])
    make_booking(offer, session=made[3], beneficiary=None)
    second = made[1]
    later = timezone.localtime(second.starts_at).replace(hour=17, minute=0)
    with pytest.raises(ValidationError, match="déjà 2 place"):
        services.series_update(
            actor=owner,
            session=second,
            data=services.SessionData(starts_at=later, total_places=12, quota=1),
        )
    assert set(Session.objects.values_list("quota", flat=True)) == {8}  # nothing changed
    changed = services.series_update(
        actor=owner,
        session=second,
        data=services.SessionData(starts_at=later, total_places=20, quota=10),
    )
    assert changed == 3
    rows = list(Session.objects.filter(offer=offer).order_by("starts_at"))
    assert [(s.total_places, s.quota) for s in rows] == [(12, 8), (20, 10), (20, 10), (20, 10)]
    assert {timezone.localtime(s.starts_at).hour for s in rows[1:]} == {17}
    # the same local days (a UTC date moves with the hour between 23:00 and 01:00 UTC)
    assert [timezone.localdate(s.starts_at) for s in rows] == [
        timezone.localdate(s.starts_at) for s in made
    ]

    second.refresh_from_db()
    deleted, kept = services.series_remove_following(actor=owner, session=second)
    assert (deleted, kept) == (2, 1)
    assert Session.objects.filter(offer=offer).count() == 2


def _rule_form(**changes):
    data = {
        "frequency": WEEKLY,
        "weekdays": ["2"],
        "first_day": f"{NEXT_YEAR}-12-02",
        "until": "",
        "count": "6",
        "times": "15h",
        "total_places": "12",
        "quota": "8",
        "limit_hours": "",
    }
    return {**data, **changes}


def test_the_page_previews_unticks_the_holidays_and_creates_the_chosen_dates(login, space, owner):
    offer = make_offer(space["venue"], title="Club de lecture du mercredi")
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/serie/"
    assert client.get(url).status_code == 200
    # a weekly rule on the weekday of the next public holiday, one week before it
    today = timezone.localdate()
    holidays = recurrence.public_holidays("69", range(today.year, today.year + 2))
    holiday, name = min((d, n) for d, n in holidays.items() if d > today + timedelta(days=8))
    first = holiday - timedelta(days=7)
    data = _rule_form(first_day=first.isoformat(), weekdays=[str(first.weekday())], count="6")
    preview = client.post(url, {**data, "apercu": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200, html
    boxes = re.findall(
        r'<input type="checkbox" name="dates" value="([^"]+)"[^>]*?( checked)?>', html
    )
    assert [value[:10] for value, _ in boxes][:2] == [first.isoformat(), holiday.isoformat()]
    expected = [date.fromisoformat(value[:10]) not in holidays for value, _ in boxes]
    assert [bool(checked) for _, checked in boxes] == expected
    assert expected[:2] == [True, False]
    assert f"jour férié : {name}" in html
    chosen = [value for value, checked in boxes if checked][:4]
    forged = (datetime.now(UTC) + timedelta(days=40)).isoformat()  # not a date of the rule
    done = client.post(url, {**data, "dates": [*chosen, forged], "creer": "1"})
    assert done.status_code == 302
    sessions = list(Session.objects.filter(offer=offer).order_by("starts_at"))
    assert [s.starts_at.isoformat() for s in sessions] == [
        datetime.fromisoformat(value).astimezone(UTC).isoformat() for value in chosen
    ]
    assert {timezone.localtime(s.starts_at).strftime("%H:%M") for s in sessions} == {"15:00"}
    assert {(s.total_places, s.quota) for s in sessions} == {(12, 8)}


def test_the_page_refuses_a_rule_past_the_cap_and_a_missing_end(login, space, owner):
    offer = make_offer(space["venue"])
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/serie/"
    too_many = client.post(
        url,
        {
            **_rule_form(
                frequency=DAILY,
                first_day=(timezone.localdate() + timedelta(days=1)).isoformat(),
                count="",
                until=f"{NEXT_YEAR}-12-31",
                times="10:00, 14:00",
            ),
            "apercu": "1",
        },
    )
    assert too_many.status_code == 400
    assert "une offre compte au plus" in too_many.content.decode()
    no_end = client.post(url, {**_rule_form(count=""), "apercu": "1"})
    assert "Indiquez une date de fin ou un nombre de dates." in no_end.content.decode()
    no_day = client.post(url, {**_rule_form(weekdays=[]), "apercu": "1"})
    assert "Cochez au moins un jour de la semaine." in no_day.content.decode()
    assert not Session.objects.exists()


def test_an_overseas_venue_gets_its_sessions_at_its_local_time(login, space, owner):
    venue = VenueFactory(
        collectivite=space["collectivite"],
        departement="974",
        time_zone="Indian/Reunion",
        postal_code="97400",
        city="Saint-Denis",
    )
    from accounts.models import Membership

    Membership.objects.get(user=owner).venues.add(venue) if hasattr(Membership, "venues") else None
    offer = make_offer(venue, title="Atelier conte")
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/serie/"
    data = _rule_form(first_day=f"{NEXT_YEAR}-12-14", weekdays=["0"], count="2")
    html = client.post(url, {**data, "apercu": "1"}).content.decode()
    values = re.findall(r'name="dates" value="([^"]+)"', html)
    assert values and all(v.endswith("T15:00:00+04:00") for v in values), values


def _next_wednesday_holiday(after_days: int = 15):
    today = timezone.localdate()
    holidays = recurrence.public_holidays("69", range(today.year, today.year + 3))
    return min(
        (d, n)
        for d, n in holidays.items()
        if d.weekday() == 2 and d > today + timedelta(days=after_days)
    )


def test_a_number_of_dates_skips_the_holidays_and_goes_on_to_the_next_date():
    """8 dates asked over a public holiday: 8 dates of sessions, the holiday named and left
    out, the series one week longer (docs/decisions.md)."""
    holiday, name = _next_wednesday_holiday()
    first = holiday - timedelta(days=14)
    rule = Rule(WEEKLY, first, (time(15),), count=8, weekdays=(2,))
    planned = recurrence.plan(rule, "Europe/Paris", "69", now=timezone.now())
    working = [p.moment.date() for p in planned if not p.holiday]
    assert len(working) == 8 and holiday not in working
    assert working[-1] == first + timedelta(days=7 * 8)  # one week past the 8th Wednesday
    assert [(p.moment.date(), p.holiday) for p in planned if p.holiday] == [(holiday, name)]
    # two times a day: 8 dates give 16 sessions
    twice = Rule(WEEKLY, first, (time(10), time(15)), count=8, weekdays=(2,))
    planned = recurrence.plan(twice, "Europe/Paris", "69", now=timezone.now())
    assert len([p for p in planned if not p.holiday]) == 16
    # until a date: every date up to it, the holiday named (and unticked by the page)
    until = Rule(WEEKLY, first, (time(15),), until=first + timedelta(days=21), weekdays=(2,))
    planned = recurrence.plan(until, "Europe/Paris", "69", now=timezone.now())
    assert [p.moment.date() for p in planned] == [first + timedelta(days=7 * i) for i in range(4)]
    assert [bool(p.holiday) for p in planned] == [False, False, True, False]


def test_a_date_already_past_today_does_not_count():
    now = timezone.localtime().replace(hour=16, minute=0)
    today = now.date()
    rule = Rule(DAILY, today, (time(15),), count=3)
    planned = recurrence.plan(rule, "Europe/Paris", "69", now=now)
    working = [p.moment.date() for p in planned if not p.holiday]
    assert len(working) == 3 and today not in working


def test_the_preview_says_how_many_sessions_and_names_the_holiday_skipped(login, space, owner):
    offer = make_offer(space["venue"], title="Club de lecture du mercredi")
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/serie/"
    holiday, name = _next_wednesday_holiday()
    first = holiday - timedelta(days=14)
    data = _rule_form(first_day=first.isoformat(), weekdays=["2"], count="8")
    html = client.post(url, {**data, "apercu": "1"}).content.decode()
    assert "8 séances à créer : chaque mercredi à 15:00" in html
    assert "Jour férié sauté" in html and f"({name})" in html
    assert "La série continue jusqu&#x27;au" in html or "La série continue jusqu'au" in html
    boxes = re.findall(
        r'<input type="checkbox" name="dates" value="([^"]+)"[^>]*?( checked)?>', html
    )
    assert len(boxes) == 9 and sum(bool(c) for _, c in boxes) == 8
    chosen = [value for value, checked in boxes if checked]
    assert client.post(url, {**data, "dates": chosen, "creer": "1"}).status_code == 302
    days = [timezone.localdate(s.starts_at) for s in Session.objects.filter(offer=offer)]
    assert len(days) == 8 and holiday not in days


def _field_errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'id="id_(\w+)_error">\s*<p class="error-text">(.*?)</p>', html))


@pytest.mark.parametrize(
    "count, expected",
    [
        ("0", "Indiquez au moins 1 date."),
        ("1000", "Une offre compte au plus 400 séances : indiquez au plus 400 dates."),
    ],
)
def test_a_wrong_number_of_dates_is_said_on_that_field_only(login, space, owner, count, expected):
    offer = make_offer(space["venue"])
    response = login(owner).post(
        f"/offres/{offer.public_id}/seances/serie/", {**_rule_form(count=count), "apercu": "1"}
    )
    assert response.status_code == 400
    errors = _field_errors(response.content.decode())
    assert errors == {"count": expected}
    assert not Session.objects.exists()


def test_past_the_cap_the_error_is_next_to_the_field_at_fault(login, space, owner, monkeypatch):
    offer = make_offer(space["venue"])
    client = login(owner)
    url = f"/offres/{offer.public_id}/seances/serie/"
    monkeypatch.setattr(recurrence, "MAX_SESSIONS_PER_OFFER", 5)
    by_count = client.post(url, {**_rule_form(count="6"), "apercu": "1"}).content.decode()
    assert list(_field_errors(by_count)) == ["count"]
    assert "une offre compte au plus 5 séances" in _field_errors(by_count)["count"]
    by_date = client.post(
        url, {**_rule_form(frequency=DAILY, count="", until=f"{NEXT_YEAR}-12-31"), "apercu": "1"}
    ).content.decode()
    assert list(_field_errors(by_date)) == ["until"]
