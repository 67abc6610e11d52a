"""IBAN and BIC: the one place they are checked and masked (python-stdnum's registry of
countries, lengths and structures; ISO 13616 checksum).

`clean_iban` and `clean_bic` return the compact form or raise `ValidationError` with a
French message that says what is wrong: an unknown country, the length the country
expects, the check digits, the structure.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import numdb
from stdnum.exceptions import ValidationError as StdnumError

_ASCII_ALNUM = re.compile(r"[A-Z0-9]+")
_STRUCTURE_PART = re.compile(r"(\d+)!?([anc])")
_IBAN_DB = numdb.get("iban")


def _compact(value: str) -> str:
    return "".join((value or "").split()).replace("-", "").replace(".", "").upper()


def _expected_length(compact: str) -> int | None:
    """The IBAN length of the number's country, or None for a country without IBAN."""
    info = _IBAN_DB.info(compact)
    props = info[0][1] if info else {}
    structure = props.get("bban") if props else None
    if not structure:
        return None
    return 4 + sum(int(n) for n, _ in _STRUCTURE_PART.findall(structure))


def clean_iban(value: str) -> str:
    compact = _compact(value)
    if not compact:
        raise ValidationError("Saisissez l'IBAN.", code="required")
    if not _ASCII_ALNUM.fullmatch(compact) or len(compact) < 5:
        raise ValidationError(
            "Un IBAN ne contient que des lettres et des chiffres (par exemple "
            "FR76 3000 6000 0112 3456 7890 189).",
            code="iban_characters",
        )
    expected = _expected_length(compact)
    if expected is None:
        raise ValidationError(
            f"« {compact[:2]} » n'est pas un code de pays qui utilise l'IBAN.",
            code="iban_country",
        )
    if len(compact) != expected:
        raise ValidationError(
            f"Un IBAN {compact[:2]} compte {expected} caractères ; vous en avez saisi "
            f"{len(compact)}.",
            code="iban_length",
        )
    try:
        return stdnum_iban.validate(compact, check_country=True)
    except StdnumError as exc:
        if "checksum" in type(exc).__name__.lower():
            raise ValidationError(
                "La clé de contrôle de l'IBAN est fausse : vérifiez chaque caractère.",
                code="iban_checksum",
            ) from exc
        raise ValidationError(
            "Cet IBAN n'a pas la forme attendue pour son pays : vérifiez-le sur votre RIB.",
            code="iban_format",
        ) from exc


def clean_bic(value: str) -> str:
    compact = _compact(value)
    if not compact:
        raise ValidationError("Saisissez le BIC.", code="required")
    if not _ASCII_ALNUM.fullmatch(compact):
        raise ValidationError(
            "Un BIC ne contient que des lettres et des chiffres (par exemple BDFEFRPPCCT).",
            code="bic_characters",
        )
    if len(compact) not in (8, 11):
        raise ValidationError(
            f"Un BIC compte 8 ou 11 caractères ; vous en avez saisi {len(compact)}.",
            code="bic_length",
        )
    try:
        return stdnum_bic.validate(compact)
    except StdnumError as exc:
        raise ValidationError(
            "Ce BIC n'est pas valide : 4 lettres pour la banque, le code du pays (FR…), "
            "puis 2 et éventuellement 3 caractères.",
            code="bic_format",
        ) from exc


def check_bic_matches_iban(iban: str, bic: str) -> None:
    """The BIC's country (its 5th and 6th letters) is the IBAN's, or a country of the
    same banking area for the French overseas (FR IBANs of GP, MQ…, which use FR)."""
    if iban[:2] != bic[4:6] and not (iban[:2] == "FR" and bic[4:6] in _FR_AREA):
        raise ValidationError(
            f"Le BIC ({bic[4:6]}) et l'IBAN ({iban[:2]}) ne désignent pas le même pays.",
            code="bic_country",
        )


# French overseas banks may carry their territory's ISO code in the BIC.
_FR_AREA = {"GP", "MQ", "GF", "RE", "YT", "PM", "BL", "MF", "NC", "PF", "WF", "MC"}


def mask(iban: str, *, hidden: str = "•", space: str = " ") -> str:
    """Shown everywhere but the form: every character hidden but the last 4
    ("•••• 0189"). A PDF asks for its own glyph and a non-breaking space
    (finance/documents.py): its standard fonts write « • » with a code that copies as
    a DEL character, and the mask must not wrap away from its last digits."""
    if not iban:
        return ""
    return f"{hidden * 4}{space}{iban[-4:]}"
