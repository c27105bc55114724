"""The change watch end to end: a real Celery beat and worker on the real broker notice a
page the local web server changed, store the new version and re-anchor its claims."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from annotations.models import Annotation, Article, Notification, Placement
from tests.conftest import LocalWebServer, run_celery_worker
from tests.factories import annotate, import_text

pytestmark = pytest.mark.celery_worker

PLAIN = {"Content-Type": "text/plain; charset=utf-8"}


def test_a_beat_run_detects_a_change_served_by_a_local_server_and_re_anchors(
    transactional_db,
    tmp_path: Path,
    web_server: LocalWebServer,
    allow_local_fetch,
    article_text: str,
    team,
    factchecker,
    editor,
) -> None:  # type: ignore[no-untyped-def]
    url = web_server.add("/news/diesel", article_text, headers=PLAIN)
    article, version = import_text(article_text, team=team, url=url)
    lorries = annotate(version, "logged 1,140 lorries heading north", factchecker)
    percent = annotate(version, "fell by almost 40 percent", factchecker)
    Annotation.objects.filter(pk__in=[lorries.pk, percent.pk]).update(
        state=Annotation.State.PUBLISHED
    )
    # The outlet corrects a figure and adds a line at the top.
    headline, body = article_text.split("\n\n", 1)
    changed = f"{headline}\n\nUpdated on Friday.\n\n{body.replace('1,140', '1,104')}"
    web_server.add("/news/diesel", changed, headers=PLAIN)

    with run_celery_worker(
        tmp_path,
        beat=True,
        WATCH_CHECK_EVERY_SECONDS="1",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    ) as worker:
        deadline = time.monotonic() + 60
        while Placement.objects.filter(version__article=article, version__number=2).count() < 2:
            if time.monotonic() > deadline:
                beat_log = (
                    (tmp_path / "beat.log").read_text() if (tmp_path / "beat.log").exists() else ""
                )
                raise AssertionError(
                    f"no re-anchored version 2 after 60 s\nworker:\n{worker.log_tail()}\n"
                    f"beat:\n{beat_log[-3000:]}"
                )
            time.sleep(0.2)

    new_version = article.versions.get(number=2)
    assert new_version.text == changed and new_version.source == "url"
    placed = {p.annotation_id: p for p in Placement.objects.filter(version=new_version)}
    assert placed[percent.pk].status == Placement.Status.ANCHORED
    assert placed[lorries.pk].status == Placement.Status.CHANGED
    assert placed[lorries.pk].text == "logged 1,104 lorries heading north"
    article.refresh_from_db()
    assert article.page_status == Article.PageStatus.LIVE
    assert article.watch_checked_at is not None and article.watch_next_at > article.watch_checked_at
    told = Notification.objects.filter(article=article, kind=Notification.Kind.ARTICLE_CHANGED)
    assert set(told.values_list("recipient__username", flat=True)) == {"amira", "jonas"}
    assert "/news/diesel" in web_server.hits
