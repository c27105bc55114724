"""A journalist switches the desk to Spanish in a real browser: the header's language menu,
the workspace and its scripts' messages in Spanish, the choice kept from page to page and
across logging out, and axe-core content with the Spanish pages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from annotations.models import Annotation
from tests.browser.axe import axe_source, describe, run_axe
from tests.browser.conftest import log_in
from tests.factories import annotate, import_text

pytestmark = pytest.mark.browser

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


@pytest.fixture
def claim(article_text: str, team, factchecker) -> Annotation:  # type: ignore[no-untyped-def]
    _article, version = import_text(
        article_text, team=team, url="https://wire.example/diesel", outlet="Wire service"
    )
    return annotate(
        version, LORRIES, factchecker, claim="1,140 lorries crossed", claimant="Ilse Marrow"
    )


def test_switching_to_spanish_keeps_the_choice(
    page: Page, live_server, claim: Annotation, factchecker: User, artifacts
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    article = claim.version.article
    log_in(page, base, factchecker.username, "correct horse battery staple")
    page.goto(f"{base}/articles/{article.pk}/")
    switch = page.locator("form.language-switch")
    switch.get_by_label("Language").select_option("es")
    switch.get_by_role("button", name="Switch").click()
    # Back on the same page, in Spanish, the highlight's verdict too.
    expect(page).to_have_url(f"{base}/articles/{article.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("link", name="Artículos")).to_be_visible()
    expect(page.locator(f"#annotation-{claim.pk} .verdict-chip")).to_have_text("Sin demostrar")
    expect(page.locator("mark.hl-end").first).to_have_attribute("data-label", "Sin demostrar")
    # The edit form opens in Spanish, and the script's counter speaks Spanish as well.
    page.locator(f"#annotation-{claim.pk}").get_by_role("button", name="Editar").click()
    summary = page.get_by_label("Resumen de la afirmación")
    summary.fill("x" * 80)
    expect(page.locator(".counter")).to_have_text("80 caracteres: más de 75, conviene acortarlo")
    page.screenshot(path=artifacts("spanish-workspace.png"), full_page=True)
    # The choice is remembered on other pages and after logging out.
    page.get_by_role("link", name="Revisión").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi trabajo")
    page.screenshot(path=artifacts("spanish-my-work.png"), full_page=True)
    page.get_by_role("button", name="Cerrar sesión").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    expect(page.get_by_label("Nombre de usuario")).to_be_visible()
    page.screenshot(path=artifacts("spanish-login.png"))
    # And back to English.
    page.locator("form.language-switch").get_by_label("Idioma").select_option("en-gb")
    page.locator("form.language-switch").get_by_role("button", name="Cambiar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")


def test_axe_finds_no_serious_violations_on_spanish_pages(
    page: Page, live_server, claim: Annotation, factchecker: User
) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": base}])
    log_in_spanish(page, base, factchecker.username)
    axe_js = axe_source()
    blocking = []
    for path in (
        "/articles/",
        "/articles/import/",
        f"/articles/{claim.version.article_id}/",
        f"/review/claims/{claim.pk}/",
        "/review/mine/",
    ):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "es")
        serious = [
            v for v in run_axe(page, axe_js)["violations"] if v["impact"] in ("serious", "critical")
        ]
        if serious:
            blocking.append(f"{path}:\n{describe(serious)}")
    assert not blocking, "axe-core found serious or critical violations:\n" + "\n".join(blocking)


def log_in_spanish(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Nombre de usuario").fill(username)
    page.get_by_label("Contraseña").fill("correct horse battery staple")
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_url(f"{base}/articles/")
