"""UAI (Unité administrative immatriculée), the national identifier of a school.

Seven characters then a check letter: letter = "ABCDEFGHJKLMNPRSTUVWXYZ"[number mod 23]
where number is the seven digits. The first three digits give the département
(0xx metropolitan, 620 Corse-du-Sud, 720 Haute-Corse, 971 to 976 overseas).
"""

from django.core.exceptions import ValidationError

from accounts import departements

CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def clean_uai(value: str) -> str:
    uai = "".join((value or "").split()).upper()
    if len(uai) != 8:
        raise ValidationError(
            "Le code UAI comporte 8 caractères : 7 chiffres puis une lettre (ex. 0690001A).",
            code="length",
        )
    digits, letter = uai[:7], uai[7]
    if not (uai.isascii() and digits.isdigit() and letter.isalpha()):
        raise ValidationError(
            "Le code UAI commence par 7 chiffres et finit par une lettre.", code="format"
        )
    if CHECK_LETTERS[int(digits) % 23] != letter:
        raise ValidationError(
            "Ce code UAI n'est pas valide (lettre de contrôle incorrecte) : vérifiez la saisie.",
            code="checksum",
        )
    return uai


def uai_check_letter(digits: str) -> str:
    return CHECK_LETTERS[int(digits) % 23]


def departement_from_uai(uai: str) -> str | None:
    prefix = uai[:3]
    if prefix == "620":
        return "2A"
    if prefix == "720":
        return "2B"
    if prefix.startswith("97"):
        return prefix if prefix in departements.BY_CODE else None
    code = prefix[1:] if prefix.startswith("0") else None
    return code if code in departements.BY_CODE else None
