"""One way to write a date, a time and a count (passlib/formats.py and its filters), and a
guard that keeps formats written by hand out of templates and Python."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import timezone

from passlib.formats import count_fr, date_fr, datetime_fr, period_fr, time_fr

ROOT = Path(__file__).resolve().parent.parent
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(0, 0), "00:00"),
        (time(6, 0), "06:00"),
        (time(15, 30), "15:30"),
        (time(23, 59), "23:59"),
    ],
)
def test_a_time_is_written_with_the_24_hour_clock(value, expected):
    assert time_fr(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2027, 6, 9), "9 juin 2027"),
        (date(2027, 6, 1), "1er juin 2027"),
        (date(2027, 2, 28), "28 février 2027"),
        (date(2026, 12, 31), "31 décembre 2026"),
        (date(2027, 8, 1), "1er août 2027"),
    ],
)
def test_a_date_says_its_month_and_the_first_of_the_month_is_1er(value, expected):
    assert date_fr(value) == expected


def test_a_date_with_its_weekday_and_a_date_time():
    assert date_fr(date(2027, 6, 9), weekday=True) == "mercredi 9 juin 2027"
    moment = datetime(2027, 6, 1, 13, 30, tzinfo=ZoneInfo("UTC"))  # 15:30 in Paris
    assert datetime_fr(moment, tz="Europe/Paris") == "1er juin 2027 à 15:30"
    assert datetime_fr(moment, weekday=True, tz=PARIS) == "mardi 1er juin 2027 à 15:30"
    # La Réunion (UTC+4): the venue's own time.
    assert datetime_fr(moment, tz="Indian/Reunion") == "1er juin 2027 à 17:30"
    # Midnight belongs to the day it starts.
    midnight = datetime(2027, 6, 8, 22, 0, tzinfo=ZoneInfo("UTC"))
    assert datetime_fr(midnight, tz=PARIS) == "9 juin 2027 à 00:00"
    assert period_fr(date(2027, 6, 1), date(2027, 6, 15)) == "du 1er juin 2027 au 15 juin 2027"
    assert date_fr(None) == time_fr(None) == datetime_fr(None) == ""


@pytest.mark.parametrize(
    ("number", "forms", "expected"),
    [
        (0, ("place",), "0 place"),
        (1, ("place",), "1 place"),
        (2, ("place",), "2 places"),
        (0, ("place", "places", "aucune place"), "aucune place"),
        (1, ("place réservée", "places réservées"), "1 place réservée"),
        (3, ("place réservée", "places réservées"), "3 places réservées"),
        (2, ("lieu", "lieux"), "2 lieux"),
        (12345, ("place",), "12\u202f345 places"),
        (None, ("séance",), "0 séance"),
    ],
)
def test_a_count_is_singular_for_0_and_1(number, forms, expected):
    assert count_fr(number, *forms) == expected


def test_several_words_say_their_plural():
    with pytest.raises(ValueError):
        count_fr(2, "place réservée")


@pytest.mark.parametrize("engine", ["django", "text"])
def test_the_filters_work_in_pages_and_in_emails_in_the_current_or_venue_time_zone(engine):
    template = engines[engine].from_string(
        "{{ d|fr_date }}|{{ d|fr_date:'jour' }}|{{ m|fr_datetime }}|{{ m|fr_time }}|"
        "{{ m|fr_datetime:'jour' }}|{{ t|fr_time }}|{{ n|plural:'place,places,aucune place' }}|"
        "{{ one|plural:'place restante,places restantes' }}|{{ bad|plural:'place' }}|"
        "{% load tz %}{{ m|timezone:'Indian/Reunion'|fr_time }}"
    )
    moment = datetime(2027, 6, 9, 13, 30, tzinfo=ZoneInfo("UTC"))
    with timezone.override(PARIS):
        text = template.render(
            {"d": date(2027, 6, 1), "m": moment, "t": time(6), "n": 0, "one": 1, "bad": "x"}
        )
    assert text.split("|") == [
        "1er juin 2027",
        "mardi 1er juin 2027",
        "9 juin 2027 à 15:30",
        "15:30",
        "mercredi 9 juin 2027 à 15:30",
        "06:00",
        "aucune place",
        "1 place restante",
        "",
        "17:30",
    ]


# --- the guard: no format by hand outside passlib/formats.py ---------------------------

TEMPLATE_FORMAT = re.compile(r"\|\s*(date|time)(\s*:\s*(?P<fmt>['\"][^'\"]*['\"]))?")
# Machine formats are not for people: ISO 8601 in `<time datetime>`.
MACHINE_TEMPLATE_FORMATS = {"'c'", '"c"'}
PYTHON_FORMAT = re.compile(
    r"strftime\(|date_format\(|dateformat|\{[^{}]*:%[a-zA-Z][^{}]*\}|"
    r"[\"']%[dHjmY][^\"']*[\"']"
)
# Formats for machines, each with its reason.
MACHINE_PYTHON_FORMATS = {
    '"%Y-%m-%dT%H:%M"',  # the value of an <input type="datetime-local">
    'format="%Y-%m-%d"',  # the value of an <input type="date">
    'strftime("%Y%m%d-%H%M")',  # a downloaded file's name
    "{run.period_start:%Y-%m-%d}.xml",  # a downloaded file's name
    "RB-{start:%Y-%m}",  # a statement's reference number
    'barLabelFormat = "%d"',  # a chart's numbers, not a date
    "{self.starts_at:%Y-%m-%d %H:%M}",  # Session.__str__, for logs and the shell
    # passlib/spreadsheets.py: a CSV date cell, which French spreadsheets read as a date
    'value.strftime("%d/%m/%Y %H:%M")',
    'value.strftime("%d/%m/%Y")',
}
PYTHON_DIRS = ["accounts", "catalog", "offers", "finance", "reporting", "passlib"]


def _python_files():
    for folder in PYTHON_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "passlib" / "formats.py":
                continue
            yield path


def test_no_template_writes_a_date_or_time_format_by_hand():
    found = []
    for path in (ROOT / "templates").rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            for match in TEMPLATE_FORMAT.finditer(line):
                if match.group("fmt") not in MACHINE_TEMPLATE_FORMATS:
                    found.append(f"{path.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert not found, "Use |fr_date, |fr_time or |fr_datetime:\n" + "\n".join(found)


def test_no_python_writes_a_date_or_time_format_by_hand():
    found = []
    for path in _python_files():
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0]
            if PYTHON_FORMAT.search(code) and not any(
                allowed in code for allowed in MACHINE_PYTHON_FORMATS
            ):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "Use passlib/formats.py:\n" + "\n".join(found)


PLURAL_BY_HAND = re.compile(
    r"\(s\)(?![.]\w)|\(x\)|\|\s*pluralize|'s' if |\"s\" if |'x' if |\"x\" if |"
    r"\bif \w+ == 1 else\b|\bif \w+ > 1 else\b"
)


def test_no_plural_is_written_by_hand():
    """0 and 1 are singular in French: every count goes through `plural`/`count_fr`."""
    found = []
    paths = [p for p in (ROOT / "templates").rglob("*") if p.suffix in {".html", ".txt"}]
    for path in [*paths, *_python_files()]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("#", 1)[0] if path.suffix == ".py" else line
            if PLURAL_BY_HAND.search(code) and "(copie" not in code:  # a copy's number
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, "Use |plural or count_fr:\n" + "\n".join(found)
