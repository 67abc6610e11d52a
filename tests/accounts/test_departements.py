import pytest

from accounts import departements
from accounts.legal_categories import COLLECTIVITE_LEGAL_CATEGORIES, is_collectivite


def test_the_101_departements_and_6_overseas_collectivities():
    codes = [d.code for d in departements.DEPARTEMENTS]
    assert len(codes) == len(set(codes)) == 107
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert {"975", "977", "978", "986", "987", "988"} <= set(codes)
    assert "20" not in codes


@pytest.mark.parametrize(
    ("code", "tz"),
    [
        ("69", "Europe/Paris"),
        ("2A", "Europe/Paris"),
        ("971", "America/Guadeloupe"),
        ("972", "America/Martinique"),
        ("973", "America/Cayenne"),
        ("974", "Indian/Reunion"),
        ("976", "Indian/Mayotte"),
        ("975", "America/Miquelon"),
        ("977", "America/St_Barthelemy"),
        ("978", "America/Guadeloupe"),  # pass Culture's, not America/Marigot
        ("986", "Pacific/Wallis"),
        ("987", "Pacific/Tahiti"),
        ("988", "Pacific/Noumea"),
        ("989", "Pacific/Pitcairn"),  # Clipperton, as pass Culture
        ("984", "Europe/Paris"),  # the TAAF: several zones, Paris as pass Culture
        ("", "Europe/Paris"),
    ],
)
def test_time_zones(code, tz):
    assert departements.timezone_of(code) == tz


@pytest.mark.parametrize(
    ("postal_code", "expected"),
    [
        ("69001", "69"),
        ("01000", "01"),
        ("20000", "2A"),
        ("20199", "2A"),
        ("20200", "2B"),
        ("20600", "2B"),
        ("97100", "971"),
        ("97200", "972"),
        ("97300", "973"),
        ("97400", "974"),
        ("97600", "976"),
        ("97500", "975"),  # Saint-Pierre-et-Miquelon
        ("97133", "977"),  # Saint-Barthélemy, in Guadeloupe's range
        ("97150", "978"),  # Saint-Martin, in Guadeloupe's range
        ("97054", "978"),  # Saint-Martin CEDEX (the Collectivité's)
        ("97050", "978"),
        ("97089", "978"),
        ("97095", "977"),  # Saint-Barthélemy CEDEX
        ("97098", "977"),  # Saint-Barthélemy CEDEX (the Collectivité's)
        ("97099", "977"),
        ("97000", None),  # no territory
        ("97049", None),
        ("97110", "971"),  # Pointe-à-Pitre stays Guadeloupe
        ("98600", "986"),
        ("98714", "987"),
        ("98800", "988"),
        ("98000", None),  # Monaco
        ("00100", None),
        ("6900", None),
        ("abcde", None),
    ],
)
def test_postal_code_to_departement(postal_code, expected):
    assert departements.departement_from_postal_code(postal_code) == expected


def test_legal_category_table_and_ape_fallback():
    assert set(COLLECTIVITE_LEGAL_CATEGORIES) >= {"7210", "7220", "7230", "7346", "7379"}
    assert is_collectivite("7210")
    assert not is_collectivite("9220")
    assert is_collectivite("9220", "84.11Z")
    assert is_collectivite("", "8411Z")


@pytest.mark.parametrize(
    ("postal_code", "tz"),
    [
        ("97133", "America/St_Barthelemy"),
        ("97150", "America/Guadeloupe"),
        ("97054", "America/Guadeloupe"),
        ("97098", "America/St_Barthelemy"),
        ("97500", "America/Miquelon"),
        ("98714", "Pacific/Tahiti"),
        ("98800", "Pacific/Noumea"),
    ],
)
def test_a_venue_overseas_gets_its_own_local_time(postal_code, tz):
    """The service derives a venue's time zone from its postal code this way."""
    assert departements.timezone_of(departements.departement_from_postal_code(postal_code)) == tz


# pass Culture's own table, as written in pass-culture/pass-culture-main,
# api/src/pcapi/utils/date.py (CUSTOM_TIMEZONES, read by get_department_timezone); any
# other code is METROPOLE_TIMEZONE there.
PASS_CULTURE_TIMEZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Guadeloupe",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
    "989": "Pacific/Pitcairn",
}


def test_every_time_zone_is_pass_cultures():
    for dep in departements.DEPARTEMENTS:
        assert dep.timezone == PASS_CULTURE_TIMEZONES.get(dep.code, "Europe/Paris"), dep.code
    for code, tz in PASS_CULTURE_TIMEZONES.items():
        assert departements.timezone_of(code) == tz


def test_a_cedex_postal_code_of_saint_martin_or_saint_barthelemy_is_accepted():
    """The onboarding forms accept them (they refused « 97098 » as no département)."""
    from django import forms

    from accounts.forms import _postal_code_departement

    assert _postal_code_departement("97098") == "97098"
    assert _postal_code_departement("97 054") == "97054"
    with pytest.raises(forms.ValidationError, match="aucun département"):
        _postal_code_departement("97000")
