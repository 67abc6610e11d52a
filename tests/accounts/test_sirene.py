"""The online Sirene backend on recorded answers of the API Recherche d'entreprises.

No test reaches the network: the backend's `fetch` is replaced by a reader of the
recorded JSON files, or by a function raising the failure under test.
"""

import urllib.error
from pathlib import Path

import pytest

from accounts import sirene

RESPONSES = Path(__file__).parent / "sirene_responses"


def backend_answering(name: str, seen_urls: list | None = None):
    def fetch(url: str, timeout: float) -> bytes:
        if seen_urls is not None:
            seen_urls.append((url, timeout))
        return (RESPONSES / f"{name}.json").read_bytes()

    return sirene.RechercheEntreprisesBackend(
        base_url="https://sirene.invalid", timeout=3, fetch=fetch
    )


def backend_failing(exc: Exception):
    def fetch(url: str, timeout: float) -> bytes:
        raise exc

    return sirene.RechercheEntreprisesBackend(
        base_url="https://sirene.invalid", timeout=3, fetch=fetch
    )


def test_active_commune_is_read_and_recognised_as_collectivite():
    urls = []
    result = backend_answering("active_commune", urls).lookup("21690123100011")
    assert urls == [("https://sirene.invalid/search?q=21690123100011", 3)]
    record = result.record
    assert result.verified and result.notice == ""
    assert record.name == "COMMUNE DE LYON"
    assert record.postal_code == "69001"
    assert record.city == "LYON"
    assert record.departement == "69"
    assert record.legal_category_code == "7210"
    assert record.legal_category_label == "Commune et commune nouvelle"
    assert record.is_collectivite
    assert record.active


def test_closed_establishment_is_flagged():
    result = backend_answering("closed_establishment").lookup("21690266800039")
    assert result.record is not None
    assert not result.record.active
    assert result.notice == sirene.CLOSED_NOTICE
    # the département is derived from the postal code when the answer has none
    assert result.record.departement == "69"


def test_association_is_not_a_collectivite():
    result = backend_answering("association").lookup("77567227200017")
    assert result.record.legal_category_code == "9220"
    assert not result.record.is_collectivite
    assert result.record.departement == "13"


def test_not_found_answer_falls_back_to_typed_data():
    result = backend_answering("not_found").lookup("21750001600019")
    assert result.record is None
    assert not result.verified
    assert result.notice == sirene.NOT_FOUND_NOTICE


def test_siret_absent_from_an_answer_about_the_same_siren_is_not_found():
    result = backend_answering("active_commune").lookup("21690123100029")
    assert result.record is None
    assert result.notice == sirene.NOT_FOUND_NOTICE


@pytest.mark.parametrize(
    "exc",
    [
        TimeoutError("timed out"),
        TimeoutError("timed out"),
        urllib.error.URLError("no route"),
        urllib.error.HTTPError("u", 503, "Service Unavailable", {}, None),
    ],
)
def test_timeout_and_errors_fall_back_to_offline_with_a_notice(exc):
    result = backend_failing(exc).lookup("21690123100011")
    assert result.record is None
    assert result.notice == sirene.FALLBACK_NOTICE


def test_garbage_answer_falls_back():
    def fetch(url, timeout):
        return b"<html>maintenance</html>"

    backend = sirene.RechercheEntreprisesBackend(
        base_url="https://x.invalid", timeout=1, fetch=fetch
    )
    assert backend.lookup("21690123100011").notice == sirene.FALLBACK_NOTICE


def test_backend_is_chosen_by_setting(settings):
    settings.SIRENE_BACKEND = "offline"
    assert isinstance(sirene.get_backend(), sirene.OfflineBackend)
    assert sirene.lookup("21690123100011") == sirene.SireneLookup()
    settings.SIRENE_BACKEND = "recherche-entreprises"
    settings.SIRENE_TIMEOUT = 2.5
    backend = sirene.get_backend()
    assert isinstance(backend, sirene.RechercheEntreprisesBackend)
    assert backend.timeout == 2.5
