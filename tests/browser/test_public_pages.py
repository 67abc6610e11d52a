import pytest

from tests.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_and_category_help_pages_are_accessible(page):
    page.goto("/")
    assert page.locator("h1").inner_text() == "Votre bibliothèque sur le pass Culture"
    assert_accessible(page, "home")

    page.get_by_role("link", name="Catégories d'offres").first.click()
    page.wait_for_url("**/aide/categories/")
    assert page.locator("tbody tr").count() == 8
    assert_accessible(page, "category-help")


def test_skip_link_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
