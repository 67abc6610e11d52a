"""The activity report's PDF read back (issue 27): its charts' ticks are whole numbers
for counts and French numbers everywhere (« 0,5 », never « 0.5 »); pages rendered."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone
from pypdf import PdfReader

from reporting import documents
from reporting.charts import axis_step, axis_top, french_number
from reporting.figures import year_figures
from tests.finance.helpers import validated

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_three_bookings_chart_whole_ticks_and_french_decimals(space):
    for _ in range(3):  # three bookings of 0,50 €: counts peak at 3, euros at 1,50
        validated(space["venue"], price_cents=50)
    figures = year_figures([space["venue"].pk], timezone.localdate().year)
    text = _text(documents.report_pdf(figures, collectivite_name="Ville de Lyon", scope="1 lieu"))
    assert not re.search(r"\d\.\d", text), re.findall(r".{0,20}\d\.\d.{0,20}", text)
    ticks = text.split("Réservations faites par mois")[0].split("déc.")[-1].split()
    assert ticks == ["0", "1", "2", "3"]  # the count chart's axis, no 0,5
    assert "0,5" in text and "1,5" in text  # the euros' axis, with a comma
    assert "1,50" in text  # the euros' bar label, both decimals


@pytest.mark.parametrize(
    ("peak", "whole", "step", "top"),
    [
        (3, True, 1, 3),
        (1, True, 1, 1),
        (0, True, 1, 1),  # an empty year still draws an axis
        (7, True, 2, 8),
        (1250, True, 500, 1500),
        (0, False, 1, 1),
        (0.03, False, 0.01, 0.03),  # a cent is the smallest step
        (1.5, False, 0.5, 1.5),
        (42.49, False, 10, 50),
    ],
)
def test_axis_steps(peak, whole, step, top):
    assert axis_step(peak, whole=whole) == step
    assert axis_top(peak, step) == top


def test_french_numbers():
    assert french_number(0.5) == "0,5"
    assert french_number(1250) == "1 250"
    assert french_number(42.49, money=True) == "42,49"
    assert french_number(42.5, money=True) == "42,50"
    assert french_number(20.0, money=True) == "20"
