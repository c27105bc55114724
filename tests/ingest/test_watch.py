"""The change watch: an article's page fetched again from a local web server, and what the
desk then sees (versions, placements, the page's status, a held text, notifications)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from annotations.ingest import watch
from annotations.ingest.tasks import article_watch, watch_articles
from annotations.models import Annotation, Article, ArticleVersion, Notification, Placement
from tests.conftest import LocalWebServer
from tests.factories import TeamFactory, UserFactory, annotate, import_text

PATH = "/news/velmora-diesel-racket"
LORRIES = "logged 1,140 lorries heading north"
PERCENT = "fell by almost 40 percent"
BRANCU = "Governor Tomas Brancu of the Northern Province personally approved the depot licences"
PLAIN = {"Content-Type": "text/plain; charset=utf-8"}

OTHER_STORY = """Harbour authority freezes ferry fares as northern route cancellations mount

The harbour authority said on Thursday that ferry fares will stay at £3.20 until next October, the first freeze in fourteen years, after a summer of complaints from commuters on the northern route.

Chair Ruth Malley told a meeting of the port board that ticket sales had risen 18 percent since the spring timetable change, and that the extra income would pay for the freeze without cutting sailings.

Passenger groups welcomed the decision but said services on the northern route were still cancelled too often. The Island Commuters Association counted 212 cancelled crossings between May and August, most of them blamed on a shortage of qualified crew.

The authority has ordered two new hybrid vessels from a yard in Gdansk. The first is due to enter service next spring, and the second a year later, which managers say should end the worst of the disruption.

Malley said the board would review fares again next summer. “We are not promising a freeze for ever,” she said, “but nobody should pay more for a service that does not turn up.”

Local councillors on the island asked the authority to publish monthly figures for cancelled sailings, so that passengers can judge for themselves whether the service is improving."""


def edited(text: str) -> str:
    """What the outlet did: a paragraph added at the top and a figure corrected."""
    headline, body = text.split("\n\n", 1)
    body = body.replace("1,140 lorries", "1,104 lorries")
    return (
        f"{headline}\n\nCorrection appended on Thursday: the lorry count was misstated.\n\n{body}"
    )


def in_review(*claims: Annotation) -> None:
    Annotation.objects.filter(pk__in=[c.pk for c in claims]).update(
        state=Annotation.State.IN_REVIEW
    )


def desk_told(article: Article) -> set[str]:
    return set(
        Notification.objects.filter(
            article=article, kind=Notification.Kind.ARTICLE_CHANGED, annotation=None
        ).values_list("recipient__username", flat=True)
    )


@pytest.fixture
def page(web_server: LocalWebServer, allow_local_fetch, settings) -> LocalWebServer:  # type: ignore[no-untyped-def]
    settings.WATCH_INTERVAL_HOURS = 24
    settings.WATCH_MAX_INTERVAL_DAYS = 14
    return web_server


@pytest.fixture
def watched(page: LocalWebServer, article_text: str, team, factchecker, editor):  # type: ignore[no-untyped-def]
    """The wire story imported from the local server, with three claims in review."""
    url = page.add(PATH, article_text, headers=PLAIN)
    article, version = import_text(article_text, team=team, url=url)
    claims = {p: annotate(version, p, factchecker) for p in (LORRIES, PERCENT, BRANCU)}
    in_review(*claims.values())
    return article, claims


# --- Conditional requests and backoff ---------------------------------------------------------


@pytest.mark.django_db
def test_an_unchanged_page_is_asked_for_conditionally_and_checked_less_often(
    watched, page: LocalWebServer, article_text: str
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    validators = {"ETag": '"wire-1"', "Last-Modified": "Tue, 06 Oct 2026 08:00:00 GMT"}
    page.add(PATH, article_text, headers={**PLAIN, **validators})

    first = watch.article_refetch(article.pk, conditional=True)
    article.refresh_from_db()
    assert first.outcome == "unchanged" and first.version is None
    assert (article.watch_etag, article.watch_last_modified) == tuple(validators.values())
    assert article.watch_unchanged == 1
    assert article.watch_next_at - article.watch_checked_at == timedelta(hours=48)

    second = watch.article_refetch(article.pk, conditional=True)
    _path, sent = page.requests[-1]
    assert sent["if-none-match"] == '"wire-1"'
    assert sent["if-modified-since"] == "Tue, 06 Oct 2026 08:00:00 GMT"
    article.refresh_from_db()
    assert second.outcome == "unchanged" and article.page_http_status == 304
    assert article.watch_unchanged == 2
    assert article.watch_next_at - article.watch_checked_at == timedelta(hours=96)
    assert article.page_status == Article.PageStatus.LIVE
    assert article.versions.count() == 1
    assert desk_told(article) == set()  # nothing to tell


@pytest.mark.django_db
def test_the_interval_stops_growing_at_the_cap(settings) -> None:  # type: ignore[no-untyped-def]
    settings.WATCH_INTERVAL_HOURS, settings.WATCH_MAX_INTERVAL_DAYS = 24, 14
    assert [watch.watch_interval(n).days for n in range(6)] == [1, 2, 4, 8, 14, 14]
    assert watch.watch_interval(10_000) == timedelta(days=14)


@pytest.mark.django_db
def test_a_person_asking_for_a_fresh_look_gets_a_full_fetch(
    watched, page: LocalWebServer, article_text: str
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    page.add(PATH, article_text, headers={**PLAIN, "ETag": '"wire-1"'})
    watch.article_refetch(article.pk, conditional=True)

    result = watch.article_refetch(article.pk, conditional=False)

    _path, sent = page.requests[-1]
    assert "if-none-match" not in sent
    assert result.outcome == "unchanged" and "version 1" in result.message


# --- A changed text ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_page_becomes_a_version_its_claims_are_placed_and_the_desk_told(
    watched, page: LocalWebServer, article_text: str, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    article, claims = watched
    outsider = UserFactory(username="other-desk-editor")
    TeamFactory(slug="sport").members.add(outsider)
    Article.objects.filter(pk=article.pk).update(watch_unchanged=3)
    page.add(PATH, edited(article_text), headers={**PLAIN, "ETag": '"wire-2"'})

    result = watch.article_refetch(article.pk, conditional=True)

    assert result.outcome == "version" and result.version is not None
    assert result.version.number == 2 and result.version.source == "url"
    placed = {p.annotation_id: p for p in Placement.objects.filter(version=result.version)}
    assert placed[claims[PERCENT].pk].status == Placement.Status.ANCHORED
    assert placed[claims[LORRIES].pk].status == Placement.Status.CHANGED
    assert placed[claims[LORRIES].pk].text == "logged 1,104 lorries heading north"
    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.LIVE
    assert article.watch_unchanged == 0 and article.watch_etag == '"wire-2"'
    assert article.watch_next_at - article.watch_checked_at == timedelta(hours=24)
    assert desk_told(article) == {factchecker.username, editor.username}
    note = Notification.objects.filter(article=article).first()
    assert note is not None and "version 2" in note.text
    assert "2 claims in place, 1 changed" in result.message


@pytest.mark.django_db
def test_the_person_who_asked_is_not_told_of_their_own_refetch(
    watched, page: LocalWebServer, article_text: str, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    page.add(PATH, edited(article_text), headers=PLAIN)

    result = watch.article_refetch(article.pk, user=factchecker)

    assert result.outcome == "version" and result.version.created_by == factchecker
    assert desk_told(article) == {editor.username}


@pytest.mark.django_db
def test_another_story_at_the_same_address_is_stored_orphaning_every_claim(
    watched, page: LocalWebServer, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    article, claims = watched
    # The other story even names a canonical address of its own: it still lands here.
    html = (
        '<html><head><title>Ferry fares</title><link rel="canonical" '
        'href="https://harbour.example/ferry-fares"></head><body><article>'
        + "".join(f"<p>{para}</p>" for para in OTHER_STORY.split("\n\n"))
        + "</article></body></html>"
    )
    page.add(PATH, html)

    result = watch.article_refetch(article.pk, conditional=True)

    assert result.outcome == "version" and result.version.number == 2
    assert Article.objects.count() == 1
    placed = Placement.objects.filter(version=result.version)
    assert placed.count() == len(claims)
    assert set(placed.values_list("status", flat=True)) == {Placement.Status.ORPHANED}
    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.REPLACED
    assert "different story" in article.page_note and "different story" in result.message
    assert desk_told(article) == {factchecker.username, editor.username}
    # Nothing is lost: the claims keep their own text on version 1.
    assert Annotation.objects.filter(version__number=1, version__article=article).count() == 3


# --- Bad answers: nothing lost, a clear message ----------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("status", [404, 410])
def test_a_page_the_outlet_removed_is_marked_gone_without_a_version(
    watched, page: LocalWebServer, status: int, factchecker, editor
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    page.add(PATH, "<h1>Not here</h1>", status=status)

    result = watch.article_refetch(article.pk, conditional=True)

    article.refresh_from_db()
    assert result.outcome == "gone" and result.version is None
    assert article.page_status == Article.PageStatus.GONE
    assert article.page_http_status == status and str(status) in article.page_note
    assert timezone.now().strftime("%Y-%m-%d") in article.page_note
    assert article.page_status_at is not None
    assert article.versions.count() == 1
    assert desk_told(article) == {factchecker.username, editor.username}
    assert article.pk not in watch.watch_due(timezone.now() + timedelta(days=30))


@pytest.mark.django_db
def test_a_redirect_to_another_article_marks_the_page_moved(
    watched, page: LocalWebServer, factchecker
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    page.add("/news/ferry-fares", OTHER_STORY, headers=PLAIN)
    page.redirect(PATH, "/news/ferry-fares", status=301)

    result = watch.article_refetch(article.pk, conditional=True)

    article.refresh_from_db()
    assert result.outcome == "moved" and result.version is None
    assert article.page_status == Article.PageStatus.MOVED
    assert "/news/ferry-fares" in article.page_note
    assert article.versions.count() == 1
    assert factchecker.username in desk_told(article)


@pytest.mark.django_db
def test_a_redirect_to_a_page_naming_this_article_as_canonical_is_still_this_article(
    watched, page: LocalWebServer, article_text: str
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    paragraphs = edited(article_text).split("\n\n")
    html = (
        f'<html><head><title>{paragraphs[0]}</title><link rel="canonical" href="{article.url}">'
        f"</head><body><article><h1>{paragraphs[0]}</h1>"
        + "".join(f"<p>{para}</p>" for para in paragraphs[1:])
        + "</article></body></html>"
    )
    page.add("/amp/velmora-diesel-racket", html)
    page.redirect(PATH, "/amp/velmora-diesel-racket")

    result = watch.article_refetch(article.pk, conditional=True)

    assert result.outcome == "version", result.message
    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.LIVE


@pytest.mark.django_db
def test_an_oversized_page_is_noted_as_unreachable_and_nothing_is_lost(
    watched, page: LocalWebServer, article_text: str, settings
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    settings.FETCH_MAX_BYTES = 10_000
    page.add(PATH, edited(article_text) * 10, headers=PLAIN)

    result = watch.article_refetch(article.pk, conditional=True)

    article.refresh_from_db()
    assert result.outcome == "failed" and result.version is None
    assert article.page_status == Article.PageStatus.UNREACHABLE
    assert "too large" in article.page_note and "stored versions are kept" in article.page_note
    assert article.versions.count() == 1
    assert article.watch_next_at is not None


@pytest.mark.django_db
def test_a_server_error_is_retried_at_the_next_check(
    watched, page: LocalWebServer, article_text: str
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    page.add(PATH, "busy", status=503)

    result = watch.article_refetch(article.pk, conditional=True)

    article.refresh_from_db()
    assert result.outcome == "failed"
    assert article.page_status == Article.PageStatus.UNREACHABLE
    assert "503" in article.page_note
    assert article.pk in watch.watch_due(article.watch_next_at)

    page.add(PATH, article_text, headers=PLAIN)  # back to normal
    assert watch.article_refetch(article.pk, conditional=True).outcome == "unchanged"
    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.LIVE and article.page_note == ""


@pytest.mark.django_db
def test_a_connection_failure_is_noted_and_retried(watched, page: LocalWebServer) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    Article.objects.filter(pk=article.pk).update(url="http://127.0.0.1:9/gone-quiet")

    result = watch.article_refetch(article.pk, conditional=True)

    article.refresh_from_db()
    assert result.outcome == "failed" and "could not connect" in result.message
    assert "tried again at the next check" in article.page_note


# --- A truncated page is held -------------------------------------------------------------------------


@pytest.fixture
def held(watched, page: LocalWebServer, article_text: str):  # type: ignore[no-untyped-def]
    article, claims = watched
    teaser = "\n\n".join(article_text.split("\n\n")[:3]) + "\n\nSubscribe to read more."
    page.add(PATH, teaser, headers=PLAIN)
    result = watch.article_refetch(article.pk, conditional=True)
    article.refresh_from_db()
    return article, claims, result, teaser


@pytest.mark.django_db
def test_a_page_under_half_its_length_is_held_not_stored(held, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    article, _claims, result, teaser = held
    assert result.outcome == "held" and result.version is None
    assert "held" in result.message and f"{len(teaser):,} characters" in result.message
    assert article.page_status == Article.PageStatus.HELD
    assert article.held_text == teaser and article.held_url.endswith(PATH)
    assert article.held_at is not None
    assert article.versions.count() == 1
    assert desk_told(article) == {factchecker.username, editor.username}
    # The same teaser again is not news.
    watch.article_refetch(article.pk, conditional=True)
    assert Notification.objects.filter(article=article).count() == 2


@pytest.mark.django_db
def test_confirming_a_held_text_makes_it_a_version(held, factchecker, editor) -> None:  # type: ignore[no-untyped-def]
    article, claims, _result, teaser = held

    result = watch.held_confirm(article, editor)

    assert result.outcome == "version" and result.version.number == 2
    assert result.version.text == teaser and result.version.created_by == editor
    article.refresh_from_db()
    assert (article.held_text, article.held_url, article.held_at) == ("", "", None)
    assert article.page_status == Article.PageStatus.LIVE
    assert factchecker.username in desk_told(article)


@pytest.mark.django_db
def test_discarding_a_held_text_keeps_the_versions_as_they_are(held, factchecker) -> None:  # type: ignore[no-untyped-def]
    article, _claims, _result, _teaser = held

    watch.held_discard(article, factchecker)

    article.refresh_from_db()
    assert (article.held_text, article.held_url, article.held_at) == ("", "", None)
    assert article.page_status == Article.PageStatus.LIVE
    assert article.versions.count() == 1


@pytest.mark.django_db
def test_a_page_gone_since_the_text_was_held_stays_gone_after_a_decision(
    held, page: LocalWebServer, factchecker
) -> None:  # type: ignore[no-untyped-def]
    article, _claims, _result, _teaser = held
    page.add(PATH, "gone", status=404)
    watch.article_refetch(article.pk, conditional=True)
    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.GONE and article.held_text  # kept

    watch.held_discard(article, factchecker)

    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.GONE and article.held_text == ""


@pytest.mark.django_db
def test_only_the_desks_annotators_decide_about_a_held_text(held, reader) -> None:  # type: ignore[no-untyped-def]
    article, _claims, _result, _teaser = held
    stranger = UserFactory(username="stranger")
    for user in (reader, stranger):
        with pytest.raises(PermissionDenied):
            watch.held_confirm(article, user)
        with pytest.raises(PermissionDenied):
            watch.held_discard(article, user)
    article.refresh_from_db()
    assert article.held_text and article.versions.count() == 1


# --- Which articles are due -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_articles_with_a_url_and_claims_the_desk_stands_behind_are_due(
    article_text: str, team, factchecker
) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()

    def article_with(slug: str, state: str | None, url: bool = True, **fields: object) -> Article:
        text = f"{slug.title()} story\n\n{article_text}"
        article, version = import_text(
            text, team=team, url=f"https://outlet.example/{slug}" if url else ""
        )
        if state is not None:
            claim = annotate(version, LORRIES, factchecker)
            Annotation.objects.filter(pk=claim.pk).update(state=state)
        Article.objects.filter(pk=article.pk).update(**fields)
        return article

    never_checked = article_with("never-checked", "in_review")
    due = {
        never_checked,
        article_with("approved", "approved", watch_next_at=now - timedelta(minutes=1)),
        article_with("published", "published", watch_next_at=now),
        article_with("corrected", "corrected", page_status="unreachable"),
        article_with("held", "in_review", page_status="held"),
    }
    not_due = {
        article_with("no-claims", None),
        article_with("draft", "draft"),
        article_with("changes", "changes_requested"),
        article_with("retracted", "retracted"),
        article_with("pasted", "in_review", url=False),
        article_with("later", "published", watch_next_at=now + timedelta(hours=1)),
        article_with("gone", "published", page_status="gone"),
    }
    deleted = article_with("deleted-claim", "in_review")
    Annotation.objects.filter(version__article=deleted).update(deleted_at=now)
    not_due.add(deleted)

    ids = watch.watch_due(now)

    assert set(ids) == {a.pk for a in due}
    assert ids[0] == never_checked.pk  # never checked goes first
    assert not {a.pk for a in not_due} & set(ids)


# --- Tasks, in process ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_beat_task_leases_what_is_due_and_the_check_task_refetches(
    watched, page: LocalWebServer, article_text: str
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    page.add(PATH, edited(article_text), headers=PLAIN)

    assert watch_articles.apply().get() == 1
    article.refresh_from_db()
    assert article.watch_next_at > timezone.now() + timedelta(minutes=50)
    assert watch.watch_due() == []  # leased: the next beat does not queue it again

    assert article_watch.apply(args=[article.pk]).get() == "version"
    assert article_watch.apply(args=[article.pk]).get() == "unchanged"  # safe to run twice
    assert article.versions.count() == 2
    assert article_watch.apply(args=[987_654]).get() == "failed"  # deleted meanwhile


# --- Two re-fetches at once -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_refetches_at_once_make_one_version(
    watched, page: LocalWebServer, article_text: str, task_queue: str
) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    # Slow enough that both requests are in flight together.
    page.add(PATH, edited(article_text), headers=PLAIN, delay=0.5)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def refetch() -> None:
        try:
            barrier.wait()
            outcomes.append(watch.article_refetch(article.pk, conditional=True).outcome)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert sorted(outcomes) == ["unchanged", "version"]
    assert article.versions.count() == 2
    assert page.hits.count(PATH) == 2


# --- The page's banner --------------------------------------------------------------------------------


def _banner(article: Article, *, published_only: bool = False, can_annotate: bool = True) -> str:
    from django.template.loader import render_to_string

    context = {
        "article": article,
        "versions": article.versions.order_by("-number"),
        "published_only": published_only,
        "can_annotate": can_annotate,
    }
    return render_to_string("annotations/ingest/partials/page_status.html", context)


@pytest.mark.django_db
def test_the_banner_shows_a_held_text_with_both_choices(held, article_text: str) -> None:  # type: ignore[no-untyped-def]
    article, _claims, _result, teaser = held
    html = _banner(article)
    assert 'id="page-status"' in html
    assert f"<strong>{len(teaser):,}</strong> characters" in html
    assert f"<strong>{len(article_text):,}</strong>" in html
    assert "Import it as a new version" in html and "Discard" in html
    assert f"/articles/{article.pk}/held/confirm/" in html
    # Readers of the desk see the news, not the buttons; other staff see nothing.
    read_only = _banner(article, can_annotate=False)
    assert "held" in read_only and "Import it as a new version" not in read_only
    assert _banner(article, published_only=True).strip() == ""


@pytest.mark.django_db
def test_the_banner_shows_a_gone_page_with_its_note_and_date(watched, page: LocalWebServer) -> None:  # type: ignore[no-untyped-def]
    article, _claims = watched
    assert _banner(article).strip() == ""  # a live page needs no banner
    page.add(PATH, "gone", status=410)
    watch.article_refetch(article.pk, conditional=True)
    article.refresh_from_db()
    html = _banner(article)
    assert "removed by the outlet" in html and "410" in html
    assert article.page_status_at.strftime("%Y") in html
    assert "Import it as a new version" not in html


def test_beat_schedules_the_watch() -> None:
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["watch-articles"]
    assert entry["task"] == "annotations.watch_articles"
    assert entry["schedule"] == float(settings.WATCH_CHECK_EVERY_SECONDS)


@pytest.mark.django_db
def test_fetch_its_page_again_from_the_article_page(
    watched, page: LocalWebServer, article_text: str, factchecker_client, factchecker
) -> None:  # type: ignore[no-untyped-def]
    """The button on "Import a new version" queues a job that goes through the watch's
    guards; a page gone fails the job with the reason, a changed page makes a version."""
    from annotations.ingest import watch as ingest_watch
    from annotations.models import ImportJob

    article, _claims = watched
    response = factchecker_client.post(f"/articles/{article.pk}/versions/new/", {"fetch": "1"})
    job = ImportJob.objects.get(article=article, created_by=factchecker)
    assert response["Location"] == f"/articles/import/jobs/{job.pk}/"

    page.add(PATH, "", status=410)
    job = ingest_watch.refetch_job_run(job.pk)
    assert job.state == ImportJob.State.FAILED and "410" in job.error
    assert ArticleVersion.objects.filter(article=article).count() == 1

    page.add(PATH, edited(article_text), headers=PLAIN)
    again = ImportJob.objects.create(
        url=job.url, article=article, team=article.team, created_by=factchecker
    )
    again = ingest_watch.refetch_job_run(again.pk)
    assert again.state == ImportJob.State.DONE and again.version_created
    assert ArticleVersion.objects.filter(article=article).count() == 2
