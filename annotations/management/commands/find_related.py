"""Find other outlets' coverage of an article and match it claim by claim, to completion.

    python manage.py find_related ARTICLE_ID [--feed URL ...] [--query TEXT] [--json]

Runs the same steps the web UI queues on the Celery workers, here in this process.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.coverage import pipeline, services
from annotations.coverage import selectors as coverage_selectors
from annotations.coverage.providers import available
from annotations.ingest import selectors
from annotations.models import Article, CoverageMatch, RelatedArticle


class Command(BaseCommand):
    help = "Search related coverage for an article and match it against its claims."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("article_id", type=int)
        parser.add_argument(
            "--feed", action="append", default=[], help="an RSS/Atom feed URL (repeatable)"
        )
        parser.add_argument("--query", help="the search (default: built from the article)")
        parser.add_argument(
            "--providers",
            help="comma-separated: "
            + ", ".join(k for k, _l in available())
            + " (default: all; none with --feed)",
        )
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        article = Article.objects.filter(pk=options["article_id"]).first()
        if article is None:
            raise CommandError(f"No article with id {options['article_id']}.")
        version = selectors.article_version(article)
        if version is None:
            raise CommandError("That article has no text.")
        if options["providers"] is not None:
            providers = [p.strip() for p in options["providers"].split(",") if p.strip()]
        else:
            providers = [] if options["feed"] else [k for k, _l in available()]
        try:
            job = services.coverage_job_create(
                version=version,
                user=None,
                query=options["query"] or coverage_selectors.suggested_query(version),
                providers=providers,
                feed_urls=options["feed"],
                start=False,
            )
        except services.CoverageError as exc:
            raise CommandError(str(exc)) from exc
        job = pipeline.coverage_job_run(job.pk)
        result = report(job.pk)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
            return
        counts = result["job"]["counts"]
        self.stdout.write(
            f"Job {job.pk}: {job.state}; found {counts['found']}, fetched {counts['fetched']}, "
            f"extracted {counts['extracted']}, matched {counts['matched']}, failed {counts['failed']}"
        )
        for related in result["related"]:
            self.stdout.write(
                f"  {related['relevance']:.2f}  {related['outlet'] or '-'}: {related['title']}"
            )
        for m in result["matches"]:
            if m["relation"] != "not_mentioned":
                self.stdout.write(f"  [{m['relation']}] {m['claim']['text'][:70]} <- {m['url']}")
        for problem in result["errors"]:
            self.stderr.write(f"  error: {problem['source']}: {problem['error']}")


def report(job_id: int) -> dict[str, Any]:
    from annotations.models import CoverageJob

    job = CoverageJob.objects.get(pk=job_id)
    related = job.related.filter(status=RelatedArticle.Status.EXTRACTED).order_by(
        "-relevance", "id"
    )
    matches = (
        CoverageMatch.objects.filter(job=job)
        .select_related("related")
        .order_by("sentence_index", "related__relevance")
    )
    return {
        "job": {
            "id": job.pk,
            "state": job.state,
            "query": job.query,
            "counts": {
                "found": job.found,
                "fetched": job.fetched,
                "extracted": job.extracted,
                "matched": job.matched,
                "failed": job.failed,
            },
        },
        "related": [
            {
                "url": r.canonical_url or r.url,
                "title": r.title,
                "outlet": r.outlet,
                "published": r.published_at.isoformat() if r.published_at else None,
                "relevance": r.relevance,
            }
            for r in related
        ],
        "matches": [
            {
                "claim": {
                    "annotation_id": m.annotation_id,
                    "sentence_index": m.sentence_index,
                    "text": m.claim_text,
                },
                "url": m.related.canonical_url or m.related.url,
                "sentence": m.related_sentence,
                "relation": m.relation,
                "score": m.score,
                **({"figures": m.figures} if m.relation == "differs" else {}),
            }
            for m in matches
        ],
        "errors": [
            *job.errors,
            *(
                {"source": r.url, "error": r.error}
                for r in job.related.filter(status=RelatedArticle.Status.FAILED)
            ),
        ],
    }
