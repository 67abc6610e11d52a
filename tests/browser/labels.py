"""What every journey does through visible labels: a form field by its label (with or
without « (obligatoire) »), logging in from the home page, logging out."""

from __future__ import annotations

import re

from tests.factories import PASSWORD


def field(page, label: str):
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(obligatoire\))?$"))


def log_in_from_home(page, email: str) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Se connecter"
    ).click()
    field(page, "Adresse électronique").fill(email)
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def open_young_catalogue(page) -> None:
    """The young people's catalogue, from the main navigation."""
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Offres pour les jeunes"
    ).click()
