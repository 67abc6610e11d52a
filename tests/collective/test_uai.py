import pytest
from django.core.exceptions import ValidationError

from accounts.uai import clean_uai, departement_from_uai


@pytest.mark.parametrize("value", ["0690001B", "0750001u", " 0693654X ", "6200002H"])
def test_valid_uai(value):
    assert clean_uai(value) == value.strip().upper()


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("0690001C", "checksum"),  # bad letter
        ("069001B", "length"),
        ("06900011B", "length"),
        ("069000AB", "format"),
        ("06900012", "format"),
    ],
)
def test_invalid_uai(value, code):
    with pytest.raises(ValidationError) as exc:
        clean_uai(value)
    assert exc.value.code == code


@pytest.mark.parametrize(
    ("uai", "dep"),
    [
        ("0690001B", "69"),
        ("6200002H", "2A"),
        ("7200001N", "2B"),
        ("9740001H", "974"),
        ("0990001A", None),
    ],
)
def test_departement_from_uai(uai, dep):
    assert departement_from_uai(uai) == dep
