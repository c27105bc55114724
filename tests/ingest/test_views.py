from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from annotations.models import Article, ArticleVersion, ImportJob
from tests.conftest import ARTICLE_HTML
from tests.factories import TeamFactory, import_text

pytestmark = pytest.mark.django_db

IMPORT_URL = "/articles/import/"


# --- login -------------------------------------------------------------------------------


def test_login_page_uses_the_standard_fields(client: Client) -> None:
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    assert "csrfmiddlewaretoken" in html


def test_login_then_land_on_the_article_list(client: Client, factchecker) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/accounts/login/", {"username": "amira", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302 and response.url == "/articles/"


def test_repeated_failed_logins_are_throttled(client: Client, factchecker, settings) -> None:  # type: ignore[no-untyped-def]
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/accounts/login/", {"username": "amira", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "amira", "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()


def test_logout_needs_a_post(factchecker_client: Client) -> None:
    assert factchecker_client.get("/accounts/logout/").status_code == 405
    assert factchecker_client.post("/accounts/logout/").status_code == 302
    assert factchecker_client.get("/articles/").status_code == 302


def test_pages_need_a_login(client: Client) -> None:
    for url in ("/articles/", IMPORT_URL, "/articles/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/")


def test_pages_carry_security_headers(factchecker_client: Client) -> None:
    response = factchecker_client.get("/articles/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


# --- article list ------------------------------------------------------------------------


def test_article_list_searches_title_and_outlet(reader_client: Client) -> None:
    import_text("Bridge toll doubles\n\nThe toll rises to £5.", outlet="Eastgate Post")
    import_text("School meals pilot\n\nIt fed 12,000 pupils.", outlet="Northern Ledger")

    by_title = reader_client.get("/articles/", {"q": "bridge"}).content.decode()
    by_outlet = reader_client.get("/articles/", {"q": "ledger"}).content.decode()

    assert "Bridge toll doubles" in by_title and "School meals pilot" not in by_title
    assert "School meals pilot" in by_outlet and "Bridge toll doubles" not in by_outlet


def test_article_list_paginates(reader_client: Client, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    for number in range(30):
        import_text(f"Story number {number}\n\nThe council spent £{number} million.")
    # Six for the page, three for the claims and last activity of its 25 articles.
    with django_assert_max_num_queries(9):
        first = reader_client.get("/articles/").content.decode()
    second = reader_client.get("/articles/", {"page": 2}).content.decode()
    assert "Page 1 of 2" in first and "Story number 29" in first
    assert "Story number 0<" in second


def test_article_list_search_answers_htmx_with_the_results_fragment(reader_client: Client) -> None:
    import_text("Bridge toll doubles\n\nThe toll rises to £5.")
    response = reader_client.get(
        "/articles/", {"q": "bridge"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="article-results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="article-results">')
    assert "<header" not in html


# --- reading page ------------------------------------------------------------------------


def test_reading_page_marks_every_sentence_with_its_offsets(
    reader_client: Client, article_text: str
) -> None:
    article, version = import_text(article_text)
    html = reader_client.get(f"/articles/{article.pk}/").content.decode()

    for sentence in version.sentences.all():
        assert f'id="s-{sentence.index}"' in html
        assert f'data-start="{sentence.start}" data-end="{sentence.end}"' in html
    assert "16</strong> sentences, <strong>5</strong> check-worthy" in html


def test_checkworthy_toggle_puts_the_figures_first(
    reader_client: Client, article_text: str
) -> None:
    article, _version = import_text(article_text)
    html = reader_client.get(f"/articles/{article.pk}/", {"order": "checkworthy"}).content.decode()
    first = html.index('id="s-15"')  # "roughly $1.1 million a day, … Marrow said", the top score
    assert first < html.index('id="s-0"')
    assert 'aria-pressed="true"' in html


def test_reading_page_query_count_does_not_grow_with_the_article(
    reader_client: Client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    long_text = "Headline\n\n" + "\n\n".join(
        f"In {y} the toll was £{y % 7} a trip." for y in range(1000, 1600)
    )
    article, _ = import_text(long_text)
    with django_assert_max_num_queries(13):
        response = reader_client.get(f"/articles/{article.pk}/")
    assert response.content.decode().count('id="s-') == 601


def test_reading_page_escapes_text(reader_client: Client) -> None:
    article, _ = import_text(
        'Headline <b>bold</b>\n\nThe mayor said "<script>alert(1)</script>" twice.'
    )
    html = reader_client.get(f"/articles/{article.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_older_versions_stay_readable(reader_client: Client, article_text: str) -> None:
    from annotations.ingest import services
    from annotations.ingest.documents import from_plain_text

    article, _ = import_text(article_text, url="https://wire.example/a")
    services.article_import(
        document=from_plain_text(article_text.replace("1,140", "1,160")),
        source="url",
        url="https://wire.example/a",
    )
    assert "1,160 lorries" in reader_client.get(f"/articles/{article.pk}/").content.decode()
    assert (
        "1,140 lorries"
        in reader_client.get(f"/articles/{article.pk}/", {"version": 1}).content.decode()
    )
    assert reader_client.get(f"/articles/{article.pk}/", {"version": 9}).status_code == 404


def test_unknown_article_is_404(reader_client: Client) -> None:
    assert reader_client.get("/articles/999999/").status_code == 404


# --- import ------------------------------------------------------------------------------


def test_reader_without_a_role_cannot_import(reader_client: Client) -> None:
    assert reader_client.get(IMPORT_URL).status_code == 403
    response = reader_client.post(IMPORT_URL, {"text": "Headline\n\nA sentence."})
    assert response.status_code == 403
    assert not Article.objects.exists()


def test_import_needs_the_csrf_token(factchecker) -> None:  # type: ignore[no-untyped-def]
    client = Client(enforce_csrf_checks=True)
    client.force_login(factchecker)
    assert client.post(IMPORT_URL, {"text": "Headline\n\nA sentence."}).status_code == 403


def test_paste_import_opens_the_article(
    factchecker_client: Client, article_text: str, team
) -> None:  # type: ignore[no-untyped-def]
    response = factchecker_client.post(
        IMPORT_URL, {"text": article_text, "outlet": "Wire", "team": team.pk}
    )
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == f"/articles/{article.pk}/"
    assert article.team == team and article.outlet == "Wire"
    assert article.versions.get().source == ArticleVersion.Source.PASTE


def test_a_long_transcript_whose_last_paragraph_is_most_of_it_imports(
    factchecker_client: Client, team
) -> None:  # type: ignore[no-untyped-def]
    """Over 200,000 characters, most of them one paragraph (a hearing's transcript): the
    analysis is cut at paragraph boundaries, and here there is only one stretch to cut."""
    speech = " ".join(
        f"Councillor {n % 7} said the bridge carried {n * 10} vehicles on day {n}."
        for n in range(3500)
    )
    text = f"Bridge hearing, full transcript\n\nThe committee met on Tuesday.\n\n{speech}"
    assert len(text) > 200_000 and len(speech) > len(text) / 2
    response = factchecker_client.post(IMPORT_URL, {"text": text, "team": team.pk})
    article = Article.objects.get()
    assert response.status_code == 302 and response.url == f"/articles/{article.pk}/"
    assert article.versions.get().text == text
    assert article.versions.get().sentences.count() > 3500


def test_double_submit_of_the_same_paste_creates_one_article(
    factchecker_client: Client, article_text: str
) -> None:
    factchecker_client.post(IMPORT_URL, {"text": article_text})
    response = factchecker_client.post(IMPORT_URL, {"text": article_text}, follow=True)
    assert Article.objects.count() == 1 and ArticleVersion.objects.count() == 1
    assert "already imported" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "expected_title"),
    [
        (
            "story.txt",
            "Bridge toll doubles\n\nThe toll rises to £5.".encode(),
            "Bridge toll doubles",
        ),
        (
            "story.md",
            b"# Pilot fed **12,000** pupils\n\nThe ministry said so.",
            "Pilot fed 12,000 pupils",
        ),
        ("story.html", ARTICLE_HTML.encode(), "Ferry fares frozen for a year"),
    ],
)
def test_upload_import(
    factchecker_client: Client, name: str, content: bytes, expected_title: str
) -> None:
    response = factchecker_client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.title == expected_title
    assert article.versions.get().source == ArticleVersion.Source.UPLOAD


def test_hostile_html_upload_stores_only_text(factchecker_client: Client) -> None:
    factchecker_client.post(
        IMPORT_URL, {"file": SimpleUploadedFile("a.html", ARTICLE_HTML.encode())}
    )
    text = ArticleVersion.objects.get().text
    for hostile in ("<", "script", "onerror", "onclick", "alert", "injected", "tracker"):
        assert hostile not in text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "empty"),
        ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary file"),
        ("latin1.txt", "Caf\u00e9 cr\u00e8me prices up 20%".encode("latin-1"), "not UTF-8"),
        ("slides.pdf", b"%PDF-1.7 ...", "cannot be imported"),
        ("script.html", b"<html><body><script>alert(1)</script></body></html>", "No article text"),
    ],
)
def test_bad_uploads_show_a_message_and_store_nothing(
    factchecker_client: Client, name: str, content: bytes, message: str
) -> None:
    response = factchecker_client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists()


def test_a_50_mb_upload_is_refused(factchecker_client: Client) -> None:
    huge = SimpleUploadedFile("huge.txt", b"word " * (10 * 1024 * 1024))
    response = factchecker_client.post(IMPORT_URL, {"file": huge})
    assert response.status_code == 200
    assert "50.0 MB; the limit is 5 MB" in response.content.decode()
    assert not Article.objects.exists()


def test_empty_form_and_two_sources_are_refused(factchecker_client: Client) -> None:
    empty = factchecker_client.post(IMPORT_URL, {"text": "   "}).content.decode()
    both = factchecker_client.post(
        IMPORT_URL, {"text": "Headline\n\nText.", "url": "https://example.org/a"}
    ).content.decode()
    assert "Paste the article text, upload a file or give a URL." in empty
    assert "one way in at a time" in both
    assert not Article.objects.exists() and not ImportJob.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f000001/",
        "http://[::1]/",
        "http://169.254.169.254/",
        "ftp://x.org/",
    ],
)
def test_url_import_refuses_private_addresses_at_once(factchecker_client: Client, url: str) -> None:
    response = factchecker_client.post(IMPORT_URL, {"url": url})
    assert response.status_code == 200
    assert "Refused:" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_url_import_queues_a_job_after_commit(
    factchecker_client: Client, django_capture_on_commit_callbacks, task_queue: str
) -> None:  # type: ignore[no-untyped-def]
    from newsroom.celery import app

    with django_capture_on_commit_callbacks(execute=True):
        response = factchecker_client.post(IMPORT_URL, {"url": "https://news.example/story"})
    job = ImportJob.objects.get()
    assert response.url == reverse("annotations:import_job", args=[job.pk])
    assert job.state == ImportJob.State.QUEUED
    # The task is on the real broker, in this test's own queue, for this job.
    with app.connection_for_write() as connection:
        message = connection.default_channel.basic_get(task_queue, no_ack=True)
    assert message is not None
    assert message.headers["task"] == "annotations.import_article_url"
    assert message.headers["argsrepr"] == f"({job.pk},)"


def test_import_job_page_polls_until_done_then_redirects(
    factchecker_client: Client, article_text: str
) -> None:
    job = ImportJob.objects.create(url="https://news.example/story", state=ImportJob.State.FETCHING)
    page = factchecker_client.get(f"/articles/import/jobs/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and "Fetching" in page

    article, _ = import_text(article_text)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.DONE, article=article)
    poll = factchecker_client.get(f"/articles/import/jobs/{job.pk}/", HTTP_HX_REQUEST="true")
    assert poll["HX-Redirect"] == f"/articles/{article.pk}/"


def test_failed_job_shows_its_error(factchecker_client: Client) -> None:
    job = ImportJob.objects.create(
        url="https://news.example/gone",
        state=ImportJob.State.FAILED,
        error="Could not fetch the page: HTTP 404",
    )
    html = factchecker_client.get(f"/articles/import/jobs/{job.pk}/").content.decode()
    assert "Could not fetch the page: HTTP 404" in html
    assert "every 1s" not in html


def test_oversized_paste_gets_a_message_not_a_bare_error(
    factchecker_client: Client, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = factchecker_client.post(IMPORT_URL, {"text": "word " * 50_000}, follow=True)
    assert response.redirect_chain == [(IMPORT_URL, 303)]
    assert "What you sent is too large to read. Paste at most" in response.content.decode()
    assert not Article.objects.exists()


def test_an_unreadable_body_elsewhere_is_a_short_page_or_json(client: Client, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    response = client.post("/accounts/login/", {"username": "x" * 5_000, "password": "y"})
    assert response.status_code == 400
    assert "What you sent is too large to read" in response.content.decode()


def test_import_jobs_of_another_desk_are_not_found(reader_client: Client) -> None:
    other_desk = TeamFactory(name="Business desk", slug="business-desk")
    job = ImportJob.objects.create(url="https://news.example/story", team=other_desk)
    assert reader_client.get(f"/articles/import/jobs/{job.pk}/").status_code == 404


def test_health_check_reaches_the_database(client: Client) -> None:
    response = client.get("/healthz/web")
    assert response.status_code == 200 and response.content == b"database: ok\n"


def test_the_health_report_names_each_dependency(client: Client) -> None:
    lines = client.get("/healthz").content.decode().splitlines()
    assert [line.split(":")[0] for line in lines] == ["database", "cache", "broker", "workers"]
    assert lines[0] == "database: ok" and lines[2] == "broker: ok"
    assert lines[1].startswith("cache: ok")  # Redis, or the in-process cache without it
