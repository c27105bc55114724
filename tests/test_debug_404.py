"""The 404 page under DEBUG (`make run`): our own page, styled by our stylesheet (Django's
technical page styles itself inline, which the Content-Security-Policy forbids), with the
reason, the view, and the routes by their full path and namespaced name."""

from __future__ import annotations

import pytest
from django.test import Client
from lxml import html as lxml_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug(settings):  # type: ignore[no-untyped-def]
    settings.DEBUG = True
    return settings


def _routes(doc: lxml_html.HtmlElement, table: str) -> dict[str, str]:
    rows = doc.cssselect(f"table#{table} tbody tr")
    return {r[0].text_content().strip(): r[1].text_content().strip() for r in rows}


def test_an_unknown_address_lists_the_routes_readably(debug, client: Client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/review/no-such-queue-page/extra/")

    assert response.status_code == 404
    html = response.content.decode()
    assert "<style" not in html and "style=" not in html  # nothing the CSP would block
    assert "style-src 'self'" in response["Content-Security-Policy"]
    doc = lxml_html.fromstring(html)
    assert doc.cssselect('link[rel="stylesheet"][href$="app.css"]')
    assert doc.cssselect("h1")[0].text_content() == "Page not found"
    assert "No route matches this address." in doc.cssselect(".debug-404")[0].text_content()
    near = _routes(doc, "debug-near")
    assert near["/review/dashboard/"] == "annotations:review_dashboard"
    assert all(route.startswith("/review/") for route in near)
    everything = _routes(doc, "debug-all")
    assert everything["/articles/<int:pk>/"] == "annotations:article_detail"
    assert everything["/admin/"] == "admin:index"  # one line for the whole admin
    assert not any(route.startswith("/admin/") and route != "/admin/" for route in everything)


def test_a_view_that_finds_nothing_says_why(debug, client: Client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/checks/no-such-article/")

    assert response.status_code == 404
    text = lxml_html.fromstring(response.content).cssselect(".debug-404")[0].text_content()
    assert "annotations.publishing.views.check_article" in text
    assert "/checks/<slug:slug>/" in text
    assert "No published fact-check" in text


def test_without_debug_the_404_page_shows_nothing_for_developers(client: Client) -> None:
    response = client.get("/review/no-such-queue-page/extra/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "debug-404" not in html and "annotations:" not in html


def test_a_missing_slash_still_redirects_under_debug(debug, client: Client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/checks")
    assert response.status_code == 301 and response["Location"] == "/checks/"
