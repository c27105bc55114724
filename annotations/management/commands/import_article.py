"""python manage.py import_article SOURCE [--title T] [--outlet O] [--url U] [--published DATE] [--json]

SOURCE is a file path (.txt, .md, .html), `-` for standard input, or an http(s) URL. A URL is
imported by the same Celery task the web page queues, run here in-process to completion.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.fetching import BlockedURL, check_url
from annotations.ingest import services
from annotations.ingest.documents import DocumentError, decode_bytes, from_upload
from annotations.ingest.tasks import import_article_url
from annotations.models import ArticleVersion, ImportJob, Team
from annotations.workspace import placements


def _parse_published(value: str) -> date | datetime:
    try:
        return (
            datetime.fromisoformat(value)
            if "T" in value or " " in value
            else date.fromisoformat(value)
        )
    except ValueError as exc:
        raise CommandError(f"--published must be a date like 2015-12-02, got {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Import a news article from a file, standard input or a URL, and split it into sentences."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", help="a file path, - for standard input, or an http(s) URL")
        parser.add_argument("--title", default="", help="override the headline as title")
        parser.add_argument("--outlet", default="", help="the publication, e.g. 'Daily Example'")
        parser.add_argument("--url", default="", help="the article's address (for file input)")
        parser.add_argument("--published", default="", help="publication date, YYYY-MM-DD")
        parser.add_argument("--team", default="", help="slug of the desk that owns the article")
        parser.add_argument(
            "--format",
            choices=["text", "markdown", "html"],
            default="",
            help="format of standard input (default: text) or of a file without extension",
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        source: str = options["source"]
        published = _parse_published(options["published"]) if options["published"] else None
        team = None
        if options["team"]:
            team = Team.objects.filter(slug=options["team"]).first()
            if team is None:
                raise CommandError(f"no desk with slug {options['team']!r}")

        if source.startswith(("http://", "https://")) or "://" in source:
            result = self._import_url(source, options, team)
        else:
            result = self._import_file(source, options, team, published)

        version = result.version
        sentences = list(version.sentences.order_by("index"))
        # The worker places the older claims on a new version too; here it happens at once,
        # so the output can say where each claim went (the task is idempotent).
        placed = placements.version_reanchor(version.pk) if version.number > 1 else []
        if options["json"]:
            payload = {
                "id": result.article.pk,
                "slug": result.article.slug,
                "version": version.number,
                "created": result.created_version,
                "sentences": [
                    {
                        "index": s.index,
                        "start": s.start,
                        "end": s.end,
                        "text": s.text,
                        "score": s.score,
                    }
                    for s in sentences
                ],
            }
            if version.number > 1:
                payload["anchoring"] = [
                    {
                        "annotation": p.annotation_id,
                        "status": p.status,
                        "start": p.start,
                        "end": p.end,
                        "score": p.score,
                    }
                    for p in placed
                ]
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        self.stdout.write(f"{result.article.pk}\t{result.article.slug}")
        state = (
            "imported" if result.created_version else "unchanged (identical text already imported)"
        )
        self.stderr.write(
            f"{result.article.title}: version {version.number}, {len(sentences)} sentences, {state}"
        )

    def _import_file(
        self,
        source: str,
        options: dict[str, Any],
        team: Team | None,
        published: date | datetime | None,
    ) -> services.ImportResult:
        if source == "-":
            data = sys.stdin.buffer.read()
            name = "stdin." + {"markdown": "md", "html": "html"}.get(options["format"], "txt")
        else:
            path = Path(source)
            if not path.is_file():
                raise CommandError(f"no such file: {source}")
            name = path.name
            if options["format"]:
                name = (
                    f"{path.stem}."
                    + {"markdown": "md", "html": "html", "text": "txt"}[options["format"]]
                )
            data = path.read_bytes()
        try:
            decode_bytes(data)  # clear messages for empty, binary and non-UTF-8 input
            document = from_upload(name, data)
            return services.article_import(
                document=document,
                source=ArticleVersion.Source.CLI,
                team=team,
                title=options["title"],
                outlet=options["outlet"],
                url=options["url"],
                published=published,
            )
        except DocumentError as exc:
            raise CommandError(str(exc)) from exc

    def _import_url(
        self, url: str, options: dict[str, Any], team: Team | None
    ) -> services.ImportResult:
        try:
            check_url(url)
        except BlockedURL as exc:
            raise CommandError(str(exc)) from exc
        job = ImportJob.objects.create(
            url=url, title=options["title"], outlet=options["outlet"], team=team
        )
        import_article_url.apply(args=[job.pk])  # same task as the web import, run here
        job.refresh_from_db()
        if job.state != ImportJob.State.DONE or job.article is None:
            raise CommandError(job.error or f"import ended in state {job.state}")
        version = job.article.versions.order_by("-number").first()
        assert version is not None
        return services.ImportResult(job.article, version, False, job.version_created)
