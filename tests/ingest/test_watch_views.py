"""A person's decision about a text the change watch held: import it, or discard it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from annotations.models import Article
from tests.factories import TeamFactory, UserFactory, import_text

pytestmark = pytest.mark.django_db

TEASER = (
    "Customs chief links Velmora governor to cross-border diesel racket\n\nSubscribe to read on."
)


@pytest.fixture
def held_article(article_text: str, team) -> Article:  # type: ignore[no-untyped-def]
    article, _version = import_text(article_text, team=team, url="https://wire.example/diesel")
    Article.objects.filter(pk=article.pk).update(
        page_status=Article.PageStatus.HELD,
        page_note="Held.",
        held_text=TEASER,
        held_url="https://wire.example/diesel",
        held_at=timezone.now(),
    )
    article.refresh_from_db()
    return article


def urls(article: Article) -> tuple[str, str]:
    return (
        reverse("annotations:held_confirm", args=[article.pk]),
        reverse("annotations:held_discard", args=[article.pk]),
    )


def test_confirming_imports_the_held_text_and_goes_back_to_the_article(
    factchecker_client: Client, held_article: Article
) -> None:
    confirm, _discard = urls(held_article)

    response = factchecker_client.post(confirm, follow=True)

    assert response.redirect_chain == [(held_article.get_absolute_url(), 302)]
    assert "imported as version 2" in response.content.decode()
    held_article.refresh_from_db()
    assert held_article.versions.count() == 2 and held_article.held_text == ""
    assert held_article.page_status == Article.PageStatus.LIVE


def test_discarding_clears_the_held_text_and_keeps_the_versions(
    factchecker_client: Client, held_article: Article
) -> None:
    _confirm, discard = urls(held_article)

    response = factchecker_client.post(discard)

    assert response.status_code == 302 and response.url == held_article.get_absolute_url()
    held_article.refresh_from_db()
    assert held_article.held_text == "" and held_article.versions.count() == 1


def test_an_htmx_request_is_told_to_load_the_article_page(
    factchecker_client: Client, held_article: Article
) -> None:
    _confirm, discard = urls(held_article)
    response = factchecker_client.post(discard, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == held_article.get_absolute_url()


def test_a_desk_member_without_a_role_is_refused(
    reader_client: Client, held_article: Article
) -> None:
    for url in urls(held_article):
        assert reader_client.post(url).status_code == 403
    held_article.refresh_from_db()
    assert held_article.held_text == TEASER


def test_another_desk_does_not_learn_the_article_exists(held_article: Article) -> None:
    outsider = UserFactory(username="outsider")
    TeamFactory(slug="sport").members.add(outsider)
    client = Client()
    client.force_login(outsider)
    for url in urls(held_article):
        assert client.post(url).status_code == 404
    assert client.post(reverse("annotations:held_confirm", args=[987_654])).status_code == 404


def test_only_a_post_with_a_csrf_token_is_accepted(
    factchecker, factchecker_client: Client, held_article: Article
) -> None:  # type: ignore[no-untyped-def]
    confirm, discard = urls(held_article)
    assert factchecker_client.get(confirm).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(factchecker)
    assert strict.post(discard).status_code == 403
    held_article.refresh_from_db()
    assert held_article.held_text == TEASER


def test_anonymous_visitors_are_sent_to_log_in(client: Client, held_article: Article) -> None:
    confirm, _discard = urls(held_article)
    response = client.post(confirm)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
