"""Every date field is a browser date picker (passlib/forms.py `DayInput`): a day typed as
French people write it (« 05/12/2026 », in the address bar or where a browser has no
picker) filters the list and is shown back in the field, in the ISO form the picker
reads, instead of an empty field over a filtered list (found by a new user)."""

from __future__ import annotations

from datetime import date

import pytest

from passlib.forms import DayInput

pytestmark = pytest.mark.django_db


def test_a_french_day_is_shown_back_as_the_picker_reads_it():
    widget = DayInput()
    assert widget.format_value("05/12/2026") == "2026-12-05"
    assert widget.format_value(" 05/12/26 ") == "2026-12-05"
    assert widget.format_value("2026-12-05") == "2026-12-05"
    assert widget.format_value(date(2026, 12, 5)) == "2026-12-05"
    assert widget.format_value("31/02/2026") == "31/02/2026"  # as typed: not a day
    assert widget.format_value("") == ""  # as Django's DateInput


def test_the_catalogue_shows_the_day_typed_in_its_field(client):
    html = client.get("/jeunes/offres/?day=05/12/2026").content.decode()
    assert 'type="date" name="day" value="2026-12-05"' in html


def test_a_pro_list_shows_the_day_typed_in_its_field(client, owner):
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get("/reservations/?booked_from=01/11/2026").content.decode()
    assert 'name="booked_from" value="2026-11-01"' in html
