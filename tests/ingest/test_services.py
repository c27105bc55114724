from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from annotations.ingest import services
from annotations.ingest.documents import from_plain_text
from annotations.models import Article, ArticleVersion, Sentence
from tests.factories import import_text

pytestmark = pytest.mark.django_db


def test_import_stores_an_article_version_and_its_sentences(
    article_text: str, factchecker, team
) -> None:  # type: ignore[no-untyped-def]
    article, version = import_text(article_text, user=factchecker, team=team, outlet="Wire")

    assert article.title == "Customs chief links Velmora governor to cross-border diesel racket"
    assert article.slug == "customs-chief-links-velmora-governor-to-cross-border-diesel-racket"
    assert article.outlet == "Wire"
    assert article.team == team and article.created_by == factchecker
    assert version.number == 1
    assert version.content_hash == services.content_hash(article_text)
    sentences = list(version.sentences.order_by("index"))
    assert len(sentences) == 16
    assert all(version.text[s.start : s.end] == s.text for s in sentences)
    assert sentences[0].is_headline


def test_reimporting_identical_text_changes_nothing(article_text: str) -> None:
    import_text(article_text)
    before = (Article.objects.count(), ArticleVersion.objects.count(), Sentence.objects.count())

    result = services.article_import(
        document=from_plain_text(article_text + "\n\n"), source="paste"
    )

    assert not result.created_article and not result.created_version
    assert (
        Article.objects.count(),
        ArticleVersion.objects.count(),
        Sentence.objects.count(),
    ) == before


def test_changed_text_at_the_same_url_adds_a_version(article_text: str) -> None:
    url = "https://wire.example/velmora-diesel"
    article, first = import_text(article_text, url=url)
    edited = article_text.replace("1,140 lorries", "1,160 lorries")

    result = services.article_import(document=from_plain_text(edited), source="url", url=url)

    assert result.article == article
    assert result.created_version and not result.created_article
    assert result.version.number == 2
    assert "1,160 lorries" in result.version.text
    first.refresh_from_db()
    assert "1,140 lorries" in first.text  # the old version is untouched
    assert article.versions.count() == 2


def test_slugs_stay_unique_for_articles_with_the_same_title() -> None:
    a, _ = import_text("Bridge toll doubles\n\nThe toll rises to £5.")
    b, _ = import_text("Bridge toll doubles\n\nA different story about £6.")
    assert (a.slug, b.slug) == ("bridge-toll-doubles", "bridge-toll-doubles-2")


def test_a_failed_import_leaves_nothing_behind(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CHECKWORTHINESS_SCORER = "tests.ingest.test_services.BrokenScorer"
    with pytest.raises(RuntimeError):
        import_text("Headline\n\nSome text that will never be stored.")
    assert not Article.objects.exists()
    assert not ArticleVersion.objects.exists()


class BrokenScorer:
    def score(self, sentences):  # type: ignore[no-untyped-def]
        raise RuntimeError("model server down")


def test_versions_cannot_be_rewritten(article_text: str) -> None:
    _article, version = import_text(article_text)
    version.text = "tampered"
    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_database_refuses_a_sentence_that_ends_before_it_starts(article_text: str) -> None:
    _article, version = import_text(article_text)
    with pytest.raises(IntegrityError), transaction.atomic():
        Sentence.objects.create(version=version, index=99, start=10, end=5, text="", paragraph=0)


@pytest.mark.django_db
def test_text_differing_only_in_spacing_or_quote_style_is_no_new_version(
    article_text: str,
) -> None:
    url = "https://wire.example/velmora-diesel-racket"
    first = services.article_import(
        document=from_plain_text(article_text), source=ArticleVersion.Source.PASTE, url=url
    )
    restyled = article_text.replace("’", "'").replace("“", '"').replace("”", '"')
    restyled = restyled.replace(". ", ".  ").replace("\n\n", "\n\n\n")
    again = services.article_import(
        document=from_plain_text(restyled), source=ArticleVersion.Source.PASTE, url=url
    )
    assert again.version.pk == first.version.pk and not again.created_version
    edited = article_text.replace("1,140 lorries", "1,104 lorries")
    third = services.article_import(
        document=from_plain_text(edited), source=ArticleVersion.Source.PASTE, url=url
    )
    assert third.created_version and third.version.number == 2
