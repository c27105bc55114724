from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from annotations.models import Source, SourceEvent
from annotations.workspace import services
from annotations.workspace.tasks import archive_source
from tests.conftest import ARTICLE_HTML, LocalWebServer
from tests.factories import annotate, import_text

pytestmark = pytest.mark.django_db

LORRIES = "cameras at Harrow Pass logged 1,140 lorries heading north with full tanks"


@pytest.fixture
def annotation(article_text: str, factchecker):  # type: ignore[no-untyped-def]
    _article, version = import_text(article_text)
    return annotate(version, LORRIES, factchecker)


def add(annotation, user, url, **fields):  # type: ignore[no-untyped-def]
    return services.source_add(annotation_id=annotation.pk, user=user, url=url, **fields)


def test_archive_keeps_text_hash_status_and_finds_the_quote(
    annotation,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/ferry", ARTICLE_HTML)
    with django_capture_on_commit_callbacks() as callbacks:
        source = add(
            annotation,
            factchecker,
            url,
            quote="ticket sales had risen 18 per cent",
            stance="context",
        )
    assert source.archive_status == "pending" and len(callbacks) == 1  # queued after commit

    archive_source.apply(args=[source.pk])
    source.refresh_from_db()

    assert source.archive_status == "archived"
    assert source.http_status == 200 and source.archived_at is not None
    assert "18 percent" in source.archived_text and len(source.archived_hash) == 64
    assert source.quote_found is True and source.quote_match >= 90
    assert source.title == "Ferry fares frozen for a year" and source.publisher == "Harbour Herald"


def test_a_quote_that_is_not_in_the_archive_is_marked_not_found(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/ferry", ARTICLE_HTML)
    source = add(
        annotation,
        factchecker,
        url,
        quote="The minister resigned over the ferry scandal on Friday night",
    )
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "archived" and source.quote_found is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://[::1]/",
        "http://169.254.169.254/",
        "javascript:alert(1)",
    ],
)
def test_private_or_odd_source_urls_are_refused(annotation, factchecker, url: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(services.SourceError, match="cannot be used"):
        add(annotation, factchecker, url)
    assert not Source.objects.exists()


def test_redirect_to_a_private_address_fails_the_archive(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, web_server.redirect("/go", "http://10.0.0.1/secret"))
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "failed"
    assert "redirect refused" in source.archive_error


def test_unreachable_source_fails_after_retries(annotation, factchecker, allow_local_fetch) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, "http://127.0.0.1:9/gone")
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "failed" and "gave up after 4 tries" in source.archive_error


def test_sources_reorder_and_remove(annotation, factchecker) -> None:  # type: ignore[no-untyped-def]
    first = add(annotation, factchecker, "https://a.example/1")
    second = add(annotation, factchecker, "https://b.example/2")
    third = add(annotation, factchecker, "https://c.example/3")

    services.source_move(source_id=third.pk, user=factchecker, direction="up")
    assert list(annotation.sources.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    services.source_move(source_id=first.pk, user=factchecker, direction="up")  # already first
    assert list(annotation.sources.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]

    services.source_remove(source_id=third.pk, user=factchecker)
    assert list(annotation.sources.values_list("pk", flat=True)) == [first.pk, second.pk]
    assert SourceEvent.objects.filter(pgh_obj_id=third.pk, pgh_label="delete").exists()


def test_others_cannot_change_sources(annotation, factchecker, reader) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, "https://a.example/1")
    with pytest.raises(PermissionDenied):
        add(annotation, reader, "https://b.example/2")
    with pytest.raises(PermissionDenied):
        services.source_remove(source_id=source.pk, user=reader)
    with pytest.raises(PermissionDenied):
        services.source_move(source_id=source.pk, user=reader, direction="down")
