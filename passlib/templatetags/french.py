"""The project's filters for what people read (built into both template engines, so
no `{% load %}`): `fr_date`, `fr_time`, `fr_datetime`, `fr_session`, `plural`, `fr_ages`
(an offer's age range) — passlib/formats.py says how each writes — and `fr_duration`
(passlib/durations.py)."""

from django import template

from passlib import durations, formats

register = template.Library()


def _as_given(value):
    """The datetime's own zone: the template engine has already put it in the current
    zone (`expects_localtime`), or `|timezone:venue.time_zone` in the venue's."""
    return getattr(value, "tzinfo", None)


@register.filter(expects_localtime=True)
def fr_date(value, weekday: str = "") -> str:
    """{{ d|fr_date }} → « 9 juin 2027 »; {{ d|fr_date:"jour" }} → « mercredi 9 juin 2027 »."""
    return formats.date_fr(value, weekday=weekday == "jour", tz=_as_given(value))


@register.filter(expects_localtime=True)
def fr_time(value) -> str:
    """{{ t|fr_time }} → « 15:30 »."""
    return formats.time_fr(value, tz=_as_given(value))


@register.filter(expects_localtime=True)
def fr_datetime(value, weekday: str = "") -> str:
    """{{ d|fr_datetime }} → « 9 juin 2027 à 15:30 »;
    {{ d|fr_datetime:"jour" }} → « mercredi 9 juin 2027 à 15:30 »."""
    return formats.datetime_fr(value, weekday=weekday == "jour", tz=_as_given(value))


@register.filter(expects_localtime=True)
def fr_span(start, end) -> str:
    """{{ start|fr_span:end }} → « mercredi 9 juin 2027 de 15:00 à 16:30 », the way
    `fr_session` writes a session, for a start and end that are no session's any more
    (the old date of a moved one)."""
    return formats.session_time_fr(start, end, weekday=True, tz=_as_given(start))


@register.filter
def fr_session(session, weekday: str = "") -> str:
    """{{ session|fr_session:"jour" }} → « mercredi 9 juin 2027 de 15:00 à 16:30 », in
    the current time zone (a view's `venue_time`, an e-mail's `{% timezone %}`): the
    session's start and end (`Session.ends_at` reads `session.offer`: select it)."""
    start = getattr(session, "starts_at", None)
    if start is None:
        return ""
    return formats.session_time_fr(start, session.ends_at, weekday=weekday == "jour")


@register.filter
def plural(number, forms: str) -> str:
    """{{ n|plural:"place" }} → « 0 place », « 1 place », « 2 places »;
    {{ n|plural:"place réservée,places réservées" }};
    {{ n|plural:"place,places,aucune place" }} → « aucune place » for 0."""
    singular, plural_form, none = [*forms.split(","), "", ""][:3]
    try:
        number = int(number or 0)
    except (TypeError, ValueError):
        return ""
    return formats.count_fr(number, singular, plural_form, none)


@register.filter
def fr_duration(minutes) -> str:
    """{{ session.duration|fr_duration }} → « 1 h 30 », « 2 h », « 45 min »."""
    try:
        return durations.duration_fr(int(minutes or 0))
    except (TypeError, ValueError):
        return ""


@register.filter
def fr_ages(offer) -> str:
    """{{ offer|fr_ages }} → « Dès 15 ans », « 15–17 ans », "" (passlib/formats.py
    `age_range_fr`)."""
    return formats.age_range_fr(getattr(offer, "age_min", None), getattr(offer, "age_max", None))
