import pytest

from accounts import departements
from accounts.legal_categories import COLLECTIVITE_LEGAL_CATEGORIES, is_collectivite


def test_the_101_departements_with_corsica_and_overseas():
    codes = [d.code for d in departements.DEPARTEMENTS]
    assert len(codes) == len(set(codes)) == 101
    assert {"2A", "2B", "971", "972", "973", "974", "976"} <= set(codes)
    assert "20" not in codes and "975" not in codes


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
        ("97500", None),  # Saint-Pierre-et-Miquelon is not a département
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
