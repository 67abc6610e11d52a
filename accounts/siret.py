"""SIRET parsing with French messages (python-stdnum, including the La Poste rule)."""

from django.core.exceptions import ValidationError
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret as stdnum_siret


def clean_siret(value: str) -> str:
    """Return the 14 digits of a SIRET typed with spaces or dots, or raise ValidationError.

    Messages say which rule failed: characters, length or checksum (Luhn, or the
    La Poste rule for establishments of SIREN 356 000 000).
    """
    number = stdnum_siret.compact(value or "")
    if not number:
        raise ValidationError("Saisissez le numéro SIRET (14 chiffres).", code="required")
    if not (number.isascii() and number.isdigit()):
        raise ValidationError(
            "Le SIRET ne doit contenir que des chiffres (les espaces et les points sont acceptés).",
            code="characters",
        )
    if len(number) != 14:
        raise ValidationError(
            "Le SIRET doit comporter 14 chiffres (vous en avez saisi %(n)d).",
            code="length",
            params={"n": len(number)},
        )
    try:
        stdnum_siret.validate(number)
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            "Ce numéro SIRET n'est pas valide (clé de contrôle incorrecte) : vérifiez la saisie.",
            code="checksum",
        ) from None
    except stdnum_errors.ValidationError:
        raise ValidationError("Ce numéro SIRET n'est pas valide.", code="invalid") from None
    return number


def siren_of(siret: str) -> str:
    return siret[:9]


def format_siret(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}" if len(siret) == 14 else siret
