"""End-to-end tests in Debian's Chromium, driven by Playwright (never its own browser
download). They skip, saying why, where Chromium is missing."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRAPEAUX = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="Chromium absent (/usr/bin/chromium) : apt-get install chromium",
)


@pytest.fixture
def navigateur(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the
    # test itself are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        navigateur = playwright.chromium.launch(executable_path=CHROMIUM, args=DRAPEAUX)
        yield navigateur
        navigateur.close()


@pytest.fixture(scope="session")
def serveur(django_db_setup, django_db_blocker, live_server):
    """The live server, stopped before the test database is dropped.

    Its request threads may leave an idle PostgreSQL session behind, and PostgreSQL
    refuses to drop a database in use: what they left is closed here."""
    yield live_server
    from django.db import connection

    if connection.vendor == "postgresql":
        live_server.stop()
        with django_db_blocker.unblock(), connection.cursor() as curseur:
            curseur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def se_connecter(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/comptes/connexion/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill("mot-de-passe-de-test")
    page.get_by_role("button", name="Se connecter").click()


def test_departmental_agent_browses_from_home_to_a_structure_sheet(
    navigateur, serveur, agent_rhone, parc
):
    page = navigateur.new_page()

    se_connecter(page, serveur, "rhone@abri.test")
    page.get_by_role("link", name="Structures", exact=True).click()
    page.get_by_label("Rechercher").fill("pentes")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="CADA des Pentes").click()

    assert page.get_by_role("heading", level=1).inner_text() == "CADA des Pentes"
    assert "HUDA de Bourg" not in page.content()


def test_home_map_links_each_departement_to_its_list(
    navigateur, serveur, agent_rhone, parc
):
    page = navigateur.new_page()
    se_connecter(page, serveur, "rhone@abri.test")

    page.locator(".abri-carte svg a[href*='departement=69']").first.click()

    assert "departement=69" in page.url
    assert page.get_by_role("link", name="CADA des Pentes").is_visible()
