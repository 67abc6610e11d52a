"""Sirene lookups behind one small interface, selected by SIRENE_BACKEND.

- `offline` (default): the checksum was already checked; nothing is looked up, the
  user types name, address and legal category, flagged "non vérifié".
- `recherche-entreprises`: the public "API Recherche d'entreprises"
  (`GET /search?q=<siret>`, no key). On any failure (timeout, HTTP error, bad JSON)
  the lookup falls back to offline with a visible notice: signup is never blocked.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from accounts.departements import departement_from_postal_code
from accounts.legal_categories import is_collectivite, legal_category_label

logger = logging.getLogger(__name__)

FALLBACK_NOTICE = (
    "Le répertoire Sirene n'a pas pu être consulté. Saisissez les informations de la "
    "structure : elles seront vérifiées avant la validation de votre inscription."
)
NOT_FOUND_NOTICE = (
    "Ce SIRET est introuvable dans le répertoire Sirene. Vérifiez le numéro, ou saisissez "
    "les informations : elles seront vérifiées avant la validation de votre inscription."
)
CLOSED_NOTICE = (
    "D'après le répertoire Sirene, cet établissement est fermé. Vérifiez le numéro : "
    "une structure fermée ne peut pas être validée."
)


@dataclass(frozen=True)
class SireneRecord:
    siret: str
    siren: str
    name: str
    address: str
    postal_code: str
    city: str
    departement: str
    legal_category_code: str
    ape_code: str
    active: bool

    @property
    def legal_category_label(self) -> str:
        return legal_category_label(self.legal_category_code)

    @property
    def is_collectivite(self) -> bool:
        return is_collectivite(self.legal_category_code, self.ape_code)


@dataclass(frozen=True)
class SireneLookup:
    """What a lookup gave: a verified record, or nothing (the user types the data)."""

    record: SireneRecord | None = None
    notice: str = ""

    @property
    def verified(self) -> bool:
        return self.record is not None


class OfflineBackend:
    name = "offline"

    def lookup(self, siret: str) -> SireneLookup:
        return SireneLookup()


Fetch = Callable[[str, float], bytes]


def _http_get(url: str, timeout: float) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - https URL from settings
        url, headers={"Accept": "application/json", "User-Agent": "passlib"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        return response.read()


class RechercheEntreprisesBackend:
    name = "recherche-entreprises"

    def __init__(self, *, base_url: str, timeout: float, fetch: Fetch | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.fetch = fetch if fetch is not None else _http_get

    def lookup(self, siret: str) -> SireneLookup:
        url = f"{self.base_url}/search?{urllib.parse.urlencode({'q': siret})}"
        try:
            payload = json.loads(self.fetch(url, self.timeout))
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            logger.warning("Sirene lookup failed for %s: %s", siret, exc)
            return SireneLookup(notice=FALLBACK_NOTICE)
        return parse_search_response(payload, siret)


def _pick(d: dict, *keys: str) -> str:
    for key in keys:
        value = d.get(key)
        if value:
            return str(value)
    return ""


def parse_search_response(payload: dict, siret: str) -> SireneLookup:
    """Read one establishment out of a /search answer; not found when it is absent."""
    if not isinstance(payload, dict):
        return SireneLookup(notice=FALLBACK_NOTICE)
    siren = siret[:9]
    for result in payload.get("results") or []:
        if result.get("siren") != siren:
            continue
        establishments = list(result.get("matching_etablissements") or [])
        if result.get("siege"):
            establishments.append(result["siege"])
        etab = next((e for e in establishments if e.get("siret") == siret), None)
        if etab is None:
            continue
        postal_code = _pick(etab, "code_postal")
        record = SireneRecord(
            siret=siret,
            siren=siren,
            name=_pick(result, "nom_raison_sociale", "nom_complet"),
            address=_pick(etab, "adresse"),
            postal_code=postal_code,
            city=_pick(etab, "libelle_commune"),
            departement=_pick(etab, "departement")
            or departement_from_postal_code(postal_code)
            or "",
            legal_category_code=_pick(result, "nature_juridique"),
            ape_code=_pick(etab, "activite_principale") or _pick(result, "activite_principale"),
            active=etab.get("etat_administratif", "A") == "A",
        )
        return SireneLookup(record=record, notice="" if record.active else CLOSED_NOTICE)
    return SireneLookup(notice=NOT_FOUND_NOTICE)


def get_backend() -> OfflineBackend | RechercheEntreprisesBackend:
    if RechercheEntreprisesBackend.name == settings.SIRENE_BACKEND:
        return RechercheEntreprisesBackend(
            base_url=settings.SIRENE_API_URL, timeout=settings.SIRENE_TIMEOUT
        )
    return OfflineBackend()


def lookup(siret: str) -> SireneLookup:
    return get_backend().lookup(siret)
