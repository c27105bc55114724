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


# --- Retry a failed archive ------------------------------------------------------------------


def failed_source(annotation, user, web_server: LocalWebServer) -> Source:  # type: ignore[no-untyped-def]
    """A source whose page was not there when it was archived."""
    url = web_server.add("/ferry", "<p>Not here</p>", status=404)
    source = add(annotation, user, url)
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "failed" and source.http_status == 404
    return source


def test_retry_queues_a_failed_source_once_and_archives_it(
    annotation,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    source = failed_source(annotation, factchecker, web_server)
    web_server.add("/ferry", ARTICLE_HTML)  # the page is back

    with django_capture_on_commit_callbacks() as callbacks:
        retried, queued = services.source_archive_retry(source_id=source.pk, user=factchecker)
        # A double click: the source is pending already, nothing more is queued.
        again, queued_again = services.source_archive_retry(source_id=source.pk, user=factchecker)
    assert queued is True and queued_again is False and len(callbacks) == 1
    assert retried.archive_status == again.archive_status == "pending"
    assert retried.archive_error == "" and retried.archive_failure == ""
    assert retried.http_status is None and retried.archive_requested_at is not None

    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "archived" and source.title == "Ferry fares frozen for a year"
    # Retrying what is archived does nothing either.
    _same, queued = services.source_archive_retry(source_id=source.pk, user=factchecker)
    assert queued is False
    source.refresh_from_db()
    assert source.archive_status == "archived" and source.archived_hash


def test_retry_of_a_pending_source_changes_nothing(
    annotation, factchecker, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, "https://a.example/1")
    before = Source.objects.get(pk=source.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        _source, queued = services.source_archive_retry(source_id=source.pk, user=factchecker)
    assert queued is False and callbacks == []
    after = Source.objects.get(pk=source.pk)
    assert (after.archive_status, after.updated_at, after.archive_requested_at) == (
        before.archive_status,
        before.updated_at,
        before.archive_requested_at,
    )


def test_retry_is_for_those_who_may_edit_the_claim(
    annotation, factchecker, reader, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    source = failed_source(annotation, factchecker, web_server)
    with pytest.raises(PermissionDenied):
        services.source_archive_retry(source_id=source.pk, user=reader)
    source.refresh_from_db()
    assert source.archive_status == "failed"


# --- Edit a source ---------------------------------------------------------------------------


def edit(source: Source, user, **changes: str) -> Source:  # type: ignore[no-untyped-def]
    fields = {
        "url": source.url,
        "title": source.title,
        "publisher": source.publisher,
        "quote": source.quote,
        "stance": source.stance,
        **changes,
    }
    return services.source_update(
        source_id=source.pk,
        user=user,
        data=services.SourceInput(**fields),
        loaded=services.source_digest(source),
    )


def test_edit_changes_the_words_and_keeps_the_archive(
    annotation,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, web_server.add("/ferry", ARTICLE_HTML), quote="Nope")
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.quote_found is False
    digest = source.archived_hash

    with django_capture_on_commit_callbacks() as callbacks:
        edited = edit(
            source,
            factchecker,
            title="  Harbour board: fares frozen ",
            quote="ticket sales had risen 18 percent",
            stance="context",
        )
    assert callbacks == []  # same address: nothing to archive again
    assert edited.title == "Harbour board: fares frozen" and edited.stance == "context"
    # The new passage is looked for in the archived copy at once.
    assert edited.quote_found is True and edited.archived_hash == digest
    assert SourceEvent.objects.filter(pgh_obj_id=source.pk, pgh_label="update").exists()
    assert not annotation.transitions.exists()  # a draft: no review record


def test_a_new_address_is_archived_again(
    annotation,
    factchecker,
    web_server: LocalWebServer,
    allow_local_fetch,
    django_capture_on_commit_callbacks,
) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, web_server.add("/old", "<p>x</p>", status=404))
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "failed"
    new_url = web_server.add("/ferry", ARTICLE_HTML)

    with django_capture_on_commit_callbacks() as callbacks:
        edited = edit(source, factchecker, url=new_url)
    assert len(callbacks) == 1
    assert (edited.url, edited.archive_status, edited.archive_error, edited.http_status) == (
        new_url,
        "pending",
        "",
        None,
    )
    archive_source.apply(args=[source.pk])
    source.refresh_from_db()
    assert source.archive_status == "archived" and source.archived_url == new_url


def test_an_archive_of_the_old_address_finishing_late_does_not_count(
    annotation, factchecker, web_server: LocalWebServer, allow_local_fetch
) -> None:  # type: ignore[no-untyped-def]
    old = web_server.add("/old", ARTICLE_HTML)
    source = add(annotation, factchecker, old)
    loaded = Source.objects.get(pk=source.pk)
    edit(loaded, factchecker, url=web_server.add("/new", "<p>x</p>", status=404))
    # A worker that had read the source before the edit writes its result now.
    from annotations.workspace import archiving

    archiving._archive_failed(loaded, "late", Source.ArchiveFailure.TIMEOUT)
    source.refresh_from_db()
    assert source.archive_status == "pending" and source.archive_error == ""


def test_an_edit_over_someone_else_s_change_is_refused(annotation, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, "https://a.example/1", title="Minutes")
    opened = Source.objects.get(pk=source.pk)
    edit(opened, editor, title="Board minutes, 3 March")
    with pytest.raises(services.SourceConflict) as conflict:
        edit(opened, factchecker, title="Minutes of the board")
    assert conflict.value.current.title == "Board minutes, 3 March"
    source.refresh_from_db()
    assert source.title == "Board minutes, 3 March"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"url": "http://10.0.0.8/"}, "cannot be used"),
        ({"url": "javascript:alert(1)"}, "cannot be used"),
        ({"stance": "maybe"}, "supports, contradicts or gives context"),
        ({"title": "bell\x07"}, "The title contains an invisible control character"),
        ({"quote": "x" * 5001}, "the limit is 5,000"),
    ],
)
def test_edit_refuses_what_adding_refuses(annotation, factchecker, changes, message) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, "https://a.example/1", title="Minutes")
    with pytest.raises(services.SourceError, match=message):
        edit(source, factchecker, **changes)
    assert Source.objects.get(pk=source.pk).title == "Minutes"


def test_others_cannot_edit_a_source(annotation, factchecker, reader) -> None:  # type: ignore[no-untyped-def]
    source = add(annotation, factchecker, "https://a.example/1", title="Minutes")
    with pytest.raises(PermissionDenied):
        edit(source, reader, title="Mine now")
    assert Source.objects.get(pk=source.pk).title == "Minutes"
