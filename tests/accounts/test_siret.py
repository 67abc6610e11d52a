import pytest
from django.core.exceptions import ValidationError

from accounts.siret import clean_siret


def test_valid_siret_with_spaces_and_dots_is_stripped():
    assert clean_siret("217 500 016 00019") == "21750001600019"
    assert clean_siret("217.500.016.00019") == "21750001600019"


def test_wrong_checksum_is_refused():
    with pytest.raises(ValidationError) as exc:
        clean_siret("21750001600018")
    assert exc.value.code == "checksum"
    assert "clé de contrôle" in exc.value.messages[0]


@pytest.mark.parametrize("value", ["2175000160001", "217500016000190"])
def test_wrong_length_is_refused(value):
    with pytest.raises(ValidationError) as exc:
        clean_siret(value)
    assert exc.value.code == "length"
    assert "14 chiffres" in exc.value.messages[0]


def test_letters_are_refused():
    with pytest.raises(ValidationError) as exc:
        clean_siret("2175000160001A")
    assert exc.value.code == "characters"


def test_empty_is_refused():
    with pytest.raises(ValidationError) as exc:
        clean_siret("  ")
    assert exc.value.code == "required"


def test_la_poste_rule():
    # La Poste establishments (SIREN 356 000 000) use "sum of digits divisible by 5"
    # instead of the Luhn key; the head office 356 000 000 00048 is a Luhn exception too.
    assert clean_siret("35600000000048") == "35600000000048"
    assert clean_siret("35600000049837") == "35600000049837"  # digit sum 45, Luhn fails
    with pytest.raises(ValidationError) as exc:
        clean_siret("35600000049838")  # digit sum 46
    assert exc.value.code == "checksum"
