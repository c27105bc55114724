"""An article's language: declared by the page, or told from its words; stored on the
version, shown to the desk, and used to split and score the sentences."""

from __future__ import annotations

import pytest
from django.test import Client

from annotations.coverage import languages
from annotations.ingest.tasks import import_article_url
from annotations.models import Article, ArticleVersion, ImportJob
from tests.conftest import ARTICLE_HTML, LocalWebServer
from tests.factories import import_text
from tests.ingest.test_segment import SPANISH_SENTENCES

pytestmark = pytest.mark.django_db


def _spanish_page(text: str, lang: str) -> str:
    headline, *paragraphs = text.split("\n\n")
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return (
        f'<!doctype html><html lang="{lang}"><head><title>{headline}</title></head>'
        f"<body><article><h1>{headline}</h1>\n{body}</article></body></html>"
    )


def _run(url: str) -> ImportJob:
    job = ImportJob.objects.create(url=url)
    import_article_url.apply(args=[job.pk])
    job.refresh_from_db()
    return job


def test_a_pasted_spanish_article_is_detected_split_and_scored_as_spanish(
    factchecker_client: Client, spanish_text: str, team
) -> None:  # type: ignore[no-untyped-def]
    factchecker_client.post("/articles/import/", {"text": spanish_text, "team": team.pk})

    article = Article.objects.get()
    version = article.versions.get()
    assert (version.language, version.language_source) == ("es", "detected")
    assert article.language == "es"
    stored = list(version.sentences.order_by("index").values_list("text", flat=True))
    assert stored == SPANISH_SENTENCES  # "la Dra. Calvo" and "EE. UU." stay whole
    accusation = version.sentences.get(text__startswith="El diputado Jorge Salas")
    assert accusation.score >= 55

    page = factchecker_client.get(f"/articles/{article.pk}/").content.decode()
    assert 'Spanish <span class="muted">(detected from its words)</span>' in page


def test_a_pasted_english_article_is_english(article_text: str) -> None:
    _article, version = import_text(article_text)
    assert (version.language, version.language_source) == ("en", "detected")


def test_a_text_too_short_to_tell_has_no_language() -> None:
    _article, version = import_text("Toll rises\n\nThe toll rises to £5.")
    assert (version.language, version.language_source) == ("", "")


def test_a_url_import_takes_the_language_the_page_declares(
    web_server: LocalWebServer, allow_local_fetch, spanish_text: str
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/noticias/embalses", _spanish_page(spanish_text, "es-ES"))

    job = _run(url)

    assert job.state == ImportJob.State.DONE, job.error
    version = job.article.versions.get()
    assert (version.language, version.language_source) == ("es", "page")
    assert job.article.language == "es"
    assert version.sentences.filter(text__contains="la Dra. Inés Calvo Ferrer").exists()


def test_the_words_beat_a_site_wide_language_that_does_not_fit(
    web_server: LocalWebServer, allow_local_fetch, spanish_text: str
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/noticias/embalses", _spanish_page(spanish_text, "en"))
    version = _run(url).article.versions.get()
    assert (version.language, version.language_source) == ("es", "detected")


def test_an_english_page_declaring_english_keeps_it(
    web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    version = _run(web_server.add("/news/ferry", ARTICLE_HTML)).article.versions.get()
    assert (version.language, version.language_source) == ("en", "page")


@pytest.mark.parametrize(
    ("value", "code"),
    [("es-ES", "es"), ("ES", "es"), ("es_419", "es"), (" en ", "en"), ("", ""), ("<b>", "")],
)
def test_declared_languages_are_read_as_their_code(value: str, code: str) -> None:
    assert languages.declared(value) == code


def test_a_new_version_in_another_language_updates_the_article(spanish_text: str) -> None:
    article, _v1 = import_text(spanish_text, url="https://example.org/embalses")
    english = "Reservoirs fall below half\n\n" + " ".join(
        ["The reservoirs that supply the valley hold 46.8 percent of their capacity today."] * 3
    )
    import_text(english, url="https://example.org/embalses")
    article.refresh_from_db()
    assert article.language == "en"
    assert list(article.versions.order_by("number").values_list("language", flat=True)) == [
        "es",
        "en",
    ]
    assert ArticleVersion.objects.filter(article=article).count() == 2
